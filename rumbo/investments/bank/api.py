"""API of the project bank: the public bank, projects (token writes with the same checks as the
pages: 422 with a Spanish `detail`), citizen initiatives (public, with anti-spam limits: 429),
their tracking, moderation and the eligibility check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.http import DB_INT_MAX, ObjectId, client_address
from rumbo.indicators.models import Indicator
from rumbo.investments import services as project_services
from rumbo.investments.bank import selectors, services
from rumbo.investments.gatekeepers import project_get_for_user
from rumbo.investments.models import Project
from rumbo.plans.models import Node, Plan

router = Router(tags=["investments"])
token_auth = ApiTokenAuth()


class YearCostSchema(Schema):
    year: int = Field(ge=1900, le=2200)
    amount: str | float = Field(description='An amount; text may use Spanish separators ("1.234,50").')
    source: str | None = Field(default=None, description="Funding source code of the country's catalogue.")


class ProjectOut(Schema):
    id: int
    entity_id: int
    code: str
    title: str
    description: str
    kind: str
    sector: str
    stage: str
    term: str
    national_code: str
    responsible: str
    status: str
    origin: str
    cost_total: str
    currency: str
    location: dict[str, Any] | None
    plan_id: int | None
    node_ids: list[int]
    unit_codes: list[str]
    indicator_ids: list[int]
    year_costs: list[YearCostSchema]
    eligibility: dict[str, Any] | None


class ProjectIn(Schema):
    entity_id: int
    code: str
    title: str
    cost_total: str | float
    description: str = ""
    kind: str = "public"
    sector: str = ""
    stage: str = "idea"
    term: str = ""
    national_code: str = ""
    responsible: str = ""
    plan_id: int | None = None
    node_ids: list[ObjectId] = []
    indicator_ids: list[ObjectId] = []
    unit_codes: list[str] = []
    location: dict[str, Any] | None = None
    year_costs: list[YearCostSchema] = []


class ProjectPatch(Schema):
    code: str | None = None
    title: str | None = None
    cost_total: str | float | None = None
    description: str | None = None
    kind: str | None = None
    sector: str | None = None
    term: str | None = None
    national_code: str | None = None
    responsible: str | None = None
    plan_id: int | None = None
    node_ids: list[ObjectId] | None = None
    indicator_ids: list[ObjectId] | None = None
    unit_codes: list[str] | None = None
    location: dict[str, Any] | None = None
    year_costs: list[YearCostSchema] | None = None


class InitiativeIn(Schema):
    entity_id: int
    title: str
    description: str
    proposer_name: str
    sector: str = ""
    proposer_email: str = ""
    proposer_organisation: str = ""
    unit_codes: list[str] = []
    location: dict[str, Any] | None = None
    cost_estimate: str | float | None = None
    website: str = Field(default="", description="Leave empty (anti-spam).")


class InitiativeOut(Schema):
    code: str
    title: str
    entity: str
    status: str
    status_label: str
    status_note: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    tracking_code: str
    project_id: int | None = Field(description="Set once the initiative is in the public bank.")


class ReviewIn(Schema):
    decision: str = Field(description="accept or reject")
    note: str = ""
    plan_id: int | None = None
    node_ids: list[ObjectId] = []


def _out(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "entity_id": p.entity_id,
        "code": p.code,
        "title": p.title,
        "description": p.description,
        "kind": p.kind,
        "sector": p.sector,
        "stage": p.stage,
        "term": p.term,
        "national_code": p.national_code,
        "responsible": p.responsible,
        "status": p.status,
        "origin": p.origin,
        "cost_total": str(p.cost_total),
        "currency": p.currency,
        "location": p.location,
        "plan_id": p.plan_id,
        "node_ids": sorted(n.pk for n in p.nodes.all()),
        "unit_codes": sorted(u.code for u in p.units.all()),
        "indicator_ids": sorted(i.pk for i in p.indicators.all()),
        "year_costs": [
            {"year": c.year, "amount": str(c.amount), "source": c.source.code if c.source else None}
            for c in p.year_costs.all()
        ],
        "eligibility": p.eligibility,
    }


def _initiative_out(p: Project) -> dict[str, Any]:
    return {
        "code": p.code,
        "title": p.title,
        "entity": p.entity.name,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "status_note": p.status_note,
        "submitted_at": p.submitted_at,
        "reviewed_at": p.reviewed_at,
        "tracking_code": p.tracking_code or "",
        "project_id": p.pk if p.is_public else None,
    }


def _with_relations(qs: Any) -> Any:
    return qs.prefetch_related("nodes", "units", "indicators", "year_costs__source")


def _visible(request: HttpRequest, project_id: int, user: Any) -> Project:
    project = project_get_for_user(project_id=project_id, user=user)
    if project is None:
        raise HttpError(404, _("Not found."))
    return project


def _links(
    entity_id: int, plan_id: int | None, node_ids: list[int], indicator_ids: list[int]
) -> dict[str, Any]:
    plan = Plan.objects.filter(pk=plan_id, entity_id=entity_id).first() if plan_id else None
    if plan_id and plan is None:
        raise ValidationError({"plan": _("The plan belongs to another entity.")})
    nodes = list(Node.objects.filter(pk__in=node_ids))
    if len(nodes) != len(set(node_ids)):
        raise ValidationError({"nodes": _("Unknown plan nodes.")})
    indicators = list(Indicator.objects.filter(pk__in=indicator_ids, plan__entity_id=entity_id))
    if len(indicators) != len(set(indicator_ids)):
        raise ValidationError({"indicators": _("The indicators must belong to plans of the entity.")})
    return {"plan": plan, "nodes": nodes, "indicators": indicators}


@router.get("/investments/projects", response=list[ProjectOut], summary="Projects of the bank")
def projects_list(
    request: HttpRequest,
    entity: ObjectId | None = None,
    sector: str = "",
    stage: str = "",
    origin: str = "",
    q: str = "",
    limit: int = 100,
    offset: int = Query(0, ge=0, le=DB_INT_MAX),  # type: ignore[type-arg]
) -> list[dict[str, Any]]:
    """Projects of the public bank (accepted), filtered; members of `entity` (with access to its
    private data) also get that entity's initiatives awaiting review and rejected projects."""
    reader = api_reader(request)
    qs = selectors.bank_projects(
        user=reader, entity_id=entity, sector=sector, stage=stage, origin=origin, text=q, include_private=True
    )
    limit = max(1, min(limit, 1000))
    return [_out(p) for p in _with_relations(qs)[offset : offset + limit]]


