"""API contracts of the bank: public reads, token writes with 422 Spanish details, public
initiatives with 429 past the limits, tracking without the e-mail, review and eligibility."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.investments.bank import services
from rumbo.investments.models import Project, ProjectStatus, ProjectYearCost
from tests.investments.bank.conftest import INSIDE

A = "/api/v1/investments"


def _headers(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, name="t")
    return {"Authorization": f"Bearer {raw}"}


def _post(url: str, data: dict[str, Any], headers: dict[str, str] | None = None, method: str = "post") -> Any:
    return getattr(Client(), method)(
        url, data=json.dumps(data), content_type="application/json", headers=headers or {}
    )


def _payload(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "entity_id": world.entity.pk,
        "code": "API-1",
        "title": "Agua potable",
        "cost_total": "1.500,00",
        "year_costs": [
            {"year": 2026, "amount": "500", "source": "own"},
            {"year": 2027, "amount": "1.000", "source": "canon"},
        ],
        "unit_codes": ["220101"],
        "location": INSIDE,
        "plan_id": world.plan.pk,
        "node_ids": [world.node.pk],
        "sector": "water",
    }
    data.update(overrides)
    return data


def test_a_planner_creates_a_project_and_reads_it_back(territory: Any) -> None:
    response = _post(f"{A}/projects", _payload(territory), _headers(territory.users["planner"]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cost_total"] == "1500.00" and body["unit_codes"] == ["220101"]
    assert body["year_costs"] == [
        {"year": 2026, "amount": "500.00", "source": "own"},
        {"year": 2027, "amount": "1000.00", "source": "canon"},
    ]
    assert body["node_ids"] == [territory.node.pk] and body["status"] == "accepted"
    read = Client().get(f"{A}/projects/{body['id']}").json()
    assert read["code"] == "API-1"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"cost_total": "-1"}, "cost_total"),
        ({"cost_total": "abc"}, "cost_total"),
        ({"year_costs": [{"year": 2026, "amount": "1", "source": "own"}]}, "year_costs"),
        ({"year_costs": [{"year": 2026, "amount": "1.500", "source": "oro"}]}, "year_costs"),
        ({"unit_codes": ["999999"]}, "units"),
        ({"location": {"type": "Point", "coordinates": [-71.5, -16.4]}}, "location"),
    ],
)
def test_bad_input_answers_422_with_detail_and_saves_nothing(
    territory: Any, overrides: dict[str, Any], field: str
) -> None:
    response = _post(f"{A}/projects", _payload(territory, **overrides), _headers(territory.users["planner"]))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] and field in body["errors"]
    assert not Project.objects.exists() and not ProjectYearCost.objects.exists()


def test_patch_changes_only_what_is_sent(territory: Any) -> None:
    headers = _headers(territory.users["planner"])
    created = _post(f"{A}/projects", _payload(territory), headers).json()
    response = _post(f"{A}/projects/{created['id']}", {"title": "Agua para todos"}, headers, method="patch")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Agua para todos" and body["cost_total"] == "1500.00"
    assert len(body["year_costs"]) == 2 and body["node_ids"] == [territory.node.pk]
    bad = _post(f"{A}/projects/{created['id']}", {"cost_total": "9"}, headers, method="patch")
    assert bad.status_code == 422 and "year_costs" in bad.json()["errors"]


def test_initiatives_are_public_limited_and_followed_by_code(territory: Any) -> None:
    data = {
        "entity_id": territory.entity.pk,
        "title": "Un parque",
        "description": "Áreas verdes",
        "proposer_name": "Ana",
        "proposer_email": "ana@example.org",
    }
    codes = []
    for _n in range(services.INITIATIVES_PER_HOUR):
        response = _post(f"{A}/initiatives", data)
        assert response.status_code == 201
        codes.append(response.json()["tracking_code"])
    refused = _post(f"{A}/initiatives", data)
    assert refused.status_code == 429 and refused.json()["detail"]
    status = Client().get(f"{A}/initiatives/{codes[0]}")
    assert status.status_code == 200 and status.json()["status"] == "proposed"
    assert "ana@example.org" not in status.content.decode() and status.json()["project_id"] is None
    assert Client().get(f"{A}/initiatives/no-existe").status_code == 404
    honeypot = _post(f"{A}/initiatives", {**data, "website": "x"})
    assert honeypot.status_code in (422, 429)


def test_members_see_their_proposed_initiatives_with_entity_and_others_do_not(territory: Any) -> None:
    project = services.initiative_submit(
        entity=territory.entity,
        title="Idea",
        description="d",
        sector="",
        proposer_name="Ana",
        fingerprint="x",
    )
    public = Client().get(f"{A}/projects?entity={territory.entity.pk}").json()
    member = (
        Client()
        .get(f"{A}/projects?entity={territory.entity.pk}", headers=_headers(territory.users["observer"]))
        .json()
    )
    outsider = (
        Client()
        .get(f"{A}/projects?entity={territory.entity.pk}", headers=_headers(territory.users["other_admin"]))
        .json()
    )
    assert project.code not in [p["code"] for p in public + outsider]
    assert project.code in [p["code"] for p in member]
    assert Client().get(f"{A}/projects/{project.pk}").status_code == 404


def test_review_and_eligibility_through_the_api(territory: Any) -> None:
    project = services.initiative_submit(
        entity=territory.entity,
        title="Idea",
        description="d",
        sector="",
        proposer_name="Ana",
        fingerprint="x",
        location=INSIDE,
    )
    headers = _headers(territory.users["planner"])
    other = _post(
        f"{A}/projects/{project.pk}/review", {"decision": "accept"}, _headers(territory.users["other_admin"])
    )
    assert other.status_code == 404
    response = _post(
        f"{A}/projects/{project.pk}/review",
        {"decision": "accept", "plan_id": territory.plan.pk, "node_ids": [territory.node.pk]},
        headers,
    )
    assert response.status_code == 200 and response.json()["status"] == ProjectStatus.ACCEPTED
    again = _post(f"{A}/projects/{project.pk}/review", {"decision": "reject", "note": "no"}, headers)
    assert again.status_code == 422
    check = _post(f"{A}/projects/{project.pk}/eligibility", {}, headers)
    assert check.status_code == 200 and check.json()["verdict"] == "eligible"
    assert check.json()["zoning_verdict"] == "not_checked"
