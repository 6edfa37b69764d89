"""API contract: measurements of an indicator (read with visibility, write with a token) and approval."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rumbo.indicators.measurements.services import measurement_approve, measurement_save, measurement_submit
from rumbo.indicators.models import Measurement
from tests.indicators.measurements.conftest import Data, token_client

pytestmark = pytest.mark.django_db


def _url(indicator: Any) -> str:
    return f"/api/v1/indicators/{indicator.pk}/measurements"


def test_a_reporter_creates_a_draft_and_submits_with_a_token(data: Data) -> None:
    api = token_client(data.user("reporter"))
    response = api.post(
        _url(data.quarterly),
        {"period": "2025T3", "value": "12,5", "unit_code": "080101"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["value"] == 12.5 and body["unit_code"] == "080101"
    response = api.post(
        _url(data.quarterly),
        {"period": "2025T4", "value": 3, "submit": True},
        content_type="application/json",
    )
    assert response.json()["status"] == "submitted"


def test_writes_need_a_token_and_the_capability(data: Data) -> None:
    assert (
        Client()
        .post(_url(data.quarterly), {"period": "2025T3", "value": 1}, content_type="application/json")
        .status_code
        == 401
    )
    response = token_client(data.user("observer")).post(
        _url(data.quarterly), {"period": "2025T3", "value": 1}, content_type="application/json"
    )
    assert response.status_code == 403
    response = token_client(data.user("other_admin")).post(
        _url(data.quarterly), {"period": "2025T3", "value": 1}, content_type="application/json"
    )
    assert response.status_code == 404


def test_validation_errors_are_422_with_a_message(data: Data) -> None:
    api = token_client(data.user("reporter"))
    for payload in (
        {"period": "2025", "value": 1},
        {"period": "2025T3", "value": "x"},
        {"period": "nope", "value": 1},
        {"period": "2025T3", "value": 1, "unit_code": "150101"},
    ):
        response = api.post(_url(data.quarterly), payload, content_type="application/json")
        assert response.status_code == 422, payload
        assert response.json()["detail"]


def test_approve_and_return_need_the_approver(data: Data) -> None:
    m = measurement_save(actor=data.user("reporter"), indicator=data.quarterly, period=data.q3, value=1)
    measurement_submit(actor=data.user("reporter"), measurement=m)
    assert token_client(data.user("reporter")).post(f"/api/v1/measurements/{m.pk}/approve").status_code == 403
    response = token_client(data.user("approver")).post(
        f"/api/v1/measurements/{m.pk}/return", {"comment": "Falta evidencia"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "returned"
    measurement_submit(actor=data.user("reporter"), measurement=m)
    response = token_client(data.user("approver")).post(f"/api/v1/measurements/{m.pk}/approve")
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_the_public_reads_only_approved_values_of_published_plans(data: Data) -> None:
    reporter = data.user("reporter")
    draft = measurement_save(actor=reporter, indicator=data.public, period=data.q3, value=1)
    approved = measurement_save(
        actor=reporter, indicator=data.public, period=data.q3, value=2, unit=data.district
    )
    measurement_submit(actor=reporter, measurement=approved)
    measurement_approve(actor=data.user("approver"), measurement=approved)
    public = Client().get(_url(data.public)).json()
    assert [r["id"] for r in public] == [approved.pk]
    member = token_client(data.user("observer")).get(_url(data.public)).json()
    assert {r["id"] for r in member} == {draft.pk, approved.pk}
    assert Client().get(_url(data.quarterly)).status_code == 404
    assert Measurement.objects.count() == 2
