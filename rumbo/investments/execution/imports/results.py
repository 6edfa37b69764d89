"""The budget-execution import's fields, reading of the header, suggested mapping and what it answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rumbo.accounts.models import Entity
from rumbo.core.tabular import (
    FileInfo,
    ImportRefused,
    Opener,
    RowError,
    cell_text,
    fold_header,
    is_blank_row,
    refused_as,
    table_detect,
    table_open,
)
from rumbo.investments.execution.services import (
    MAPPING_FIELDS,
)
from rumbo.investments.models import ExecutionColumnMapping

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
