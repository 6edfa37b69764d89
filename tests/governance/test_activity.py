"""Dissemination totals, risk reviews and the matrix, the action plan's late actions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from rumbo.governance import activity
from rumbo.governance.models import ActionStatus, ProofKind, RiskKind, RiskReview, RiskState
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 5, 4)


def test_dissemination_totals_per_audience_and_district(world: Any) -> None:
    planner = world.users["planner"]
    north = UnitFactory(country=world.entity.country, code="220102", name="Calzada")
    a = activity.activity_create(actor=planner, plan=world.plan, kind="workshop", title="Taller en colegio",
                                 held_on=DAY, audience="schools", unit=north, attendees=40)  # fmt: skip
    b = activity.activity_create(actor=planner, plan=world.plan, kind="publication", title="Folletos",
                                 held_on=DAY, audience="general", material="popular_leaflet")  # fmt: skip
    activity.activity_create(actor=planner, plan=world.plan, kind="workshop", title="Otro taller", held_on=DAY,
                             audience="schools", attendees=25)  # fmt: skip
    pdf = SimpleUploadedFile("cargo.pdf", b"%PDF-1.4\ncargo\n")
    activity.proof_add(
        actor=planner, activity=b, kind=ProofKind.RECEIPT, upload=pdf, recipient="Vecinos", copies=120
    )
    activity.proof_add(
        actor=planner,
        activity=a,
        kind=ProofKind.ATTENDANCE_LIST,
        upload=SimpleUploadedFile("l.pdf", b"%PDF-1.4\n"),
    )
    with translation.override("en"):
        t = activity.dissemination_totals(plan=world.plan)
    assert (t.activities, t.with_proof, t.attendees, t.copies) == (3, 2, 65, 120)
    assert dict((k, (n, at, c)) for k, n, at, c in t.by_audience) == {
        "Schools": (2, 65, 0),
        "General public": (1, 0, 120),
    }
    assert dict((k, n) for k, n, _a, _c in t.by_district) == {"Calzada": 1, "Whole territory": 2}


def test_a_receipt_says_how_many_copies_to_whom_and_an_executable_is_refused(world: Any) -> None:
    planner = world.users["planner"]
    a = activity.activity_create(
        actor=planner, plan=world.plan, kind="publication", title="Entrega", held_on=DAY
    )
    with pytest.raises(ValidationError):
        activity.proof_add(
            actor=planner,
            activity=a,
            kind=ProofKind.RECEIPT,
            upload=SimpleUploadedFile("c.pdf", b"%PDF-1.4\n"),
        )
    with pytest.raises(ValidationError) as exc:
        activity.proof_add(
            actor=planner,
            activity=a,
            kind=ProofKind.PHOTO,
            upload=SimpleUploadedFile("f.jpg", b"MZ\x90\x00" * 100),
        )
    assert "file" in exc.value.error_dict
    assert not a.proofs.exists()


def test_risk_reviews_are_kept_and_the_matrix_places_open_risks(world: Any) -> None:
    planner = world.users["planner"]
    risk = activity.risk_create(actor=planner, plan=world.plan, description="Cambio de gestión municipal sin transferencia",
                                likelihood=4, impact=5, owner="Gerencia de Planeamiento")  # fmt: skip
    assumption = activity.risk_create(actor=planner, plan=world.plan, kind=RiskKind.ASSUMPTION,
                                      description="Las municipalidades aportan a tiempo")  # fmt: skip
    assert assumption.state == RiskState.HOLDS and risk.state == RiskState.OPEN
    grid = activity.risk_matrix(plan=world.plan)
    assert grid[0][3] == [risk]  # impact 5 is the first row, likelihood 4 the fourth column
    activity.risk_review(
        actor=planner,
        risk=risk,
        state=RiskState.MITIGATED,
        likelihood=2,
        impact=5,
        note="Comisión de transferencia instalada",
    )
    activity.risk_review(actor=planner, risk=risk, state=RiskState.CLOSED, likelihood=1, impact=5)
    assert list(RiskReview.objects.filter(risk=risk).order_by("pk").values_list("state", "likelihood")) == [
        ("open", 4),
        ("mitigated", 2),
        ("closed", 1),
    ]
    assert all(
        not cell for row in activity.risk_matrix(plan=world.plan) for cell in row
    )  # closed ones leave the matrix
    with pytest.raises(ValidationError) as exc:  # an assumption cannot be "mitigated"
        activity.risk_review(
            actor=planner, risk=assumption, state=RiskState.MITIGATED, likelihood=3, impact=3
        )
    assert "state" in exc.value.error_dict
    with pytest.raises(ValidationError):
        activity.risk_create(actor=planner, plan=world.plan, description="x", likelihood=6)


def test_the_action_plan_marks_late_actions_and_places_bars(world: Any) -> None:
    planner = world.users["planner"]
    a = activity.action_create(actor=planner, plan=world.plan, title="Aprobar la ordenanza", responsible="Concejo",
                               starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 3, 31), node=world.node)  # fmt: skip
    b = activity.action_create(actor=planner, plan=world.plan, title="Difundir", responsible="Oficina técnica",
                               starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 12, 31))  # fmt: skip
    g = activity.action_gantt(plan=world.plan, today=datetime.date(2026, 5, 1))
    rows = {r.action.pk: r for r in g.rows}
    assert rows[a.pk].late and not rows[b.pk].late
    assert rows[a.pk].offset == 0 and rows[b.pk].offset == pytest.approx(100 * 90 / 365, abs=0.01)
    activity.action_status_set(actor=planner, action=a, status=ActionStatus.DONE)
    assert not activity.action_gantt(plan=world.plan, today=datetime.date(2026, 5, 1)).rows[0].late
    with pytest.raises(ValidationError):
        activity.action_create(actor=planner, plan=world.plan, title="x", responsible="y",
                               starts_on=datetime.date(2026, 2, 1), ends_on=datetime.date(2026, 1, 1))  # fmt: skip
    with pytest.raises(ValidationError):
        activity.action_create(actor=planner, plan=world.plan, title="x", responsible="y", starts_on=DAY, ends_on=DAY,
                               node=world.other_node)  # fmt: skip
