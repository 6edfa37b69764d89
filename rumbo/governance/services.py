"""Writes of governance: bodies, members, meetings, attendance, minutes and agreements.

Who may write (ADR 0015): whoever may edit the entity's plans (EDIT_PLAN), and the body's own
technical secretary (an active seat with an account). Minutes approved "by the president" need
the president's own account. Every write checks its input, writes, and leaves an audit event in
one transaction; a refusal is a ValidationError in Spanish and nothing is saved.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.accounts.models import Membership
from rumbo.accounts.permissions import Capability, entity_can, require
from rumbo.core.audit import audit_record, created_changes, model_snapshot, snapshot_diff
from rumbo.core.models import AuditAction
from rumbo.core.uploads import UploadRefused, upload_check
from rumbo.governance.models import (
    Agreement,
    AgreementNote,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Body,
    BodyKind,
    BodyMember,
    Convenio,
    Meeting,
    MeetingStatus,
    MemberRole,
    Minutes,
    MinutesApproval,
    MinutesRemark,
    MinutesStatus,
    MinutesVersion,
    QuorumRule,
)
from rumbo.governance.selectors import seat_of
from rumbo.indicators.models import CorrectiveAction
from rumbo.investments.execution.services import project_evidence_sniff
from rumbo.investments.models import Project
from rumbo.plans.models import LegalAct, Node, Plan

BODY_FIELDS = ("kind", "name", "purpose", "legal_act_id", "parent_id", "formerly_id", "quorum_rule",
               "quorum_count", "is_public", "installed_on", "dissolved_on")  # fmt: skip
MEMBER_FIELDS = ("name", "organisation", "represents", "sector", "role", "email", "phone", "joined_on",
                 "left_on", "user_id")  # fmt: skip
MEETING_FIELDS = ("title", "agenda", "place", "starts_at", "ends_at", "status")
AGREEMENT_FIELDS = ("text", "owner_user_id", "owner_member_id", "owner_office", "due_date", "status",
                    "done_on", "dropped_reason")  # fmt: skip

# what an agreement may become from each status; "dropped" is final, "done" may be reopened
AGREEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AgreementStatus.PENDING: frozenset(
        {AgreementStatus.IN_PROGRESS, AgreementStatus.DONE, AgreementStatus.DROPPED}
    ),
    AgreementStatus.IN_PROGRESS: frozenset(
        {AgreementStatus.PENDING, AgreementStatus.DONE, AgreementStatus.DROPPED}
    ),
    AgreementStatus.DONE: frozenset({AgreementStatus.IN_PROGRESS}),
    AgreementStatus.DROPPED: frozenset(),
}


# --- who may write -----------------------------------------------------------------------------


def body_can_edit(*, user: Any, body: Body) -> bool:
    if entity_can(user, body.entity_id, Capability.EDIT_PLAN):
        return True
    seat = seat_of(user=user, body=body)
    return seat is not None and seat.role == MemberRole.TECHNICAL_SECRETARY


def _require_edit(actor: Any, body: Body) -> None:
    if not body_can_edit(user=actor, body=body):
        raise PermissionDenied


def _scope(body: Body) -> Plan | None:
    return body.plan


def _audit(actor: Any, action: str, target: Any, body: Body, changes: dict[str, Any] | None = None,
           message: str = "") -> None:  # fmt: skip
    audit_record(
        actor=actor,
        action=action,
        target=target,
        entity_id=body.entity_id,
        scope=_scope(body),
        changes=changes,
        message=message,
    )


def _clean_text(value: str | None, limit: int | None = None) -> str:
    text = (value or "").replace("\x00", "").strip()
    return text[:limit] if limit else text


# --- bodies ------------------------------------------------------------------------------------


def _body_check(body: Body) -> None:
    errors: dict[str, str] = {}
    if not body.name:
        errors["name"] = _("Give the body a name.")
    if body.kind not in BodyKind.values:
        errors["kind"] = _("Choose the kind of body.")
    if body.plan is not None and body.plan.entity_id != body.entity_id:
        errors["plan"] = _("The plan belongs to another entity.")
    if body.legal_act_id is not None:
        act = LegalAct.objects.select_related("plan").get(pk=body.legal_act_id)
        if act.plan.entity_id != body.entity_id:
            errors["legal_act"] = _("The legal act belongs to a plan of another entity.")
    if body.parent_id is not None:
        parent = Body.objects.get(pk=body.parent_id)
        if parent.entity_id != body.entity_id:
            errors["parent"] = _("The body it is part of belongs to another entity.")
        elif body.pk is not None and _is_below(parent, body.pk):
            errors["parent"] = _("A body cannot be part of itself or of one of its own parts.")
    if body.formerly_id is not None and Body.objects.get(pk=body.formerly_id).entity_id != body.entity_id:
        errors["formerly"] = _("The earlier body belongs to another entity.")
    if body.quorum_rule == QuorumRule.COUNT and not body.quorum_count:
        errors["quorum_count"] = _("Say how many voting members make the quorum.")
    if body.installed_on and body.dissolved_on and body.dissolved_on < body.installed_on:
        errors["dissolved_on"] = _("A body cannot be dissolved before it is installed.")
    if errors:
        raise ValidationError(errors)


def _is_below(candidate: Body, body_id: int) -> bool:
    """Whether `candidate` is the body `body_id` or one of its parts (a cycle if it became its parent)."""
    seen: set[int] = set()
    current: Body | None = candidate
    while current is not None and current.pk not in seen:
        if current.pk == body_id:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


def body_create(*, actor: Any, entity: Any, plan: Plan | None = None, **fields: Any) -> Body:
    """A new body of the entity (of one of its plans, or serving all of them)."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    body = Body(
        entity=entity, plan=plan, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    _body_assign(body, fields)
    with transaction.atomic():
        _body_check(body)
        body.save()
        _audit(actor, AuditAction.CREATED, body, body, created_changes(body, BODY_FIELDS))
    return body


