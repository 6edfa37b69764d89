"""Writes on a plan's route and approval procedures. Each function checks EDIT_PLAN on the
plan's entity, validates, writes and records an audit event (scoped to the plan, so it shows
in the plan's history) in one transaction.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.accounts.models import Membership
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record, model_snapshot, snapshot_diff
from rumbo.core.uploads import UploadRefused, upload_check
from rumbo.lifecycle.routes.models import (
    DayUnit,
    PlanProcedure,
    PlanProcedureStep,
    PlanRoute,
    PlanStepState,
    Procedure,
    Route,
    RouteStep,
    StepComment,
    StepFile,
    StepStatus,
)
from rumbo.plans.models import Plan

STATE_FIELDS = ("status", "assignee", "start_date", "due_date", "done_date", "not_applicable_reason")
PROCEDURE_STEP_FIELDS = (
    "started_on",
    "completed_on",
    "due_date",
    "notes",
    "amount",
    "unit",
    "count_start",
    "roll_to_business_day",
)
RESOLVED = (StepStatus.DONE, StepStatus.NOT_APPLICABLE)


# --- routes ------------------------------------------------------------------------------


def _step_applies(step: RouteStep, options: dict[str, Any]) -> bool:
    """A step with a condition ({"coordinating_body": ["implan"]}) applies only when every option
    it names holds one of the listed values."""
    return all(options.get(key) in values for key, values in (step.condition or {}).items())


def _validate_options(route: Route, options: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for option in route.options or []:
        key = option["key"]
        values = [c["value"] for c in option.get("choices", [])]
        value = options.get(key)
        if value in (None, ""):
            if option.get("required"):
                raise ValidationError(
                    {key: _("Choose an option for “%(label)s”.") % {"label": option["label"]}}
                )
            continue
        if value not in values:
            raise ValidationError({key: _("Unknown option “%(value)s”.") % {"value": value}})
        clean[key] = value
    return clean


def plan_route_start(
    *, actor: Any, plan: Plan, route: Route, options: dict[str, Any] | None = None
) -> PlanRoute:
    """Put the plan on a route: one pending state per step. Steps whose condition does not match
    the chosen options start as not applicable, with the reason recorded."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    if route.country not in (plan.entity.country, "XX"):
        raise ValidationError(_("This route belongs to another country."))
    clean = _validate_options(route, options or {})
    with transaction.atomic():
        if PlanRoute.objects.filter(plan=plan).exists():
            raise ValidationError(_("This plan already follows a route."))
        plan_route = PlanRoute.objects.create(plan=plan, route=route, options=clean, started_by=actor)
        states = []
        for step in route.steps.all():
            if _step_applies(step, clean):
                states.append(PlanStepState(plan_route=plan_route, step=step))
            else:
                states.append(
                    PlanStepState(
                        plan_route=plan_route,
                        step=step,
                        status=StepStatus.NOT_APPLICABLE,
                        not_applicable_reason=_("Does not apply to the options chosen for this route."),
                    )
                )
        PlanStepState.objects.bulk_create(states)
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=plan_route,
            entity_id=plan.entity_id,
            changes={"route": route.code, "options": clean},
            message=_("Route started: %(route)s") % {"route": route.name},
            scope=plan,
        )
    return plan_route


def _top_index(step: RouteStep) -> str:
    """The path segment of the step's top-level ancestor ("/0002/")."""
    return "/" + step.path.strip("/").split("/")[0] + "/"


def _blocking_gates(state: PlanStepState) -> list[RouteStep]:
    """Unresolved gate steps of earlier top-level phases. A gate with inner steps also counts as
    resolved when every one of its inner steps is done or not applicable."""
    top = _top_index(state.step)
    states = list(PlanStepState.objects.filter(plan_route_id=state.plan_route_id).select_related("step"))
    status_by_path = {s.step.path: s.status for s in states}
    blocking = []
    for other in states:
        step = other.step
        if not step.gate or _top_index(step) >= top or other.status in RESOLVED:
            continue
        inner = [
            st for path, st in status_by_path.items() if path.startswith(step.path) and path != step.path
        ]
        if inner and all(st in RESOLVED for st in inner):
            continue
        blocking.append(step)
    return blocking


