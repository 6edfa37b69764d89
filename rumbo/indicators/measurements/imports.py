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

import codecs
import csv
import io
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any

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
from rumbo.core.jobs import job_create, job_enqueue
from rumbo.core.models import AuditEvent, Job
from rumbo.core.spreadsheets import xlsx_open
from rumbo.core.uploads import UploadRefused, upload_check, upload_max_bytes, upload_size_message
from rumbo.indicators.measurements.services import (
    DISAGGREGATION_MAX,
    PERIOD_EXAMPLES,
    PERIOD_KIND_FOR,
    VALUE_LIMIT,
    number_text_normalise,
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
_READ_BYTES = 1024 * 1024

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "indicador": ("indicador", "codigo_indicador", "cod_indicador", "indicator", "indicator_code"),
    "periodo": ("periodo", "period", "period_code", "codigo_periodo"),
    "unidad": (
        "unidad",
        "unidad_territorial",
        "codigo_unidad",
        "ubigeo",
        "unit",
        "unit_code",
        "territorial_unit",
    ),
    "desagregacion": ("desagregacion", "disaggregation", "desagregado"),
    "valor": ("valor", "value", "dato"),
    "nota": ("nota", "notas", "observacion", "observaciones", "note", "notes"),
}
REQUIRED_COLUMNS = ("indicador", "periodo", "valor")
_HEADER_INDEX = {alias: canonical for canonical, aliases in COLUMN_ALIASES.items() for alias in aliases}
_PCT_MIN, _PCT_MAX = Decimal(0), Decimal(100)


# --- results and errors ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: `row` as Excel shows it (header = 1; 0 = the file as a whole)."""

    row: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class MeasurementImportError(Exception):
    """The file cannot be imported; `errors` holds the first problems, `total` counts them all."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        super().__init__("; ".join(e.message for e in errors[:5]))
        self.errors = errors
        self.total = total if total is not None else len(errors)


@dataclass(slots=True)
class FileInfo:
    """What was detected about the file before reading its rows."""

    format: str  # "csv" or "xlsx"
    filename: str
    size: int
    encoding: str = ""  # csv: "utf-8-sig", "utf-8" or "cp1252"
    delimiter: str = ""  # csv
    estimated_rows: int = 0  # data rows (lines minus the header; xlsx: the sheet's dimension)
    sheet: str = ""  # xlsx

    @property
    def delimiter_label(self) -> str:
        return {";": _("semicolon (;)"), ",": _("comma (,)"), "\t": _("tab")}.get(
            self.delimiter, self.delimiter
        )

    @property
    def encoding_label(self) -> str:
        return {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "cp1252": "Windows-1252"}.get(
            self.encoding, self.encoding
        )


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


Opener = Callable[[], IO[bytes]]
Progress = Callable[[str, int, int], None]  # (phase "check" | "write", rows done, rows expected)


def _file_error(message: str) -> MeasurementImportError:
    return MeasurementImportError([RowError(row=0, column=None, message=message)])


# --- reading ------------------------------------------------------------------------------------


def _fold_header(text: str) -> str:
    import re
    import unicodedata

    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", plain.casefold()).strip("_")


def cell_text(value: Any) -> str:
    """A spreadsheet or CSV cell as text (also used by the investments budget-execution import)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        # Excel turns "2025-07" into a date: read a first-of-month date back as that month.
        if value.day == 1 and (not isinstance(value, datetime) or value.time() == datetime.min.time()):
            return f"{value.year}-{value.month:02d}"
        return value.isoformat()
    return str(value)


def _sniff_delimiter(first_line: str) -> str:
    counts = {";": 0, "\t": 0, ",": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda d: counts[d])  # ties go to ";", then tab
    return best if counts[best] else ";"


def _binary_error() -> MeasurementImportError:
    return _file_error(_("The file is not a CSV text file or an Excel workbook (.xlsx) that Rumbo can read."))


def _detect_csv(opener: Opener, info: FileInfo) -> None:
    """One pass over the bytes: the encoding (UTF-8 if every byte decodes, else Windows-1252),
    the delimiter of the first line and the number of lines."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    lines = 0
    first = b""
    last_byte = b""
    with opener() as handle:
        while chunk := handle.read(_READ_BYTES):
            if not first:
                first = chunk
                if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:4096]:
                    raise _file_error(
                        _(
                            "The file is in a text encoding Rumbo cannot read (it looks like UTF-16 or binary). "
                            "In Excel, save it as “CSV UTF-8” or as an Excel workbook (.xlsx)."
                        )
                    )
            lines += chunk.count(b"\n")
            last_byte = chunk[-1:]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if not first.strip():
        raise _file_error(_("The file is empty."))
    if last_byte not in (b"\n", b""):
        lines += 1
    if utf8:
        info.encoding = "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        info.encoding = "cp1252"
    head = first[:65536].decode(info.encoding if utf8 else "cp1252", errors="replace")
    info.delimiter = _sniff_delimiter(head.split("\n", 1)[0])
    info.estimated_rows = max(0, lines - 1)


def table_file_detect(opener: Opener, filename: str, size: int) -> FileInfo:
    """The file's format (and, for CSV, encoding and delimiter); file-level errors raise."""
    if size > upload_max_bytes():
        raise _file_error(upload_size_message(size))
    with opener() as handle:
        head = handle.read(8)
    if not head:
        raise _file_error(_("The file is empty."))
    info = FileInfo(format="csv", filename=filename, size=size)
    if head.startswith(b"PK\x03\x04"):
        info.format = "xlsx"
        with opener() as handle:
            try:
                with zipfile.ZipFile(handle) as archive:
                    names = set(archive.namelist())
            except zipfile.BadZipFile as exc:
                raise _file_error(_("The Excel workbook is damaged and cannot be read.")) from exc
        if "mimetype" in names:
            raise _file_error(
                _(
                    "This is an OpenDocument spreadsheet (.ods). Save it as an Excel workbook (.xlsx) or as CSV."
                )
            )
        if "xl/workbook.xml" not in names:
            raise _file_error(_("The file is a ZIP archive but not an Excel workbook (.xlsx)."))
        return info
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(
            _("This is an old Excel file (.xls). Open it in Excel and save it as an Excel workbook (.xlsx).")
        )
    if head.startswith(b"%PDF"):
        raise _binary_error()
    if PurePath(filename).suffix.lower() in (".xlsx", ".xlsm"):
        raise _file_error(_("The file is named .xlsx but is not an Excel workbook."))
    _detect_csv(opener, info)
    return info


