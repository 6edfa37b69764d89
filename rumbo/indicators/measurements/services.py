"""Measurements and their evidence: entering values, the approval workflow, corrections.

Workflow: draft → submitted → approved, or → returned (with the approver's comment) → draft or
submitted again. An approved value is locked: a change after approval is a correction, a new
version with its reason that goes straight to the approval queue; the approved version keeps
counting until the correction is approved, and only then becomes a non-current version of the
history. Separation of duties: nobody approves a value they submitted themselves (superusers
excepted). Every transition leaves an audit event on the plan.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, require, user_access
from rumbo.core.audit import AuditAction, audit_record, model_snapshot, snapshot_diff
from rumbo.core.filetypes import office_document_type
from rumbo.core.numbers import number_text_normalise
from rumbo.core.uploads import upload_check
from rumbo.indicators.models import (
    Evidence,
    EvidenceKind,
    Indicator,
    IndicatorUnit,
    Measurement,
    MeasurementStatus,
    MilestoneProgress,
    Period,
    Periodicity,
    PeriodKind,
)
from rumbo.plans.models import Plan
from rumbo.territory.models import TerritorialUnit

VALUE_LIMIT = Decimal("1e14")  # max_digits 20 with 6 decimal places
VALUE_QUANTUM = Decimal("0.000001")
DISAGGREGATION_MAX = 100

# The period kind an indicator of each periodicity takes; other periodicities take any kind.
PERIOD_KIND_FOR: dict[str, str] = {
    Periodicity.MONTHLY: PeriodKind.MONTH,
    Periodicity.QUARTERLY: PeriodKind.QUARTER,
    Periodicity.SEMIANNUAL: PeriodKind.SEMESTER,
    Periodicity.ANNUAL: PeriodKind.YEAR,
}
_AUDIT_FIELDS = ("value", "notes", "status", "version", "is_current", "correction_reason", "return_comment")


# --- checks shared with the bulk import -----------------------------------------------------


def measurement_value_parse(raw: Any) -> Decimal:
    """A value as typed by a person ("12,5", "1.234,5", "1,234.5", 12.5) → Decimal (6 places);
    ValidationError when it is not a finite number of at most 14 integer digits."""
    if isinstance(raw, bool):
        raise ValidationError(_("The value must be a number."), code="value")
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int | float):
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    else:
        text = str(raw or "").strip().replace(" ", "").replace("\u00a0", "")
        if not text:
            raise ValidationError(_("The value is required."), code="value")
        try:
            number = Decimal(number_text_normalise(text))
        except InvalidOperation:
            raise ValidationError(
                _("“%(value)s” is not a number.") % {"value": str(raw)[:40]}, code="value"
            ) from None
    if not number.is_finite() or abs(number) >= VALUE_LIMIT:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": str(raw)[:40]}, code="value")
    return number.quantize(VALUE_QUANTUM)


def measurement_value_check(*, indicator: Indicator, value: Decimal) -> None:
    """Refuse a value the indicator's unit cannot take (a percentage outside 0–100)."""
    if indicator.unit == IndicatorUnit.PERCENTAGE and not (Decimal(0) <= value <= Decimal(100)):
        raise ValidationError(
            _("%(code)s is a percentage: the value must be between 0 and 100, not %(value)s.")
            % {"code": indicator.code, "value": _plain_number(value)},
            code="value",
        )


def measurement_period_check(*, indicator: Indicator, period_kind: str, period_code: str) -> None:
    """Refuse a period whose kind does not match the indicator's periodicity (a quarterly
    indicator takes quarter codes such as 2025T3)."""
    expected = PERIOD_KIND_FOR.get(indicator.periodicity)
    if expected is not None and period_kind != expected:
        raise ValidationError(
            _(
                "%(code)s is measured %(periodicity)s, so its periods are %(kind)s codes (e.g. %(example)s), "
                "not %(period)s."
            )
            % {
                "code": indicator.code,
                "periodicity": str(Periodicity(indicator.periodicity).label).lower(),
                "kind": str(PeriodKind(expected).label).lower(),
                "example": PERIOD_EXAMPLES[expected],
                "period": period_code,
            },
            code="period",
        )


PERIOD_EXAMPLES: dict[str, str] = {
    PeriodKind.YEAR: "2025",
    PeriodKind.SEMESTER: "2025S1",
    PeriodKind.QUARTER: "2025T3",
    PeriodKind.MONTH: "2025-07",
}


