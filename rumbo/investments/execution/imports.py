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

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record
from rumbo.core.jobs import job_enqueue
from rumbo.core.models import Job
from rumbo.core.tabular import (
    FileInfo,
    ImportRefused,
    Opener,
    Progress,
    RowError,
    cell_text,
    fold_header,
    import_job_keep,
    is_blank_row,
    job_opener,
    refused_as,
    table_detect,
    table_open,
    upload_accept,
)
from rumbo.indicators.periods import PeriodCodeError, period_bounds
from rumbo.investments.execution.services import (
    MAPPING_FIELDS,
    SeriesPoint,
    execution_mapping_set,
    execution_series_problems,
    percent_parse,
)
from rumbo.investments.models import ExecutionColumnMapping, ExecutionOrigin, ExecutionRecord, Project
from rumbo.investments.services import parse_amount

JOB_KIND = "execution_import"
MAX_ERRORS_KEPT = 500
SAMPLE_ROWS = 5

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "project_code": (
        "codigo",
        "codigo_proyecto",
        "cod_proyecto",
        "proyecto",
        "cui",
        "codigo_unico",
        "codigo_unico_de_inversiones",
        "bpin",
        "codigo_bpin",
        "clave",
        "clave_programa",
        "project_code",
    ),
    "period": ("periodo", "period", "trimestre", "mes", "ano", "anio"),
    "programmed": ("programado", "pim", "presupuesto", "apropiacion", "apropiacion_definitiva", "programmed"),
    "committed": ("comprometido", "compromiso", "compromisos", "committed"),
    "paid": ("pagado", "pagos", "pago", "girado", "paid"),
    "physical_actual": (
        "avance_fisico",
        "avance_fisico_real",
        "avance_fisico_ejecutado",
        "avance_fisico_logrado",
        "physical_actual",
    ),
    "physical_planned": (
        "avance_fisico_programado",
        "avance_fisico_planificado",
        "avance_fisico_previsto",
        "physical_planned",
    ),
    "note": ("nota", "notas", "observacion", "observaciones", "note"),
}


def field_labels() -> dict[str, str]:
    """The fields a column can be mapped to, in the user's language."""
    return {
        "project_code": _("Project code (internal or national)"),
        "period": _("Period"),
        "programmed": _("Programmed"),
        "committed": _("Committed"),
        "paid": _("Paid"),
        "physical_actual": _("Physical progress achieved (%)"),
        "physical_planned": _("Physical progress planned (%)"),
        "note": _("Note"),
    }


class ExecutionImportError(ImportRefused):
    """The budget-execution file cannot be imported (`errors`, the first problems; `total`, all)."""


@dataclass(frozen=True, slots=True)
class ImportHeader:
    info: FileInfo
    headers: list[str]
    sample: list[list[str]]
    suggested: dict[str, str]  # field → header


@dataclass(slots=True)
class ExecutionImportResult:
    rows: int
    created: int
    replaced: int
    over_committed: int
    filename: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "replaced": self.replaced,
            "over_committed": self.over_committed,
            "filename": self.filename,
            "lines": execution_import_summary(self),
        }


def _file_error(message: str) -> ExecutionImportError:
    return ExecutionImportError([RowError(row=0, column=None, message=message)])


def _text(cells: list[Any]) -> list[str]:
    return [cell_text(c, month_dates=True).strip() for c in cells]


def _read_header(opener: Opener, filename: str, size: int) -> tuple[FileInfo, list[str], list[list[str]]]:
    with refused_as(ExecutionImportError):
        info = table_detect(opener, filename, size)
        with table_open(opener, info) as table:
            rows = table.rows()
            header = next(rows, None)
            sample: list[list[str]] = []
            for _number, cells in rows:
                if len(sample) >= SAMPLE_ROWS:
                    break
                if not is_blank_row(cells):
                    sample.append(_text(cells))
    if header is None:
        raise _file_error(_("The file is empty."))
    headers = [h.lstrip("\ufeff") for h in _text(header[1])]
    return info, headers, sample


def execution_mapping_suggest(*, entity: Entity, headers: list[str]) -> dict[str, str]:
    """field → header: the entity's remembered mapping where its columns are in this file, then the
    usual column names for the fields still unmapped."""
    present = [h for h in headers if h]
    by_fold = {fold_header(h): h for h in present}
    stored = ExecutionColumnMapping.objects.filter(entity=entity).values_list("mapping", flat=True).first()
    suggested: dict[str, str] = {}
    for name, header in (stored or {}).items():
        if name in MAPPING_FIELDS and header in present:
            suggested[name] = header
        elif name in MAPPING_FIELDS and fold_header(header) in by_fold:
            suggested[name] = by_fold[fold_header(header)]
    used = set(suggested.values())
    for name in MAPPING_FIELDS:
        if name in suggested:
            continue
        for alias in FIELD_ALIASES[name]:
            header = by_fold.get(alias)
            if header is not None and header not in used:
                suggested[name] = header
                used.add(header)
                break
    return suggested


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


# --- checking and writing -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    number: int
    project_id: int
    period: str
    start: Any
    end: Any
    programmed: Decimal
    committed: Decimal
    paid: Decimal
    physical_planned: Decimal | None
    physical_actual: Decimal | None
    note: str


