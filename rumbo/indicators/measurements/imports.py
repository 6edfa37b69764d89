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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record
from rumbo.core.jobs import job_enqueue
from rumbo.core.models import AuditEvent, Job
from rumbo.core.numbers import number_text_normalise
from rumbo.core.tabular import (
    Column,
    Columns,
    FileInfo,
    HeaderMap,
    ImportRefused,
    Opener,
    Progress,
    RowError,
    cell_text,
    import_job_keep,
    job_opener,
    refused_as,
    table_detect,
    table_open,
    upload_accept,
)
from rumbo.indicators.measurements.services import (
    DISAGGREGATION_MAX,
    PERIOD_EXAMPLES,
    PERIOD_KIND_FOR,
    VALUE_LIMIT,
    plan_territory_scope,
)
from rumbo.indicators.models import (
    Indicator,
    IndicatorUnit,
    Measurement,
    MeasurementStatus,
    Period,
    PeriodKind,
)
from rumbo.indicators.periods import PeriodCodeError, period_bounds, period_get_or_create
from rumbo.plans.models import Plan
from rumbo.territory.models import TerritorialUnit

JOB_KIND = "measurement_import"
CHUNK_ROWS = 5000
MAX_ERRORS_KEPT = 1000
PREVIEW_ROWS = 20

COLUMNS = Columns(
    [
        Column(
            "indicador", ("codigo_indicador", "cod_indicador", "indicator", "indicator_code"), required=True
        ),
        Column("periodo", ("period", "period_code", "codigo_periodo"), required=True),
        Column(
            "unidad",
            ("unidad_territorial", "codigo_unidad", "ubigeo", "unit", "unit_code", "territorial_unit"),
        ),
        Column("desagregacion", ("disaggregation", "desagregado")),
        Column("valor", ("value", "dato"), required=True),
        Column("nota", ("notas", "observacion", "observaciones", "note", "notes")),
    ]
)
_PCT_MIN, _PCT_MAX = Decimal(0), Decimal(100)


# --- results and errors ------------------------------------------------------------------------


class MeasurementImportError(ImportRefused):
    """The measurement file cannot be imported (`errors`, the first problems; `total`, all)."""


@dataclass(slots=True)
class ImportPreview:
    info: FileInfo
    headers: dict[str, str]  # canonical → as written
    ignored_columns: list[str]
    rows: list[dict[str, Any]]  # {"row": n, "values": {canonical: text}, "errors": [messages]}
    errors: list[RowError]  # header problems


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int
    created: int
    replaced: int
    filename: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "replaced": self.replaced,
            "filename": self.filename,
            "lines": [measurement_import_summary(self)],
        }


def _file_error(message: str) -> MeasurementImportError:
    return MeasurementImportError([RowError(row=0, column=None, message=message)])


@contextmanager
def table_records(opener: Opener, info: FileInfo) -> Iterator[Iterator[list[str]]]:
    """The rows of the file (header first) as text cells; a workbook's "mediciones" sheet, or
    its first. Refusals of the reader come out as MeasurementImportError."""
    with refused_as(MeasurementImportError), table_open(opener, info) as table:
        sheet = table.sheet_find("mediciones", "measurements")
        yield ([cell_text(c, month_dates=True) for c in cells] for _number, cells in table.rows(sheet))


def table_file_detect(opener: Opener, filename: str, size: int) -> FileInfo:
    with refused_as(MeasurementImportError):
        return table_detect(opener, filename, size)


# --- checking ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Indicator:
    id: int
    code: str
    kind: str | None  # the period kind the indicator takes; None = any
    percentage: bool


@dataclass(slots=True)
class _Period:
    code: str
    kind: str


# (excel row, indicator id, unit id, period code, disaggregation, value, note)
Checked = tuple[int, int, int | None, str, str, Decimal, str]