@dataclass(frozen=True, slots=True)
class TerritoryScope:
    """The territorial units a plan's measurements may name: the plan's units and everything
    below them; when the plan has none, the entity's jurisdiction; when that is empty too,
    every unit of the entity's country."""

    country: str
    roots: tuple[str, ...]  # materialised paths; empty = the whole country

    def contains(self, path: str) -> bool:
        return not self.roots or path.startswith(self.roots)


def plan_territory_scope(*, plan: Plan) -> TerritoryScope:
    """The territorial scope of a plan's measurements (see TerritoryScope)."""
    from rumbo.territory.models import Jurisdiction

    paths = tuple(plan.units.values_list("path", flat=True))
    if not paths:
        paths = tuple(
            Jurisdiction.objects.filter(entity_id=plan.entity_id).values_list("unit__path", flat=True)
        )
    return TerritoryScope(country=plan.entity.country, roots=paths)


def measurement_unit_check(*, plan: Plan, unit: TerritorialUnit | None) -> None:
    """Refuse a territorial unit outside the plan's territory."""
    if unit is None:
        return
    scope = plan_territory_scope(plan=plan)
    if unit.country != scope.country or not scope.contains(unit.path):
        raise ValidationError(
            _("%(unit)s is outside the territory of the plan %(plan)s.")
            % {"unit": str(unit), "plan": plan.name},
            code="unit",
        )


def _plain_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# --- the workflow ------------------------------------------------------------------------------


def _plan_of(indicator: Indicator) -> Plan:
    return Plan.objects.select_related("entity").get(pk=indicator.plan_id)


def _audit(
    actor: Any, m: Measurement, plan: Plan, action: str, before: dict[str, Any], message: str = ""
) -> None:
    after = model_snapshot(m, _AUDIT_FIELDS)
    audit_record(
        actor=actor,
        action=action,
        target=m,
        entity_id=plan.entity_id,
        scope=plan,
        changes=snapshot_diff(before, after) if before else {k: [None, v] for k, v in after.items()},
        message=message,
    )


def _key_filter(indicator_id: int, unit_id: int | None, period_id: int, disaggregation: str) -> Q:
    return Q(indicator_id=indicator_id, unit_id=unit_id, period_id=period_id, disaggregation=disaggregation)


def _lock_indicator(indicator: Indicator) -> None:
    # Writers of one indicator queue here (SQLite serialises every writer anyway), so two
    # people cannot both create the "current" row of a key, NULL unit included.
    list(Indicator.objects.select_for_update().filter(pk=indicator.pk).order_by("pk").values_list("pk"))