def step_update(
    *,
    actor: Any,
    state: PlanStepState,
    status: str,
    assignee: Any = None,
    start_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    done_date: datetime.date | None = None,
    not_applicable_reason: str = "",
) -> PlanStepState:
    """Change a step's status, assignee and dates.

    Not applicable needs a reason; done gets today's date unless given; a step cannot be done
    while a gate of an earlier phase is open, nor while steps inside it are still open."""
    plan = state.plan_route.plan
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    if status not in StepStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    reason = (not_applicable_reason or "").strip()
    if status == StepStatus.NOT_APPLICABLE and not reason:
        raise ValidationError({"not_applicable_reason": _("Say why this step does not apply to the plan.")})
    if status != StepStatus.NOT_APPLICABLE:
        reason = ""
    if status == StepStatus.DONE:
        done_date = done_date or timezone.localdate()
        if start_date and done_date < start_date:
            raise ValidationError({"done_date": _("The done date cannot be before the start date.")})
        blocking = _blocking_gates(state)
        if blocking:
            raise ValidationError(
                _("This step cannot be marked done while an earlier phase is open: first finish %(steps)s.")
                % {"steps": "; ".join(f"{s.code} {s.title}" for s in blocking)}
            )
        open_inner = (
            PlanStepState.objects.filter(
                plan_route_id=state.plan_route_id, step__path__startswith=state.step.path
            )
            .exclude(pk=state.pk)
            .exclude(status__in=RESOLVED)
            .count()
        )
        if open_inner:
            raise ValidationError(
                _(
                    "%(n)s step(s) inside this one are still open: finish them or mark them not applicable first."
                )
                % {"n": open_inner}
            )
    else:
        done_date = None
    if start_date and due_date and due_date < start_date:
        raise ValidationError({"due_date": _("The due date cannot be before the start date.")})
    if (
        assignee is not None
        and not Membership.objects.filter(user=assignee, entity_id=plan.entity_id).exists()
    ):
        raise ValidationError({"assignee": _("The assignee must be a member of the plan's entity.")})
    with transaction.atomic():
        before = model_snapshot(state, STATE_FIELDS)
        state.status = status
        state.assignee = assignee
        state.start_date = start_date
        state.due_date = due_date
        state.done_date = done_date
        state.not_applicable_reason = reason
        state.save()
        changes = snapshot_diff(before, model_snapshot(state, STATE_FIELDS))
        if changes:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=state,
                entity_id=plan.entity_id,
                changes=changes,
                scope=plan,
            )
    return state


def step_comment_add(*, actor: Any, state: PlanStepState, body: str) -> StepComment:
    """A remark on a step by someone who may comment on the plan."""
    plan = state.plan_route.plan
    require(actor, plan.entity_id, Capability.COMMENT)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    with transaction.atomic():
        comment = StepComment.objects.create(state=state, author=actor, body=body)
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=comment,
            entity_id=plan.entity_id,
            changes={"step": state.step.code},
            scope=plan,
        )
    return comment


def _sniff(head: bytes, name: str) -> str | None:
    """The file type from its first bytes (never from its name alone); None when not accepted."""
    lower = name.lower()
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        zip_types = {
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".odt": "application/vnd.oasis.opendocument.text",
            ".ods": "application/vnd.oasis.opendocument.spreadsheet",
        }
        for ext, mime in zip_types.items():
            if lower.endswith(ext):
                return mime
        return "application/zip"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return "application/geo+json" if lower.endswith(".geojson") else "application/json"
    return None


