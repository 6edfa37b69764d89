"""Writes on the execution of projects: progress per period, milestones, contracts, evidence and
the remembered column mapping of budget-execution files. Every input is checked before anything is
written, all problems are reported together, nothing is saved on error, every change is audited.

Money of an execution record is that of its period (programmed for it, committed and paid in it);
physical progress is the cumulative percent of the whole project at the period's end. So a
project's records may not overlap in time (2026 and 2026T1 together would count money twice).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record, created_changes, model_snapshot, snapshot_diff
from rumbo.core.filetypes import office_document_type
from rumbo.core.numbers import decimal_from_text
from rumbo.core.uploads import UploadRefused, upload_check
from rumbo.indicators.periods import PeriodCodeError, period_bounds
from rumbo.investments.models import (
    Contract,
    ContractStatus,
    ExecutionOrigin,
    ExecutionRecord,
    Project,
    ProjectEvidence,
    ProjectMilestone,
)
from rumbo.investments.services import parse_amount

RECORD_FIELDS = ("programmed", "committed", "paid", "physical_planned", "physical_actual", "note", "origin")
MAPPING_FIELDS = (
    "project_code",
    "period",
    "programmed",
    "committed",
    "paid",
    "physical_actual",
    "physical_planned",
    "note",
)
MAPPING_REQUIRED = ("project_code", "period", "programmed", "committed", "paid")


# --- shared checks ------------------------------------------------------------------------------


def percent_parse(value: Any, *, field: str) -> Decimal | None:
    """A percentage 0–100 from a number or Spanish text ("45,5"); empty means unknown (None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = decimal_from_text(value)
    except InvalidOperation as exc:
        raise ValidationError({field: _("“%(value)s” is not a percentage.") % {"value": value}}) from exc
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValidationError({field: _("A percentage must be between 0 and 100.")})
    return number.quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One record of a project's series, as the checks of the whole series need it."""

    period: str
    start: datetime.date
    end: datetime.date
    physical_actual: Decimal | None
    note: str


@dataclass(frozen=True, slots=True)
class SeriesProblem:
    period: str  # the period the message is about
    other: str  # the period it clashes with
    kind: str  # "overlap" | "decrease"
    message: str


def execution_series_problems(*, points: Iterable[SeriesPoint]) -> list[SeriesProblem]:
    """The points that overlap another in time, and those whose achieved physical progress goes
    down against the previous known value without a note explaining why."""
    ordered = sorted(points, key=lambda p: (p.end, p.start))
    problems: list[SeriesProblem] = []
    by_start = sorted(ordered, key=lambda p: (p.start, p.end))
    reach: SeriesPoint | None = None  # the point reaching furthest in time so far
    for point in by_start:
        if reach is not None and point.start <= reach.end:
            message = _(
                "The period %(period)s overlaps the period %(other)s of the same project; money would be "
                "counted twice."
            ) % {"period": point.period, "other": reach.period}
            problems.append(SeriesProblem(point.period, reach.period, "overlap", message))
        if reach is None or point.end > reach.end:
            reach = point
    last: SeriesPoint | None = None
    for point in ordered:
        if point.physical_actual is None:
            continue
        if last is not None and last.physical_actual is not None:
            if point.physical_actual < last.physical_actual and not point.note.strip():
                message = _(
                    "The physical progress achieved is cumulative: %(value)s %% in %(period)s is less "
                    "than %(previous)s %% in %(earlier)s. Explain why in the note."
                ) % {
                    "value": point.physical_actual,
                    "period": point.period,
                    "previous": last.physical_actual,
                    "earlier": last.period,
                }
                problems.append(SeriesProblem(point.period, last.period, "decrease", message))
        last = point
    return problems


def _stored_points(project_id: int, *, except_periods: Iterable[str] = ()) -> list[SeriesPoint]:
    skip = set(except_periods)
    points = []
    for period, actual, note in ExecutionRecord.objects.filter(project_id=project_id).values_list(
        "period", "physical_actual", "note"
    ):
        if period in skip:
            continue
        _code, _kind, start, end = period_bounds(period)
        points.append(SeriesPoint(period, start, end, actual, note))
    return points


# --- execution per period ------------------------------------------------------------------------


@dataclass(slots=True)
class RecordResult:
    record: ExecutionRecord
    created: bool
    warnings: list[str] = field(default_factory=list)


def execution_record_set(
    *,
    actor: Any,
    project: Project,
    period: str,
    programmed: Any,
    committed: Any,
    paid: Any,
    physical_planned: Any = None,
    physical_actual: Any = None,
    note: str = "",
) -> RecordResult:
    """Record (or correct) a project's execution in a period. Paid above committed is an error;
    committed above programmed is allowed with a warning; achieved progress may not go down
    without a note; the project's periods may not overlap."""
    require(actor, project.entity_id, Capability.REPORT_DATA)
    errors: dict[str, list[str]] = {}

    def fail(name: str, exc: ValidationError) -> None:
        for message in exc.message_dict.get(name, exc.messages):
            errors.setdefault(name, []).append(message)

    code = start = end = None
    try:
        code, _kind, start, end = period_bounds(period)
    except PeriodCodeError as exc:
        errors["period"] = [str(exc)]
    amounts: dict[str, Decimal] = {}
    for name, raw in (("programmed", programmed), ("committed", committed), ("paid", paid)):
        try:
            amounts[name] = parse_amount("0" if raw in (None, "") else raw, field=name)
        except ValidationError as exc:
            fail(name, exc)
    percents: dict[str, Decimal | None] = {}
    for name, raw in (("physical_planned", physical_planned), ("physical_actual", physical_actual)):
        try:
            percents[name] = percent_parse(raw, field=name)
        except ValidationError as exc:
            fail(name, exc)
    note = (note or "").strip()
    if "paid" in amounts and "committed" in amounts and amounts["paid"] > amounts["committed"]:
        errors.setdefault("paid", []).append(
            _("The amount paid (%(paid)s) cannot exceed the amount committed (%(committed)s).")
            % {"paid": amounts["paid"], "committed": amounts["committed"]}
        )
    warnings: list[str] = []
    if "committed" in amounts and "programmed" in amounts and amounts["committed"] > amounts["programmed"]:
        warnings.append(
            _("The amount committed (%(committed)s) is above the amount programmed (%(programmed)s).")
            % {"committed": amounts["committed"], "programmed": amounts["programmed"]}
        )
    if code is not None and start is not None and end is not None and "physical_actual" in percents:
        point = SeriesPoint(code, start, end, percents["physical_actual"], note)
        others = _stored_points(project.pk, except_periods=[code])
        for problem in execution_series_problems(points=[*others, point]):
            if code in (problem.period, problem.other):
                target = "period" if problem.kind == "overlap" else "physical_actual"
                errors.setdefault(target, []).append(problem.message)
    if errors:
        raise ValidationError(errors)
    assert code is not None and end is not None
    with transaction.atomic():
        record = ExecutionRecord.objects.select_for_update().filter(project=project, period=code).first()
        created = record is None
        if record is None:
            record = ExecutionRecord(project=project, period=code, period_end=end)
        before = {} if created else model_snapshot(record, RECORD_FIELDS)
        record.period_end = end
        record.programmed = amounts["programmed"]
        record.committed = amounts["committed"]
        record.paid = amounts["paid"]
        record.physical_planned = percents["physical_planned"]
        record.physical_actual = percents["physical_actual"]
        record.note = note
        record.origin = ExecutionOrigin.MANUAL
        record.recorded_by = actor
        record.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED if created else AuditAction.UPDATED,
            target=record,
            entity_id=project.entity_id,
            scope=project.plan,
            changes=snapshot_diff(before, model_snapshot(record, RECORD_FIELDS)),
            message=_("Execution of %(project)s in %(period)s") % {"project": project.code, "period": code},
        )
    return RecordResult(record=record, created=created, warnings=warnings)


