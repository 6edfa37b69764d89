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

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, require
from rumbo.core.models import Job
from rumbo.core.tabular import (
    HeaderMap,
    ImportPreview,
    Opener,
    Progress,
    import_audit,
    import_job_confirm,
    import_job_keep,
    import_job_target,
    job_opener,
    job_table_preview,
    mapping_remembered,
    refused_as,
    table_preview,
    upload_accept,
)
from rumbo.indicators.measurements.imports.checking import _Checker, _chunks, _open_table
from rumbo.indicators.measurements.imports.results import (
    CHUNK_ROWS,
    COLUMNS,
    JOB_KIND,
    MAX_ERRORS_KEPT,
    SHEETS,
    ImportResult,
    MeasurementImportError,
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
    "measurement_import_job_preview",
    "measurement_import_preview",
    "measurement_import_run_job",
    "measurement_import_start",
    "measurement_import_summary",
    "measurement_import_upload",
]

# --- the import ---------------------------------------------------------------------------


def _row_problems(plan: Plan) -> Callable[[HeaderMap], Callable[[int, list[str]], list[str]]]:
    """For the preview: the problems each shown row would have, checked as the import checks it."""

    def factory(found: HeaderMap) -> Callable[[int, list[str]], list[str]]:
        checker = _Checker(plan=plan, positions=found.positions, headers=found.written)
        checker.load(dedupe=True)

        def problems(number: int, cells: list[str]) -> list[str]:
            shown = len(checker.errors)
            checked = checker.check(number, [c.strip() for c in cells])
            if checked is not None:
                checker.refuse_locked([checked])
            return [e.message for e in checker.errors[shown:]]

        return problems

    return factory


def measurement_import_preview(
    *,
    actor: Any,
    plan: Plan,
    opener: Opener,
    filename: str,
    size: int,
    mapping: dict[str, str] | None = None,
) -> ImportPreview:
    """What the import would read: format, encoding, delimiter, the column mapping (`mapping`, or
    the one suggested from the entity's last file and the usual names) and the first rows with
    their problems (the whole file is checked only by the import itself)."""
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    info = table_file_detect(opener, filename, size)
    with refused_as(MeasurementImportError):
        return table_preview(
            opener=opener,
            info=info,
            columns=COLUMNS,
            remembered=mapping_remembered(entity_id=plan.entity_id, kind=JOB_KIND),
            chosen=mapping,
            sheets=SHEETS,
            row_problems=_row_problems(plan),
        )


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
    mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Check the whole file, then write it in one transaction: every row or none.

    Raises MeasurementImportError with the row errors (the first MAX_ERRORS_KEPT, and the
    total). `opener` returns a new binary file object each time it is called (the file is read
    twice, never whole). `on_chunk_written` is called inside the transaction after each chunk.
    `mapping` (column → header) is the person's choice of columns; without it, row 1 is read by
    the columns' names.
    """
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    info = table_file_detect(opener, filename, size)
    found = _open_table(opener, info, mapping)
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
        raise MeasurementImportError.file(_("The file has column names but no rows to import."))
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
        import_audit(
            actor=actor,
            target=plan,
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
    with refused_as(MeasurementImportError):
        upload_accept(uploaded_file)
    return import_job_keep(
        kind=JOB_KIND,
        actor=actor,
        target=plan,
        uploaded_file=uploaded_file,
        title=lambda name: (
            _("Import of measurements from %(file)s into %(plan)s") % {"file": name, "plan": plan.name}
        ),
        return_url=reverse("indicators:measurement_list", kwargs={"plan_id": plan.pk}),
        default_name="mediciones.csv",
    )


def measurement_import_job_preview(
    *, actor: Any, job: Job, mapping: dict[str, str] | None = None
) -> ImportPreview:
    """The preview of an uploaded, not yet confirmed import."""
    plan = _job_plan(actor, job)
    return job_table_preview(
        job,
        columns=COLUMNS,
        error_class=MeasurementImportError,
        chosen=mapping,
        sheets=SHEETS,
        row_problems=_row_problems(plan),
    )


def _job_plan(actor: Any, job: Job) -> Plan:
    plan: Plan = import_job_target(
        actor=actor, job=job, kind=JOB_KIND, queryset=Plan.objects, param="plan_id"
    )
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    return plan


def measurement_import_confirm(*, actor: Any, job: Job, mapping: dict[str, str] | None = None) -> Job:
    """Start an uploaded import with the person's column mapping (remembered for the entity);
    the task is queued when the transaction commits."""
    _job_plan(actor, job)
    return import_job_confirm(
        actor=actor,
        job=job,
        task="rumbo.indicators.measurements.tasks.measurement_import_task",
        columns=COLUMNS,
        mapping=mapping,
    )


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
        mapping=job.params.get("mapping"),
    )
    job.params["seconds"] = round(time.monotonic() - started, 2)
    return result