@router.get("/investments/projects/{project_id}", response=ProjectOut, summary="A project")
def project_get(request: HttpRequest, project_id: int) -> dict[str, Any]:
    project = _visible(request, project_id, api_reader(request))
    return _out(_with_relations(Project.objects.filter(pk=project.pk)).get())


@router.post(
    "/investments/projects",
    response={201: ProjectOut},
    auth=token_auth,
    summary="Register a project (planners and administrators)",
)
def project_create_api(request: HttpRequest, payload: ProjectIn) -> tuple[int, dict[str, Any]]:
    actor = request.auth  # type: ignore[attr-defined]
    entity = Entity.objects.filter(pk=payload.entity_id).first()
    if entity is None:
        raise HttpError(404, _("Not found."))
    require(actor, entity.pk, Capability.EDIT_PLAN)
    links = _links(entity.pk, payload.plan_id, payload.node_ids, payload.indicator_ids)
    project = project_services.project_create(
        actor=actor,
        entity=entity,
        code=payload.code,
        title=payload.title,
        cost_total=payload.cost_total,
        year_costs=[(c.year, c.amount, c.source) for c in payload.year_costs],
        unit_codes=payload.unit_codes,
        location=payload.location,
        plan=links["plan"],
        nodes=links["nodes"],
        description=payload.description,
        kind=payload.kind,
        sector=payload.sector,
        stage=payload.stage,
        term=payload.term,
        national_code=payload.national_code,
        responsible=payload.responsible,
        currency=selectors.CURRENCIES.get(entity.country, "PEN"),
    )
    project.indicators.set(links["indicators"])
    return 201, _out(_with_relations(Project.objects.filter(pk=project.pk)).get())


