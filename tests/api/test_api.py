"""API contracts: territories, entities, plans, trees; OpenAPI document; errors in Spanish."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate

from rumbo.accounts.services import api_token_create
from rumbo.plans.models import Node
from rumbo.territory.reference import reference_territories_load


@pytest.fixture
def peru(db: Any) -> None:
    reference_territories_load(countries=["PE"])


def test_openapi_document_is_valid_and_lists_the_endpoints(db: Any) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    paths = set(spec["paths"])
    assert {"/api/v1/territories", "/api/v1/plans/{plan_id}/tree", "/api/v1/plans/{plan_id}/nodes"} <= paths


def test_docs_page_is_served_without_a_cdn(db: Any) -> None:
    html = Client().get("/api/v1/docs").content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/" in html


def test_the_api_serves_all_1893_peruvian_districts(peru: None) -> None:
    response = Client().get("/api/v1/territories", {"country": "PE", "kind": "municipality", "limit": 5000})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 1893 and len(body["items"]) == 1893
    codes = {item["code"] for item in body["items"]}
    assert {"220101", "150101", "080101"} <= codes


def test_territory_search_ignores_accents_and_case_and_filters_by_parent(peru: None) -> None:
    client = Client()
    found = client.get("/api/v1/territories", {"q": "yantalo", "country": "PE"}).json()
    assert [(i["code"], i["name"]) for i in found["items"]] == [("220106", "Yantalo")] or any(
        i["code"] == "220106" for i in found["items"]
    )
    children = client.get("/api/v1/territories", {"country": "PE", "parent_code": "2201"}).json()
    assert children["count"] == 6


def test_territory_detail_has_its_ancestors_and_geojson(peru: None) -> None:
    client = Client()
    unit = client.get("/api/v1/territories", {"country": "PE", "code": "220101"}).json()["items"][0]
    detail = client.get(f"/api/v1/territories/{unit['id']}").json()
    assert [a["code"] for a in detail["ancestors"]] == ["PE", "22", "2201"]
    feature = client.get(f"/api/v1/territories/{unit['id']}/geojson").json()
    assert feature["type"] == "Feature" and feature["properties"]["code"] == "220101"


def test_bad_pagination_gets_a_422_not_a_500(db: Any) -> None:
    assert Client().get("/api/v1/territories", {"limit": 0}).status_code == 422


def test_plan_tree_is_nested_with_normalised_shares(world: Any) -> None:
    actor = world.users["planner"]
    from rumbo.plans.services import node_create

    node_create(actor=actor, plan=world.public_plan, parent=None, code="P2", title="Eje dos", weight="3")
    tree = Client().get(f"/api/v1/plans/{world.public_plan.pk}/tree").json()
    assert [n["code"] for n in tree["nodes"]] == ["P1", "P2"]
    assert [n["share"] for n in tree["nodes"]] == [0.25, 0.75]
    assert tree["levels"][0] == "Eje estratégico"


def test_writes_with_a_token_create_nodes_and_are_audited(world: Any) -> None:
    _token, raw = api_token_create(actor=world.users["planner"], name="script")
    headers = {"Authorization": f"Bearer {raw}"}
    client = Client()
    created = client.post(
        f"/api/v1/plans/{world.plan.pk}/nodes",
        data=json.dumps(
            {"parent_id": world.node.pk, "code": "E1.1", "title": "Objetivo por API", "weight": "0.5"}
        ),
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    node = Node.objects.get(pk=created.json()["id"])
    assert node.parent_id == world.node.pk and node.depth == 2
    from rumbo.core.models import AuditEvent

    assert AuditEvent.objects.filter(
        target_id=str(node.pk), action="created", actor=world.users["planner"]
    ).exists()


def test_invalid_writes_get_422_with_a_spanish_message_and_write_nothing(world: Any) -> None:
    _token, raw = api_token_create(actor=world.users["planner"], name="script")
    headers = {"Authorization": f"Bearer {raw}"}
    client = Client()
    before = Node.objects.count()
    duplicate = client.post(
        f"/api/v1/plans/{world.plan.pk}/nodes",
        data=json.dumps({"code": "E1", "title": "Repetido"}),
        content_type="application/json",
        headers=headers,
    )
    assert duplicate.status_code == 422
    assert "ya se usa" in duplicate.json()["detail"]
    negative = client.post(
        f"/api/v1/plans/{world.plan.pk}/nodes",
        data=json.dumps({"code": "Z", "title": "Peso negativo", "weight": -1}),
        content_type="application/json",
        headers=headers,
    )
    assert negative.status_code == 422
    years = client.patch(
        f"/api/v1/plans/{world.plan.pk}",
        data=json.dumps({"horizon_start": 2030, "horizon_end": 2020}),
        content_type="application/json",
        headers=headers,
    )
    assert years.status_code == 422
    unknown = client.post(
        "/api/v1/plans",
        data=json.dumps({"entity_id": world.entity.pk, "plan_type": "XYZ", "name": "Plan"}),
        content_type="application/json",
        headers=headers,
    )
    assert unknown.status_code == 422 and "XYZ" in unknown.json()["detail"]
    assert Node.objects.count() == before


def test_moving_under_a_descendant_through_the_api_is_a_422(world: Any) -> None:
    from rumbo.plans.services import node_create

    child = node_create(
        actor=world.users["planner"], plan=world.plan, parent=world.node, code="E1.1", title="Hijo"
    )
    _token, raw = api_token_create(actor=world.users["planner"], name="script")
    response = Client().post(
        f"/api/v1/nodes/{world.node.pk}/move",
        data=json.dumps({"parent_id": child.pk}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422


def test_schema_errors_name_the_field_and_speak_spanish(world: Any) -> None:
    _token, raw = api_token_create(actor=world.users["planner"], name="script")
    response = Client().post(
        f"/api/v1/plans/{world.plan.pk}/nodes",
        data=json.dumps({"title": "Sin código", "weight": -2}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields["code"] == "Este campo es obligatorio."
    assert fields["weight"] == "Debe ser al menos 0."


def test_alignments_link_nodes_of_other_visible_plans_only(world: Any) -> None:
    _token, raw = api_token_create(actor=world.users["planner"], name="script")
    headers = {"Authorization": f"Bearer {raw}"}
    client = Client()
    public_node = world.public_plan.nodes.get(code="P1")
    ok = client.put(
        f"/api/v1/nodes/{world.node.pk}/alignments",
        data=json.dumps({"node_ids": [public_node.pk]}),
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200, ok.content
    assert [a["code"] for a in ok.json()["aligned_to"]] == ["P1"]
    # a private plan of another entity is invisible: refused, and nothing changes
    hidden = client.put(
        f"/api/v1/nodes/{world.node.pk}/alignments",
        data=json.dumps({"node_ids": [world.other_node.pk]}),
        content_type="application/json",
        headers=headers,
    )
    assert hidden.status_code == 422
    assert list(Node.objects.get(pk=world.node.pk).aligned_to.values_list("code", flat=True)) == ["P1"]
    # the same plan is not an alignment
    same = client.put(
        f"/api/v1/nodes/{world.node.pk}/alignments",
        data=json.dumps({"node_ids": [world.node.pk]}),
        content_type="application/json",
        headers=headers,
    )
    assert same.status_code == 422


def test_the_alignment_page_ticks_nodes_of_another_plan(world: Any) -> None:
    client = Client()
    client.force_login(world.users["planner"])
    public_node = world.public_plan.nodes.get(code="P1")
    url = f"/planes/nodos/{world.node.pk}/alinear/"
    assert "P1" in client.get(url, {"plan": world.public_plan.pk}).content.decode()
    response = client.post(url, {"plan": world.public_plan.pk, "nodes": [public_node.pk]})
    assert response.status_code == 302
    page = client.get(f"/planes/{world.plan.pk}/").content.decode()
    assert "Plan público" in page and "P1" in page
    # the other entity's private plan cannot be chosen
    assert client.get(url, {"plan": world.other_plan.pk}).status_code == 404
