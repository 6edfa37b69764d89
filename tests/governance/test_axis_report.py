"""The axis report lists the agreements of the plan's public bodies about the axis' items,
overdue first; a private body's agreements stay out of a report that may be published."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from rumbo.governance import services
from rumbo.governance.models import AttendanceStatus
from rumbo.indicators.periods import period_get_or_create
from rumbo.plans.services import node_create
from rumbo.reports.selectors import report_content
from rumbo.reports.services import report_create
from tests.governance.conftest import Gov, at

pytestmark = pytest.mark.django_db


def test_the_axis_report_shows_the_agreements_about_its_items(gov: Gov) -> None:
    w = gov.world
    today = timezone.localdate()
    child = node_create(actor=w.users["planner"], plan=w.plan, parent=w.node, code="E1.1", title="Objetivo")
    other_axis = node_create(actor=w.users["planner"], plan=w.plan, parent=None, code="E2", title="Eje dos")
    day = today - datetime.timedelta(days=60)
    meeting = services.meeting_convene(actor=gov.secretary, body=gov.body, title="Sesión", starts_at=at(day),
                                       ends_at=at(day, 12))  # fmt: skip
    services.meeting_attendance_record(
        actor=gov.secretary, meeting=meeting, marks={gov.seats["m1"].pk: AttendanceStatus.PRESENT}
    )

    def agree(text: str, due: datetime.date | None, nodes: list[int]) -> Any:
        return services.agreement_create(actor=gov.secretary, meeting=meeting, text=text, owner_office="Gerencia",
                                         due_date=due, node_ids=nodes)  # fmt: skip

    late = agree("Aprobar el reglamento", today - datetime.timedelta(days=5), [child.pk])
    agree("Publicar el plan", today + datetime.timedelta(days=30), [w.node.pk])
    agree("Otro eje", today - datetime.timedelta(days=5), [other_axis.pk])
    period = period_get_or_create(str(today.year))
    report = report_create(actor=w.users["planner"], plan=w.plan, kind="axis_progress", node=w.node, period_from=period,
                           period_to=period)  # fmt: skip
    section = report_content(report=report).sections[0]
    assert [(a.number, a.state, a.about) for a in section.agreements] == [
        (late.number, "overdue", "E1.1"),
        (late.number + 1, "pending", "E1"),
    ]
    # a private body's agreements are left out
    gov.body.is_public = False
    gov.body.save()
    assert report_content(report=report).sections[0].agreements == []
