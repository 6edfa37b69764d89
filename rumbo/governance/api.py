"""API of governance: the bodies of a plan with their members and approved minutes, meetings,
and the agreements register. Anyone reads the public bodies of a published plan without a
token; members' e-mail and phone, minutes not approved yet and attendance figures come only to
whoever may read the entity's private data or holds a seat in the body."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.http import DB_INT_MAX, ObjectId
from rumbo.governance import selectors
from rumbo.governance.activity import action_gantt
from rumbo.governance.contributions import convenio_statement
from rumbo.governance.models import (
    Agreement,
    Body,
    BodyMember,
    Convenio,
    DisseminationActivity,
    Meeting,
    Risk,
)
from rumbo.governance.services import agreement_status_set, body_can_edit, meeting_quorum
from rumbo.plans.models import Plan
from rumbo.plans.selectors import plan_get_for_user

router = Router(tags=["governance"])


class MemberOut(Schema):
    id: int
    name: str
    organisation: str
    represents: str
    sector: str
    role: str
    joined_on: datetime.date
    left_on: datetime.date | None
    email: str | None = Field(default=None, description="Only for readers of the entity's private data.")
    phone: str | None = Field(default=None, description="Only for readers of the entity's private data.")


class MinutesOut(Schema):
    meeting_id: int
    meeting_title: str
    meeting_starts_at: datetime.datetime
    status: str
    version: int
    approved_on: datetime.date | None
    approval: str
    text: str


class BodyOut(Schema):
    id: int
    entity_id: int
    plan_id: int | None
    kind: str
    kind_label: str
    name: str
    purpose: str
    parent_id: int | None
    formerly_id: int | None
    legal_act: dict[str, Any] | None
    quorum_rule: str
    quorum_count: int | None
    is_public: bool
    installed_on: datetime.date | None
    dissolved_on: datetime.date | None
    members: list[MemberOut]
    minutes: list[MinutesOut] = Field(
        description="Approved minutes (and drafts for private readers), newest first."
    )


class MeetingOut(Schema):
    id: int
    body_id: int
    title: str
    agenda: str
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str
    quorum: dict[str, Any] | None = Field(default=None, description="Only for private readers.")


class AgreementOut(Schema):
    id: int
    plan_id: int
    body_id: int
    meeting_id: int | None
    number: int
    text: str
    owner: str
    due_date: datetime.date | None
    status: str
    state: str = Field(description='The status, or "overdue" when pending or in progress past its due date.')
    done_on: datetime.date | None
    node_ids: list[int]
    project_ids: list[int]


def _member(m: BodyMember, private: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.pk,
        "name": m.name,
        "organisation": m.organisation,
        "represents": m.represents,
        "sector": m.sector,
        "role": m.role,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }
    if private:
        out |= {"email": m.email, "phone": m.phone}
    return out


def _body(b: Body, user: Any) -> dict[str, Any]:
    private = selectors.body_reads_private(user=user, body=b)
    act = b.legal_act
    minutes = []
    for meeting in b.meetings.all():
        m = getattr(meeting, "minutes", None)
        if selectors.minutes_visible(minutes=m, private=private):
            assert m is not None
            minutes.append(
                {
                    "meeting_id": meeting.pk,
                    "meeting_title": meeting.title,
                    "meeting_starts_at": meeting.starts_at,
                    "status": m.status,
                    "version": m.version,
                    "approved_on": m.approved_on,
                    "approval": m.approval,
                    "text": m.text,
                }
            )
    return {
        "id": b.pk,
        "entity_id": b.entity_id,
        "plan_id": b.plan_id,
        "kind": b.kind,
        "kind_label": str(b.get_kind_display()),
        "name": b.name,
        "purpose": b.purpose,
        "parent_id": b.parent_id,
        "formerly_id": b.formerly_id,
        "legal_act": (
            {"id": act.pk, "type": act.act_type, "number": act.number, "date": act.date, "issuer": act.issuer}
            if act
            else None
        ),
        "quorum_rule": b.quorum_rule,
        "quorum_count": b.quorum_count,
        "is_public": b.is_public,
        "installed_on": b.installed_on,
        "dissolved_on": b.dissolved_on,
        "members": [_member(m, private) for m in b.members.all()],
        "minutes": minutes,
    }


def _bodies_query(user: Any) -> Any:
    return (
        selectors.bodies_visible_to(user=user)
        .select_related("legal_act")
        .prefetch_related(
            Prefetch("members", queryset=BodyMember.objects.order_by("joined_on", "name")),
            Prefetch("meetings", queryset=Meeting.objects.select_related("minutes").order_by("-starts_at")),
        )
    )


@router.get("/governance/bodies", response=list[BodyOut], summary="The bodies of a plan")
def bodies_list(request: HttpRequest, plan: ObjectId) -> list[dict[str, Any]]:
    """The bodies of the plan and those of its entity serving all its plans that the caller may
    read: for anyone, the public bodies of a published plan, with their members' public fields
    and approved minutes."""
    reader = api_reader(request)
    found = plan_get_for_user(plan_id=plan, user=reader)
    if found is None:
        raise HttpError(404, _("There is no plan with that id, or it is not public."))
    rows = _bodies_query(reader).filter(Q(plan=found) | Q(plan__isnull=True, entity_id=found.entity_id))
    return [_body(b, reader) for b in rows.order_by("name", "pk")]


@router.get("/governance/bodies/{body_id}", response=BodyOut, summary="A body")
def body_get(request: HttpRequest, body_id: int) -> dict[str, Any]:
    reader = api_reader(request)
    body = _bodies_query(reader).filter(pk=body_id).first() if 0 < body_id <= DB_INT_MAX else None
    if body is None:
        raise HttpError(404, _("There is no body with that id, or it is not public."))
    return _body(body, reader)


@router.get("/governance/meetings", response=list[MeetingOut], summary="The meetings of a body")
def meetings_list(request: HttpRequest, body: ObjectId) -> list[dict[str, Any]]:
    reader = api_reader(request)
    found = selectors.body_get_for_user(body_id=body, user=reader)
    if found is None:
        raise HttpError(404, _("There is no body with that id, or it is not public."))
    private = selectors.body_reads_private(user=reader, body=found)
    out = []
    for m in Meeting.objects.filter(body=found).select_related("body").order_by("-starts_at"):
        row: dict[str, Any] = {
            "id": m.pk,
            "body_id": m.body_id,
            "title": m.title,
            "agenda": m.agenda,
            "place": m.place,
            "starts_at": m.starts_at,
            "ends_at": m.ends_at,
            "status": m.status,
        }
        if private:
            q = meeting_quorum(meeting=m)
            row["quorum"] = {
                "rule": q.rule,
                "voting": q.voting,
                "present": q.present,
                "required": q.required,
                "met": q.met,
            }
        out.append(row)
    return out


@router.get(
    "/governance/agreements", response=list[AgreementOut], summary="The agreements register of a plan"
)
def agreements_list(
    request: HttpRequest,
    plan: ObjectId,
    state: str = Query("", description='A status, or "overdue".'),  # type: ignore[type-arg]
    limit: int = 100,
    offset: int = Query(0, ge=0, le=DB_INT_MAX),  # type: ignore[type-arg]
) -> list[dict[str, Any]]:
    reader = api_reader(request)
    found = plan_get_for_user(plan_id=plan, user=reader)
    if found is None:
        raise HttpError(404, _("There is no plan with that id, or it is not public."))
    today = timezone.localdate()
    rows, _total = selectors.agreements_register(
        plan=found, user=reader, today=today, state=state, limit=max(1, min(limit, 1000)), offset=offset
    )
    ids = [r.agreement.pk for r in rows]
    nodes: dict[int, list[int]] = {}
    for a_id, n_id in Agreement.nodes.through.objects.filter(agreement_id__in=ids).values_list(
        "agreement_id", "node_id"
    ):
        nodes.setdefault(a_id, []).append(n_id)
    projects: dict[int, list[int]] = {}
    for a_id, p_id in Agreement.projects.through.objects.filter(agreement_id__in=ids).values_list(
        "agreement_id", "project_id"
    ):
        projects.setdefault(a_id, []).append(p_id)
    return [
        {
            "id": r.agreement.pk,
            "plan_id": r.agreement.plan_id,
            "body_id": r.agreement.body_id,
            "meeting_id": r.agreement.meeting_id,
            "number": r.agreement.number,
            "text": r.agreement.text,
            "owner": selectors.owner_label(r.agreement),
            "due_date": r.agreement.due_date,
            "status": r.agreement.status,
            "state": r.state,
            "done_on": r.agreement.done_on,
            "node_ids": sorted(nodes.get(r.agreement.pk, [])),
            "project_ids": sorted(projects.get(r.agreement.pk, [])),
        }
        for r in rows
    ]


# --- convenios, dissemination, risks, the action plan ------------------------------------------


class FiguresOut(Schema):
    fixed_committed: Decimal
    fixed_paid: Decimal
    variable_committed: Decimal
    variable_paid: Decimal
    committed: Decimal = Field(description="fixed_committed + variable_committed")
    paid: Decimal
    pending: Decimal = Field(description="committed − paid")
    flagged: bool = Field(description="Some payment above what was committed, with its recorded reason.")


class PartyOut(Schema):
    id: int
    name: str
    role: str
    entity_id: int | None
    total: FiguresOut
    years: dict[int, FiguresOut]


class ConvenioOut(Schema):
    id: int
    entity_id: int
    plan_id: int | None
    body_id: int | None
    title: str
    number: str
    purpose: str
    signed_on: datetime.date
    starts_on: datetime.date
    ends_on: datetime.date | None
    parties: list[PartyOut]
    total: FiguresOut


def _figures(f: Any) -> dict[str, Any]:
    return {
        "fixed_committed": f.fixed_committed,
        "fixed_paid": f.fixed_paid,
        "variable_committed": f.variable_committed,
        "variable_paid": f.variable_paid,
        "committed": f.committed,
        "paid": f.paid,
        "pending": f.pending,
        "flagged": f.flagged,
    }


def _plan_or_404(request: HttpRequest, plan: int) -> tuple[Any, Plan]:
    reader = api_reader(request)
    found = plan_get_for_user(plan_id=plan, user=reader)
    if found is None:
        raise HttpError(404, _("There is no plan with that id, or it is not public."))
    return reader, found


@router.get(
    "/governance/convenios", response=list[ConvenioOut], summary="Convenios and contributions of a plan"
)
def convenios_list(request: HttpRequest, plan: ObjectId) -> list[dict[str, Any]]:
    """The convenios of the plan (and of its entity as a whole) with each party's contributions
    per year; private convenios only for readers of the entity's private data."""
    reader, found = _plan_or_404(request, plan)
    rows = Convenio.objects.filter(entity_id=found.entity_id).filter(Q(plan=found) | Q(plan__isnull=True))
    if not user_access(reader).can(found.entity_id, Capability.VIEW_PRIVATE):
        rows = rows.filter(is_public=True)
    out = []
    for c in rows.order_by("-signed_on", "pk"):
        s = convenio_statement(convenio=c)
        out.append(
            {
                "id": c.pk, "entity_id": c.entity_id, "plan_id": c.plan_id, "body_id": c.body_id, "title": c.title,
                "number": c.number, "purpose": c.purpose, "signed_on": c.signed_on, "starts_on": c.starts_on,
                "ends_on": c.ends_on, "total": _figures(s.total),
                "parties": [
                    {"id": p.party.pk, "name": p.party.name, "role": p.party.role, "entity_id": p.party.party_entity_id,
                     "total": _figures(p.total), "years": {y: _figures(f) for y, f in p.years.items()}}
                    for p in s.parties
                ],
            }
        )  # fmt: skip
    return out


