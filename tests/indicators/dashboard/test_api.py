"""API contract of GET /api/v1/plans/{id}/progress."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.indicators.dashboard.test_pages import board, client_for  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


def test_progress_returns_axes_nodes_and_breakdowns(world: Any, board: dict[str, Any]) -> None:  # noqa: F811
    # when
    response = client_for(world.users["observer"]).get(
        f"/api/v1/plans/{board['plan'].pk}/progress?period=2025T3"
    )
    # then
    assert response.status_code == 200
    data = response.json()
    assert data["plan_id"] == board["plan"].pk
    assert data["period"] == "2025T3"
    assert data["thresholds"] == {"green": 90.0, "amber": 70.0}
    [axis] = data["axes"]
    assert axis["code"] == "E"
    assert axis["progress"] == pytest.approx(0.62)
    assert axis["light"] == "red"
    assert axis["weights_normalised"] is True
    assert axis["missing"] == ["O3 Nodo O3"]
    assert [
        (c["code"], c["raw_weight"], c["share"], c["value"], c["missing"]) for c in axis["contributions"]
    ] == [
        ("O1", 2.0, pytest.approx(0.4), pytest.approx(0.8), False),
        ("O2", 3.0, pytest.approx(0.6), pytest.approx(0.5), False),
        ("O3", 5.0, None, None, True),
    ]
    assert [n["code"] for n in data["nodes"]] == ["E", "O1", "O2", "O3"]
    o3 = next(n for n in data["nodes"] if n["code"] == "O3")
    assert o3["progress"] is None and o3["light"] == "missing"
    i1 = next(i for i in data["indicators"] if i["code"] == "I1")
    assert i1 == {
        **i1,
        "value": 80.0,
        "target": 100.0,
        "target_period": "2025T3",
        "achievement": 0.8,
        "raw_achievement": 0.8,
        "capped": False,
        "light": "amber",
        "direction": "increasing",
        "formula": "ratio",
        "evidence_count": 1,
        "node_id": board["O1"].pk,
    }
    assert i1["measurement_id"] is not None
    assert i1["explanation"]
    assert data["total"]["progress"] == pytest.approx(0.62)


def test_progress_defaults_to_the_latest_period(world: Any, board: dict[str, Any]) -> None:  # noqa: F811
    response = client_for(world.users["observer"]).get(f"/api/v1/plans/{board['plan'].pk}/progress")
    assert response.json()["period"] == "2025T3"


def test_progress_with_a_bad_period_is_422(world: Any, board: dict[str, Any]) -> None:  # noqa: F811
    response = client_for(world.users["observer"]).get(
        f"/api/v1/plans/{board['plan'].pk}/progress?period=2025T9"
    )
    assert response.status_code == 422
    assert "2025T9 is not a period" in response.json()["detail"]


def test_progress_of_a_private_plan_is_404_for_outsiders(world: Any) -> None:
    assert Client().get(f"/api/v1/plans/{world.plan.pk}/progress").status_code == 404
    assert (
        client_for(world.users["outsider"]).get(f"/api/v1/plans/{world.plan.pk}/progress").status_code == 404
    )
    assert (
        client_for(world.users["observer"]).get(f"/api/v1/plans/{world.plan.pk}/progress").status_code == 200
    )
    assert Client().get("/api/v1/plans/999999/progress").status_code == 404


def test_progress_of_a_published_plan_is_public(world: Any) -> None:
    response = Client().get(f"/api/v1/plans/{world.public_plan.pk}/progress?period=2025")
    assert response.status_code == 200
    assert response.json()["axes"][0]["progress"] is None


def test_progress_is_in_the_openapi_schema(world: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/plans/{plan_id}/progress" in schema["paths"]
