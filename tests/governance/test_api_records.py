"""API of convenios, dissemination, risks, the action plan and the agreement status."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.governance import activity, services
from rumbo.governance.contributions import contribution_year_set, convenio_create
from rumbo.governance.models import AttendanceStatus
from tests.governance.conftest import Gov, at

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)


def _token(user: Any) -> dict[str, str]:
    raw = api_token_create(actor=user, name="prueba")[1]
    return {"Authorization": f"Bearer {raw}"}


def test_convenio_totals_in_the_api_add_up(gov: Gov) -> None:
    w = gov.world
    planner = w.users["planner"]
    c = convenio_create(actor=planner, entity=w.entity, plan=w.public_plan, title="Convenio", signed_on=DAY,
                        starts_on=DAY, parties=[{"name": "A"}, {"name": "B"}])  # fmt: skip
    for party in c.parties.all():
        contribution_year_set(
            actor=planner, party=party, year=2026, fixed="100", variable="25,50", fixed_paid="40"
        )
    data = Client().get(f"/api/v1/governance/convenios?plan={w.public_plan.pk}").json()
    assert len(data) == 1
    total = data[0]["total"]
    assert (total["committed"], total["paid"], total["pending"]) == ("251.00", "80.00", "171.00")
    party = data[0]["parties"][0]
    assert (
        party["total"]["fixed_committed"] == "100.00"
        and party["years"]["2026"]["variable_committed"] == "25.50"
    )


def test_risks_are_internal_and_dissemination_and_actions_public(gov: Gov) -> None:
    w = gov.world
    planner = w.users["planner"]
    activity.risk_create(
        actor=planner, plan=w.public_plan, description="Que no se involucren", likelihood=4, impact=5
    )
    activity.activity_create(actor=planner, plan=w.public_plan, kind="workshop", title="Taller", held_on=DAY)
    activity.action_create(actor=planner, plan=w.public_plan, title="Aprobar", responsible="Concejo", starts_on=DAY,
                           ends_on=DAY)  # fmt: skip
    anonymous = Client()
    assert anonymous.get(f"/api/v1/governance/risks?plan={w.public_plan.pk}").status_code == 404
    observer = Client()
    observer.force_login(w.users["observer"])
    risks = observer.get(f"/api/v1/governance/risks?plan={w.public_plan.pk}").json()
    assert risks[0]["score"] == 20 and len(risks[0]["reviews"]) == 1
    assert (
        anonymous.get(f"/api/v1/governance/dissemination?plan={w.public_plan.pk}").json()[0]["title"]
        == "Taller"
    )
    actions = anonymous.get(f"/api/v1/governance/actions?plan={w.public_plan.pk}").json()
    assert actions[0]["late"] is True  # ended on DAY, in the past
    assert anonymous.get(f"/api/v1/governance/dissemination?plan={w.plan.pk}").status_code == 404


def test_an_agreement_moves_along_through_the_api_with_a_token(gov: Gov) -> None:
    meeting = services.meeting_convene(actor=gov.secretary, body=gov.body, title="S", starts_at=at(DAY),
                                       ends_at=at(DAY, 12))  # fmt: skip
    services.meeting_attendance_record(
        actor=gov.secretary, meeting=meeting, marks={gov.seats["m1"].pk: AttendanceStatus.PRESENT}
    )
    a = services.agreement_create(
        actor=gov.secretary, meeting=meeting, text="Acuerdo", owner_office="Gerencia"
    )
    url = f"/api/v1/governance/agreements/{a.pk}/status"
    body = json.dumps({"status": "dropped"})
    client = Client()
    response = client.post(url, body, content_type="application/json", headers=_token(gov.secretary))
    assert response.status_code == 422 and "Indique por qué" in response.json()["detail"]
    response = client.post(url, json.dumps({"status": "done"}), content_type="application/json",
                           headers=_token(gov.secretary))  # fmt: skip
    assert response.status_code == 200 and response.json()["status"] == "done"
    reporter = client.post(url, json.dumps({"status": "in_progress", "note": "x"}), content_type="application/json",
                           headers=_token(gov.world.users["reporter"]))  # fmt: skip
    assert reporter.status_code == 403
    outsider = client.post(url, json.dumps({"status": "in_progress", "note": "x"}), content_type="application/json",
                           headers=_token(gov.world.users["other_admin"]))  # fmt: skip
    assert outsider.status_code == 404
    assert client.post(url, body, content_type="application/json").status_code == 401