@dataclass
class _Checker:
    """Lookups loaded once per import and the checks of one row."""

    plan: Plan
    positions: dict[str, int]
    headers: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    error_total: int = 0
    indicators: dict[str, _Indicator] = field(default_factory=dict)
    indicators_folded: dict[str, _Indicator] = field(default_factory=dict)
    units: dict[str, tuple[int, bool]] = field(default_factory=dict)  # code → (id, inside the territory)
    periods: dict[str, _Period | str] = field(default_factory=dict)  # text as written → period or error
    period_ids: dict[str, int] = field(default_factory=dict)
    period_codes: dict[int, str] = field(default_factory=dict)
    seen: set[int] | None = None
    has_existing: bool = False

    def load(self, *, dedupe: bool) -> None:
        for pk, code, periodicity, unit in Indicator.objects.filter(plan=self.plan).values_list(
            "pk", "code", "periodicity", "unit"
        ):
            ind = _Indicator(pk, code, PERIOD_KIND_FOR.get(periodicity), unit == IndicatorUnit.PERCENTAGE)
            self.indicators[code] = ind
            self.indicators_folded.setdefault(code.strip().casefold(), ind)
        scope = plan_territory_scope(plan=self.plan)
        for pk, code, path in TerritorialUnit.objects.filter(country=scope.country).values_list(
            "pk", "code", "path"
        ):
            self.units[code] = (pk, scope.contains(path))
        for pk, code in Period.objects.values_list("pk", "code"):
            self.period_ids[code] = pk
            self.period_codes[pk] = code
        self.seen = set() if dedupe else None
        self.has_existing = Measurement.objects.filter(indicator__plan=self.plan, is_current=True).exists()

    def error(self, row: int, column: str, message: str) -> None:
        self.error_total += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, self.headers.get(column, column), message))

    def period(self, text: str) -> _Period | str:
        found = self.periods.get(text)
        if found is None:
            try:
                code, kind, _start, _end = period_bounds(text)
                found = _Period(code, kind)
            except PeriodCodeError as exc:
                found = str(exc)
            if len(self.periods) < 100_000:
                self.periods[text] = found
        return found

    def check(self, number: int, cells: list[Any]) -> Checked | None:
        """The row's values ready to write, or None after recording its errors."""
        pos = self.positions
        width = len(cells)
        bad = False

        def cell(name: str) -> str:
            i = pos.get(name)
            return cells[i].strip() if i is not None and i < width else ""

        ind_text = cell("indicador")
        ind = self.indicators.get(ind_text) or self.indicators_folded.get(ind_text.casefold())
        if ind is None:
            bad = True
            if ind_text:
                self.error(
                    number,
                    "indicador",
                    _("Row %(row)s: the plan has no indicator with the code %(code)s.")
                    % {"row": number, "code": ind_text[:60]},
                )
            else:
                self.error(
                    number, "indicador", _("Row %(row)s: the indicator code is missing.") % {"row": number}
                )
        per_text = cell("periodo")
        per = self.period(per_text)
        if isinstance(per, str):
            bad = True
            self.error(number, "periodo", _("Row %(row)s: %(problem)s") % {"row": number, "problem": per})
        elif ind is not None and ind.kind is not None and per.kind != ind.kind:
            bad = True
            self.error(
                number,
                "periodo",
                _(
                    "Row %(row)s: the indicator %(code)s takes %(kind)s periods (e.g. %(example)s), not %(period)s."
                )
                % {
                    "row": number,
                    "code": ind.code,
                    "kind": str(PeriodKind(ind.kind).label).lower(),
                    "example": PERIOD_EXAMPLES[ind.kind],
                    "period": per_text,
                },
            )
        unit_text = cell("unidad")
        unit_id: int | None = None
        if unit_text:
            found = self.units.get(unit_text)
            if found is None:
                bad = True
                self.error(
                    number,
                    "unidad",
                    _("Row %(row)s: there is no territorial unit with the code %(code)s.")
                    % {"row": number, "code": unit_text[:40]},
                )
            elif not found[1]:
                bad = True
                self.error(
                    number,
                    "unidad",
                    _("Row %(row)s: the territorial unit %(code)s is outside the plan's territory.")
                    % {"row": number, "code": unit_text},
                )
            else:
                unit_id = found[0]
        dis = cell("desagregacion")
        if len(dis) > DISAGGREGATION_MAX:
            bad = True
            self.error(
                number,
                "desagregacion",
                _("Row %(row)s: the disaggregation is longer than %(max)s characters.")
                % {"row": number, "max": DISAGGREGATION_MAX},
            )
        value_text = cell("valor")
        value: Decimal | None = None
        if not value_text:
            bad = True
            self.error(number, "valor", _("Row %(row)s: the value is missing.") % {"row": number})
        else:
            t = value_text
            if "," in t or " " in t or "\u00a0" in t or t.count(".") > 1:
                t = number_text_normalise(t.replace(" ", "").replace("\u00a0", ""))
            try:
                value = Decimal(t)
                if not value.is_finite() or abs(value) >= VALUE_LIMIT:
                    value = None
            except InvalidOperation:
                value = None
            if value is None:
                bad = True
                self.error(
                    number,
                    "valor",
                    _("Row %(row)s: the value “%(value)s” is not a number.")
                    % {"row": number, "value": value_text[:40]},
                )
            elif ind is not None and ind.percentage and not (_PCT_MIN <= value <= _PCT_MAX):
                bad = True
                self.error(
                    number,
                    "valor",
                    _("Row %(row)s: %(code)s is a percentage; %(value)s is not between 0 and 100.")
                    % {"row": number, "code": ind.code, "value": value_text},
                )
        if bad or ind is None or value is None or isinstance(per, str):
            return None
        if self.seen is not None:
            key = hash((ind.id, unit_id, per.code, dis))
            if key in self.seen:
                self.error(
                    number,
                    "indicador",
                    _(
                        "Row %(row)s: the same indicator, period, territorial unit and disaggregation appear in an "
                        "earlier row."
                    )
                    % {"row": number},
                )
                return None
            self.seen.add(key)
        return (number, ind.id, unit_id, per.code, dis, value, cell("nota"))

    def existing(self, rows: list[Checked]) -> dict[tuple[int, int | None, str, str], tuple[int, str]]:
        """Current values already stored for the keys of these rows: key → (id, status)."""
        if not self.has_existing or not rows:
            return {}
        indicator_ids = {r[1] for r in rows}
        period_ids = {self.period_ids[r[3]] for r in rows if r[3] in self.period_ids}
        if not period_ids:
            return {}
        found: dict[tuple[int, int | None, str, str], tuple[int, str]] = {}
        for pk, ind, unit, per, dis, status in Measurement.objects.filter(
            is_current=True, indicator_id__in=indicator_ids, period_id__in=period_ids
        ).values_list("pk", "indicator_id", "unit_id", "period_id", "disaggregation", "status"):
            found[(ind, unit, self.period_codes[per], dis)] = (pk, status)
        return found

    def refuse_locked(self, rows: list[Checked]) -> dict[tuple[int, int | None, str, str], tuple[int, str]]:
        """Record an error for each row over an approved or submitted value; the rest of `existing`."""
        existing = self.existing(rows)
        for r in rows:
            hit = existing.get((r[1], r[2], r[3], r[4]))
            if hit is None:
                continue
            if hit[1] == MeasurementStatus.APPROVED:
                self.error(
                    r[0],
                    "valor",
                    _("Row %(row)s: this value was already approved; use a correction.") % {"row": r[0]},
                )
            elif hit[1] == MeasurementStatus.SUBMITTED:
                self.error(
                    r[0],
                    "valor",
                    _(
                        "Row %(row)s: this value is waiting for approval; it can be replaced only after the approver returns it."
                    )
                    % {"row": r[0]},
                )
        return existing