def _body_assign(body: Body, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in ("kind", "name", "purpose", "legal_act", "parent", "formerly", "quorum_rule",
                        "quorum_count", "is_public", "installed_on", "dissolved_on"):  # fmt: skip
            raise TypeError(name)
        if name in ("name", "purpose"):
            value = _clean_text(value, 200 if name == "name" else None)
        setattr(body, name, value)


def body_update(*, actor: Any, body: Body, **fields: Any) -> Body:
    _require_edit(actor, body)
    before = model_snapshot(body, BODY_FIELDS)
    _body_assign(body, fields)
    with transaction.atomic():
        _body_check(body)
        body.save()
        _audit(
            actor, AuditAction.UPDATED, body, body, snapshot_diff(before, model_snapshot(body, BODY_FIELDS))
        )
    return body


# --- members -----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _overlaps(
    a_from: datetime.date, a_to: datetime.date | None, b_from: datetime.date, b_to: datetime.date | None
) -> bool:
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from <= a_to)


def _member_check(member: BodyMember) -> None:
    errors: dict[str, str] = {}
    if member.user_id is not None and not member.name:
        user = member.user
        assert user is not None
        member.name = (user.get_full_name() or user.get_username())[:200]
    if not member.name:
        errors["name"] = _("Give the member's name.")
    if member.left_on and member.left_on < member.joined_on:
        errors["left_on"] = _("A member cannot leave before joining.")
    if errors:
        raise ValidationError(errors)
    others = BodyMember.objects.filter(body_id=member.body_id).exclude(pk=member.pk)
    if member.user_id is not None:
        same = others.filter(user_id=member.user_id)
    else:
        same = others.filter(user__isnull=True, name__iexact=member.name)
        same = [m for m in same if _fold(m.organisation) == _fold(member.organisation)]  # type: ignore[assignment]
    for other in same:
        if _overlaps(member.joined_on, member.left_on, other.joined_on, other.left_on):
            raise ValidationError(
                _(
                    "%(name)s is already a member of this body from %(from)s; a person holds one seat at a time."
                )
                % {"name": member.name, "from": other.joined_on.strftime("%d/%m/%Y")}
            )
    if member.role in (MemberRole.PRESIDENT, MemberRole.TECHNICAL_SECRETARY):
        holders = others.filter(role=member.role)
        for other in holders:
            if _overlaps(member.joined_on, member.left_on, other.joined_on, other.left_on):
                raise ValidationError(
                    {
                        "role": _("%(name)s already holds the role of %(role)s in these dates.")
                        % {"name": other.name, "role": MemberRole(member.role).label}
                    }
                )


