"""Import of budget execution from CSV or XLSX, with the columns mapped by the user once and
remembered per entity, all or nothing, as a background job (the flow of rumbo.core.tabular.flow).

Spanish Excel files are read as they come (rumbo.core.tabular): `;`, `,` or tab, decimal commas
and thousands dots ("1.234.567,50"), Windows-1252 or UTF-8 with or without BOM. Step 1 keeps the
file as a job not started yet; the preview shows its columns with the mapping of each field
(pre-filled from the entity's remembered mapping, then from usual column names). Step 2 runs the
job: every row is checked (project by its code or national code, period, amounts,
paid ≤ committed, percentages, no duplicate or overlapping periods of a project, achieved progress
not going down without a note); any error and nothing is written; otherwise every row is written
(created or replaced, origin "import") in one transaction with one audit event.
Budget files are small (a row per project and period), so the checked rows are held in memory.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.models import Job
from rumbo.core.tabular import (
    ImportPreview,
    ImportRefused,
    Opener,
    Progress,
    cell_text,
    header_read,
    import_audit,
    import_job_confirm,
    import_job_keep,
    import_job_target,
    is_blank_row,
    job_opener,
    job_table_preview,
    mapping_remembered,
    refused_as,
    table_detect,
    table_open,
    upload_accept,
)
from rumbo.core.tabular.flow import header_texts, mapping_suggest
from rumbo.investments.execution.imports.checking import _Checker, _Row
from rumbo.investments.execution.imports.results import (
    COLUMNS,
    JOB_KIND,
    ExecutionImportError,
    ExecutionImportResult,
    execution_import_summary,
)
from rumbo.investments.models import ExecutionOrigin, ExecutionRecord

__all__ = [
    "COLUMNS",
    "JOB_KIND",
    "ExecutionImportError",
    "ExecutionImportResult",
    "execution_import",
    "execution_import_confirm",
    "execution_import_job_entity",
    "execution_import_job_preview",
    "execution_import_run_job",
    "execution_import_summary",
    "execution_import_upload",
]

# --- the job ----------------------------------------------------------------------------------------


def execution_import_upload(*, actor: Any, entity: Entity, uploaded_file: UploadedFile[Any]) -> Job:
    """Keep an uploaded budget-execution file as a job not started yet, until its columns are mapped."""
    require(actor, entity.pk, Capability.REPORT_DATA)
    try:
        upload_accept(uploaded_file)
    except ImportRefused as exc:
        raise ValidationError({"file": [e.message for e in exc.errors]}) from exc
    return import_job_keep(
        kind=JOB_KIND,
        actor=actor,
        target=entity,
        uploaded_file=uploaded_file,
        title=lambda name: _("Import of budget execution from %(file)s") % {"file": name},
        return_url=reverse("investments:execution_import", kwargs={"entity_id": entity.pk}),
        default_name="ejecucion.csv",
    )


def execution_import_job_entity(*, actor: Any, job: Job) -> Entity:
    """The entity of an execution import job the actor started and may still report data for."""
    entity: Entity = import_job_target(
        actor=actor, job=job, kind=JOB_KIND, queryset=Entity.objects, param="entity_id"
    )
    require(actor, entity.pk, Capability.REPORT_DATA)
    return entity


def execution_import_job_preview(
    *, actor: Any, job: Job, mapping: dict[str, str] | None = None
) -> ImportPreview:
    """The uploaded file's settings, the mapping of each field (`mapping`, or the suggested one)
    and its first rows (raises ExecutionImportError)."""
    execution_import_job_entity(actor=actor, job=job)
    return job_table_preview(job, columns=COLUMNS, error_class=ExecutionImportError, chosen=mapping)


def execution_import_confirm(*, actor: Any, job: Job, mapping: dict[str, str] | None = None) -> Job:
    """Remember the mapping for the entity and start the import (queued when the transaction
    commits); without `mapping`, the suggested one (the entity's last, then the usual names)."""
    execution_import_job_entity(actor=actor, job=job)
    if mapping is None or not job.params.get("headers"):
        preview = execution_import_job_preview(actor=actor, job=job)
        mapping = preview.mapping if mapping is None else mapping
        job.params = {**job.params, "headers": preview.headers}
    return import_job_confirm(
        actor=actor,
        job=job,
        task="rumbo.investments.execution.tasks.execution_import_task",
        columns=COLUMNS,
        mapping=mapping,
    )


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
        mapping=job.params.get("mapping"),
        progress=progress,
    )


def execution_import(
    *,
    actor: Any,
    entity: Entity,
    opener: Opener,
    filename: str,
    size: int,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> ExecutionImportResult:
    """Check every row of the file, then write them all in one transaction, or nothing.
    `mapping` is field → column header (without it: the entity's last mapping, then the usual
    names); raises ExecutionImportError with the row errors."""
    require(actor, entity.pk, Capability.REPORT_DATA)
    rows: list[_Row] = []
    read = 0
    with refused_as(ExecutionImportError):
        info = table_detect(opener, filename, size)
    with refused_as(ExecutionImportError), table_open(opener, info) as table:
        rows_read = table.rows()
        first = next(rows_read, None)
        if first is None:
            raise ExecutionImportError.file(_("The file is empty."))
        if mapping is None:
            remembered = mapping_remembered(entity_id=entity.pk, kind=JOB_KIND)
            mapping, _memory = mapping_suggest(COLUMNS, header_texts(first[1]), remembered)
        found = header_read(COLUMNS, first[1], mapping)
        if found.errors:
            raise ExecutionImportError(found.errors)
        checker = _Checker(entity=entity, positions=found.positions, headers=found.written)
        checker.load()
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
    if checker.problems:
        raise checker.problems.refusal(ExecutionImportError)
    if read == 0:
        raise ExecutionImportError.file(_("The file has column names but no rows to import."))
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
        import_audit(
            actor=actor,
            target=entity,
            message=" ".join(execution_import_summary(result)),
            changes={"rows": read, "created": created, "replaced": replaced, "file": filename},
        )
    return result