@dataclass
class _Checker:
    entity: Entity
    positions: dict[str, int]
    headers: dict[str, str]  # field → header as written
    errors: list[RowError] = field(default_factory=list)
    total: int = 0
    codes: dict[str, int] = field(default_factory=dict)
    national: dict[str, list[int]] = field(default_factory=dict)
    seen: dict[tuple[int, str], int] = field(default_factory=dict)

    def load(self) -> None:
        for pk, code, national in Project.objects.filter(entity=self.entity).values_list(
            "pk", "code", "national_code"
        ):
            self.codes[code.strip().casefold()] = pk
            if national.strip():
                self.national.setdefault(national.strip().casefold(), []).append(pk)

    def error(self, row: int, name: str | None, message: str) -> None:
        self.total += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, self.headers.get(name or "", name), message))

    def check(self, number: int, cells: list[str]) -> _Row | None:
        def cell(name: str) -> str:
            i = self.positions.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        bad = False
        code = cell("project_code")
        project_id: int | None = None
        if not code:
            bad = True
            self.error(
                number, "project_code", _("Row %(row)s: the project code is missing.") % {"row": number}
            )
        else:
            project_id = self.codes.get(code.casefold())
            if project_id is None:
                matches = self.national.get(code.casefold(), [])
                if len(matches) == 1:
                    project_id = matches[0]
                elif len(matches) > 1:
                    bad = True
                    self.error(
                        number,
                        "project_code",
                        _(
                            "Row %(row)s: several projects have the national code %(code)s; use the internal code."
                        )
                        % {"row": number, "code": code[:60]},
                    )
                else:
                    bad = True
                    self.error(
                        number,
                        "project_code",
                        _("Row %(row)s: there is no project of the entity with the code %(code)s.")
                        % {"row": number, "code": code[:60]},
                    )
        period = start = end = None
        try:
            period, _kind, start, end = period_bounds(cell("period"))
        except PeriodCodeError as exc:
            bad = True
            self.error(number, "period", _("Row %(row)s: %(problem)s") % {"row": number, "problem": str(exc)})
        amounts: dict[str, Decimal] = {}
        for name in ("programmed", "committed", "paid"):
            text = cell(name)
            try:
                amounts[name] = parse_amount(text or "0", field=name)
            except ValidationError as exc:
                bad = True
                self.error(
                    number,
                    name,
                    _("Row %(row)s, %(column)s: %(problem)s")
                    % {"row": number, "column": self.headers.get(name, name), "problem": exc.messages[0]},
                )
        percents: dict[str, Decimal | None] = {}
        for name in ("physical_planned", "physical_actual"):
            try:
                percents[name] = percent_parse(cell(name), field=name)
            except ValidationError as exc:
                bad = True
                self.error(
                    number,
                    name,
                    _("Row %(row)s, %(column)s: %(problem)s")
                    % {"row": number, "column": self.headers.get(name, name), "problem": exc.messages[0]},
                )
        if "paid" in amounts and "committed" in amounts and amounts["paid"] > amounts["committed"]:
            bad = True
            self.error(
                number,
                "paid",
                _("Row %(row)s: the amount paid (%(paid)s) exceeds the amount committed (%(committed)s).")
                % {"row": number, "paid": amounts["paid"], "committed": amounts["committed"]},
            )
        if project_id is not None and period is not None:
            earlier = self.seen.get((project_id, period))
            if earlier is not None:
                bad = True
                self.error(
                    number,
                    "project_code",
                    _("Row %(row)s: the same project and period already appear in row %(earlier)s.")
                    % {"row": number, "earlier": earlier},
                )
            else:
                self.seen[(project_id, period)] = number
        if bad or project_id is None or period is None:
            return None
        return _Row(
            number,
            project_id,
            period,
            start,
            end,
            amounts["programmed"],
            amounts["committed"],
            amounts["paid"],
            percents["physical_planned"],
            percents["physical_actual"],
            cell("note")[:5000],
        )

    def check_series(self, rows: list[_Row]) -> None:
        """Overlapping periods and achieved progress going down, against what is stored too."""
        by_project: dict[int, list[_Row]] = {}
        for r in rows:
            by_project.setdefault(r.project_id, []).append(r)
        stored: dict[int, list[SeriesPoint]] = {}
        for project_id, period, actual, note in ExecutionRecord.objects.filter(
            project_id__in=list(by_project)
        ).values_list("project_id", "period", "physical_actual", "note"):
            _code, _kind, start, end = period_bounds(period)
            stored.setdefault(project_id, []).append(SeriesPoint(period, start, end, actual, note))
        for project_id, file_rows in by_project.items():
            in_file = {r.period: r for r in file_rows}
            points = [p for p in stored.get(project_id, []) if p.period not in in_file]
            points += [SeriesPoint(r.period, r.start, r.end, r.physical_actual, r.note) for r in file_rows]
            for problem in execution_series_problems(points=points):
                row = in_file.get(problem.period) or in_file.get(problem.other)
                if row is not None:
                    self.error(
                        row.number,
                        "period" if problem.kind == "overlap" else "physical_actual",
                        _("Row %(row)s: %(problem)s") % {"row": row.number, "problem": problem.message},
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


def execution_import_summary(result: ExecutionImportResult) -> list[str]:
    """What the import did, in sentences for the user and the entity's history."""
    lines = [
        _("Imported %(file)s: %(rows)s rows, %(created)s new records and %(replaced)s replaced.")
        % {
            "file": result.filename,
            "rows": result.rows,
            "created": result.created,
            "replaced": result.replaced,
        }
    ]
    if result.over_committed:
        lines.append(
            ngettext(
                "Warning: in %(count)s row the amount committed is above the amount programmed.",
                "Warning: in %(count)s rows the amount committed is above the amount programmed.",
                result.over_committed,
            )
            % {"count": result.over_committed}
        )
    return lines


def execution_import_errors_message(exc: ExecutionImportError) -> str:
    """The summary of a refused import."""
    message = ngettext(
        "The file has %(count)s error; nothing was imported.",
        "The file has %(count)s errors; nothing was imported.",
        exc.total,
    ) % {"count": exc.total}
    if exc.total > len(exc.errors):
        message += " " + _("The first %(shown)s are listed.") % {"shown": len(exc.errors)}
    return message