# --- milestones and contracts ---------------------------------------------------------------------


def milestone_add(
    *, actor: Any, project: Project, name: str, due_on: datetime.date, note: str = ""
) -> ProjectMilestone:
    """A milestone of the project's execution with its due date."""
    require(actor, project.entity_id, Capability.REPORT_DATA)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("The name is required.")})
    with transaction.atomic():
        milestone = ProjectMilestone.objects.create(
            project=project, name=name[:300], due_on=due_on, note=(note or "").strip()[:300]
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=milestone,
            entity_id=project.entity_id,
            scope=project.plan,
            changes=created_changes(milestone, ["project", "name", "due_on"]),
        )
    return milestone


def milestone_done(
    *, actor: Any, milestone: ProjectMilestone, done_on: datetime.date | None
) -> ProjectMilestone:
    """Mark a milestone achieved on a date (None: not achieved after all)."""
    project = milestone.project
    require(actor, project.entity_id, Capability.REPORT_DATA)
    if done_on is not None and done_on > datetime.date.today():
        raise ValidationError({"done_on": _("A milestone cannot be achieved in the future.")})
    with transaction.atomic():
        before = model_snapshot(milestone, ["done_on"])
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=milestone,
            entity_id=project.entity_id,
            scope=project.plan,
            changes=snapshot_diff(before, model_snapshot(milestone, ["done_on"])),
        )
    return milestone


