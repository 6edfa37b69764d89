"""The 500s the API fuzzing found (tests/api/test_fuzz.py), each now a 4xx with a Spanish detail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.indicators.periods import period_get_or_create
from rumbo.plans.models import Node, Plan
from rumbo.reports.services import report_create

pytestmark = pytest.mark.django_db

HUGE = 10**30  # beyond the 64 bits any database column holds


def _client(world: Any, who: str = "administrator") -> tuple[Client, dict[str, str]]:
    _t, raw = api_token_create(actor=world.users[who], name="script")
    return Client(raise_request_exception=False), {"Authorization": f"Bearer {raw}"}


def _send(client: Client, method: str, url: str, headers: dict[str, str], body: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(url, data=data, content_type="application/json", headers=headers)


def test_null_for_a_plan_text_field_clears_it(world: Any) -> None:
    # found: PATCH {"code": null} → IntegrityError (NOT NULL)
    client, headers = _client(world)
    Plan.objects.filter(pk=world.plan.pk).update(code="PAT-1")
    response = _send(
        client, "patch", f"/api/v1/plans/{world.plan.pk}", headers, {"code": None, "vision": None}
    )
    assert response.status_code == 200, response.content
    world.plan.refresh_from_db()
    assert (world.plan.code, world.plan.vision) == ("", "")


def test_null_for_a_required_plan_field_is_a_422(world: Any) -> None:
    client, headers = _client(world)
    response = _send(client, "patch", f"/api/v1/plans/{world.plan.pk}", headers, {"name": None})
    assert response.status_code == 422


def test_null_for_a_node_text_field_clears_it_and_a_null_code_is_refused(world: Any) -> None:
    # found: PATCH {"description": null} → IntegrityError; {"code": null} → AttributeError
    client, headers = _client(world)
    cleared = _send(client, "patch", f"/api/v1/nodes/{world.node.pk}", headers, {"description": None})
    assert cleared.status_code == 200, cleared.content
    refused = _send(client, "patch", f"/api/v1/nodes/{world.node.pk}", headers, {"code": None, "title": None})
    assert refused.status_code == 422
    assert Node.objects.get(pk=world.node.pk).code == "E1"


def test_deleting_a_node_a_report_is_about_is_a_422_and_deletes_nothing(world: Any) -> None:
    # found: DELETE → ProtectedError (Report.node is PROTECT)
    period = period_get_or_create("2025T3")
    report_create(
        actor=world.users["reporter"],
        plan=world.plan,
        kind="axis_progress",
        node=world.node,
        period_from=period,
        period_to=period,
    )
    client, headers = _client(world)
    response = client.delete(f"/api/v1/nodes/{world.node.pk}", headers=headers)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("El nodo no se puede eliminar") and "informe" in detail
    assert Node.objects.filter(pk=world.node.pk).exists()


def test_alignments_to_an_id_beyond_64_bits_are_a_422(world: Any) -> None:
    # found: OverflowError from SQLite's driver for pk__in
    client, headers = _client(world)
    response = _send(
        client, "put", f"/api/v1/nodes/{world.node.pk}/alignments", headers, {"node_ids": [HUGE]}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "node_ids.0"


@pytest.mark.parametrize(
    "query",
    [{"offset": -7328}, {"offset": HUGE}, {"entity": HUGE}],
)
def test_the_project_list_refuses_offsets_and_ids_out_of_range(world: Any, query: dict[str, int]) -> None:
    # found: offset=-7328 → "Negative indexing is not supported."; huge numbers overflow the driver
    client, headers = _client(world)
    response = client.get("/api/v1/investments/projects", query, headers=headers)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == next(iter(query))


@pytest.mark.parametrize("query", [{"offset": HUGE}, {"parent_id": HUGE}])
def test_the_territory_search_refuses_numbers_out_of_range(db: Any, query: dict[str, int]) -> None:
    response = Client(raise_request_exception=False).get("/api/v1/territories", query)
    assert response.status_code == 422, response.content


def test_a_nul_character_in_the_query_is_a_422(world: Any) -> None:
    # found on PostgreSQL: "PostgreSQL text fields cannot contain NUL (0x00) bytes"
    client, headers = _client(world)
    response = client.get("/api/v1/entities?country=P%00E", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "country", "message": "No se admiten caracteres nulos."}]


def test_nul_and_broken_unicode_in_a_json_body_are_422s_naming_the_field(world: Any) -> None:
    client, headers = _client(world)
    url = f"/api/v1/plans/{world.plan.pk}/nodes"
    before = Node.objects.count()
    nul = _send(client, "post", url, headers, '{"code": "Z", "title": "a\\u0000b"}')
    assert nul.status_code == 422
    assert nul.json()["errors"] == [{"field": "title", "message": "No se admiten caracteres nulos."}]
    half = _send(
        client, "post", url, headers, '{"code": "Z", "title": "ok", "description": ["x", "\\udc00"]}'
    )
    assert half.status_code == 422
    assert half.json()["errors"][0]["field"] == "description.1"
    assert Node.objects.count() == before
    # a real pair (an emoji) is fine
    pair = _send(client, "post", url, headers, '{"code": "Z", "title": "agua \\ud83d\\udca7"}')
    assert pair.status_code == 201, pair.content


def test_a_nul_character_in_the_path_is_a_422(world: Any) -> None:
    client, headers = _client(world)
    response = _send(
        client,
        "put",
        f"/api/v1/investments/entities/{world.entity.pk}/criteria/imp%00acto",
        headers,
        {"name": "Impacto", "weight": 1},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "key"


def test_any_other_number_that_overflows_sqlite_is_a_422_not_a_500(db: Any, monkeypatch: Any) -> None:
    def overflowing(**kwargs: Any) -> Any:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr("rumbo.territory.api.units_search", overflowing)
    response = Client(raise_request_exception=False).get("/api/v1/territories")
    assert response.status_code == 422
    assert response.json()["detail"] == "Un número de la solicitud es demasiado grande."