def _chunks(
    checker: _Checker, records: Iterator[list[Any]], chunk_rows: int
) -> Iterator[tuple[int, list[Checked]]]:
    """(rows read so far, the checked rows of the next chunk) over the data rows."""
    chunk: list[Checked] = []
    read = 0
    for number, cells in enumerate(records, start=2):
        if not any(c.strip() for c in cells):
            continue
        read += 1
        checked = checker.check(number, cells)
        if checked is not None:
            chunk.append(checked)
        if read % chunk_rows == 0:
            yield read, chunk
            chunk = []
    yield read, chunk


def _open_table(opener: Opener, info: FileInfo) -> HeaderMap:
    with table_records(opener, info) as records:
        header = next(records, None)
    if header is None:
        raise _file_error(_("The file is empty."))
    return COLUMNS.match(header)


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


_INSERT_FIELDS = (
    "indicator",
    "unit",
    "period",
    "disaggregation",
    "value",
    "notes",
    "status",
    "version",
    "is_current",
    "correction_reason",
    "return_comment",
    "created_by",
    "created_at",
    "submitted_by",
    "submitted_at",
    "import_job_id",
)


class _Writer:
    """Writes checked chunks: COPY on PostgreSQL, executemany elsewhere; replaced values by UPDATE."""

    def __init__(self, *, actor: Any, job_id: int | None) -> None:
        self.db = connections[DEFAULT_DB_ALIAS]
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.job_id = job_id
        self.now = timezone.now()
        self.created = 0
        self.replaced = 0
        qn = self.db.ops.quote_name
        fields = {f.name: f for f in Measurement._meta.concrete_fields}
        columns = ", ".join(qn(str(fields[name].column)) for name in _INSERT_FIELDS)
        table = qn(Measurement._meta.db_table)
        self.is_postgres = self.db.vendor == "postgresql"
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        self.insert_sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_INSERT_FIELDS))})"  # noqa: S608
        )
        self.update_sql = (
            f"UPDATE {table} SET {qn('value')} = %s, {qn('notes')} = %s, {qn('status')} = %s, "  # noqa: S608
            f"{qn('submitted_by_id')} = %s, {qn('submitted_at')} = %s, {qn('import_job_id')} = %s "
            f"WHERE {qn('id')} = %s"
        )
        self.stamp: Any = self.now if self.is_postgres else self.db.ops.adapt_datetimefield_value(self.now)
        self.true: Any = True if self.is_postgres else 1

    def write(
        self,
        chunk: list[Checked],
        existing: dict[tuple[int, int | None, str, str], tuple[int, str]],
        period_ids: dict[str, int],
        plan: Plan,
    ) -> None:
        submitted = MeasurementStatus.SUBMITTED.value
        actor_id, stamp, job_id, true = self.actor_id, self.stamp, self.job_id, self.true
        new: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        events: list[AuditEvent] = []
        for _row, ind, unit, per, dis, value, note in chunk:
            hit = existing.get((ind, unit, per, dis)) if existing else None
            if hit is not None:
                updates.append(
                    (
                        value if self.is_postgres else str(value),
                        note,
                        submitted,
                        actor_id,
                        stamp,
                        job_id,
                        hit[0],
                    )
                )
                events.append(self._event(hit[0], plan, value))
                continue
            new.append(
                (
                    ind,
                    unit,
                    period_ids[per],
                    dis,
                    value if self.is_postgres else str(value),
                    note,
                    submitted,
                    1,
                    true,
                    "",
                    "",
                    actor_id,
                    stamp,
                    actor_id,
                    stamp,
                    job_id,
                )
            )
        with self.db.cursor() as cursor:
            if new:
                if self.is_postgres:
                    with cursor.copy(self.copy_sql) as copy:
                        for record in new:
                            copy.write_row(record)
                else:
                    cursor.executemany(self.insert_sql, new)
            if updates:
                cursor.executemany(self.update_sql, updates)
        if events:
            AuditEvent.objects.bulk_create(events)
        self.created += len(new)
        self.replaced += len(updates)

    def _event(self, pk: int, plan: Plan, value: Decimal) -> AuditEvent:
        return AuditEvent(
            actor_id=self.actor_id,
            entity_id=plan.entity_id,
            target_type=ContentType.objects.get_for_model(Measurement),
            target_id=str(pk),
            target_repr=f"#{pk}",
            scope_type=plan._meta.label_lower,
            scope_id=plan.pk,
            action=AuditAction.IMPORTED,
            changes={"value": [None, str(value)], "status": [None, MeasurementStatus.SUBMITTED.value]},
            message=_("Replaced by the import job %(job)s.") % {"job": self.job_id},
        )


def measurement_import_summary(result: ImportResult) -> str:
    """One sentence for the user and the plan's history."""
    return _(
        "Imported %(file)s: %(rows)s rows, %(created)s new values and %(replaced)s drafts replaced; "
        "all of them are waiting for approval."
    ) % {"file": result.filename, "rows": result.rows, "created": result.created, "replaced": result.replaced}


def measurement_import_errors_message(exc: MeasurementImportError) -> str:
    """The summary of a refused import ("El archivo tiene 3 errores; no se importó nada.")."""
    message = ngettext(
        "The file has %(count)s error; nothing was imported.",
        "The file has %(count)s errors; nothing was imported.",
        exc.total,
    ) % {"count": exc.total}
    if exc.total > len(exc.errors):
        message += " " + _("The first %(shown)s are listed.") % {"shown": len(exc.errors)}
    return message


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