@router.patch(
    "/investments/projects/{project_id}",
    response=ProjectOut,
    auth=token_auth,
    summary="Change a project (fields not sent stay as they are)",
)
def project_update_api(request: HttpRequest, project_id: int, payload: ProjectPatch) -> dict[str, Any]:
    actor = request.auth  # type: ignore[attr-defined]
    project = _visible(request, project_id, actor)
    sent = payload.dict(exclude_unset=True)
    current = _out(_with_relations(Project.objects.filter(pk=project.pk)).get())
    links = _links(
        project.entity_id,
        sent["plan_id"] if "plan_id" in sent else project.plan_id,
        sent.get("node_ids", current["node_ids"]) or [],
        sent.get("indicator_ids", current["indicator_ids"]) or [],
    )
    year_costs = sent.get("year_costs")
    rows = (
        [(c["year"], c["amount"], c.get("source")) for c in year_costs]
        if year_costs is not None
        else [(c["year"], c["amount"], c["source"]) for c in current["year_costs"]]
    )
    fields = {
        k: sent[k] if sent.get(k) is not None else current[k]
        for k in ("description", "kind", "sector", "term", "national_code", "responsible")
    }
    updated = project_services.project_update(
        actor=actor,
        project=project,
        code=sent.get("code") or project.code,
        title=sent.get("title") or project.title,
        cost_total=sent["cost_total"] if sent.get("cost_total") is not None else project.cost_total,
        year_costs=rows,
        unit_codes=sent["unit_codes"] if sent.get("unit_codes") is not None else current["unit_codes"],
        location=sent["location"] if "location" in sent else project.location,
        plan=links["plan"],
        nodes=links["nodes"],
        indicators=links["indicators"],
        **fields,
    )
    return _out(_with_relations(Project.objects.filter(pk=updated.pk)).get())


@router.post(
    "/investments/initiatives",
    response={201: InitiativeOut},
    summary="Propose an initiative (public; at most 5 an hour and 20 a day per submitter)",
)
def initiative_create_api(request: HttpRequest, payload: InitiativeIn) -> tuple[int, dict[str, Any]]:
    entity = Entity.objects.filter(pk=payload.entity_id).first()
    if entity is None:
        raise HttpError(404, _("Not found."))
    try:
        project = services.initiative_submit(
            entity=entity,
            title=payload.title,
            description=payload.description,
            sector=payload.sector,
            proposer_name=payload.proposer_name,
            proposer_email=payload.proposer_email,
            proposer_organisation=payload.proposer_organisation,
            unit_codes=payload.unit_codes,
            location=payload.location,
            cost_estimate="" if payload.cost_estimate is None else payload.cost_estimate,
            honeypot=payload.website,
            fingerprint=services.submitter_fingerprint(remote_addr=client_address(request)),
        )
    except services.InitiativeLimitReached as exc:
        raise HttpError(429, exc.message) from exc
    return 201, _initiative_out(project)


@router.get(
    "/investments/initiatives/{tracking_code}",
    response=InitiativeOut,
    summary="Follow an initiative with its tracking code",
)
def initiative_status_api(request: HttpRequest, tracking_code: str) -> dict[str, Any]:
    project = selectors.initiative_by_tracking(tracking_code=tracking_code)
    if project is None:
        raise HttpError(404, _("Not found."))
    return _initiative_out(project)


@router.post(
    "/investments/projects/{project_id}/review",
    response=ProjectOut,
    auth=token_auth,
    summary="Accept or reject an initiative",
)
def project_review_api(request: HttpRequest, project_id: int, payload: ReviewIn) -> dict[str, Any]:
    actor = request.auth  # type: ignore[attr-defined]
    project = _visible(request, project_id, actor)
    plan = Plan.objects.filter(pk=payload.plan_id).first() if payload.plan_id else None
    if payload.plan_id and plan is None:
        raise ValidationError({"plan": _("Unknown plan.")})
    project = services.initiative_review(
        actor=actor,
        project=project,
        decision=payload.decision,
        note=payload.note,
        plan=plan,
        nodes=list(Node.objects.filter(pk__in=payload.node_ids)),
    )
    return _out(_with_relations(Project.objects.filter(pk=project.pk)).get())


@router.post(
    "/investments/projects/{project_id}/eligibility",
    response=dict[str, Any],
    auth=token_auth,
    summary="Check a project's eligibility again",
)
def project_eligibility_api(request: HttpRequest, project_id: int) -> dict[str, Any]:
    actor = request.auth  # type: ignore[attr-defined]
    project = _visible(request, project_id, actor)
    return services.project_eligibility_check(actor=actor, project=project)