@contextmanager
def table_records(opener: Opener, info: FileInfo) -> Iterator[Iterator[list[Any]]]:
    """The file's rows (header first) as lists of cells; closes the file afterwards."""
    if info.format == "xlsx":
        with opener() as handle:
            try:
                wb = xlsx_open(handle)
            except UploadRefused as exc:
                raise _file_error(exc.messages[0]) from exc
            except Exception as exc:  # openpyxl raises many kinds for a broken workbook
                raise _file_error(_("The Excel workbook is damaged and cannot be read.")) from exc
            try:
                names = {_fold_header(n): n for n in wb.sheetnames}
                sheet = names.get("mediciones") or names.get("measurements") or wb.sheetnames[0]
                ws = wb[sheet]
                info.sheet = sheet
                info.estimated_rows = max(0, (ws.max_row or 1) - 1)
                yield ([cell_text(c) for c in cells] for cells in ws.iter_rows(values_only=True))
            finally:
                wb.close()
        return
    with opener() as raw:
        text = io.TextIOWrapper(raw, encoding=info.encoding, newline="")
        reader = csv.reader(text, delimiter=info.delimiter)

        def rows() -> Iterator[list[Any]]:
            try:
                yield from reader
            except csv.Error as exc:
                raise _file_error(
                    _("The CSV file could not be read near row %(row)s: %(detail)s.")
                    % {"row": reader.line_num, "detail": str(exc)}
                ) from exc

        yield rows()


def _map_headers(raw: list[Any]) -> tuple[dict[str, int], dict[str, str], list[str], list[RowError]]:
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    for pos, cell in enumerate(raw):
        text = cell_text(cell).strip().lstrip("\ufeff")
        if not text:
            continue
        canonical = _HEADER_INDEX.get(_fold_header(text))
        if canonical is None:
            ignored.append(text)
        elif canonical in positions:
            errors.append(
                RowError(
                    1,
                    text,
                    _("Row 1: the columns %(first)s and %(second)s both mean %(column)s; keep only one.")
                    % {"first": written[canonical], "second": text, "column": canonical},
                )
            )
        else:
            positions[canonical] = pos
            written[canonical] = text
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if missing:
        errors.append(
            RowError(
                1,
                None,
                _(
                    "Row 1 must hold the column names; missing: %(missing)s. Expected columns: "
                    "indicador, periodo, unidad, desagregacion, valor, nota."
                )
                % {"missing": ", ".join(missing)},
            )
        )
    return positions, written, ignored, errors


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


def _open_table(
    opener: Opener, info: FileInfo
) -> tuple[dict[str, int], dict[str, str], list[str], list[RowError]]:
    with table_records(opener, info) as records:
        header = next(records, None)
    if header is None:
        raise _file_error(_("The file is empty."))
    return _map_headers(header)


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
        positions, written, ignored, errors = _map_headers(header)
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
    positions, written, _ignored, header_errors = _open_table(opener, info)
    if header_errors:
        raise MeasurementImportError(header_errors)
    checker = _Checker(plan=plan, positions=positions, headers=written)
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


def _job_opener(job: Job) -> Opener:
    storage, name = job.input_file.storage, str(job.input_file.name)

    def opener() -> IO[bytes]:
        return storage.open(name, "rb")

    return opener


def measurement_import_upload(*, actor: Any, plan: Plan, uploaded_file: UploadedFile[Any]) -> Job:
    """Keep an uploaded file for preview as a job that is not started yet (params.confirmed false)."""
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    size = uploaded_file.size or 0
    try:
        upload_check(uploaded_file)
    except UploadRefused as exc:
        raise _file_error(exc.messages[0]) from exc
    filename = PurePath(uploaded_file.name or "mediciones.csv").name
    with transaction.atomic():
        job = job_create(
            kind=JOB_KIND,
            title=_("Import of measurements from %(file)s into %(plan)s")
            % {"file": filename, "plan": plan.name},
            created_by=actor,
            entity_id=plan.entity_id,
            params={
                "plan_id": plan.pk,
                "actor_id": getattr(actor, "pk", None),
                "filename": filename,
                "size": size,
                "confirmed": False,
                "return_url": reverse("indicators:measurement_list", kwargs={"plan_id": plan.pk}),
            },
        )
        job.input_file.save(filename, uploaded_file, save=True)
    return job


def measurement_import_job_preview(*, actor: Any, job: Job) -> ImportPreview:
    """The preview of an uploaded, not yet confirmed import."""
    plan = _job_plan(actor, job)
    return measurement_import_preview(
        actor=actor,
        plan=plan,
        opener=_job_opener(job),
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
        opener=_job_opener(job),
        filename=str(job.params.get("filename") or "mediciones"),
        size=job.input_file.size,
        job_id=job.pk,
        progress=progress,
    )
    job.params["seconds"] = round(time.monotonic() - started, 2)
    return result