class ActivityOut(Schema):
    id: int
    kind: str
    title: str
    audience: str
    held_on: datetime.date
    place: str
    unit_code: str | None
    material: str
    attendees: int | None
    proofs: list[dict[str, Any]] = Field(description="kind, recipient, copies (files only through the site).")


@router.get(
    "/governance/dissemination", response=list[ActivityOut], summary="Dissemination activities of a plan"
)
def dissemination_list(request: HttpRequest, plan: ObjectId) -> list[dict[str, Any]]:
    _reader, found = _plan_or_404(request, plan)
    rows = DisseminationActivity.objects.filter(plan=found).select_related("unit").prefetch_related("proofs")
    return [
        {
            "id": a.pk, "kind": a.kind, "title": a.title, "audience": a.audience, "held_on": a.held_on,
            "place": a.place, "unit_code": a.unit.code if a.unit else None, "material": a.material,
            "attendees": a.attendees,
            "proofs": [{"kind": p.kind, "recipient": p.recipient, "copies": p.copies} for p in a.proofs.all()],
        }
        for a in rows.order_by("-held_on", "pk")
    ]  # fmt: skip


class RiskOut(Schema):
    id: int
    kind: str
    description: str
    likelihood: int
    impact: int
    score: int = Field(description="likelihood × impact")
    owner: str
    mitigation: str
    evidence: str
    state: str
    review_on: datetime.date | None
    node_id: int | None
    project_id: int | None
    reviews: list[dict[str, Any]]


