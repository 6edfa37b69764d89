"""Reads of governance, and who may read what (ADR 0015).

A body is readable by whoever reads its entity's private data, by the people who hold a seat in
it, and by anyone when it is public and its plan is published (or it serves the entity as a
whole). The private parts — members' e-mail and phone, minutes not approved yet, attendance
lists and follow-up evidence — need the entity's private access or a seat. Gatekeepers answer
None for missing and forbidden alike.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from rumbo.accounts.permissions import Capability, user_access
from rumbo.governance.models import (
    Agreement,
    AgreementStatus,
    Body,
    BodyMember,
    Meeting,
    Minutes,
    MinutesStatus,
)
from rumbo.plans.models import Plan

OPEN_STATUSES = (AgreementStatus.PENDING, AgreementStatus.IN_PROGRESS)
PUBLIC_BODY = Q(is_public=True) & (Q(plan__isnull=True) | Q(plan__is_published=True))


def agreement_state(*, agreement: Agreement, today: datetime.date) -> str:
    """The status shown: "overdue" for an open agreement past its due date, else the stored one."""
    if agreement.status in OPEN_STATUSES and agreement.due_date is not None and agreement.due_date < today:
        return "overdue"
    return agreement.status


def seat_of(*, user: Any, body: Body, on: datetime.date | None = None) -> BodyMember | None:
    """The user's active seat in the body on a date (today by default), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    day = on or timezone.localdate()
    return (
        BodyMember.objects.filter(body=body, user=user, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .order_by("role")
        .first()
    )


def _seat_body_ids(user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    today = timezone.localdate()
    return set(
        BodyMember.objects.filter(user=user, joined_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .order_by()
        .values_list("body_id", flat=True)
    )


def bodies_visible_to(*, user: Any) -> QuerySet[Body]:
    access = user_access(user)
    if access.is_superuser:
        return Body.objects.all()
    private = access.entities_with(Capability.VIEW_PRIVATE)
    return Body.objects.filter(PUBLIC_BODY | Q(entity_id__in=private) | Q(pk__in=_seat_body_ids(user)))


def body_reads_private(*, user: Any, body: Body) -> bool:
    """Whether the user sees the body's private parts (contacts, drafts, lists, evidence)."""
    if user_access(user).can(body.entity_id, Capability.VIEW_PRIVATE):
        return True
    return body.pk in _seat_body_ids(user)


def body_get_for_user(*, body_id: int, user: Any) -> Body | None:
    return (
        bodies_visible_to(user=user)
        .select_related("entity", "plan", "legal_act", "parent")
        .filter(pk=body_id)
        .first()
    )


def meeting_get_for_user(*, meeting_id: int, user: Any) -> Meeting | None:
    meeting = (
        Meeting.objects.select_related("body", "body__entity", "body__plan").filter(pk=meeting_id).first()
    )
    if meeting is None or body_get_for_user(body_id=meeting.body_id, user=user) is None:
        return None
    return meeting


def agreement_get_for_user(*, agreement_id: int, user: Any) -> Agreement | None:
    agreement = (
        Agreement.objects.select_related("plan", "body", "meeting", "owner_user", "owner_member")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        return None
    body = body_get_for_user(body_id=agreement.body_id, user=user)
    if body is None:
        return None
    # a public body of the entity serves its private plans too: their agreements are not public
    if not agreement.plan.is_published and not body_reads_private(user=user, body=body):
        return None
    return agreement


def plan_bodies(*, plan: Plan, user: Any) -> list[Body]:
    """The bodies of the plan and those of its entity serving all its plans, that the user may read."""
    return list(
        bodies_visible_to(user=user)
        .filter(Q(plan=plan) | Q(plan__isnull=True, entity_id=plan.entity_id))
        .select_related("legal_act", "parent")
        .annotate(meeting_count=Count("meetings", distinct=True))
        .order_by(F("parent_id").asc(nulls_first=True), "name")
    )


def body_members(*, body: Body, on: datetime.date | None = None) -> list[BodyMember]:
    """Every seat of the body, current ones first (or the seats active on `on`)."""
    rows = BodyMember.objects.filter(body=body).select_related("user")
    if on is not None:
        rows = rows.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gte=on))
    return sorted(rows, key=lambda m: (m.left_on is not None, m.role != "president", m.name.casefold()))


def body_meetings(*, body: Body) -> list[Meeting]:
    return list(Meeting.objects.filter(body=body).select_related("minutes").order_by("-starts_at"))


def minutes_visible(*, minutes: Minutes | None, private: bool) -> bool:
    return minutes is not None and (private or minutes.status == MinutesStatus.APPROVED)


@dataclass(frozen=True)
class RegisterRow:
    agreement: Agreement
    state: str  # a status, or "overdue"


def agreements_register(
    *, plan: Plan, user: Any, today: datetime.date, state: str = "", body_id: int | None = None, limit: int = 200,
    offset: int = 0,
) -> tuple[list[RegisterRow], int]:  # fmt: skip
    """The plan's agreements the user may read, newest first, filtered by state ("overdue" is
    open past due) and body; (one page of rows, the total)."""
    rows = Agreement.objects.filter(plan=plan, body__in=bodies_visible_to(user=user))
    if body_id:
        rows = rows.filter(body_id=body_id)
    if state == "overdue":
        rows = rows.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    elif state in AgreementStatus.values:
        rows = rows.filter(status=state)
        if state in OPEN_STATUSES:
            rows = rows.exclude(due_date__lt=today)
    total = rows.count()
    page = rows.select_related("body", "meeting", "owner_user", "owner_member").order_by("-number")[
        offset : offset + limit
    ]
    return [RegisterRow(a, agreement_state(agreement=a, today=today)) for a in page], total


def agreements_overdue(
    *, plan: Plan, user: Any, today: datetime.date, limit: int = 10
) -> tuple[list[Agreement], int]:
    """Open agreements past their due date, the longest overdue first; (the first `limit`, the count)."""
    rows = Agreement.objects.filter(
        plan=plan, body__in=bodies_visible_to(user=user), status__in=OPEN_STATUSES, due_date__lt=today
    )
    return list(
        rows.select_related("body", "owner_user", "owner_member").order_by("due_date", "number")[:limit]
    ), rows.count()


def agreements_for_nodes(*, node_ids: list[int], today: datetime.date) -> dict[int, list[Agreement]]:
    """Agreements concerning each node (for the axis report), open ones first."""
    found: dict[int, list[Agreement]] = {}
    through = Agreement.nodes.through.objects.filter(node_id__in=node_ids).select_related(
        "agreement", "agreement__body"
    )
    for link in through:
        found.setdefault(link.node_id, []).append(link.agreement)
    for rows in found.values():
        rows.sort(key=lambda a: (a.status not in OPEN_STATUSES, a.due_date or datetime.date.max, a.number))
    return found


def owner_label(agreement: Agreement) -> str:
    if agreement.owner_member is not None:
        member = agreement.owner_member
        return f"{member.name} ({member.organisation})" if member.organisation else member.name
    if agreement.owner_user is not None:
        return agreement.owner_user.get_full_name() or agreement.owner_user.get_username()
    return agreement.owner_office
