"""Writes on investment plans, their lines and the entity's funding ceilings. Every input is
checked before anything is written, problems are reported together, nothing is saved on error,
and every change is audited in its transaction. An approved plan is locked: a new version is
made by copying it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record, created_changes, model_snapshot, snapshot_diff
from rumbo.core.jobs import job_create, job_enqueue
from rumbo.core.models import Job
from rumbo.investments.models import (
    FundingCeiling,
    FundingSource,
    InvestmentLine,
    InvestmentPlan,
    InvestmentPlanKind,
    InvestmentPlanStatus,
    Project,
    ProjectStatus,
)
from rumbo.investments.programming.selectors import (
    ceiling_excess_message,
    investment_plan_ceiling_check,
)
from rumbo.investments.services import parse_amount
from rumbo.plans.models import Plan

PLAN_FIELDS = ["kind", "title", "plan", "year_start", "year_end"]
LINE_FIELDS = ["project", "year", "source", "amount", "starts_on", "ends_on", "note"]
MAX_SPAN = 20


def _fail(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _locked(investment_plan: InvestmentPlan) -> None:
    if investment_plan.status == InvestmentPlanStatus.APPROVED:
        raise ValidationError(
            _(
                "The investment plan is approved and can no longer be changed; make a copy to prepare a new version."
            )
        )


def _check_plan_fields(
    *, entity: Entity, kind: str, title: str, year_start: Any, year_end: Any, plan: Plan | None
) -> tuple[dict[str, list[str]], int, int]:
    errors: dict[str, list[str]] = {}
    allowed = [
        InvestmentPlanKind.MULTIYEAR,
        InvestmentPlanKind.POA if entity.country == "MX" else InvestmentPlanKind.ANNUAL,
    ]
    if kind not in allowed:
        _fail(errors, "kind", _("This kind of investment plan is not used in this country."))
    if not title.strip():
        _fail(errors, "title", _("The title is required."))
    start = end = 0
    try:
        start, end = int(year_start), int(year_end)
    except (TypeError, ValueError):
        _fail(errors, "year_start", _("The years must be whole numbers."))
    else:
        if not (1900 <= start <= 2200 and 1900 <= end <= 2200):
            _fail(errors, "year_start", _("The years must be between 1900 and 2200."))
        elif end < start:
            _fail(errors, "year_end", _("The last year cannot be before the first."))
        elif end - start + 1 > MAX_SPAN:
            _fail(errors, "year_end", _("A plan covers at most %(n)s years.") % {"n": MAX_SPAN})
        elif kind in (InvestmentPlanKind.ANNUAL, InvestmentPlanKind.POA) and start != end:
            _fail(errors, "year_end", _("An annual plan covers a single year."))
    if plan is not None and plan.entity_id != entity.pk:
        _fail(errors, "plan", _("The territorial plan belongs to another entity."))
    return errors, start, end


def investment_plan_create(
    *,
    actor: Any,
    entity: Entity,
    kind: str,
    title: str,
    year_start: Any,
    year_end: Any,
    plan: Plan | None = None,
) -> InvestmentPlan:
    """A new draft investment plan of the entity (annual and POA plans cover one year)."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    errors, start, end = _check_plan_fields(
        entity=entity, kind=kind, title=title, year_start=year_start, year_end=year_end, plan=plan
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = InvestmentPlan.objects.create(
            entity=entity,
            kind=kind,
            title=title.strip(),
            year_start=start,
            year_end=end,
            plan=plan,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=row,
            entity_id=entity.pk,
            scope=plan,
            changes=created_changes(row, PLAN_FIELDS),
        )
    return row