MEMBER_INPUT = (
    "user",
    "name",
    "organisation",
    "represents",
    "sector",
    "role",
    "email",
    "phone",
    "joined_on",
    "left_on",
)


def member_add(*, actor: Any, body: Body, **fields: Any) -> BodyMember:
    """A seat in the body: a person with an account (`user`) or an external member by name."""
    _require_edit(actor, body)
    member = BodyMember(body=body)
    _member_assign(member, fields)
    with transaction.atomic():
        Body.objects.select_for_update().get(pk=body.pk)  # seats of one body are checked one at a time
        _member_check(member)
        member.save()
        _audit(actor, AuditAction.CREATED, member, body, created_changes(member, MEMBER_FIELDS))
    return member


def _member_assign(member: BodyMember, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in MEMBER_INPUT:
            raise TypeError(name)
        if name in ("name", "organisation", "represents", "phone"):
            value = _clean_text(value, 40 if name == "phone" else 200)
        if name == "email":
            value = _clean_text(value, 254)
        setattr(member, name, value)
    if member.joined_on is None:
        member.joined_on = timezone.localdate()


def member_update(*, actor: Any, member: BodyMember, **fields: Any) -> BodyMember:
    body = member.body
    _require_edit(actor, body)
    before = model_snapshot(member, MEMBER_FIELDS)
    _member_assign(member, fields)
    with transaction.atomic():
        Body.objects.select_for_update().get(pk=body.pk)
        _member_check(member)
        member.save()
        _audit(
            actor,
            AuditAction.UPDATED,
            member,
            body,
            snapshot_diff(before, model_snapshot(member, MEMBER_FIELDS)),
        )
    return member


# --- meetings and quorum -----------------------------------------------------------------------


def _meeting_check(meeting: Meeting) -> None:
    errors: dict[str, str] = {}
    if not meeting.title:
        errors["title"] = _("Give the meeting a title.")
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    if errors:
        raise ValidationError(errors)


def meeting_convene(
    *,
    actor: Any,
    body: Body,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    agenda: str = "",
    place: str = "",
) -> Meeting:
    """Call a meeting of the body with its agenda, place and time."""
    _require_edit(actor, body)
    meeting = Meeting(
        body=body,
        title=_clean_text(title, 200),
        agenda=_clean_text(agenda),
        place=_clean_text(place, 300),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    with transaction.atomic():
        _meeting_check(meeting)
        meeting.save()
        _audit(actor, AuditAction.CREATED, meeting, body, created_changes(meeting, MEETING_FIELDS))
    return meeting


def meeting_update(*, actor: Any, meeting: Meeting, **fields: Any) -> Meeting:
    body = meeting.body
    _require_edit(actor, body)
    before = model_snapshot(meeting, MEETING_FIELDS)
    for name, value in fields.items():
        if name not in ("title", "agenda", "place", "starts_at", "ends_at", "status"):
            raise TypeError(name)
        setattr(meeting, name, _clean_text(value) if isinstance(value, str) else value)
    with transaction.atomic():
        _meeting_check(meeting)
        meeting.save()
        _audit(
            actor,
            AuditAction.UPDATED,
            meeting,
            body,
            snapshot_diff(before, model_snapshot(meeting, MEETING_FIELDS)),
        )
    return meeting


def members_on(*, body: Body, day: datetime.date) -> list[BodyMember]:
    """The seats active on a day (joined on or before it, not left before it)."""
    return list(
        BodyMember.objects.filter(body=body, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class Quorum:
    """Whether a meeting had its quorum, and the figures that say so."""

    rule: str
    voting: int  # voting members (not guests) with a seat on the day of the meeting
    present: int  # of them, present
    required: int  # voting members present needed by the rule
    recorded: bool  # attendance was recorded

    @property
    def met(self) -> bool:
        return self.recorded and self.present >= self.required

    @property
    def explanation(self) -> str:
        rule = QuorumRule(self.rule).label
        return _("%(rule)s: %(required)s of %(voting)s voting members needed, %(present)s present.") % {
            "rule": rule,
            "required": self.required,
            "voting": self.voting,
            "present": self.present,
        }


def quorum_required(*, rule: str, voting: int, count: int | None = None) -> int:
    """Voting members present needed: more than half (⌊n/2⌋ + 1), two thirds rounded up
    (⌈2n/3⌉), a fixed number, or none."""
    if rule == QuorumRule.NONE:
        return 0
    if voting == 0:  # nobody can make the quorum of a body without voting members
        return max(1, int(count or 0))
    if rule == QuorumRule.MAJORITY:
        return voting // 2 + 1
    if rule == QuorumRule.TWO_THIRDS:
        return -(-2 * voting // 3)
    return int(count or 0)


def meeting_quorum(*, meeting: Meeting) -> Quorum:
    body = meeting.body
    day = timezone.localtime(meeting.starts_at).date()
    seats = {m.pk: m for m in members_on(body=body, day=day) if m.votes}
    marks = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    present = sum(1 for pk in seats if marks.get(pk) == AttendanceStatus.PRESENT)
    return Quorum(
        rule=body.quorum_rule,
        voting=len(seats),
        present=present,
        required=quorum_required(rule=body.quorum_rule, voting=len(seats), count=body.quorum_count),
        recorded=bool(marks),
    )


def _stored_file(upload: Any, *, field: str) -> tuple[str, str, str]:
    """(safe file name, original name, SHA-256) of an evidence upload: size by the upload policy,
    type by its content (a scan or photo, a PDF, an Office or OpenDocument file)."""
    try:
        upload_check(upload)
    except UploadRefused as exc:
        raise ValidationError({field: exc.messages}) from exc
    if int(getattr(upload, "size", 0) or 0) == 0:
        raise ValidationError({field: _("The file is empty.")})
    try:
        extension, _content_type = project_evidence_sniff(upload=upload)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    original = PurePath(getattr(upload, "name", "") or "archivo").name[:255]
    stem = re.sub(r"[^\w.-]+", "_", PurePath(original).stem).strip("._")[:100] or "archivo"
    return f"{stem}.{extension}", original, digest.hexdigest()


def meeting_attendance_record(
    *, actor: Any, meeting: Meeting, marks: dict[int, str], attendance_list: Any = None
) -> Quorum:
    """Record who was present, excused or absent (members with a seat on the day), optionally
    with the signed list; the meeting is then held. Returns the quorum it reached."""
    body = meeting.body
    _require_edit(actor, body)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled; it has no attendance."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(
            _("The meeting has not started yet; its attendance is recorded when it is held.")
        )
    if Minutes.objects.filter(meeting=meeting, status=MinutesStatus.APPROVED).exists():
        raise ValidationError(
            _("The minutes of this meeting are approved; its attendance can no longer change.")
        )
    day = timezone.localtime(meeting.starts_at).date()
    seats = {m.pk: m for m in members_on(body=body, day=day)}
    unknown = [pk for pk in marks if pk not in seats]
    if unknown:
        raise ValidationError(_("Only members with a seat on the day of the meeting can be marked."))
    bad = [s for s in marks.values() if s not in AttendanceStatus.values]
    if bad:
        raise ValidationError(_("Mark each member as present, excused or absent."))
    stored = _stored_file(attendance_list, field="attendance_list") if attendance_list else None
    with transaction.atomic():
        before = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
        for member_id, status in marks.items():
            Attendance.objects.update_or_create(
                meeting=meeting, member_id=member_id, defaults={"status": status}
            )
        if stored is not None:
            filename, original, sha = stored
            meeting.attendance_list.save(filename, File(attendance_list, name=filename), save=False)
            meeting.attendance_list_name = original
            meeting.attendance_list_sha256 = sha
        meeting.status = MeetingStatus.HELD
        meeting.save()
        after = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
        _audit(
            actor,
            AuditAction.UPDATED,
            meeting,
            body,
            {"attendance": [before or None, after]}
            | ({"attendance_list": [None, stored[1]]} if stored else {}),
        )
    return meeting_quorum(meeting=meeting)


# --- minutes -----------------------------------------------------------------------------------


def _minutes_locked() -> ValidationError:
    return ValidationError(_("These minutes are approved and locked; they can no longer be edited."))


def minutes_save(*, actor: Any, meeting: Meeting, text: str) -> Minutes:
    """Draft or correct the minutes; every saved text is a new version. Refused once approved."""
    body = meeting.body
    _require_edit(actor, body)
    text = _clean_text(text)
    if not text:
        raise ValidationError({"text": _("Write the minutes.")})
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled; it has no minutes."))
    with transaction.atomic():
        minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
        if minutes is None:
            minutes = Minutes.objects.create(meeting=meeting, text=text, version=1)
            action = AuditAction.CREATED
            changes: dict[str, Any] = {"text": [None, text[:200]]}
        else:
            if minutes.status == MinutesStatus.APPROVED:
                raise _minutes_locked()
            if minutes.text == text:
                return minutes
            changes = {
                "text": [minutes.text[:200], text[:200]],
                "version": [minutes.version, minutes.version + 1],
            }
            minutes.text = text
            minutes.version += 1
            minutes.save()
            action = AuditAction.UPDATED
        MinutesVersion.objects.create(
            minutes=minutes, number=minutes.version, text=text, status=minutes.status, saved_by=_user(actor)
        )
        _audit(actor, action, minutes, body, changes)
    return minutes


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def minutes_circulate(*, actor: Any, minutes: Minutes) -> Minutes:
    """Send the draft to the members for their remarks."""
    body = minutes.meeting.body
    _require_edit(actor, body)
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if locked.status == MinutesStatus.APPROVED:
            raise _minutes_locked()
        if locked.status == MinutesStatus.CIRCULATED:
            return locked
        locked.status = MinutesStatus.CIRCULATED
        locked.save()
        _audit(
            actor,
            AuditAction.UPDATED,
            locked,
            body,
            {"status": [MinutesStatus.DRAFT, MinutesStatus.CIRCULATED]},
        )
    return locked


def minutes_approve(
    *,
    actor: Any,
    minutes: Minutes,
    approval: str,
    approved_in: Meeting | None = None,
    approved_on: datetime.date | None = None,
) -> Minutes:
    """Approve the minutes, which locks them: by the body at a later meeting that was held with
    quorum (recorded by whoever edits the body), or by the body's president in person."""
    meeting = minutes.meeting
    body = meeting.body
    if Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).first() != MeetingStatus.HELD:
        raise ValidationError(
            _("Minutes are approved once the meeting has been held (its attendance recorded).")
        )
    if approval == MinutesApproval.BY_PRESIDENT:
        seat = seat_of(user=actor, body=body)
        if seat is None or seat.role != MemberRole.PRESIDENT:
            raise ValidationError(_("Only the body's president can approve the minutes in person."))
        approved_in = None
        day = approved_on or timezone.localdate()
    elif approval == MinutesApproval.AT_MEETING:
        _require_edit(actor, body)
        if approved_in is None:
            raise ValidationError({"approved_in": _("Say at which meeting the body approved the minutes.")})
        if approved_in.body_id != body.pk or approved_in.starts_at <= meeting.starts_at:
            raise ValidationError(
                {"approved_in": _("Minutes are approved at a later meeting of the same body.")}
            )
        if approved_in.status != MeetingStatus.HELD:
            raise ValidationError(
                {"approved_in": _("That meeting has not been held (record its attendance first).")}
            )
        quorum = meeting_quorum(meeting=approved_in)
        if not quorum.met:
            raise ValidationError(
                {"approved_in": _("That meeting had no quorum: %(why)s") % {"why": quorum.explanation}}
            )
        day = timezone.localtime(approved_in.starts_at).date()
    else:
        raise ValidationError({"approval": _("Say how the minutes were approved.")})
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        if locked.status == MinutesStatus.APPROVED:
            raise _minutes_locked()
        before = locked.status
        locked.status = MinutesStatus.APPROVED
        locked.approval = approval
        locked.approved_in = approved_in
        locked.approved_on = day
        locked.approved_by = _user(actor)
        locked.version += 1
        locked.save()
        MinutesVersion.objects.create(
            minutes=locked,
            number=locked.version,
            text=locked.text,
            status=locked.status,
            saved_by=_user(actor),
        )
        _audit(
            actor,
            AuditAction.UPDATED,
            locked,
            body,
            {
                "status": [before, MinutesStatus.APPROVED],
                "approval": [None, approval],
                "approved_on": [None, str(day)],
            },
        )
    return locked


# --- agreements --------------------------------------------------------------------------------


def _agreement_check_owner(agreement: Agreement, plan: Plan, body: Body) -> None:
    owners = [agreement.owner_user_id, agreement.owner_member_id, agreement.owner_office or None]
    if sum(1 for o in owners if o) != 1:
        raise ValidationError({"owner": _("Name one owner: a person, a member of the body or an office.")})
    if agreement.owner_user_id is not None:
        in_entity = Membership.objects.filter(
            user_id=agreement.owner_user_id, entity_id=plan.entity_id
        ).exists()
        has_seat = BodyMember.objects.filter(body=body, user_id=agreement.owner_user_id).exists()
        if not (in_entity or has_seat):
            raise ValidationError(
                {
                    "owner": _("The owner must be a person of %(entity)s or a member of the body.")
                    % {"entity": plan.entity}
                }
            )
    if agreement.owner_member_id is not None:
        if not BodyMember.objects.filter(pk=agreement.owner_member_id, body=body).exists():
            raise ValidationError({"owner": _("The owner must be a member of this body.")})


def _links_check(plan: Plan, node_ids: Iterable[int], project_ids: Iterable[int], action_ids: Iterable[int]
                 ) -> tuple[list[Node], list[Project], list[CorrectiveAction]]:  # fmt: skip
    node_ids, project_ids, action_ids = set(node_ids), set(project_ids), set(action_ids)
    nodes = list(Node.objects.filter(plan=plan, pk__in=node_ids))
    projects = list(Project.objects.filter(entity_id=plan.entity_id, pk__in=project_ids))
    actions = list(CorrectiveAction.objects.filter(plan=plan, pk__in=action_ids))
    errors: dict[str, str] = {}
    if len(nodes) != len(node_ids):
        errors["nodes"] = _("Some of the plan items are not of this plan.")
    if len(projects) != len(project_ids):
        errors["projects"] = _("Some of the projects are not of the entity.")
    if len(actions) != len(action_ids):
        errors["corrective_actions"] = _("Some of the corrective actions are not of this plan.")
    if errors:
        raise ValidationError(errors)
    return nodes, projects, actions


def agreement_create(
    *,
    actor: Any,
    meeting: Meeting | None = None,
    text: str,
    convenio: Convenio | None = None,
    plan: Plan | None = None,
    owner_user: Any = None,
    owner_member: BodyMember | None = None,
    owner_office: str = "",
    due_date: datetime.date | None = None,
    node_ids: Iterable[int] = (),
    project_ids: Iterable[int] = (),
    corrective_action_ids: Iterable[int] = (),
) -> Agreement:
    """Register an agreement taken at a meeting — or a commitment written in a convenio, followed
    by the body that runs the convenio — with its owner, due date and the plan items it concerns.
    A body of the entity (serving several plans) names the plan; numbers run per plan."""
    if (meeting is None) == (convenio is None):
        raise ValidationError(_("An agreement comes from a meeting or from a convenio."))
    if convenio is not None:
        if convenio.body is None:
            raise ValidationError(
                {"convenio": _("Name the body that runs the convenio before recording its commitments.")}
            )
        body = convenio.body
        plan = convenio.plan or plan or body.plan  # the convenio's plan, else the page's
    else:
        assert meeting is not None
        body = meeting.body
        plan = body.plan or plan
    _require_edit(actor, body)
    if plan is None:
        raise ValidationError({"plan": _("Say which plan the agreement belongs to.")})
    if plan.entity_id != body.entity_id:
        raise ValidationError({"plan": _("The plan belongs to another entity.")})
    if meeting is not None and meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled; it took no agreements."))
    text = _clean_text(text)
    if not text:
        raise ValidationError({"text": _("Write the agreement.")})
    agreement = Agreement(
        plan=plan,
        body=body,
        meeting=meeting,
        convenio=convenio,
        text=text,
        owner_user=owner_user,
        owner_member=owner_member,
        owner_office=_clean_text(owner_office, 200),
        due_date=due_date,
        created_by=_user(actor),
    )
    _agreement_check_owner(agreement, plan, body)
    nodes, projects, actions = _links_check(plan, node_ids, project_ids, corrective_action_ids)
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=plan.pk)  # numbers are handed out one at a time
        agreement.number = (Agreement.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0) + 1
        agreement.save()
        agreement.nodes.set(nodes)
        agreement.projects.set(projects)
        agreement.corrective_actions.set(actions)
        changes = created_changes(agreement, AGREEMENT_FIELDS) | {
            "nodes": [None, sorted(n.pk for n in nodes)],
            "projects": [None, sorted(p.pk for p in projects)],
        }
        _audit(actor, AuditAction.CREATED, agreement, body, changes)
    return agreement


def agreement_status_set(
    *,
    actor: Any,
    agreement: Agreement,
    status: str,
    note: str = "",
    done_on: datetime.date | None = None,
    evidence: Any = None,
) -> Agreement:
    """Move an agreement along: pending ⇄ in progress → done (reopened to in progress with a
    note), or dropped with a reason (final). Each change leaves a follow-up note."""
    body = agreement.body
    _require_edit(actor, body)
    note = _clean_text(note)
    current = agreement.status
    if status not in AgreementStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == current:
        raise ValidationError({"status": _("The agreement is already in that status.")})
    if status not in AGREEMENT_TRANSITIONS[current]:
        raise ValidationError(
            {
                "status": _("An agreement %(from)s cannot become %(to)s.")
                % {
                    "from": str(AgreementStatus(current).label).lower(),
                    "to": str(AgreementStatus(status).label).lower(),
                }
            }
        )
    if status == AgreementStatus.DROPPED and not note:
        raise ValidationError({"note": _("Say why the agreement is dropped.")})
    if current == AgreementStatus.DONE and not note:
        raise ValidationError({"note": _("Say why the agreement is reopened.")})
    stored = _stored_file(evidence, field="evidence") if evidence else None
    today = timezone.localdate()
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.status != current:
            raise ValidationError(_("Someone else changed this agreement; reload the page."))
        locked.status = status
        locked.done_on = (done_on or today) if status == AgreementStatus.DONE else None
        if locked.done_on and locked.done_on > today:
            raise ValidationError({"done_on": _("An agreement cannot be done on a future date.")})
        locked.dropped_reason = note if status == AgreementStatus.DROPPED else ""
        locked.save()
        _note_create(
            actor, locked, note or str(AgreementStatus(status).label), current, status, evidence, stored
        )
        _audit(actor, AuditAction.UPDATED, locked, body, {"status": [current, status]}, message=note[:300])
    agreement.refresh_from_db()
    return agreement


def _note_create(actor: Any, agreement: Agreement, text: str, status_from: str, status_to: str, evidence: Any,
                 stored: tuple[str, str, str] | None) -> AgreementNote:  # fmt: skip
    row = AgreementNote(
        agreement=agreement, text=text, status_from=status_from, status_to=status_to, created_by=_user(actor)
    )
    if stored is not None:
        filename, original, _sha = stored
        row.evidence.save(filename, File(evidence, name=filename), save=False)
        row.evidence_name = original
    row.save()
    return row


def agreement_note_add(*, actor: Any, agreement: Agreement, text: str, evidence: Any = None) -> AgreementNote:
    """A follow-up of the agreement, with evidence when there is some."""
    body = agreement.body
    _require_edit(actor, body)
    text = _clean_text(text)
    if not text:
        raise ValidationError({"text": _("Write the follow-up.")})
    stored = _stored_file(evidence, field="evidence") if evidence else None
    with transaction.atomic():
        row = _note_create(actor, agreement, text, "", "", evidence, stored)
        _audit(actor, AuditAction.UPDATED, agreement, body, {"note": [None, text[:200]]})
    return row


def minutes_remark_add(*, actor: Any, minutes: Minutes, text: str) -> MinutesRemark:
    """A remark of a member (a seat with an account) or of the entity's staff on circulated minutes."""
    body = minutes.meeting.body
    seat = seat_of(user=actor, body=body)
    if seat is None and not entity_can(actor, body.entity_id, Capability.COMMENT):
        raise PermissionDenied
    if (
        Minutes.objects.filter(pk=minutes.pk).values_list("status", flat=True).first()
        != MinutesStatus.CIRCULATED
    ):
        raise ValidationError(
            _("Remarks are made while the minutes are circulated, before they are approved.")
        )
    text = _clean_text(text)
    if not text:
        raise ValidationError({"text": _("Write the remark.")})
    with transaction.atomic():
        remark = MinutesRemark.objects.create(
            minutes=minutes,
            author=_user(actor),
            author_name=(seat.name if seat else (actor.get_full_name() or actor.get_username()))[:200],
            text=text,
            version=minutes.version,
        )
        _audit(actor, AuditAction.CREATED, remark, body, {"text": [None, text[:200]]})
    return remark
