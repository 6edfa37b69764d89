"""The measurement import's columns, limits, reading and what it answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rumbo.core.tabular import (
    Column,
    Columns,
    FileInfo,
    ImportRefused,
    Opener,
    RowError,
    cell_text,
    refused_as,
    table_detect,
    table_open,
)

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