def investment_plan_update(
    *,
    actor: Any,
    investment_plan: InvestmentPlan,
    kind: str,
    title: str,
    year_start: Any,
    year_end: Any,
    plan: Plan | None = None,
) -> InvestmentPlan:
    """Change a draft plan's heading; lines outside the new years are refused, not dropped."""
    require(actor, investment_plan.entity_id, Capability.EDIT_PLAN)
    _locked(investment_plan)
    errors, start, end = _check_plan_fields(
        entity=investment_plan.entity,
        kind=kind,
        title=title,
        year_start=year_start,
        year_end=year_end,
        plan=plan,
    )
    if not errors:
        outside = sorted(
            set(investment_plan.lines.exclude(year__gte=start, year__lte=end).values_list("year", flat=True))
        )
        if outside:
            _fail(
                errors,
                "year_start",
                _("The plan has lines in %(years)s, outside the new years.")
                % {"years": ", ".join(str(y) for y in outside)},
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = model_snapshot(investment_plan, PLAN_FIELDS)
        investment_plan.kind, investment_plan.title = kind, title.strip()
        investment_plan.year_start, investment_plan.year_end, investment_plan.plan = start, end, plan
        investment_plan.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=investment_plan,
            entity_id=investment_plan.entity_id,
            scope=plan,
            changes=snapshot_diff(before, model_snapshot(investment_plan, PLAN_FIELDS)),
        )
    return investment_plan


def _date(value: Any, field: str, errors: dict[str, list[str]]) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        _fail(errors, field, _("“%(value)s” is not a valid date; use YYYY-MM-DD.") % {"value": value})
        return None