def contract_add(
    *,
    actor: Any,
    project: Project,
    number: str,
    contractor: str,
    amount: Any,
    signed_on: datetime.date,
    ends_on: datetime.date | None = None,
    purpose: str = "",
    status: str = ContractStatus.SIGNED,
    url: str = "",
) -> Contract:
    """A contract of the project (amount checked, the end not before the signature, a web link)."""
    require(actor, project.entity_id, Capability.REPORT_DATA)
    errors: dict[str, list[str]] = {}
    number, contractor, url = (number or "").strip(), (contractor or "").strip(), (url or "").strip()
    if not number:
        errors["number"] = [_("The contract number is required.")]
    if not contractor:
        errors["contractor"] = [_("The contractor is required.")]
    value = Decimal(0)
    try:
        value = parse_amount(amount, field="amount")
    except ValidationError as exc:
        errors["amount"] = exc.message_dict["amount"]
    if ends_on is not None and ends_on < signed_on:
        errors["ends_on"] = [_("The end date cannot be before the signature.")]
    if status not in ContractStatus.values:
        errors["status"] = [_("Unknown contract status.")]
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = [_("Enter a web address that starts with http:// or https://.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contract = Contract.objects.create(
            project=project,
            number=number[:100],
            contractor=contractor[:300],
            purpose=(purpose or "").strip(),
            amount=value,
            signed_on=signed_on,
            ends_on=ends_on,
            status=status,
            url=url,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=contract,
            entity_id=project.entity_id,
            scope=project.plan,
            changes=created_changes(contract, ["project", "number", "contractor", "amount", "signed_on"]),
        )
    return contract


# --- evidence -------------------------------------------------------------------------------------

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


def project_evidence_sniff(*, upload: Any) -> tuple[str, str]:
    """(extension, content type) from the file's first bytes: JPEG, PNG, WebP, PDF, Office
    (DOCX, XLSX, PPTX) or OpenDocument (ODT, ODS, ODP); anything else is a ValidationError."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found: tuple[str, str] | None = None
    if head.startswith(b"\xff\xd8\xff"):
        found = ("jpg", "image/jpeg")
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = ("png", "image/png")
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        found = ("webp", "image/webp")
    elif head.startswith(b"%PDF-"):
        found = ("pdf", "application/pdf")
    elif head.startswith(b"PK\x03\x04"):
        found = office_document_type(upload)
    if found is None:
        raise ValidationError(
            {
                "file": _(
                    "This file type is not accepted. Upload a photo (JPEG, PNG or WebP), a PDF, or an Office "
                    "or OpenDocument file."
                )
            }
        )
    return found


def project_evidence_add(
    *, actor: Any, project: Project, upload: Any, caption: str = "", period: str = ""
) -> ProjectEvidence:
    """A photo or document of the project's execution: type sniffed from the content, size
    limited (the upload policy, rumbo/core/uploads.py), SHA-256 kept."""
    require(actor, project.entity_id, Capability.REPORT_DATA)
    size = int(getattr(upload, "size", 0) or 0)
    try:
        upload_check(upload)
    except UploadRefused as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    period_code = ""
    if (period or "").strip():
        try:
            period_code = period_bounds(period)[0]
        except PeriodCodeError as exc:
            raise ValidationError({"period": str(exc)}) from exc
    extension, content_type = project_evidence_sniff(upload=upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    original = PurePath(getattr(upload, "name", "") or "evidencia").name[:255]
    stem = re.sub(r"[^\w.-]+", "_", PurePath(original).stem).strip("._")[:100] or "evidencia"
    filename = f"{stem}.{extension}"
    with transaction.atomic():
        evidence = ProjectEvidence(
            project=project,
            period=period_code,
            caption=(caption or "").strip()[:300],
            original_name=original,
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        evidence.file.save(filename, File(upload, name=filename), save=False)
        evidence.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=evidence,
            entity_id=project.entity_id,
            scope=project.plan,
            changes=created_changes(evidence, ["project", "original_name", "sha256", "size"]),
        )
    return evidence


# --- the column mapping of budget-execution files -------------------------------------------------