def measurement_save(
    *,
    actor: Any,
    indicator: Indicator,
    period: Period,
    value: Any,
    unit: TerritorialUnit | None = None,
    disaggregation: str = "",
    notes: str = "",
) -> Measurement:
    """Enter or change the draft value of a key (indicator, unit, period, disaggregation).

    A draft or returned current row is updated (and becomes a draft again); a submitted row
    waits for its approver and an approved one is locked (use `measurement_correct`).
    """
    plan = _plan_of(indicator)
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    number = measurement_value_parse(value)
    measurement_value_check(indicator=indicator, value=number)
    measurement_period_check(indicator=indicator, period_kind=period.kind, period_code=period.code)
    measurement_unit_check(plan=plan, unit=unit)
    disaggregation = (disaggregation or "").strip()
    if len(disaggregation) > DISAGGREGATION_MAX:
        raise ValidationError(
            _("The disaggregation is too long: at most %(max)s characters.") % {"max": DISAGGREGATION_MAX},
            code="disaggregation",
        )
    unit_id = unit.pk if unit is not None else None
    with transaction.atomic():
        _lock_indicator(indicator)
        current = (
            Measurement.objects.select_for_update()
            .order_by("pk")
            .filter(_key_filter(indicator.pk, unit_id, period.pk, disaggregation), is_current=True)
            .first()
        )
        if current is not None:
            if current.status == MeasurementStatus.APPROVED:
                raise ValidationError(
                    _(
                        "This value was already approved and is locked; to change it, make a correction with its reason."
                    ),
                    code="locked",
                )
            if current.status == MeasurementStatus.SUBMITTED:
                raise ValidationError(
                    _(
                        "This value is waiting for approval; it can change only after the approver returns it."
                    ),
                    code="submitted",
                )
            before = model_snapshot(current, _AUDIT_FIELDS)
            current.value = number
            current.notes = notes or ""
            current.status = MeasurementStatus.DRAFT
            current.save(update_fields=["value", "notes", "status"])
            _audit(actor, current, plan, AuditAction.UPDATED, before)
            return current
        top = Measurement.objects.filter(
            _key_filter(indicator.pk, unit_id, period.pk, disaggregation)
        ).aggregate(v=Max("version"))["v"]
        m = Measurement.objects.create(
            indicator=indicator,
            unit=unit,
            period=period,
            disaggregation=disaggregation,
            value=number,
            notes=notes or "",
            status=MeasurementStatus.DRAFT,
            version=(top or 0) + 1,
            is_current=True,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _audit(actor, m, plan, AuditAction.CREATED, {})
        return m


def _locked(measurement: Measurement) -> Measurement:
    """The row again, locked, so two approvers cannot act on the same value at once."""
    return Measurement.objects.select_for_update().order_by("pk").get(pk=measurement.pk)


def _refresh(target: Measurement, source: Measurement) -> None:
    for f in target._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _status_error(m: Measurement) -> ValidationError:
    return ValidationError(
        _("This value is %(status)s; that step is not possible now.")
        % {"status": str(MeasurementStatus(m.status).label).lower()},
        code="status",
    )


def measurement_submit(*, actor: Any, measurement: Measurement) -> Measurement:
    """Send a draft or returned value (or a returned correction) to the approval queue."""
    plan = _plan_of(measurement.indicator)
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    with transaction.atomic():
        m = _locked(measurement)
        if m.status not in (MeasurementStatus.DRAFT, MeasurementStatus.RETURNED):
            raise _status_error(m)
        before = model_snapshot(m, _AUDIT_FIELDS)
        m.status = MeasurementStatus.SUBMITTED
        m.submitted_by = actor
        m.submitted_at = timezone.now()
        m.save(update_fields=["status", "submitted_by", "submitted_at"])
        _audit(actor, m, plan, AuditAction.UPDATED, before, message=_("Submitted for approval."))
    _refresh(measurement, m)
    return measurement


def measurement_return(*, actor: Any, measurement: Measurement, comment: str) -> Measurement:
    """Send a submitted value back to its reporter with a comment saying what to fix."""
    plan = _plan_of(measurement.indicator)
    require(actor, plan.entity_id, Capability.APPROVE)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say why the value is returned."), code="comment")
    with transaction.atomic():
        m = _locked(measurement)
        if m.status != MeasurementStatus.SUBMITTED:
            raise _status_error(m)
        before = model_snapshot(m, _AUDIT_FIELDS)
        m.status = MeasurementStatus.RETURNED
        m.return_comment = comment
        m.reviewed_by = actor
        m.reviewed_at = timezone.now()
        m.save(update_fields=["status", "return_comment", "reviewed_by", "reviewed_at"])
        _audit(actor, m, plan, AuditAction.UPDATED, before, message=comment)
    _refresh(measurement, m)
    return measurement


def measurement_may_approve(*, user: Any, measurement: Measurement, entity_id: int) -> bool:
    """Whether the user may approve this value: APPROVE in the entity, and not their own
    submission (separation of duties; superusers excepted)."""
    access = user_access(user)
    if not access.can(entity_id, Capability.APPROVE):
        return False
    return access.is_superuser or measurement.submitted_by_id != getattr(user, "pk", None)


def measurement_approve(*, actor: Any, measurement: Measurement) -> Measurement:
    """Approve a submitted value: it is locked from now on. Approving a correction makes it the
    current version and keeps the version it replaces in the history."""
    plan = _plan_of(measurement.indicator)
    require(actor, plan.entity_id, Capability.APPROVE)
    with transaction.atomic():
        _lock_indicator(measurement.indicator)
        m = _locked(measurement)
        if m.status != MeasurementStatus.SUBMITTED:
            raise _status_error(m)
        if not measurement_may_approve(user=actor, measurement=m, entity_id=plan.entity_id):
            raise PermissionDenied(_("Nobody may approve a value they submitted themselves."))
        before = model_snapshot(m, _AUDIT_FIELDS)
        m.status = MeasurementStatus.APPROVED
        m.reviewed_by = actor
        m.reviewed_at = timezone.now()
        m.return_comment = ""
        fields = ["status", "reviewed_by", "reviewed_at", "return_comment"]
        if not m.is_current:
            previous = (
                Measurement.objects.select_for_update()
                .order_by("pk")
                .filter(
                    _key_filter(m.indicator_id, m.unit_id, m.period_id, m.disaggregation), is_current=True
                )
                .first()
            )
            if previous is not None:
                prev_before = model_snapshot(previous, _AUDIT_FIELDS)
                previous.is_current = False
                previous.save(update_fields=["is_current"])
                _audit(
                    actor,
                    previous,
                    plan,
                    AuditAction.UPDATED,
                    prev_before,
                    message=_("Replaced by version %(version)s.") % {"version": m.version},
                )
            m.is_current = True
            fields.append("is_current")
        m.save(update_fields=fields)
        _audit(actor, m, plan, AuditAction.UPDATED, before, message=_("Approved."))
    _refresh(measurement, m)
    return measurement


def measurement_correct(*, actor: Any, measurement: Measurement, value: Any, reason: str) -> Measurement:
    """Propose a correction of an approved value: a new version with its reason, submitted for
    approval at once. The approved version stays current until the correction is approved; a
    correction still pending (submitted or returned) is updated instead of adding another."""
    plan = _plan_of(measurement.indicator)
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A correction needs its reason."), code="reason")
    indicator = measurement.indicator
    number = measurement_value_parse(value)
    measurement_value_check(indicator=indicator, value=number)
    with transaction.atomic():
        _lock_indicator(indicator)
        base = _locked(measurement)
        if not (base.is_current and base.status == MeasurementStatus.APPROVED):
            raise ValidationError(_("Only the current approved value can be corrected."), code="status")
        key = _key_filter(base.indicator_id, base.unit_id, base.period_id, base.disaggregation)
        now = timezone.now()
        pending = (
            Measurement.objects.select_for_update()
            .order_by("pk")
            .filter(key, is_current=False, version__gt=base.version)
            .exclude(status=MeasurementStatus.APPROVED)
            .first()
        )
        if pending is not None:
            before = model_snapshot(pending, _AUDIT_FIELDS)
            pending.value = number
            pending.correction_reason = reason
            pending.status = MeasurementStatus.SUBMITTED
            pending.submitted_by = actor
            pending.submitted_at = now
            pending.save(
                update_fields=["value", "correction_reason", "status", "submitted_by", "submitted_at"]
            )
            _audit(actor, pending, plan, AuditAction.UPDATED, before, message=reason)
            return pending
        top = Measurement.objects.filter(key).aggregate(v=Max("version"))["v"] or base.version
        m = Measurement.objects.create(
            indicator_id=base.indicator_id,
            unit_id=base.unit_id,
            period_id=base.period_id,
            disaggregation=base.disaggregation,
            value=number,
            notes=base.notes,
            status=MeasurementStatus.SUBMITTED,
            version=top + 1,
            is_current=False,
            correction_reason=reason,
            created_by=actor,
            submitted_by=actor,
            submitted_at=now,
        )
        _audit(
            actor,
            m,
            plan,
            AuditAction.CREATED,
            {},
            message=_("Correction of version %(version)s: %(reason)s")
            % {"version": base.version, "reason": reason},
        )
        return m


# --- evidence -----------------------------------------------------------------------------------


class EvidenceType:
    """What a file's first bytes (and, for ZIP containers, its members) say it is."""

    PDF = ("pdf", "application/pdf")
    PNG = ("png", "image/png")
    JPEG = ("jpg", "image/jpeg")
    XLSX = ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    DOCX = ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    PPTX = ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation")
    ODS = ("ods", "application/vnd.oasis.opendocument.spreadsheet")
    ODT = ("odt", "application/vnd.oasis.opendocument.text")
    CSV = ("csv", "text/csv")
    TXT = ("txt", "text/plain")


def _sniff_zip(upload: Any) -> tuple[str, str] | None:
    """The Office/OpenDocument kinds accepted as evidence (not presentations in ODF)."""
    found = office_document_type(upload)
    accepted = (EvidenceType.XLSX, EvidenceType.DOCX, EvidenceType.PPTX, EvidenceType.ODS, EvidenceType.ODT)
    return found if found in accepted else None


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut at the end of the sample
            text = sample[: exc.start].decode("utf-8-sig", errors="ignore")
        else:
            try:
                text = sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return controls <= len(text) // 100


def evidence_sniff(*, upload: Any) -> tuple[str, str]:
    """(extension, content type) from the file's content, or ValidationError when it is not one
    of the accepted kinds (PDF, PNG, JPEG, XLSX, DOCX, PPTX, ODS, ODT, CSV or plain text)."""
    upload.seek(0)
    head = upload.read(65536)
    upload.seek(0)
    found: tuple[str, str] | None = None
    if head.startswith(b"%PDF-"):
        found = EvidenceType.PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = EvidenceType.PNG
    elif head.startswith(b"\xff\xd8\xff"):
        found = EvidenceType.JPEG
    elif head.startswith(b"PK\x03\x04"):
        found = _sniff_zip(upload)
    elif head and _looks_like_text(head):
        name = (getattr(upload, "name", "") or "").lower()
        found = EvidenceType.CSV if name.endswith(".csv") else EvidenceType.TXT
    if found is None:
        raise ValidationError(
            _(
                "This file type is not accepted as evidence. Upload a PDF, an image (PNG or JPEG), an "
                "Office or OpenDocument file (XLSX, DOCX, PPTX, ODS, ODT) or a CSV or text file."
            ),
            code="file_type",
        )
    return found


def _evidence_name(upload: Any, extension: str) -> str:
    stem = PurePath(getattr(upload, "name", "") or "evidencia").stem
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._")[:100] or "evidencia"
    return f"{stem}.{extension}"


def _evidence_target(
    measurement: Measurement | None, milestone_progress: MilestoneProgress | None
) -> tuple[Plan, dict[str, Any]]:
    if (measurement is None) == (milestone_progress is None):
        raise ValueError("Evidence belongs to exactly one measurement or milestone progress.")
    if measurement is not None:
        return _plan_of(measurement.indicator), {"measurement": measurement}
    assert milestone_progress is not None
    plan = Plan.objects.select_related("entity").get(nodes__milestones__progress=milestone_progress)
    return plan, {"milestone_progress": milestone_progress}


def evidence_add_file(
    *,
    actor: Any,
    measurement: Measurement | None = None,
    upload: Any,
    milestone_progress: MilestoneProgress | None = None,
    name: str = "",
) -> Evidence:
    """Attach a file to a measurement (or a milestone's progress): its type is sniffed from the
    content, its size limited (the upload policy, rumbo/core/uploads.py), its SHA-256 kept."""
    plan, target = _evidence_target(measurement, milestone_progress)
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    size = int(getattr(upload, "size", 0) or 0)
    upload_check(upload)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="file_size")
    extension, content_type = evidence_sniff(upload=upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    filename = _evidence_name(upload, extension)
    with transaction.atomic():
        evidence = Evidence(
            kind=EvidenceKind.FILE,
            name=(name or PurePath(getattr(upload, "name", "") or filename).name)[:255],
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            **target,
        )
        evidence.file.save(filename, File(upload, name=filename), save=False)
        evidence.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=evidence,
            entity_id=plan.entity_id,
            scope=plan,
            changes={"name": [None, evidence.name], "sha256": [None, evidence.sha256], "size": [None, size]},
        )
    return evidence


def evidence_add_link(
    *,
    actor: Any,
    measurement: Measurement | None = None,
    url: str,
    name: str,
    milestone_progress: MilestoneProgress | None = None,
) -> Evidence:
    """Attach a web link (http or https only) to a measurement or a milestone's progress."""
    plan, target = _evidence_target(measurement, milestone_progress)
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            _("Enter a web address that starts with http:// or https://."), code="url"
        ) from None
    if len(url) > 1000:
        raise ValidationError(_("The link is too long: at most 1000 characters."), code="url")
    with transaction.atomic():
        evidence = Evidence.objects.create(
            kind=EvidenceKind.LINK,
            name=((name or "").strip() or url)[:255],
            url=url,
            uploaded_by=actor,
            **target,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=evidence,
            entity_id=plan.entity_id,
            scope=plan,
            changes={"name": [None, evidence.name], "url": [None, url]},
        )
    return evidence