def _check_line(
    *,
    investment_plan: InvestmentPlan,
    project: Project | int | str | None,
    year: Any,
    source_code: str,
    amount: Any,
    starts_on: Any,
    ends_on: Any,
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if isinstance(project, Project):
        found: Project | None = project
    else:
        found = None
        if project not in (None, ""):
            found = Project.objects.filter(
                entity_id=investment_plan.entity_id, code=str(project).strip()
            ).first()
            if found is None and str(project).isdigit():
                found = Project.objects.filter(entity_id=investment_plan.entity_id, pk=int(project)).first()
    if found is None or found.entity_id != investment_plan.entity_id:
        _fail(errors, "project", _("Unknown project: %(code)s") % {"code": project if project else "—"})
    elif found.status != ProjectStatus.ACCEPTED:
        _fail(errors, "project", _("Only projects accepted in the project bank can be programmed."))
    values["project"] = found
    try:
        year_value = int(year)
    except (TypeError, ValueError):
        _fail(errors, "year", _("“%(value)s” is not a year.") % {"value": year})
    else:
        if not investment_plan.year_start <= year_value <= investment_plan.year_end:
            _fail(
                errors,
                "year",
                _("The year must be between %(start)s and %(end)s.")
                % {"start": investment_plan.year_start, "end": investment_plan.year_end},
            )
        values["year"] = year_value
    source = FundingSource.objects.filter(
        country__in=[investment_plan.entity.country, "XX"], code=(source_code or "").strip()
    ).first()
    if source is None:
        _fail(errors, "source", _("Unknown funding source: %(code)s") % {"code": source_code or "—"})
    values["source"] = source
    try:
        values["amount"] = parse_amount(amount, field="amount")
    except ValidationError as exc:
        for message in exc.message_dict["amount"]:
            _fail(errors, "amount", message)
    values["starts_on"] = _date(starts_on, "starts_on", errors)
    values["ends_on"] = _date(ends_on, "ends_on", errors)
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        _fail(errors, "ends_on", _("The end cannot be before the start."))
    return errors, values


def line_add(
    *,
    actor: Any,
    investment_plan: InvestmentPlan,
    project: Project | int | str | None,
    year: Any,
    source_code: str,
    amount: Any,
    starts_on: Any = None,
    ends_on: Any = None,
    note: str = "",
) -> InvestmentLine:
    """Programme an amount of an accepted project of the entity in one of the plan's years from a
    source of the entity's catalogue; a second line for the same project, year and source is refused."""
    require(actor, investment_plan.entity_id, Capability.EDIT_PLAN)
    _locked(investment_plan)
    errors, values = _check_line(
        investment_plan=investment_plan,
        project=project,
        year=year,
        source_code=source_code,
        amount=amount,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    if (
        not errors
        and InvestmentLine.objects.filter(
            investment_plan=investment_plan,
            project=values["project"],
            year=values["year"],
            source=values["source"],
        ).exists()
    ):
        _fail(
            errors, "project", _("The project already has a line for this year and source; change that line.")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        line = InvestmentLine.objects.create(
            investment_plan=investment_plan, note=note.strip()[:300], **values
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=line,
            entity_id=investment_plan.entity_id,
            scope=investment_plan,
            changes=created_changes(line, LINE_FIELDS),
        )
    return line


def line_update(
    *,
    actor: Any,
    line: InvestmentLine,
    year: Any,
    source_code: str,
    amount: Any,
    starts_on: Any = None,
    ends_on: Any = None,
    note: str = "",
) -> InvestmentLine:
    """Change a line of a draft plan (its project stays)."""
    investment_plan = line.investment_plan
    require(actor, investment_plan.entity_id, Capability.EDIT_PLAN)
    _locked(investment_plan)
    errors, values = _check_line(
        investment_plan=investment_plan,
        project=line.project,
        year=year,
        source_code=source_code,
        amount=amount,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    if (
        not errors
        and InvestmentLine.objects.filter(
            investment_plan=investment_plan,
            project=line.project,
            year=values["year"],
            source=values["source"],
        )
        .exclude(pk=line.pk)
        .exists()
    ):
        _fail(errors, "year", _("The project already has a line for this year and source."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = model_snapshot(line, LINE_FIELDS)
        for name in ("year", "source", "amount", "starts_on", "ends_on"):
            setattr(line, name, values[name])
        line.note = note.strip()[:300]
        line.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=line,
            entity_id=investment_plan.entity_id,
            scope=investment_plan,
            changes=snapshot_diff(before, model_snapshot(line, LINE_FIELDS)),
        )
    return line


def line_remove(*, actor: Any, line: InvestmentLine) -> None:
    """Remove a line of a draft plan."""
    investment_plan = line.investment_plan
    require(actor, investment_plan.entity_id, Capability.EDIT_PLAN)
    _locked(investment_plan)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETED,
            target=line,
            entity_id=investment_plan.entity_id,
            scope=investment_plan,
            changes={k: [v, None] for k, v in model_snapshot(line, LINE_FIELDS).items()},
        )
        line.delete()


def line_move(
    *, actor: Any, investment_plan: InvestmentPlan, project_id: int, from_year: Any, to_year: Any
) -> int:
    """Move the project's lines of one year to another year of the plan (what-if applied); a line
    that meets one of the same source in the target year is added to it. Returns lines moved."""
    require(actor, investment_plan.entity_id, Capability.EDIT_PLAN)
    _locked(investment_plan)
    errors: dict[str, list[str]] = {}
    try:
        source_year, target_year = int(from_year), int(to_year)
    except (TypeError, ValueError):
        raise ValidationError({"to_year": _("The years must be whole numbers.")}) from None
    if not investment_plan.year_start <= target_year <= investment_plan.year_end:
        _fail(
            errors,
            "to_year",
            _("The year must be between %(start)s and %(end)s.")
            % {"start": investment_plan.year_start, "end": investment_plan.year_end},
        )
    moving = list(
        investment_plan.lines.filter(project_id=project_id, year=source_year).select_related("source")
    )
    if not moving:
        _fail(errors, "project", _("The project has no lines in %(year)s.") % {"year": source_year})
    if errors:
        raise ValidationError(errors)
    if source_year == target_year:
        return 0
    with transaction.atomic():
        for line in moving:
            existing = investment_plan.lines.filter(
                project_id=project_id, year=target_year, source=line.source
            ).first()
            before = model_snapshot(line, LINE_FIELDS)
            if existing is not None:
                merged_before = model_snapshot(existing, LINE_FIELDS)
                existing.amount += line.amount
                existing.save(update_fields=["amount"])
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATED,
                    target=existing,
                    entity_id=investment_plan.entity_id,
                    scope=investment_plan,
                    changes=snapshot_diff(merged_before, model_snapshot(existing, LINE_FIELDS)),
                    message=_("Moved from %(from)s to %(to)s") % {"from": source_year, "to": target_year},
                )
                audit_record(
                    actor=actor,
                    action=AuditAction.DELETED,
                    target=line,
                    entity_id=investment_plan.entity_id,
                    scope=investment_plan,
                    changes={k: [v, None] for k, v in before.items()},
                    message=_("Moved from %(from)s to %(to)s") % {"from": source_year, "to": target_year},
                )
                line.delete()
            else:
                line.year = target_year
                line.save(update_fields=["year"])
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATED,
                    target=line,
                    entity_id=investment_plan.entity_id,
                    scope=investment_plan,
                    changes=snapshot_diff(before, model_snapshot(line, LINE_FIELDS)),
                    message=_("Moved from %(from)s to %(to)s") % {"from": source_year, "to": target_year},
                )
    return len(moving)


def project_program(
    *,
    actor: Any,
    project: Project,
    investment_plan: InvestmentPlan | None,
    create_next: bool,
    year: Any,
    source_code: str,
    amount: Any,
    starts_on: Any = None,
    ends_on: Any = None,
) -> InvestmentLine:
    """Move a project into an investment plan: into `investment_plan`, or, with `create_next`,
    into a new annual plan (POA in Mexico) of `year`, created in the same transaction."""
    require(actor, project.entity_id, Capability.EDIT_PLAN)
    entity = project.entity
    if investment_plan is not None and investment_plan.entity_id != project.entity_id:
        raise ValidationError({"investment_plan": _("The investment plan belongs to another entity.")})
    with transaction.atomic():
        if investment_plan is None:
            if not create_next:
                raise ValidationError(
                    {"investment_plan": _("Choose an investment plan or create next year's.")}
                )
            investment_plan = investment_plan_create(
                actor=actor,
                entity=entity,
                kind=InvestmentPlanKind.POA if entity.country == "MX" else InvestmentPlanKind.ANNUAL,
                title=_("Annual investment plan %(year)s") % {"year": year},
                year_start=year,
                year_end=year,
                plan=project.plan,
            )
        return line_add(
            actor=actor,
            investment_plan=investment_plan,
            project=project,
            year=year,
            source_code=source_code,
            amount=amount,
            starts_on=starts_on,
            ends_on=ends_on,
        )


def investment_plan_approve(*, actor: Any, investment_plan: InvestmentPlan, note: str = "") -> InvestmentPlan:
    """Approve a draft plan. Refused while any (year, source) is over its ceiling, with each excess."""
    require(actor, investment_plan.entity_id, Capability.APPROVE)
    _locked(investment_plan)
    with transaction.atomic():
        locked = InvestmentPlan.objects.select_for_update().get(pk=investment_plan.pk)
        rows = investment_plan_ceiling_check(investment_plan=locked)
        if any(r.status == "over" for r in rows):
            raise ValidationError({"__all__": [ceiling_excess_message(rows)]}, code="over_ceiling")
        investment_plan.status = InvestmentPlanStatus.APPROVED
        investment_plan.approved_by = actor if getattr(actor, "is_authenticated", False) else None
        investment_plan.approved_at = timezone.now()
        investment_plan.approval_note = note.strip()
        investment_plan.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=investment_plan,
            entity_id=investment_plan.entity_id,
            scope=investment_plan.plan,
            changes={"status": [InvestmentPlanStatus.DRAFT, InvestmentPlanStatus.APPROVED]},
            message=note.strip(),
        )
    return investment_plan


def investment_plan_publish(
    *, actor: Any, investment_plan: InvestmentPlan, published: bool
) -> InvestmentPlan:
    """Make the plan readable by anyone (or withdraw it)."""
    require(actor, investment_plan.entity_id, Capability.PUBLISH)
    if investment_plan.is_published == published:
        return investment_plan
    with transaction.atomic():
        investment_plan.is_published = published
        investment_plan.save(update_fields=["is_published"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=investment_plan,
            entity_id=investment_plan.entity_id,
            scope=investment_plan.plan,
            changes={"is_published": [not published, published]},
        )
    return investment_plan


def investment_plan_copy(*, actor: Any, investment_plan: InvestmentPlan, title: str = "") -> InvestmentPlan:
    """A new draft with the same heading and lines (to revise an approved plan)."""
    require(actor, investment_plan.entity_id, Capability.EDIT_PLAN)
    with transaction.atomic():
        copy = InvestmentPlan.objects.create(
            entity_id=investment_plan.entity_id,
            plan=investment_plan.plan,
            kind=investment_plan.kind,
            title=(title.strip() or _("%(title)s (new version)") % {"title": investment_plan.title})[:300],
            year_start=investment_plan.year_start,
            year_end=investment_plan.year_end,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        InvestmentLine.objects.bulk_create(
            [
                InvestmentLine(
                    investment_plan=copy,
                    project_id=li.project_id,
                    year=li.year,
                    source_id=li.source_id,
                    amount=li.amount,
                    starts_on=li.starts_on,
                    ends_on=li.ends_on,
                    note=li.note,
                )
                for li in investment_plan.lines.all()
            ]
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=copy,
            entity_id=copy.entity_id,
            scope=copy.plan,
            changes=created_changes(copy, PLAN_FIELDS),
            message=_("Copy of %(title)s") % {"title": investment_plan.title},
        )
    return copy


def ceilings_set(*, actor: Any, entity: Entity, cells: Iterable[tuple[Any, str, Any]]) -> int:
    """Set the entity's ceilings from (year, source code, amount) cells, all or nothing; a blank
    amount removes the ceiling. Returns how many ceilings changed."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    errors: dict[str, list[str]] = {}
    sources = {s.code: s for s in FundingSource.objects.filter(country__in=[entity.country, "XX"])}
    wanted: dict[tuple[int, str], Decimal | None] = {}
    for year, code, raw in cells:
        try:
            year_value = int(year)
            if not 1900 <= year_value <= 2200:
                raise ValueError
        except (TypeError, ValueError):
            _fail(errors, "ceilings", _("%(year)s is not a valid year.") % {"year": year})
            continue
        if code not in sources:
            _fail(errors, "ceilings", _("Unknown funding source: %(code)s") % {"code": code})
            continue
        if raw is None or str(raw).strip() == "":
            wanted[(year_value, code)] = None
            continue
        try:
            wanted[(year_value, code)] = parse_amount(raw, field="amount")
        except ValidationError as exc:
            for message in exc.message_dict["amount"]:
                _fail(
                    errors,
                    "ceilings",
                    _("%(year)s %(source)s: %(message)s")
                    % {"year": year_value, "source": sources[code].name, "message": message},
                )
    if errors:
        raise ValidationError(errors)
    current = {
        (c.year, c.source.code): c
        for c in FundingCeiling.objects.filter(entity=entity).select_related("source")
    }
    changed = 0
    with transaction.atomic():
        for (year_value, code), amount in sorted(wanted.items()):
            row = current.get((year_value, code))
            if amount is None:
                if row is not None:
                    audit_record(
                        actor=actor,
                        action=AuditAction.DELETED,
                        target=row,
                        entity_id=entity.pk,
                        changes={
                            "amount": [str(row.amount), None],
                            "year": [year_value, None],
                            "source": [code, None],
                        },
                    )
                    row.delete()
                    changed += 1
            elif row is None:
                row = FundingCeiling.objects.create(
                    entity=entity, source=sources[code], year=year_value, amount=amount
                )
                audit_record(
                    actor=actor,
                    action=AuditAction.CREATED,
                    target=row,
                    entity_id=entity.pk,
                    changes={
                        "amount": [None, str(amount)],
                        "year": [None, year_value],
                        "source": [None, code],
                    },
                )
                changed += 1
            elif row.amount != amount:
                old = row.amount
                row.amount = amount
                row.save(update_fields=["amount"])
                audit_record(
                    actor=actor,
                    action=AuditAction.UPDATED,
                    target=row,
                    entity_id=entity.pk,
                    changes={"amount": [str(old), str(amount)]},
                )
                changed += 1
    return changed


def investment_plan_documents_start(*, actor: Any, investment_plan: InvestmentPlan) -> Job:
    """Queue the generation of the plan's PDF and XLSX as a background job to poll."""
    require(actor, investment_plan.entity_id, Capability.VIEW_PRIVATE)

    with transaction.atomic():
        job = job_create(
            kind="investment_plan_documents",
            title=_("Documents of %(title)s") % {"title": investment_plan.title},
            created_by=actor,
            entity_id=investment_plan.entity_id,
            params={
                "investment_plan_id": investment_plan.pk,
                "return_url": reverse(
                    "investments:investment_plan_detail", kwargs={"investment_plan_id": investment_plan.pk}
                ),
            },
        )
        job_id = job.pk
        job_enqueue("rumbo.investments.programming.tasks.investment_plan_documents_task", job_id)
    return job
