"""Every URL and API endpoint, for every role, including attempts across entities.

Expectations follow one rule: a page or endpoint answers 404 when the caller may not see the
plan (missing and forbidden look the same), 403 when the caller sees it but lacks the
capability, a redirect to sign in (web) or 401 (API) for anonymous writes, and success otherwise.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import Client

from rumbo.accounts.models import Entity, Membership, Role
from rumbo.accounts.permissions import ROLE_CAPABILITIES, Capability
from rumbo.accounts.services import api_token_create
from rumbo.core.jobs import job_create
from rumbo.indicators.models import Indicator
from rumbo.investments.models import (
    FundingSource,
    InvestmentLine,
    InvestmentPlan,
    Project,
    ProjectOrigin,
    ProjectStatus,
)
from rumbo.territory.models import LayerFeature, SpatialLayer
from tests.factories import UnitFactory
from tests.governance.matrix import API as GOVERNANCE_API
from tests.governance.matrix import WEB as GOVERNANCE_WEB
from tests.governance.matrix import governance_world
from tests.investments.bank.matrix import API as BANK_API
from tests.investments.bank.matrix import WEB as BANK_WEB
from tests.investments.execution.matrix import API as EXECUTION_API
from tests.investments.execution.matrix import WEB as EXECUTION_WEB
from tests.investments.priorities.matrix import API as PRIORITIES_API
from tests.investments.priorities.matrix import WEB as PRIORITIES_WEB
from tests.investments.programming.matrix import API as PROGRAMMING_API
from tests.investments.programming.matrix import WEB as PROGRAMMING_WEB
from tests.matrix_support import Case

ROLES = ["anonymous", "outsider", *Role.values, "overseer", "other_admin", "superuser"]
C = Capability


def caps(world: Any, who: str, entity_id: int) -> set[Capability]:
    if who == "superuser":
        return set(Capability)
    if who == "anonymous" or who == "outsider":
        return set()
    if who == "overseer":
        return {C.VIEW_PRIVATE} if entity_id == world.entity.pk else set()
    if who == "other_admin":
        return set(Capability) if entity_id == world.other_entity.pk else set()
    return set(ROLE_CAPABILITIES[who]) if entity_id == world.entity.pk else set()


def _node_data(world: Any) -> dict[str, Any]:
    return {"code": "NUEVO", "title": "Nodo nuevo", "weight": "1"}


WEB: list[Case] = [
    Case("home", "get", lambda w: "/", None, None, 200, login_required=False),
    Case("plan list", "get", lambda w: "/planes/", None, None, 200, login_required=False),
    Case("territory", "get", lambda w: "/territorio/", None, None, 200, login_required=False),
    Case(
        "private plan page", "get", lambda w: f"/planes/{w.plan.pk}/", "plan", None, 200, login_required=False
    ),
    Case(
        "public plan page",
        "get",
        lambda w: f"/planes/{w.public_plan.pk}/",
        "public_plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "other entity's plan page",
        "get",
        lambda w: f"/planes/{w.other_plan.pk}/",
        "other_plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "tree fragment",
        "get",
        lambda w: f"/planes/{w.plan.pk}/arbol/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "export json",
        "get",
        lambda w: f"/planes/{w.plan.pk}/exportar.json",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "export xlsx of other plan",
        "get",
        lambda w: f"/planes/{w.other_plan.pk}/exportar.xlsx",
        "other_plan",
        None,
        200,
        login_required=False,
    ),
    Case("edit plan", "get", lambda w: f"/planes/{w.plan.pk}/editar/", "plan", C.EDIT_PLAN, 200),
    Case(
        "edit other plan",
        "get",
        lambda w: f"/planes/{w.other_plan.pk}/editar/",
        "other_plan",
        C.EDIT_PLAN,
        200,
    ),
    Case("history", "get", lambda w: f"/planes/{w.plan.pk}/historial/", "plan", C.VIEW_PRIVATE, 200),
    Case(
        "history of public plan",
        "get",
        lambda w: f"/planes/{w.public_plan.pk}/historial/",
        "public_plan",
        C.VIEW_PRIVATE,
        200,
    ),
    Case(
        "publish",
        "post",
        lambda w: f"/planes/{w.plan.pk}/publicar/",
        "plan",
        C.PUBLISH,
        302,
        data=lambda w: {"published": "1"},
    ),
    Case("add node form", "get", lambda w: f"/planes/{w.plan.pk}/nodos/nuevo/", "plan", C.EDIT_TREE, 200),
    Case(
        "add node",
        "post",
        lambda w: f"/planes/{w.plan.pk}/nodos/nuevo/",
        "plan",
        C.EDIT_TREE,
        302,
        data=_node_data,
    ),
    Case(
        "add node to other plan",
        "post",
        lambda w: f"/planes/{w.other_plan.pk}/nodos/nuevo/",
        "other_plan",
        C.EDIT_TREE,
        302,
        data=_node_data,
    ),
    Case("edit node", "get", lambda w: f"/planes/nodos/{w.node.pk}/editar/", "plan", C.EDIT_TREE, 200),
    Case(
        "edit other node",
        "post",
        lambda w: f"/planes/nodos/{w.other_node.pk}/editar/",
        "other_plan",
        C.EDIT_TREE,
        302,
        data=_node_data,
    ),
    Case(
        "shift node",
        "post",
        lambda w: f"/planes/nodos/{w.node.pk}/desplazar/",
        "plan",
        C.EDIT_TREE,
        302,
        data=lambda w: {"direction": "up"},
    ),
    Case("move node form", "get", lambda w: f"/planes/nodos/{w.node.pk}/mover/", "plan", C.EDIT_TREE, 200),
    Case(
        "delete node form", "get", lambda w: f"/planes/nodos/{w.node.pk}/eliminar/", "plan", C.EDIT_TREE, 200
    ),
    Case(
        "delete node",
        "post",
        lambda w: f"/planes/nodos/{w.node.pk}/eliminar/",
        "plan",
        C.EDIT_TREE,
        302,
        data=lambda w: {"children": "delete"},
    ),
    Case(
        "delete other node",
        "post",
        lambda w: f"/planes/nodos/{w.other_node.pk}/eliminar/",
        "other_plan",
        C.EDIT_TREE,
        302,
        data=lambda w: {"children": "delete"},
    ),
    Case("align node page", "get", lambda w: f"/planes/nodos/{w.node.pk}/alinear/", "plan", C.EDIT_TREE, 200),
    Case("import page", "get", lambda w: f"/planes/{w.plan.pk}/importar/", "plan", C.EDIT_TREE, 200),
    Case("add legal act", "get", lambda w: f"/planes/{w.plan.pk}/actos/nuevo/", "plan", C.EDIT_PLAN, 200),
    Case("add plan link", "get", lambda w: f"/planes/{w.plan.pk}/vinculos/nuevo/", "plan", C.EDIT_PLAN, 200),
    Case(
        "comment",
        "post",
        lambda w: f"/planes/{w.plan.pk}/comentarios/",
        "plan",
        C.COMMENT,
        302,
        data=lambda w: {"body": "Observación"},
    ),
    Case(
        "entity page",
        "get",
        lambda w: f"/entidades/{w.entity.pk}/",
        "entity",
        None,
        200,
        login_required=False,
    ),
    Case("entity list", "get", lambda w: "/entidades/", None, C.VIEW_PRIVATE, 200),
    Case(
        "add member",
        "post",
        lambda w: f"/entidades/{w.entity.pk}/miembros/",
        "entity",
        C.MANAGE_MEMBERS,
        302,
        data=lambda w: {"username": "outsider", "role": "observer"},
    ),
    Case(
        "add member to other entity",
        "post",
        lambda w: f"/entidades/{w.other_entity.pk}/miembros/",
        "other_entity",
        C.MANAGE_MEMBERS,
        302,
        data=lambda w: {"username": "outsider", "role": "observer"},
    ),
    Case(
        "remove member",
        "post",
        lambda w: f"/miembros/{w.membership.pk}/quitar/",
        "membership",
        C.MANAGE_MEMBERS,
        302,
    ),
    Case(
        "layers page",
        "get",
        lambda w: f"/territorio/entidades/{w.entity.pk}/capas/",
        "entity",
        None,
        200,
        login_required=False,
    ),
    Case(
        "upload a layer",
        "post",
        lambda w: f"/territorio/entidades/{w.entity.pk}/capas/",
        "entity",
        C.MANAGE_ENTITY,
        200,
        login_required=False,
        data=lambda w: {"kind": "zoning"},
    ),
    Case(
        "upload a layer to other entity",
        "post",
        lambda w: f"/territorio/entidades/{w.other_entity.pk}/capas/",
        "other_entity",
        C.MANAGE_ENTITY,
        200,
        login_required=False,
        data=lambda w: {"kind": "zoning"},
    ),
    Case(
        "entity history",
        "get",
        lambda w: f"/entidades/{w.entity.pk}/historial/",
        "entity",
        C.VIEW_PRIVATE,
        200,
    ),
    Case(
        "entity territory page",
        "get",
        lambda w: f"/territorio/entidades/{w.entity.pk}/unidades/",
        "entity",
        None,
        200,
        login_required=False,
    ),
    Case(
        "set jurisdiction",
        "post",
        lambda w: f"/territorio/entidades/{w.entity.pk}/unidades/",
        "entity",
        C.MANAGE_ENTITY,
        200,
        login_required=False,
        data=lambda w: {"form": "jurisdiction", "unit_codes": "NOPE"},
    ),
    Case(
        "create unit in other entity",
        "post",
        lambda w: f"/territorio/entidades/{w.other_entity.pk}/unidades/",
        "other_entity",
        C.MANAGE_ENTITY,
        200,
        login_required=False,
        data=lambda w: {"form": "unit", "kind": "sector", "code": "S1", "name": "Sector"},
    ),
    Case("unit page", "get", lambda w: f"/territorio/{w.unit.pk}/", None, None, 200, login_required=False),
    Case(
        "private layer page",
        "get",
        lambda w: f"/territorio/capas/{w.layer.pk}/",
        "layer",
        None,
        200,
        login_required=False,
    ),
    Case("job page", "get", lambda w: f"/trabajos/{w.job.pk}/", None, C.VIEW_PRIVATE, 200),
    Case("api docs", "get", lambda w: "/api/v1/docs", None, None, 200, login_required=False),
    Case(
        "add legal act (invalid)",
        "post",
        lambda w: f"/planes/{w.plan.pk}/actos/nuevo/",
        "plan",
        C.EDIT_PLAN,
        200,
        data=lambda w: {"act_type": "ordinance"},
    ),
    Case(
        "move node",
        "post",
        lambda w: f"/planes/nodos/{w.node.pk}/mover/",
        "plan",
        C.EDIT_TREE,
        302,
        data=lambda w: {"parent_code": "", "position": "1"},
    ),
    # the plan's legal life (lifecycle module)
    Case(
        "timeline",
        "get",
        lambda w: f"/ciclo/planes/{w.plan.pk}/linea-de-tiempo/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "validity page",
        "get",
        lambda w: f"/ciclo/planes/{w.plan.pk}/vigencia/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "set validity",
        "post",
        lambda w: f"/ciclo/planes/{w.plan.pk}/vigencia/",
        "plan",
        C.EDIT_PLAN,
        302,
        data=lambda w: {"action": "validity"},
        login_required=False,
    ),
    Case("calculator", "get", lambda w: "/ciclo/calculadora/", None, None, 200, login_required=False),
    Case(
        "route page",
        "get",
        lambda w: f"/ciclo/planes/{w.plan.pk}/ruta/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "start route (invalid)",
        "post",
        lambda w: f"/ciclo/planes/{w.plan.pk}/ruta/iniciar/",
        "plan",
        C.EDIT_PLAN,
        422,
        data=lambda w: {"route": "0"},
    ),
    Case(
        "procedure page",
        "get",
        lambda w: f"/ciclo/planes/{w.plan.pk}/tramite/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "deadlines calendar",
        "get",
        lambda w: f"/ciclo/planes/{w.plan.pk}/plazos.ics",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "other plan's deadlines calendar",
        "get",
        lambda w: f"/ciclo/planes/{w.other_plan.pk}/plazos.ics",
        "other_plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "inventory",
        "get",
        lambda w: f"/ciclo/entidades/{w.entity.pk}/inventario/",
        "entity",
        C.VIEW_PRIVATE,
        200,
    ),
    Case(
        "inventory gaps",
        "get",
        lambda w: f"/ciclo/entidades/{w.entity.pk}/inventario/brechas/",
        "entity",
        C.VIEW_PRIVATE,
        200,
    ),
    Case(
        "add inventory item (invalid)",
        "post",
        lambda w: f"/ciclo/entidades/{w.entity.pk}/inventario/nuevo/",
        "entity",
        C.EDIT_PLAN,
        200,
        data=lambda w: {"title": ""},
    ),
    # monitoring
    Case(
        "indicator list",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/indicadores/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "indicator sheet",
        "get",
        lambda w: f"/seguimiento/indicadores/{w.indicator.pk}/ficha/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "new indicator page",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/indicadores/nuevo/",
        "plan",
        C.EDIT_PLAN,
        200,
    ),
    Case(
        "catalogue",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/catalogo/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "alerts",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/alertas/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "corrective actions",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/acciones/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "project progress",
        "get",
        lambda w: f"/seguimiento/nodos/{w.node.pk}/avance/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "new measurement page",
        "get",
        lambda w: f"/seguimiento/indicadores/{w.indicator.pk}/mediciones/nueva/",
        "plan",
        C.REPORT_DATA,
        200,
    ),
    Case(
        "measurement list",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/mediciones/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "approval queue",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/aprobaciones/",
        "plan",
        C.APPROVE,
        200,
    ),
    Case(
        "measurement import page",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/importar-mediciones/",
        "plan",
        C.REPORT_DATA,
        200,
    ),
    Case(
        "dashboard",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/tablero/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "public dashboard",
        "get",
        lambda w: f"/seguimiento/planes/{w.public_plan.pk}/tablero/",
        "public_plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "node progress",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/nodos/{w.node.pk}/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "indicator detail",
        "get",
        lambda w: f"/seguimiento/indicadores/{w.indicator.pk}/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "territory view",
        "get",
        lambda w: f"/seguimiento/planes/{w.plan.pk}/territorios/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "plan reports",
        "get",
        lambda w: f"/informes/planes/{w.plan.pk}/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case(
        "plan archive",
        "get",
        lambda w: f"/informes/planes/{w.plan.pk}/archivo/",
        "plan",
        None,
        200,
        login_required=False,
    ),
    Case("tokens", "get", lambda w: "/cuenta/tokens/", None, None, 200, login_required=True),
    Case(
        "comment on other plan",
        "post",
        lambda w: f"/planes/{w.other_plan.pk}/comentarios/",
        "other_plan",
        C.COMMENT,
        302,
        data=lambda w: {"body": "Hola"},
    ),
]
API: list[Case] = [
    Case(
        "api territories",
        "get",
        lambda w: "/api/v1/territories",
        None,
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api entities", "get", lambda w: "/api/v1/entities", None, None, 200, api=True, login_required=False
    ),
    Case("api plan list", "get", lambda w: "/api/v1/plans", None, None, 200, api=True, login_required=False),
    Case(
        "api private plan",
        "get",
        lambda w: f"/api/v1/plans/{w.plan.pk}",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api public plan",
        "get",
        lambda w: f"/api/v1/plans/{w.public_plan.pk}",
        "public_plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api other plan tree",
        "get",
        lambda w: f"/api/v1/plans/{w.other_plan.pk}/tree",
        "other_plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api node",
        "get",
        lambda w: f"/api/v1/nodes/{w.node.pk}",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api create plan",
        "post",
        lambda w: "/api/v1/plans",
        "plan",
        C.EDIT_PLAN,
        201,
        api=True,
        data=lambda w: {"entity_id": w.entity.pk, "plan_type": "PAT", "name": "Plan por API"},
    ),
    Case(
        "api patch plan",
        "patch",
        lambda w: f"/api/v1/plans/{w.plan.pk}",
        "plan",
        C.EDIT_PLAN,
        200,
        api=True,
        data=lambda w: {"vision": "Nueva visión"},
    ),
    Case(
        "api add node",
        "post",
        lambda w: f"/api/v1/plans/{w.plan.pk}/nodes",
        "plan",
        C.EDIT_TREE,
        201,
        api=True,
        data=_node_data,
    ),
    Case(
        "api add node to other plan",
        "post",
        lambda w: f"/api/v1/plans/{w.other_plan.pk}/nodes",
        "other_plan",
        C.EDIT_TREE,
        201,
        api=True,
        data=_node_data,
    ),
    Case(
        "api patch node",
        "patch",
        lambda w: f"/api/v1/nodes/{w.node.pk}",
        "plan",
        C.EDIT_TREE,
        200,
        api=True,
        data=lambda w: {"title": "Cambiado"},
    ),
    Case(
        "api patch other node",
        "patch",
        lambda w: f"/api/v1/nodes/{w.other_node.pk}",
        "other_plan",
        C.EDIT_TREE,
        200,
        api=True,
        data=lambda w: {"title": "Cambiado"},
    ),
    Case(
        "api move node",
        "post",
        lambda w: f"/api/v1/nodes/{w.node.pk}/move",
        "plan",
        C.EDIT_TREE,
        200,
        api=True,
        data=lambda w: {"parent_id": None, "position": 0},
    ),
    Case(
        "api deadlines",
        "get",
        lambda w: f"/api/v1/plans/{w.plan.pk}/deadlines",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api inventory",
        "get",
        lambda w: f"/api/v1/entities/{w.entity.pk}/inventory",
        "entity",
        C.VIEW_PRIVATE,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api legal vigencia",
        "get",
        lambda w: "/api/v1/legal/vigencia?country=CO&adopted=2000-12-20",
        None,
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api indicators",
        "get",
        lambda w: f"/api/v1/plans/{w.plan.pk}/indicators",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api measurements",
        "get",
        lambda w: f"/api/v1/indicators/{w.indicator.pk}/measurements",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api progress",
        "get",
        lambda w: f"/api/v1/plans/{w.plan.pk}/progress",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api reports",
        "get",
        lambda w: f"/api/v1/plans/{w.plan.pk}/reports",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api align node",
        "put",
        lambda w: f"/api/v1/nodes/{w.node.pk}/alignments",
        "plan",
        C.EDIT_TREE,
        200,
        api=True,
        data=lambda w: {"node_ids": []},
    ),
    Case(
        "api delete node",
        "delete",
        lambda w: f"/api/v1/nodes/{w.node.pk}",
        "plan",
        C.EDIT_TREE,
        200,
        api=True,
    ),
    Case(
        "api delete other node",
        "delete",
        lambda w: f"/api/v1/nodes/{w.other_node.pk}",
        "other_plan",
        C.EDIT_TREE,
        200,
        api=True,
    ),
]


def expected_status(world: Any, who: str, case: Case) -> int:
    target = getattr(world, case.plan) if case.plan else None
    entity_id = getattr(target, "entity_id", None) or getattr(target, "pk", None)
    entity_caps = caps(world, who, entity_id) if target is not None else set()
    if target is None or isinstance(target, Entity):
        visible = True  # entities and territory are public facts
    elif isinstance(target, Membership):
        visible = C.VIEW_PRIVATE in entity_caps
    else:
        public = getattr(target, "is_published", None) or getattr(target, "is_public", False)
        visible = public or C.VIEW_PRIVATE in entity_caps
    if case.entity_private:
        if who == "anonymous" and case.login_required:
            return 401 if case.api else 302
        if C.VIEW_PRIVATE not in entity_caps:
            return 404
        return case.ok if case.capability is None or case.capability in entity_caps else 403
    if case.capability is None and not (who == "anonymous" and case.login_required):
        return case.ok if visible else 404
    if who == "anonymous" and case.login_required:
        return 401 if case.api else 302
    if case.name == "entity list":  # any signed-in person sees the entities they belong to
        return case.ok
    if case.name == "job page":  # a job is seen only by whoever started it
        return case.ok if who in ("planner", "superuser") else 404
    if case.name.startswith(("inventory", "api inventory", "add inventory")):
        # the inventory is internal: invisible (404) to whoever may not read the entity's private data
        if C.VIEW_PRIVATE not in entity_caps:
            return 404
        return case.ok if case.capability in entity_caps else 403
    if case.name == "tokens":
        return case.ok
    if case.name == "api create plan":
        # creating a plan: the entity must be readable (404 otherwise), then EDIT_PLAN (403)
        if C.VIEW_PRIVATE not in entity_caps:
            return 404
        return case.ok if C.EDIT_PLAN in entity_caps else 403
    if not visible:
        return 404
    return case.ok if case.capability in entity_caps else 403


def _client_for(world: Any, who: str, *, api: bool) -> tuple[Client, dict[str, str]]:
    client = Client()
    headers: dict[str, str] = {}
    if who == "anonymous":
        return client, headers
    user = world.users.get(who) or (world.superuser if who == "superuser" else None)
    if api:
        _token, raw = api_token_create(actor=user, name="test")
        headers["Authorization"] = f"Bearer {raw}"
    else:
        client.force_login(user)
    return client, headers


@pytest.fixture
def world_with_root(world: Any, superuser: Any) -> Any:
    world.superuser = superuser
    world.membership = Membership.objects.get(entity=world.entity, role="reporter")
    world.unit = UnitFactory(country="PE", code="220101", name="Moyobamba")
    world.layer = SpatialLayer.objects.create(entity=world.entity, name="Riesgo (privada)", kind="risk")
    LayerFeature.objects.create(
        layer=world.layer,
        properties={"nivel": "alto"},
        bbox_west=-77,
        bbox_south=-6,
        bbox_east=-76,
        bbox_north=-5,
        geometry={"type": "Point", "coordinates": [-76.9, -6.0]},
    )
    world.indicator = Indicator.objects.create(
        plan=world.plan, node=world.node, code="I1", name="Indicador", periodicity="quarterly"
    )
    # investments: a private initiative, a project in the public bank, another entity's project,
    # a draft investment plan of the entity (private) and one of the other entity
    world.project = Project.objects.create(
        entity=world.entity,
        code="INI-1",
        title="Iniciativa ciudadana",
        origin=ProjectOrigin.CITIZEN,
        status=ProjectStatus.PROPOSED,
        tracking_code="seguimiento-secreto-1",
    )
    world.bank_project = Project.objects.create(
        entity=world.entity, code="P-1", title="Proyecto del banco", status=ProjectStatus.ACCEPTED
    )
    world.other_project = Project.objects.create(
        entity=world.other_entity, code="X-1", title="Proyecto ajeno", status=ProjectStatus.PROPOSED
    )
    world.source = FundingSource.objects.get_or_create(
        country="XX", code="own", defaults={"name": "Propios"}
    )[0]
    world.investment_plan = InvestmentPlan.objects.create(
        entity=world.entity, kind="annual", title="Plan anual 2027", year_start=2027, year_end=2027
    )
    world.investment_line = InvestmentLine.objects.create(
        investment_plan=world.investment_plan,
        project=world.bank_project,
        year=2027,
        source=world.source,
        amount=1000,
    )
    world.other_investment_plan = InvestmentPlan.objects.create(
        entity=world.other_entity, kind="annual", title="Plan ajeno", year_start=2027, year_end=2027
    )
    world.job = job_create(
        kind="plan_import", title="Importación", created_by=world.users["planner"], entity_id=world.entity.pk
    )
    governance_world(world)  # bodies, meetings, minutes and agreements (tests/governance/matrix.py)
    return world


def _call(world: Any, who: str, case: Case) -> tuple[int, str, Any]:
    client, headers = _client_for(world, who, api=case.api)
    url = case.url(world)
    data = case.data(world) if case.data else None
    if case.api and case.method != "get":
        response = getattr(client, case.method)(
            url, data=json.dumps(data or {}), content_type="application/json", headers=headers
        )
    elif case.method == "get":
        response = client.get(url, headers=headers)
    else:
        response = client.post(url, data=data or {}, headers=headers)
    if getattr(response, "streaming", False):  # a file served through a permission check
        body = b"".join(response.streaming_content)[:300]
        # closing a response fires request_finished, which would close the database connection
        # in the middle of the test's transaction (as the test client itself avoids)
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
    else:
        body = response.content[:300]
    return response.status_code, response.get("Location", ""), body


INVESTMENTS = BANK_WEB + BANK_API + PRIORITIES_WEB + PRIORITIES_API + PROGRAMMING_WEB + PROGRAMMING_API
INVESTMENTS += EXECUTION_WEB + EXECUTION_API
GOVERNANCE = GOVERNANCE_WEB + GOVERNANCE_API


@pytest.mark.parametrize("case", WEB + API + INVESTMENTS + GOVERNANCE, ids=lambda c: c.name)
def test_permission_matrix(world_with_root: Any, case: Case) -> None:
    """One endpoint, every caller. Each call runs in a savepoint rolled back afterwards, so a
    call that changes data (a deletion, a new member) does not change what the next caller sees."""
    world = world_with_root
    failures = []
    for who in ROLES:
        with transaction.atomic():
            # given a caller in a role, when they call the endpoint
            status, location, body = _call(world, who, case)
            transaction.set_rollback(True)
        # then the status is what the rule says
        expected = expected_status(world, who, case)
        if status != expected:
            failures.append(f"{case.name} as {who}: got {status}, expected {expected}: {body!r}")
        elif expected == 302 and who == "anonymous" and "/entrar/" not in location:
            failures.append(f"{case.name} as anonymous: redirected to {location}, not to the sign-in page")
    assert not failures, "\n".join(failures)


def test_private_plans_do_not_leak_into_lists(world: Any) -> None:
    client = Client()
    client.force_login(world.users["other_admin"])
    names = [p["name"] for p in client.get("/api/v1/plans").json()]
    assert "Plan ajeno" in names and "Plan público" in names and "Plan privado" not in names
    page = client.get("/planes/").content.decode()
    assert "Plan privado" not in page and "Plan público" in page
    anonymous = Client().get("/api/v1/plans").json()
    assert [p["name"] for p in anonymous] == ["Plan público"]


def test_an_invalid_token_is_refused_not_treated_as_anonymous(world: Any) -> None:
    response = Client().get("/api/v1/plans", headers={"Authorization": "Bearer rmb_wrong"})
    assert response.status_code == 401