@router.get("/governance/risks", response=list[RiskOut], summary="Risks and success assumptions of a plan")
def risks_list(request: HttpRequest, plan: ObjectId) -> list[dict[str, Any]]:
    """Internal to the entity: 404 for whoever may not read its private data."""
    reader, found = _plan_or_404(request, plan)
    if not user_access(reader).can(found.entity_id, Capability.VIEW_PRIVATE):
        raise HttpError(404, _("There is no plan with that id, or it is not public."))
    rows = Risk.objects.filter(plan=found).prefetch_related("reviews")
    return [
        {
            "id": r.pk, "kind": r.kind, "description": r.description, "likelihood": r.likelihood, "impact": r.impact,
            "score": r.score, "owner": r.owner, "mitigation": r.mitigation, "evidence": r.evidence, "state": r.state,
            "review_on": r.review_on, "node_id": r.node_id, "project_id": r.project_id,
            "reviews": [{"state": v.state, "likelihood": v.likelihood, "impact": v.impact, "note": v.note,
                         "reviewed_at": v.reviewed_at.isoformat()} for v in r.reviews.all()],
        }
        for r in rows
    ]  # fmt: skip


class ActionOut(Schema):
    id: int
    title: str
    responsible: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    late: bool = Field(description="Planned or in progress past its end date.")
    node_id: int | None
    project_id: int | None
    body_id: int | None


