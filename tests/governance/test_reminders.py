"""Owners of overdue agreements get one e-mail each; offices named in words get none."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from rumbo.governance import services
from rumbo.governance.models import AttendanceStatus
from tests.governance.conftest import Gov, at

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)


def test_each_owner_is_told_of_their_overdue_agreements(gov: Gov, settings: Any) -> None:
    meeting = services.meeting_convene(actor=gov.secretary, body=gov.body, title="Sesión", starts_at=at(DAY),
                                       ends_at=at(DAY, 12))  # fmt: skip
    services.meeting_attendance_record(
        actor=gov.secretary, meeting=meeting, marks={gov.seats["m1"].pk: AttendanceStatus.PRESENT}
    )
    late = DAY + datetime.timedelta(days=5)

    def agree(text: str, due: datetime.date, **owner: Any) -> Any:
        return services.agreement_create(
            actor=gov.secretary, meeting=meeting, text=text, due_date=due, **owner
        )

    agree("Informe de avance", late, owner_member=gov.seats["m1"])  # external member with an e-mail
    agree("Reglamento", late, owner_member=gov.seats["m1"])
    agree("Expediente técnico", late, owner_member=gov.seats["m2"])  # no e-mail recorded
    agree("Convocatoria", late, owner_office="Gerencia de Planeamiento")
    agree("Futuro", DAY + datetime.timedelta(days=90), owner_member=gov.seats["m1"])
    planner = gov.world.users["planner"]
    planner.email = "planner@muni.example"
    planner.save()
    agree("Publicación", late, owner_user=planner)
    out = io.StringIO()
    call_command("send_agreement_reminders", today=str(DAY + datetime.timedelta(days=10)),
                 base_url="https://rumbo.example", stdout=out)  # fmt: skip
    assert "2 e-mails sent." in out.getvalue()
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"ana@calzada.example", "planner@muni.example"}
    body = by_to["ana@calzada.example"].body
    assert "Informe de avance" in body and "Reglamento" in body and "Futuro" not in body
    assert "https://rumbo.example/gobernanza/acuerdos/" in body
