"""Back-office pages: forms call the services and show Spanish errors without writing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rumbo.core.models import AuditEvent
from rumbo.plans.models import Node, Plan
from rumbo.plans.services import plan_levels_rename
from tests.factories import UnitFactory


@pytest.fixture
def planner_client(world: Any) -> Client:
    client = Client()
    client.force_login(world.users["planner"])
    return client


def test_a_plan_created_with_its_own_levels_uses_them(world: Any, planner_client: Client) -> None:
    UnitFactory(country="PE", code="220101", name="Moyobamba")
    response = planner_client.post(
        "/planes/nuevo/",
        {
            "entity": world.entity.pk,
            "plan_type": world.plan.plan_type_id,
            "name": "Plan con niveles propios",
            "status": "formulation",
            "unit_codes": "220101",
            "levels": "Línea estratégica\nSector\nProducto",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(name="Plan con niveles propios")
    assert list(plan.levels.order_by("depth").values_list("name", flat=True)) == [
        "Línea estratégica",
        "Sector",
        "Producto",
    ]
    assert list(plan.units.values_list("code", flat=True)) == ["220101"]


def test_unknown_territory_codes_are_refused_in_spanish_and_nothing_is_created(
    world: Any, planner_client: Client
) -> None:
    response = planner_client.post(
        "/planes/nuevo/",
        {
            "entity": world.entity.pk,
            "plan_type": world.plan.plan_type_id,
            "name": "Plan fallido",
            "status": "formulation",
            "unit_codes": "999999",
        },
    )
    assert response.status_code == 200
    assert (
        "Códigos de unidades desconocidos" in response.content.decode()
        or "999999" in response.content.decode()
    )
    assert not Plan.objects.filter(name="Plan fallido").exists()


def test_inverted_horizon_is_refused(world: Any, planner_client: Client) -> None:
    response = planner_client.post(
        "/planes/nuevo/",
        {
            "entity": world.entity.pk,
            "plan_type": world.plan.plan_type_id,
            "name": "Plan al revés",
            "status": "formulation",
            "horizon_start": 2035,
            "horizon_end": 2025,
        },
    )
    assert response.status_code == 200
    assert not Plan.objects.filter(name="Plan al revés").exists()


def test_levels_can_swap_names_and_the_change_is_audited(world: Any) -> None:
    plan_levels_rename(
        actor=world.users["planner"], plan=world.plan, names=["Objetivo estratégico", "Eje estratégico"]
    )
    assert list(world.plan.levels.order_by("depth").values_list("name", flat=True))[:2] == [
        "Objetivo estratégico",
        "Eje estratégico",
    ]
    event = AuditEvent.objects.filter(target_id=str(world.plan.pk), action="updated").latest("id")
    assert event.changes["levels"][1][:2] == ["Objetivo estratégico", "Eje estratégico"]


def test_a_node_gets_its_territorial_scope_from_codes(world: Any, planner_client: Client) -> None:
    UnitFactory(country="PE", code="220102", name="Calzada")
    response = planner_client.post(
        f"/planes/nodos/{world.node.pk}/editar/",
        {"code": "E1", "title": "Eje uno", "weight": "1", "unit_codes": "220102"},
    )
    assert response.status_code == 302
    assert list(Node.objects.get(pk=world.node.pk).units.values_list("code", flat=True)) == ["220102"]
    bad = planner_client.post(
        f"/planes/nodos/{world.node.pk}/editar/",
        {"code": "E1", "title": "Cambiado", "weight": "1", "unit_codes": "000000"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200 and bad["HX-Retarget"] == f"#nodeform-edit-{world.node.pk}"
    assert "000000" in bad.content.decode()
    assert Node.objects.get(pk=world.node.pk).title == "Eje uno"


def test_the_history_page_shows_who_changed_what(world: Any, planner_client: Client) -> None:
    planner_client.post(
        f"/planes/nodos/{world.node.pk}/editar/", {"code": "E1", "title": "Eje renombrado", "weight": "2"}
    )
    page = planner_client.get(f"/planes/{world.plan.pk}/historial/").content.decode()
    assert "Eje renombrado" in page and "planner" in page


def test_deleting_asks_what_to_do_with_children(world: Any, planner_client: Client) -> None:
    from rumbo.plans.services import node_create

    node_create(actor=world.users["planner"], plan=world.plan, parent=world.node, code="E1.1", title="Hijo")
    page = planner_client.get(f"/planes/nodos/{world.node.pk}/eliminar/").content.decode()
    assert "1 nodo" in page
    planner_client.post(f"/planes/nodos/{world.node.pk}/eliminar/", {"children": "promote"})
    child = Node.objects.get(plan=world.plan, code="E1.1")
    assert child.parent_id is None and child.depth == 1


def test_a_legal_act_file_must_be_what_it_says(world: Any, planner_client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("ordenanza.pdf", b"MZ\\x90\\x00 not a pdf", content_type="application/pdf")
    response = planner_client.post(
        f"/planes/{world.plan.pk}/actos/nuevo/",
        {
            "act_type": "ordinance",
            "number": "012-2025",
            "date": "2025-03-14",
            "issuer": "Concejo",
            "file": fake,
        },
    )
    assert response.status_code == 200
    assert not world.plan.legal_acts.exists()
    real = SimpleUploadedFile("ordenanza.pdf", b"%PDF-1.4\\n%...\\n", content_type="application/pdf")
    response = planner_client.post(
        f"/planes/{world.plan.pk}/actos/nuevo/",
        {
            "act_type": "ordinance",
            "number": "012-2025",
            "date": "2025-03-14",
            "issuer": "Concejo",
            "file": real,
        },
    )
    assert response.status_code == 302
    act = world.plan.legal_acts.get()
    # the file is served only to those who may see the plan
    assert planner_client.get(f"/planes/actos/{act.pk}/archivo/").status_code == 200
    assert Client().get(f"/planes/actos/{act.pk}/archivo/").status_code == 404
