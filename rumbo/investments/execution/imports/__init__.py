"""Import of budget execution from CSV or XLSX, with the columns mapped by the user once and
remembered per entity, all or nothing, as a background job.

Spanish Excel files are read as they come (the reader of the measurements import): `;`, `,` or tab,
decimal commas and thousands dots ("1.234.567,50"), Windows-1252 or UTF-8 with or without BOM.
Step 1 keeps the file as a job not started yet and shows its header; the user maps each field to a
column (pre-filled from the entity's remembered mapping, then from usual column names). Step 2
runs the job: every row is checked (project by its code or national code, period, amounts,
paid ≤ committed, percentages, no duplicate or overlapping periods of a project, achieved progress
not going down without a note); any error and nothing is written; otherwise every row is written
(created or replaced, origin "import") in one transaction with one audit event.
Budget files are small (a row per project and period), so the checked rows are held in memory.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record
from rumbo.core.jobs import job_enqueue
from rumbo.core.models import Job
from rumbo.core.tabular import (
    ImportRefused,
    Opener,
    Progress,
    cell_text,
    import_job_keep,
    is_blank_row,
    job_opener,
    refused_as,
    table_open,
    upload_accept,
)
from rumbo.investments.execution.imports.checking import _Checker, _Row
from rumbo.investments.execution.imports.results import (
    JOB_KIND,
    ExecutionImportError,
    ExecutionImportResult,
    ImportHeader,
    _file_error,
    _read_header,
    execution_import_errors_message,
    execution_import_summary,
    execution_mapping_suggest,
    field_labels,
)
from rumbo.investments.execution.services import (
    MAPPING_FIELDS,
    execution_mapping_set,
)
from rumbo.investments.models import ExecutionOrigin, ExecutionRecord

__all__ = [
    "JOB_KIND",
    "ExecutionImportError",
    "ExecutionImportResult",
    "ImportHeader",
    "execution_import",
    "execution_import_confirm",
    "execution_import_errors_message",
    "execution_import_header",
    "execution_import_job_entity",
    "execution_import_run_job",
    "execution_import_summary",
    "execution_import_upload",
    "execution_mapping_suggest",
    "field_labels",
]

# --- the job ----------------------------------------------------------------------------------------


def execution_import_upload(*, actor: Any, entity: Entity, uploaded_file: UploadedFile[Any]) -> Job:
    """Keep an uploaded budget-execution file as a job not started yet, until its columns are mapped."""
    require(actor, entity.pk, Capability.REPORT_DATA)
    try:
        upload_accept(uploaded_file)
    except ImportRefused as exc:
        raise ValidationError({"file": [e.message for e in exc.errors]}) from exc
    with transaction.atomic():
        return import_job_keep(
            kind=JOB_KIND,
            title=lambda name: _("Import of budget execution from %(file)s") % {"file": name},
            actor=actor,
            entity_id=entity.pk,
            uploaded_file=uploaded_file,
            default_name="ejecucion.csv",
            params={
                "entity_id": entity.pk,
                "confirmed": False,
                "return_url": reverse("investments:execution_import", kwargs={"entity_id": entity.pk}),
            },
        )


def execution_import_job_entity(*, actor: Any, job: Job) -> Entity:
    """The entity of an execution import job the actor started and may still report data for."""
    if job.kind != JOB_KIND or job.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied
    entity = Entity.objects.filter(pk=job.params.get("entity_id")).first()
    if entity is None:
        raise PermissionDenied
    require(actor, entity.pk, Capability.REPORT_DATA)
    return entity


def execution_import_header(*, actor: Any, job: Job) -> ImportHeader:
    """The uploaded file's columns, a few rows and the suggested mapping (raises ExecutionImportError)."""
    entity = execution_import_job_entity(actor=actor, job=job)
    info, headers, sample = _read_header(job_opener(job), str(job.params["filename"]), job.input_file.size)
    return ImportHeader(
        info=info,
        headers=headers,
        sample=sample,
        suggested=execution_mapping_suggest(entity=entity, headers=headers),
    )


