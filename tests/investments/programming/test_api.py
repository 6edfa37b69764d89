"""API contracts of investment plans."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.investments.models import FundingSource, InvestmentLine


def _auth(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, name="t")
    return {"Authorization": f"Bearer {raw}"}


def test_add_line_then_approve_is_refused_with_the_excess_list(prog: Any) -> None:
    w = prog
    client = Client()
    planner = _auth(w.users["planner"])
    r = client.put(
        f"/api/v1/investments/entities/{w.entity.pk}/ceilings",
        data=json.dumps({"ceilings": [{"year": 2027, "source": "own", "amount": "100"}]}),
        content_type="application/json",
        headers=planner,
    )
    assert r.status_code == 200 and r.json() == [{"year": 2027, "source": "own", "amount": "100.00"}]
    r = client.post(
        f"/api/v1/investments/investment-plans/{w.multi.pk}/lines",
        data=json.dumps({"project": "P-1", "year": 2027, "source": "own", "amount": "100,01"}),
        content_type="application/json",
        headers=planner,
    )
    assert r.status_code == 201, r.content
    detail = client.get(f"/api/v1/investments/investment-plans/{w.multi.pk}", headers=planner).json()
    assert detail["over_ceiling"] and detail["ceiling_check"][0]["excess"] == "0.01"
    r = client.post(
        f"/api/v1/investments/investment-plans/{w.multi.pk}/approve",
        data="{}",
        content_type="application/json",
        headers=_auth(w.users["approver"]),
    )
    assert r.status_code == 422 and "2027" in r.json()["detail"]


def test_bad_line_is_422_and_nothing_saved(prog: Any) -> None:
    r = Client().post(
        f"/api/v1/investments/investment-plans/{prog.multi.pk}/lines",
        data=json.dumps({"project": "P-1", "year": 2027, "source": "zz", "amount": "-1"}),
        content_type="application/json",
        headers=_auth(prog.users["planner"]),
    )
    assert r.status_code == 422
    assert not InvestmentLine.objects.filter(investment_plan=prog.multi).exists()


def test_what_if_does_not_write(prog: Any) -> None:
    w = prog
    own = FundingSource.objects.get(country="XX", code="own")
    line = InvestmentLine.objects.create(
        investment_plan=w.multi, project=w.p1, year=2027, source=own, amount=5
    )
    r = Client().post(
        f"/api/v1/investments/investment-plans/{w.multi.pk}/what-if",
        data=json.dumps({"project_id": w.p1.pk, "from_year": 2027, "to_year": 2028}),
        content_type="application/json",
        headers=_auth(w.users["observer"]),
    )
    assert r.status_code == 200 and r.json()["moved_amount"] == "5.00"
    line.refresh_from_db()
    assert line.year == 2027


def test_private_plans_are_not_listed_for_anonymous(prog: Any) -> None:
    r = Client().get(f"/api/v1/investments/entities/{prog.entity.pk}/investment-plans")
    assert r.status_code == 200 and r.json() == []
