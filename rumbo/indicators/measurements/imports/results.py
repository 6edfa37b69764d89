"""The measurement import's columns, limits, reading and what it answers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rumbo.core.tabular import (
    Column,
    Columns,
    FileInfo,
    ImportRefused,
    Opener,
    cell_text,
    number_cell,
    refused_as,
    table_detect,
    table_open,
)
from rumbo.indicators.measurements.services import VALUE_LIMIT

JOB_KIND = "measurement_import"
CHUNK_ROWS = 5000
MAX_ERRORS_KEPT = 1000
SHEETS = ("mediciones", "measurements")  # the sheet of a workbook read, or its first

COLUMNS = Columns(
    [
        Column(
            "indicador",
            ("codigo_indicador", "cod_indicador", "indicator", "indicator_code"),
            required=True,
            label=gettext_lazy("Indicator code"),
        ),
        Column(
            "periodo",
            ("period", "period_code", "codigo_periodo"),
            required=True,
            label=gettext_lazy("Period"),
        ),
        Column(
            "unidad",
            ("unidad_territorial", "codigo_unidad", "ubigeo", "unit", "unit_code", "territorial_unit"),
            label=gettext_lazy("Territorial unit code"),
        ),
        Column("desagregacion", ("disaggregation", "desagregado"), label=gettext_lazy("Disaggregation")),
        Column(
            "valor",
            ("value", "dato"),
            required=True,
            parser=partial(number_cell, limit=VALUE_LIMIT),
            label=gettext_lazy("Value"),
        ),
        Column(
            "nota", ("notas", "observacion", "observaciones", "note", "notes"), label=gettext_lazy("Note")
        ),
    ]
)


# --- results and errors ------------------------------------------------------------------------


class MeasurementImportError(ImportRefused):
    """The measurement file cannot be imported (`errors`, the first problems; `total`, all)."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int
    created: int
    replaced: int
    filename: str

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "lines": [measurement_import_summary(self)]}


_file_error = MeasurementImportError.file


@contextmanager
def table_records(opener: Opener, info: FileInfo) -> Iterator[Iterator[list[str]]]:
    """The rows of the file (header first) as text cells; a workbook's "mediciones" sheet, or
    its first. Refusals of the reader come out as MeasurementImportError."""
    with refused_as(MeasurementImportError), table_open(opener, info) as table:
        sheet = table.sheet_find(*SHEETS)
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