def execution_import_confirm(*, actor: Any, job: Job, mapping: dict[str, str]) -> Job:
    """Remember the mapping for the entity and start the import (queued when the transaction commits)."""

    entity = execution_import_job_entity(actor=actor, job=job)
    headers = execution_import_header(actor=actor, job=job).headers
    missing = [h for h in mapping.values() if h and h not in headers]
    if missing:
        raise ValidationError(_("The file has no column %(column)s.") % {"column": missing[0]})
    with transaction.atomic():
        stored = execution_mapping_set(actor=actor, entity=entity, mapping=mapping)
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.params.get("confirmed"):
            return locked
        locked.params = {**locked.params, "confirmed": True, "mapping": stored.mapping}
        locked.save(update_fields=["params"])
        job_id = locked.pk
        job_enqueue("rumbo.investments.execution.tasks.execution_import_task", job_id)
    return locked


def execution_import_run_job(*, job: Job, progress: Progress | None = None) -> ExecutionImportResult:
    """Run a confirmed import job (called by the task); raises ExecutionImportError."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=job.params.get("actor_id")).first()
    entity = execution_import_job_entity(actor=actor, job=job)
    return execution_import(
        actor=actor,
        entity=entity,
        opener=job_opener(job),
        filename=str(job.params.get("filename") or "ejecucion"),
        size=job.input_file.size,
        mapping=dict(job.params.get("mapping") or {}),
        progress=progress,
    )


def execution_import(
    *,
    actor: Any,
    entity: Entity,
    opener: Opener,
    filename: str,
    size: int,
    mapping: dict[str, str],
    progress: Progress | None = None,
) -> ExecutionImportResult:
    """Check every row of the file, then write them all in one transaction, or nothing.
    `mapping` is field → column header; raises ExecutionImportError with the row errors."""
    require(actor, entity.pk, Capability.REPORT_DATA)
    info, headers, _sample = _read_header(opener, filename, size)
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    for name, header in mapping.items():
        if name in MAPPING_FIELDS and header:
            if header not in headers:
                raise _file_error(_("The file has no column %(column)s.") % {"column": header})
            positions[name] = headers.index(header)
            written[name] = header
    checker = _Checker(entity=entity, positions=positions, headers=written)
    checker.load()
    rows: list[_Row] = []
    read = 0
    with refused_as(ExecutionImportError), table_open(opener, info) as table:
        rows_read = table.rows()
        next(rows_read, None)
        for number, raw in rows_read:
            if is_blank_row(raw):
                continue
            cells = [cell_text(c, month_dates=True) for c in raw]
            read += 1
            checked = checker.check(number, cells)
            if checked is not None:
                rows.append(checked)
            if progress and read % 200 == 0:
                progress("check", read, max(info.estimated_rows, read))
    checker.check_series(rows)
    if checker.total:
        checker.errors.sort(key=lambda e: e.row)
        raise ExecutionImportError(checker.errors, checker.total)
    if read == 0:
        raise _file_error(_("The file has column names but no rows to import."))
    if progress:
        progress("write", 0, read)
    created = replaced = 0
    with transaction.atomic():
        existing = {
            (r.project_id, r.period): r
            for r in ExecutionRecord.objects.select_for_update().filter(
                project_id__in={r.project_id for r in rows}, period__in={r.period for r in rows}
            )
        }
        new: list[ExecutionRecord] = []
        changed: list[ExecutionRecord] = []
        for r in rows:
            record = existing.get((r.project_id, r.period))
            if record is None:
                record = ExecutionRecord(project_id=r.project_id, period=r.period)
                new.append(record)
            else:
                changed.append(record)
            record.period_end = r.end
            record.programmed, record.committed, record.paid = r.programmed, r.committed, r.paid
            record.physical_planned, record.physical_actual = r.physical_planned, r.physical_actual
            record.note = r.note
            record.origin = ExecutionOrigin.IMPORT
            record.recorded_by = actor
        ExecutionRecord.objects.bulk_create(new)
        ExecutionRecord.objects.bulk_update(
            changed,
            [
                "period_end",
                "programmed",
                "committed",
                "paid",
                "physical_planned",
                "physical_actual",
                "note",
                "origin",
                "recorded_by",
            ],
        )
        created, replaced = len(new), len(changed)
        result = ExecutionImportResult(
            rows=read,
            created=created,
            replaced=replaced,
            over_committed=sum(1 for r in rows if r.committed > r.programmed),
            filename=filename,
        )
        audit_record(
            actor=actor,
            action=AuditAction.IMPORTED,
            target=entity,
            entity_id=entity.pk,
            message=" ".join(execution_import_summary(result)),
            changes={"rows": read, "created": created, "replaced": replaced, "file": filename},
        )
    return result
