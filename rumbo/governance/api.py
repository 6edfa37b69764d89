"""API of governance: the bodies of a plan with their members and approved minutes, meetings,
and the agreements register. Anyone reads the public bodies of a published plan without a
token; members' e-mail and phone, minutes not approved yet and attendance figures come only to
whoever may read the entity's private data or holds a seat in the body."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import api_reader
from rumbo.core.http import DB_INT_MAX, ObjectId
from rumbo.governance import selectors
from rumbo.governance.models import Agreement, Body, BodyMember, Meeting
from rumbo.governance.services import meeting_quorum
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
