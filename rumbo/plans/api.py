"""API: plans and their trees. Reads are public for published plans; writes need a token."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.http import ObjectId, json_response
from rumbo.plans import services
from rumbo.plans.models import Node, Plan, PlanStatus, PlanType, Term
from rumbo.plans.selectors import node_get_for_user, plan_get_for_user, plan_tree_nested, plans_visible_to
from rumbo.territory.models import TerritorialUnit
from rumbo.territory.selectors import units_by_codes

router = Router(tags=["plans"])
token_auth = ApiTokenAuth()


class PlanOut(Schema):
    id: int
    name: str
    code: str
    plan_type: str
    country: str
    entity_id: int
    entity_name: str
    status: str
    horizon_start: int | None
    horizon_end: int | None
    vision: str
    target_image: str
    is_published: bool
    is_demo: bool
    unit_codes: list[str]
    levels: list[str]


class PlanIn(Schema):
    entity_id: int
    plan_type: str = Field(description="Plan type code of the entity's country, e.g. PAT, POT, PMDU.")
    name: str = Field(min_length=1, max_length=300)
    code: str = ""
    status: PlanStatus = PlanStatus.FORMULATION
    horizon_start: int | None = Field(default=None, ge=1900, le=2200)
    horizon_end: int | None = Field(default=None, ge=1900, le=2200)
    vision: str = ""
    target_image: str = ""
    description: str = ""
    unit_codes: list[str] = []
    levels: list[str] | None = None


class PlanPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    code: str | None = None
    status: PlanStatus | None = None
    horizon_start: int | None = Field(default=None, ge=1900, le=2200)
    horizon_end: int | None = Field(default=None, ge=1900, le=2200)
    vision: str | None = None
    target_image: str | None = None
    description: str | None = None
    is_published: bool | None = None


class NodeIn(Schema):
    parent_id: int | None = None
    code: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1, max_length=500)
    description: str = ""
    weight: Decimal = Field(default=Decimal("1"), ge=0)
    responsible: str = ""
    term: Term | None = None
    term_start: int | None = Field(default=None, ge=1900, le=2200)
    term_end: int | None = Field(default=None, ge=1900, le=2200)


class NodePatch(Schema):
    code: str | None = Field(default=None, min_length=1, max_length=60)
    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = None
    weight: Decimal | None = Field(default=None, ge=0)
    responsible: str | None = None
    term: Term | None = None
    term_start: int | None = Field(default=None, ge=1900, le=2200)
    term_end: int | None = Field(default=None, ge=1900, le=2200)


class NodeMoveIn(Schema):
    parent_id: int | None = Field(default=None, description="New parent; null for the first level.")
    position: int | None = Field(default=None, ge=0, description="0-based position among the new siblings.")


class AlignedNodeOut(Schema):
    id: int
    plan_id: int
    code: str
    title: str


class AlignmentsIn(Schema):
    node_ids: list[ObjectId] = Field(
        description="Nodes of other plans this node contributes to (replaces the list)."
    )


class NodeOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    code: str
    title: str
    level: str
    depth: int
    position: int
    weight: float
    responsible: str
    term: str | None
    term_start: int | None
    term_end: int | None
    description: str
    aligned_to: list[AlignedNodeOut]


class TreeNodeOut(Schema):
    id: int
    code: str
    title: str
    level: str
    depth: int
    weight: float
    share: float | None = Field(description="Weight normalised among siblings (what roll-ups use).")
    responsible: str
    term: str | None
    term_start: int | None
    term_end: int | None
    description: str
    children: list[TreeNodeOut]


class TreeOut(Schema):
    plan_id: int
    levels: list[str]
    nodes: list[TreeNodeOut]


class DeletedOut(Schema):
    deleted: int


def _actor(request: HttpRequest) -> Any:
    """The user that ApiTokenAuth authenticated (ninja sets `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]


def _plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "name": plan.name,
        "code": plan.code,
        "plan_type": plan.plan_type.code,
        "country": plan.entity.country,
        "entity_id": plan.entity_id,
        "entity_name": plan.entity.name,
        "status": plan.status,
        "horizon_start": plan.horizon_start,
        "horizon_end": plan.horizon_end,
        "vision": plan.vision,
        "target_image": plan.target_image,
        "is_published": plan.is_published,
        "is_demo": plan.is_demo,
        "unit_codes": [u.code for u in plan.units.all()],
        "levels": [lvl.name for lvl in plan.levels.all()],
    }


def _node_out(node: Node, user: Any) -> dict[str, Any]:
    """A node; its alignments only towards plans the caller can see."""
    aligned = node.aligned_to.filter(plan__in=plans_visible_to(user=user).values("pk"))
    return {
        "id": node.pk,
        "plan_id": node.plan_id,
        "parent_id": node.parent_id,
        "code": node.code,
        "title": node.title,
        "level": node.level.name,
        "depth": node.depth,
        "position": node.position,
        "weight": float(node.weight),
        "responsible": node.responsible,
        "term": node.term or None,
        "term_start": node.term_start,
        "term_end": node.term_end,
        "description": node.description,
        "aligned_to": [{"id": t.pk, "plan_id": t.plan_id, "code": t.code, "title": t.title} for t in aligned],
    }


def _readable_plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = plan_get_for_user(plan_id=plan_id, user=api_reader(request))
    if plan is None:
        raise HttpError(404, _("Not found."))
    return plan


def _writable_plan(request: HttpRequest, plan_id: int, capability: Capability) -> Plan:
    plan = plan_get_for_user(plan_id=plan_id, user=_actor(request))
    if plan is None:
        raise HttpError(404, _("Not found."))
    if not user_access(_actor(request)).can(plan.entity_id, capability):
        raise PermissionDenied
    return plan


def _units(codes: list[str], country: str) -> list[TerritorialUnit]:
    units, unknown = units_by_codes(country=country, codes=codes)
    if unknown:
        raise HttpError(422, _("Unknown territorial unit codes: %(codes)s") % {"codes": ", ".join(unknown)})
    return units


@router.get("/plans", response=list[PlanOut], summary="Plans the caller may see")
def plans_list(
    request: HttpRequest, entity_id: int | None = None, country: str | None = None
) -> list[dict[str, Any]]:
    """Published plans, plus private ones of entities where the caller may read private data."""
    qs = plans_visible_to(user=api_reader(request)).prefetch_related("units", "levels")
    if entity_id:
        qs = qs.filter(entity_id=entity_id)
    if country:
        qs = qs.filter(entity__country=country.upper())
    return [_plan_out(p) for p in qs.order_by("name")]


@router.get("/plans/{plan_id}", response=PlanOut, summary="One plan")
def plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _plan_out(_readable_plan(request, plan_id))


@router.get("/plans/{plan_id}/tree", response=TreeOut, summary="The plan's strategic tree as nested JSON")
def plan_tree(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The whole tree in display order. `share` is each node's weight normalised among its siblings."""
    plan = _readable_plan(request, plan_id)
    return json_response(
        {
            "plan_id": plan.pk,
            "levels": [lvl.name for lvl in plan.levels.all()],
            "nodes": plan_tree_nested(plan=plan),
        }
    )


@router.post("/plans", response={201: PlanOut}, auth=token_auth, summary="Create a plan")
def plan_create(request: HttpRequest, payload: PlanIn) -> tuple[int, dict[str, Any]]:
    entity = Entity.objects.filter(pk=payload.entity_id).first()
    if entity is None or not user_access(_actor(request)).can(entity.pk, Capability.VIEW_PRIVATE):
        raise HttpError(404, _("Entity not found."))
    plan_type = PlanType.objects.filter(code=payload.plan_type, country__in=[entity.country, "XX"]).first()
    if plan_type is None:
        raise HttpError(422, _("Unknown plan type for this country: %(code)s") % {"code": payload.plan_type})
    plan = services.plan_create(
        actor=_actor(request),
        entity=entity,
        plan_type=plan_type,
        name=payload.name,
        code=payload.code,
        status=payload.status,
        horizon_start=payload.horizon_start,
        horizon_end=payload.horizon_end,
        vision=payload.vision,
        target_image=payload.target_image,
        description=payload.description,
        units=_units(payload.unit_codes, entity.country),
        levels=payload.levels,
    )
    return 201, _plan_out(plan)


@router.patch("/plans/{plan_id}", response=PlanOut, auth=token_auth, summary="Change a plan")
def plan_patch(request: HttpRequest, plan_id: int, payload: PlanPatch) -> dict[str, Any]:
    plan = _writable_plan(request, plan_id, Capability.EDIT_PLAN)
    fields = payload.dict(exclude_unset=True)
    services.plan_update(actor=_actor(request), plan=plan, **fields)
    return _plan_out(plan)


@router.post(
    "/plans/{plan_id}/nodes", response={201: NodeOut}, auth=token_auth, summary="Add a node to the tree"
)
def node_create(request: HttpRequest, plan_id: int, payload: NodeIn) -> tuple[int, dict[str, Any]]:
    plan = _writable_plan(request, plan_id, Capability.EDIT_TREE)
    parent = None
    if payload.parent_id is not None:
        parent = Node.objects.filter(plan=plan, pk=payload.parent_id).first()
        if parent is None:
            raise HttpError(422, _("The parent node does not exist in this plan."))
    data = payload.dict(exclude={"parent_id"})
    data["term"] = data["term"] or ""
    node = services.node_create(actor=_actor(request), plan=plan, parent=parent, **data)
    return 201, _node_out(node, _actor(request))


def _writable_node(request: HttpRequest, node_id: int) -> Node:
    node = node_get_for_user(node_id=node_id, user=_actor(request))
    if node is None:
        raise HttpError(404, _("Not found."))
    if not user_access(_actor(request)).can(node.plan.entity_id, Capability.EDIT_TREE):
        raise PermissionDenied
    return node


@router.get("/nodes/{node_id}", response=NodeOut, summary="One node")
def node_detail(request: HttpRequest, node_id: int) -> dict[str, Any]:
    reader = api_reader(request)
    node = node_get_for_user(node_id=node_id, user=reader)
    if node is None:
        raise HttpError(404, _("Not found."))
    return _node_out(node, reader)


@router.patch("/nodes/{node_id}", response=NodeOut, auth=token_auth, summary="Change a node")
def node_patch(request: HttpRequest, node_id: int, payload: NodePatch) -> dict[str, Any]:
    node = _writable_node(request, node_id)
    fields = payload.dict(exclude_unset=True)
    if "term" in fields:
        fields["term"] = fields["term"] or ""
    services.node_update(actor=_actor(request), node=node, **fields)
    node.refresh_from_db()
    return _node_out(node, _actor(request))


@router.post(
    "/nodes/{node_id}/move", response=NodeOut, auth=token_auth, summary="Move a node and its subtree"
)
def node_move(request: HttpRequest, node_id: int, payload: NodeMoveIn) -> dict[str, Any]:
    node = _writable_node(request, node_id)
    parent = None
    if payload.parent_id is not None:
        parent = Node.objects.filter(plan_id=node.plan_id, pk=payload.parent_id).first()
        if parent is None:
            raise HttpError(422, _("The new parent does not exist in this plan."))
    services.node_move(actor=_actor(request), node=node, new_parent=parent, position=payload.position)
    node.refresh_from_db()
    return _node_out(node, _actor(request))


@router.put(
    "/nodes/{node_id}/alignments",
    response=NodeOut,
    auth=token_auth,
    summary="Align a node with nodes of other plans",
)
def node_alignments(request: HttpRequest, node_id: int, payload: AlignmentsIn) -> dict[str, Any]:
    node = _writable_node(request, node_id)
    targets = list(Node.objects.filter(pk__in=payload.node_ids))
    if len(targets) != len(set(payload.node_ids)):
        raise HttpError(422, _("Some of the nodes do not exist."))
    services.node_align(actor=_actor(request), node=node, targets=targets)
    return _node_out(node, _actor(request))


@router.delete("/nodes/{node_id}", response=DeletedOut, auth=token_auth, summary="Delete a node")
def node_delete(request: HttpRequest, node_id: int, children: str = "delete") -> dict[str, Any]:
    """`children=delete` removes the whole subtree; `children=promote` moves the children up."""
    node = _writable_node(request, node_id)
    if children not in ("delete", "promote"):
        raise HttpError(422, _("children must be 'delete' or 'promote'."))
    return {"deleted": services.node_delete(actor=_actor(request), node=node, children=children)}