@router.get("/governance/actions", response=list[ActionOut], summary="The action plan of a plan")
def actions_list(request: HttpRequest, plan: ObjectId) -> list[dict[str, Any]]:
    _reader, found = _plan_or_404(request, plan)
    gantt = action_gantt(plan=found, today=timezone.localdate())
    return [
        {
            "id": r.action.pk, "title": r.action.title, "responsible": r.action.responsible,
            "starts_on": r.action.starts_on, "ends_on": r.action.ends_on, "status": r.action.status, "late": r.late,
            "node_id": r.action.node_id, "project_id": r.action.project_id, "body_id": r.action.body_id,
        }
        for r in gantt.rows
    ]  # fmt: skip


class AgreementStatusIn(Schema):
    status: str = Field(description="pending, in_progress, done or dropped")
    note: str = Field(default="", description="Required to drop or to reopen.")
    done_on: datetime.date | None = None


@router.post(
    "/governance/agreements/{agreement_id}/status",
    response=AgreementOut,
    auth=ApiTokenAuth(),
    summary="Move an agreement along (whoever edits its body)",
)
def agreement_status_api(
    request: HttpRequest, agreement_id: int, payload: AgreementStatusIn
) -> dict[str, Any]:
    actor = request.auth  # type: ignore[attr-defined]
    agreement = (
        selectors.agreement_get_for_user(agreement_id=agreement_id, user=actor)
        if 0 < agreement_id <= DB_INT_MAX
        else None
    )
    if agreement is None:
        raise HttpError(404, _("There is no agreement with that id."))
    if not body_can_edit(user=actor, body=agreement.body):
        raise HttpError(403, _("You may not change the agreements of this body."))
    agreement_status_set(actor=actor, agreement=agreement, status=payload.status, note=payload.note,
                         done_on=payload.done_on)  # fmt: skip
    state = selectors.agreement_state(agreement=agreement, today=timezone.localdate())
    return {
        "id": agreement.pk, "plan_id": agreement.plan_id, "body_id": agreement.body_id,
        "meeting_id": agreement.meeting_id, "number": agreement.number, "text": agreement.text,
        "owner": selectors.owner_label(agreement), "due_date": agreement.due_date, "status": agreement.status,
        "state": state, "done_on": agreement.done_on,
        "node_ids": sorted(agreement.nodes.values_list("pk", flat=True)),
        "project_ids": sorted(agreement.projects.values_list("pk", flat=True)),
    }  # fmt: skip
