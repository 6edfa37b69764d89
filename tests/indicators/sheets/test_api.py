"""API contract: /api/v1/plans/{id}/indicators, /api/v1/indicators/{id}, targets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.indicators.models import Indicator, Target
from rumbo.indicators.sheets import services

pytestmark = pytest.mark.django_db


def _headers(world: Any, who: str) -> dict[str, str]:
    _token, raw = api_token_create(actor=world.users[who], name="script")
    return {"Authorization": f"Bearer {raw}"}


def test_create_list_detail_and_targets(world: Any) -> None:
    client = Client()
    headers = _headers(world, "planner")
    # create
    body = {
        "node_id": world.node.pk,
        "code": "API-1",
        "name": "Por API",
        "unit": "percentage",
        "baseline_value": 40,
        "targets": {"2025": 30, "2026": "20"},
    }
    created = client.post(
        f"/api/v1/plans/{world.plan.pk}/indicators",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    sheet = created.json()
    assert sheet["code"] == "API-1" and sheet["node_code"] == "E1"
    assert sheet["direction"] == "decreasing" and sheet["direction_inferred"] is True
    assert sheet["targets"] == [{"period": "2025", "value": 30.0}, {"period": "2026", "value": 20.0}]
    # list
    listed = client.get(f"/api/v1/plans/{world.plan.pk}/indicators", headers=headers).json()
    assert [i["code"] for i in listed] == ["API-1"]
    # targets
    put = client.put(
        f"/api/v1/indicators/{sheet['id']}/targets",
        data=json.dumps({"2026T1": 12.5, "2025": None}),
        content_type="application/json",
        headers=headers,
    )
    assert put.status_code == 200, put.content
    assert [(t["period"], t["value"]) for t in put.json()["targets"]] == [("2026", 20.0), ("2026T1", 12.5)]
    detail = client.get(f"/api/v1/indicators/{sheet['id']}", headers=headers).json()
    assert detail["targets"] == put.json()["targets"]
    for key in (
        "definition",
        "formula",
        "variables",
        "means_of_verification",
        "threshold_green",
        "cap_percent",
        "baseline_date",
        "limitations",
        "assumptions",
        "territorial_disaggregation",
    ):
        assert key in detail


def test_errors_write_nothing(world: Any) -> None:
    client = Client()
    headers = _headers(world, "planner")
    url = f"/api/v1/plans/{world.plan.pk}/indicators"
    bad = {"code": "X", "name": "X", "formula": "A /", "targets": {"2025": 1}}
    response = client.post(url, data=json.dumps(bad), content_type="application/json", headers=headers)
    assert response.status_code == 422 and "formula" in response.json()["errors"]
    bad_target = {"code": "X", "name": "X", "targets": {"2025Z": 1}}
    response = client.post(url, data=json.dumps(bad_target), content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert not Indicator.objects.exists() and not Target.objects.exists()
    other_node = {"code": "X", "name": "X", "node_id": world.other_node.pk}
    response = client.post(url, data=json.dumps(other_node), content_type="application/json", headers=headers)
    assert response.status_code == 422


def test_permissions(world: Any) -> None:
    client = Client()
    indicator = services.indicator_create(
        actor=world.users["planner"], plan=world.plan, node=None, code="I", name="I"
    )
    body = json.dumps({"code": "Y", "name": "Y"})
    url = f"/api/v1/plans/{world.plan.pk}/indicators"
    assert client.post(url, data=body, content_type="application/json").status_code == 401
    assert (
        client.post(
            url, data=body, content_type="application/json", headers=_headers(world, "reporter")
        ).status_code
        == 403
    )
    assert (
        client.post(
            url, data=body, content_type="application/json", headers=_headers(world, "other_admin")
        ).status_code
        == 404
    )
    targets = f"/api/v1/indicators/{indicator.pk}/targets"
    assert (
        client.put(
            targets,
            data=json.dumps({"2025": 1}),
            content_type="application/json",
            headers=_headers(world, "reporter"),
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/indicators/{indicator.pk}").status_code == 404  # anonymous, private plan
    assert client.get(url).status_code == 404
    assert client.get(url, headers=_headers(world, "observer")).status_code == 200
    public = services.indicator_create(
        actor=world.users["planner"], plan=world.public_plan, node=None, code="P", name="P"
    )
    assert client.get(f"/api/v1/indicators/{public.pk}").status_code == 200
