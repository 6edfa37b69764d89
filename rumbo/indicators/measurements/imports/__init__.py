"""Bulk import of measurements from CSV or XLSX, streamed, all or nothing.

Columns (Spanish names, English aliases): indicador, periodo, unidad (optional), desagregacion
(optional), valor, nota (optional). Spanish Excel files are read as they come: `;` (or `,` or
tab) as delimiter, decimal commas and thousands separators ("1.234,5" and "1,234.5"),
Windows-1252 or UTF-8 with or without BOM.

Two passes over the file, never holding it in memory:
1. *Check* (outside any transaction, with progress on the job): every row is read in chunks
   of CHUNK_ROWS and checked against lookups loaded once (the plan's indicators, the units of
   its territory, periods) and against the values already in the database; duplicate keys in
   the file are found through a set of 64-bit key hashes. Errors are collected (the first
   MAX_ERRORS_KEPT kept, the rest counted). Any error: nothing is written.
2. *Write* (one transaction): the file is read again and written chunk by chunk — COPY on
   PostgreSQL, executemany on SQLite. Values already approved or waiting for approval are
   checked again under the transaction, so a change between the passes refuses the import.
   A worker killed mid-way leaves nothing: the transaction never commits.

Imported values arrive *submitted* (they go to the approval queue, submitted by the importer)
and carry the job's id in `import_job_id`. A current draft or returned value of the same key is
replaced in place (with an audit event per replaced value); approved and submitted values
cannot be overwritten by an import (row error). New values get one "imported" event on the plan
with the counts, not one event each.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record
from rumbo.core.jobs import job_enqueue
from rumbo.core.models import Job
from rumbo.core.tabular import (
    Opener,
    Progress,
    import_job_keep,
    job_opener,
    refused_as,
    upload_accept,
)
from rumbo.indicators.measurements.imports.checking import _Checker, _chunks, _open_table
from rumbo.indicators.measurements.imports.results import (
    CHUNK_ROWS,
    COLUMNS,
    JOB_KIND,
    MAX_ERRORS_KEPT,
    PREVIEW_ROWS,
    ImportPreview,
    ImportResult,
    MeasurementImportError,
    _file_error,
    measurement_import_errors_message,
    measurement_import_summary,
    table_file_detect,
    table_records,
)
from rumbo.indicators.measurements.imports.writing import _Writer
from rumbo.indicators.models import (
    Indicator,
    Measurement,
)
from rumbo.indicators.periods import period_get_or_create
from rumbo.plans.models import Plan

__all__ = [
    "COLUMNS",
    "JOB_KIND",
    "MAX_ERRORS_KEPT",
    "ImportPreview",
    "ImportResult",
    "MeasurementImportError",
    "measurement_import",
    "measurement_import_confirm",
    "measurement_import_errors_message",
    "measurement_import_job_preview",
    "measurement_import_preview",
    "measurement_import_run_job",
    "measurement_import_start",
    "measurement_import_summary",
    "measurement_import_upload",
]

# --- the import ---------------------------------------------------------------------------


def measurement_import_preview(
    *, actor: Any, plan: Plan, opener: Opener, filename: str, size: int
) -> ImportPreview:
    """What the import would read: format, encoding, delimiter, columns and the first rows
    with their problems (the whole file is checked only by the import itself)."""
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    info = table_file_detect(opener, filename, size)
    with table_records(opener, info) as records:
        header = next(records, None)
        if header is None:
            raise _file_error(_("The file is empty."))
        found = COLUMNS.match(header)
        positions, written, ignored, errors = found.positions, found.written, found.ignored, found.errors
        checker = _Checker(plan=plan, positions=positions, headers=written)
        rows: list[dict[str, Any]] = []
        if not errors:
            checker.load(dedupe=True)
            for number, cells in enumerate(records, start=2):
                if len(rows) >= PREVIEW_ROWS:
                    break
                if not any(str(c).strip() for c in cells):
                    continue
                before = len(checker.errors)
                checked = checker.check(number, cells)
                if checked is not None:
                    checker.refuse_locked([checked])
                values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in positions.items()}
                rows.append(
                    {"row": number, "values": values, "errors": [e.message for e in checker.errors[before:]]}
                )
    return ImportPreview(info=info, headers=written, ignored_columns=ignored, rows=rows, errors=errors)


def measurement_import(
    *,
    actor: Any,
    plan: Plan,
    opener: Opener,
    filename: str,
    size: int,
    job_id: int | None = None,
    progress: Progress | None = None,
    on_chunk_written: Callable[[int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportResult:
    """Check the whole file, then write it in one transaction: every row or none.

    Raises MeasurementImportError with the row errors (the first MAX_ERRORS_KEPT, and the
    total). `opener` returns a new binary file object each time it is called (the file is read
    twice, never whole). `on_chunk_written` is called inside the transaction after each chunk.
    """
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    info = table_file_detect(opener, filename, size)
    found = _open_table(opener, info)
    if found.errors:
        raise MeasurementImportError(found.errors)
    checker = _Checker(plan=plan, positions=found.positions, headers=found.written)
    checker.load(dedupe=True)

    # Pass 1: check everything, outside any transaction (progress is visible to the job page).
    total = info.estimated_rows
    rows = 0
    period_codes: set[str] = set()
    with table_records(opener, info) as records:
        next(records, None)
        for read, chunk in _chunks(checker, records, chunk_rows):
            rows = read
            checker.refuse_locked(chunk)
            period_codes.update(r[3] for r in chunk)
            if progress:
                progress("check", read, max(total, read))
    checker.seen = None  # the file's keys are unique: free the set before writing
    if checker.error_total:
        raise MeasurementImportError(checker.errors, checker.error_total)
    if rows == 0:
        raise _file_error(_("The file has column names but no rows to import."))
    if progress:
        progress("write", 0, rows)

    # Pass 2: write, in one transaction.
    writer = _Writer(actor=actor, job_id=job_id)
    with transaction.atomic():
        list(Indicator.objects.select_for_update().filter(plan=plan).order_by("pk").values_list("pk"))
        for code in sorted(period_codes - set(checker.period_ids)):
            period = period_get_or_create(code)
            checker.period_ids[code] = period.pk
            checker.period_codes[period.pk] = code
        checker.has_existing = Measurement.objects.filter(indicator__plan=plan, is_current=True).exists()
        written_rows = 0
        with table_records(opener, info) as records:
            next(records, None)
            for _read, chunk in _chunks(checker, records, chunk_rows):
                existing = checker.refuse_locked(chunk)
                if checker.error_total:  # changed since the check: refuse, roll back
                    raise MeasurementImportError(checker.errors, checker.error_total)
                writer.write(chunk, existing, checker.period_ids, plan)
                written_rows += len(chunk)
                if on_chunk_written:
                    on_chunk_written(written_rows)
        result = ImportResult(rows=rows, created=writer.created, replaced=writer.replaced, filename=filename)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORTED,
            target=plan,
            entity_id=plan.entity_id,
            scope=plan,
            message=measurement_import_summary(result),
            changes={
                "rows": rows,
                "created": writer.created,
                "replaced": writer.replaced,
                "file": filename,
                "job": job_id,
            },
        )
    return result


# --- as a background job ----------------------------------------------------------------------


def measurement_import_upload(*, actor: Any, plan: Plan, uploaded_file: UploadedFile[Any]) -> Job:
    """Keep an uploaded file for preview as a job that is not started yet (params.confirmed false)."""
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    size = uploaded_file.size or 0
    with refused_as(MeasurementImportError):
        upload_accept(uploaded_file)
    with transaction.atomic():
        return import_job_keep(
            kind=JOB_KIND,
            title=lambda name: (
                _("Import of measurements from %(file)s into %(plan)s") % {"file": name, "plan": plan.name}
            ),
            actor=actor,
            entity_id=plan.entity_id,
            uploaded_file=uploaded_file,
            default_name="mediciones.csv",
            params={
                "plan_id": plan.pk,
                "size": size,
                "confirmed": False,
                "return_url": reverse("indicators:measurement_list", kwargs={"plan_id": plan.pk}),
            },
        )


def measurement_import_job_preview(*, actor: Any, job: Job) -> ImportPreview:
    """The preview of an uploaded, not yet confirmed import."""
    plan = _job_plan(actor, job)
    return measurement_import_preview(
        actor=actor,
        plan=plan,
        opener=job_opener(job),
        filename=job.params["filename"],
        size=job.input_file.size,
    )


def _job_plan(actor: Any, job: Job) -> Plan:
    if job.kind != JOB_KIND or job.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied
    plan = Plan.objects.select_related("entity").filter(pk=job.params.get("plan_id")).first()
    if plan is None:
        raise PermissionDenied
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    return plan


def measurement_import_confirm(*, actor: Any, job: Job) -> Job:
    """Start an uploaded import: the task is queued when the transaction commits."""

    _job_plan(actor, job)
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.params.get("confirmed"):
            return locked
        locked.params = {**locked.params, "confirmed": True}
        locked.save(update_fields=["params"])
        job_id = locked.pk
        job_enqueue("rumbo.indicators.measurements.tasks.measurement_import_task", job_id)
    return locked


def measurement_import_start(*, actor: Any, plan: Plan, uploaded_file: UploadedFile[Any]) -> Job:
    """Upload and start at once (no preview), e.g. from the API."""
    job = measurement_import_upload(actor=actor, plan=plan, uploaded_file=uploaded_file)
    return measurement_import_confirm(actor=actor, job=job)


def measurement_import_run_job(*, job: Job, progress: Progress | None = None) -> ImportResult:
    """Run a confirmed import job (called by the task); raises MeasurementImportError."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=job.params.get("actor_id")).first()
    plan = _job_plan(actor, job)
    started = time.monotonic()
    result = measurement_import(
        actor=actor,
        plan=plan,
        opener=job_opener(job),
        filename=str(job.params.get("filename") or "mediciones"),
        size=job.input_file.size,
        job_id=job.pk,
        progress=progress,
    )
    job.params["seconds"] = round(time.monotonic() - started, 2)
    return result