def step_file_add(*, actor: Any, state: PlanStepState, upload: UploadedFile) -> StepFile:
    """Attach a deliverable file: its type is sniffed from the content (PDF, DOCX/XLSX/ODT,
    JPEG, PNG, GeoJSON/JSON, ZIP), within the upload policy (rumbo/core/uploads.py), stored with its SHA-256 checksum."""
    plan = state.plan_route.plan
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    size = upload.size or 0
    try:
        upload_check(upload)
    except UploadRefused as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "archivo").rsplit("/", 1)[-1][:255]
    content_type = _sniff(head, name)
    if content_type is None:
        raise ValidationError(
            {
                "file": _(
                    "Only PDF, Word, Excel, OpenDocument, JPEG, PNG, GeoJSON/JSON and ZIP files are accepted."
                )
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        step_file = StepFile(
            state=state,
            name=name,
            size=size,
            sha256=digest.hexdigest(),
            content_type=content_type,
            uploaded_by=actor,
        )
        step_file.file.save(name, upload, save=False)
        step_file.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=step_file,
            entity_id=plan.entity_id,
            changes={"step": state.step.code, "name": name, "size": size, "sha256": step_file.sha256},
            scope=plan,
        )
    return step_file


# --- procedures --------------------------------------------------------------------------


def plan_procedure_start(
    *, actor: Any, plan: Plan, procedure: Procedure, start_date: datetime.date
) -> PlanProcedure:
    """Start tracking an approval procedure: its steps are copied with their deadline rules, and
    the due dates that count from the start date are computed at once."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    if procedure.country != plan.entity.country:
        raise ValidationError(_("This procedure belongs to another country."))
    with transaction.atomic():
        if PlanProcedure.objects.filter(plan=plan, procedure=procedure).exists():
            raise ValidationError(_("This procedure is already being tracked for the plan."))
        plan_procedure = PlanProcedure.objects.create(
            plan=plan, procedure=procedure, start_date=start_date, started_by=actor
        )
        PlanProcedureStep.objects.bulk_create(
            [
                PlanProcedureStep(
                    plan_procedure=plan_procedure,
                    code=item["code"],
                    title=item["title"],
                    position=position,
                    depends_on=item.get("depends_on") or "",
                    amount=item.get("amount"),
                    unit=item.get("unit") or DayUnit.CALENDAR_DAYS,
                    count_start=item.get("count_start") or "next_day",
                    roll_to_business_day=bool(item.get("roll_to_business_day", False)),
                    basis=item.get("basis", []),
                    consequences=item.get("consequences", ""),
                    verified=bool(item.get("verified", True)),
                )
                for position, item in enumerate(procedure.steps)
            ]
        )
        _recompute_due_dates(plan_procedure)
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=plan_procedure,
            entity_id=plan.entity_id,
            changes={"procedure": procedure.code, "start_date": start_date.isoformat()},
            message=_("Procedure started: %(name)s") % {"name": procedure.name},
            scope=plan,
        )
    return plan_procedure


def _count_base(
    step: PlanProcedureStep, by_code: dict[str, PlanProcedureStep], start: datetime.date
) -> datetime.date | None:
    """The day the step's count starts from: its own recorded start (e.g. the filing date), else
    the completion of the step it depends on, else the procedure's start date."""
    if step.started_on:
        return step.started_on
    if step.depends_on:
        previous = by_code.get(step.depends_on)
        return previous.completed_on if previous else None
    return start


def _recompute_due_dates(plan_procedure: PlanProcedure) -> list[PlanProcedureStep]:
    """Recompute every step's due date with the validity area's deadline engine."""
    from rumbo.lifecycle.validity.deadlines import deadline_compute

    country = plan_procedure.plan.entity.country
    steps = list(plan_procedure.steps.all())
    by_code = {s.code: s for s in steps}
    changed = []
    for step in steps:
        base = _count_base(step, by_code, plan_procedure.start_date)
        due: datetime.date | None = None
        explanation: dict[str, Any] = {}
        if step.amount and base:
            result = deadline_compute(
                country=country,
                start=base,
                amount=step.amount,
                unit=step.unit,
                count_start=step.count_start,
                roll_to_business_day=step.roll_to_business_day,
            )
            due = result.due
            explanation = {
                "start": base.isoformat(),
                "amount": step.amount,
                "unit": step.unit,
                "count_start": step.count_start,
                "steps": list(result.steps),
                "calendar_basis": [dict(b) for b in result.basis],
            }
        if due != step.due_date or explanation != step.due_explanation:
            step.due_date = due
            step.due_explanation = explanation
            changed.append(step)
    if changed:
        PlanProcedureStep.objects.bulk_update(changed, ["due_date", "due_explanation"])
    return changed


def procedure_step_update(
    *,
    actor: Any,
    step: PlanProcedureStep,
    started_on: datetime.date | None,
    completed_on: datetime.date | None,
    notes: str = "",
    amount: int | None = None,
    unit: str | None = None,
    count_start: str | None = None,
) -> PlanProcedureStep:
    """Record a step's dates and notes (and, where the rule is to be configured, its day count);
    the due dates of the steps that count from it are recomputed."""
    plan = step.plan_procedure.plan
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    if started_on and completed_on and completed_on < started_on:
        raise ValidationError({"completed_on": _("The completion date cannot be before the start date.")})
    if unit is not None and unit not in DayUnit.values:
        raise ValidationError({"unit": _("Unknown unit.")})
    if count_start is not None and count_start not in ("same_day", "next_day"):
        raise ValidationError({"count_start": _("Unknown counting convention.")})
    with transaction.atomic():
        before = model_snapshot(step, PROCEDURE_STEP_FIELDS)
        step.started_on = started_on
        step.completed_on = completed_on
        step.notes = notes or ""
        if amount is not None:
            step.amount = amount or None
        if unit is not None:
            step.unit = unit
        if count_start is not None:
            step.count_start = count_start
        step.save()
        _recompute_due_dates(step.plan_procedure)
        step.refresh_from_db()
        changes = snapshot_diff(before, model_snapshot(step, PROCEDURE_STEP_FIELDS))
        if changes:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=step,
                entity_id=plan.entity_id,
                changes=changes,
                scope=plan,
            )
    return step


def procedure_step_complete(
    *, actor: Any, step: PlanProcedureStep, completed_on: datetime.date
) -> PlanProcedureStep:
    """Mark a procedure step complete on a date; the next steps' due dates follow from it."""
    return procedure_step_update(
        actor=actor, step=step, started_on=step.started_on, completed_on=completed_on, notes=step.notes
    )
