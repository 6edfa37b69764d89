"""The budget-execution import's columns (the fields a column of the file is mapped to) and what it answers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rumbo.core.tabular import (
    Column,
    Columns,
    ImportRefused,
    money_cell,
    percentage_cell,
    text_cell,
)
from rumbo.investments.execution.services import MAPPING_FIELDS, MAPPING_REQUIRED
from rumbo.investments.services import MAX_AMOUNT

JOB_KIND = "execution_import"
MAX_ERRORS_KEPT = 500

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "project_code": (
        "codigo",
        "codigo_proyecto",
        "cod_proyecto",
        "proyecto",
        "cui",
        "codigo_cui",
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


_LABELS = {
    "project_code": gettext_lazy("Project code (internal or national)"),
    "period": gettext_lazy("Period"),
    "programmed": gettext_lazy("Programmed"),
    "committed": gettext_lazy("Committed"),
    "paid": gettext_lazy("Paid"),
    "physical_actual": gettext_lazy("Physical progress achieved (%)"),
    "physical_planned": gettext_lazy("Physical progress planned (%)"),
    "note": gettext_lazy("Note"),
}
_PARSERS: dict[str, Callable[[str], Any]] = {
    "programmed": partial(money_cell, limit=MAX_AMOUNT),
    "committed": partial(money_cell, limit=MAX_AMOUNT),
    "paid": partial(money_cell, limit=MAX_AMOUNT),
    "physical_actual": percentage_cell,
    "physical_planned": percentage_cell,
    "note": text_cell,
}
COLUMNS = Columns(
    Column(
        name,
        FIELD_ALIASES[name],
        required=name in MAPPING_REQUIRED,
        parser=_PARSERS.get(name),
        label=_LABELS[name],
    )
    for name in MAPPING_FIELDS
)


class ExecutionImportError(ImportRefused):
    """The budget-execution file cannot be imported (`errors`, the first problems; `total`, all)."""


@dataclass(slots=True)
class ExecutionImportResult:
    rows: int
    created: int
    replaced: int
    over_committed: int
    filename: str

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "lines": execution_import_summary(self)}


_file_error = ExecutionImportError.file


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
