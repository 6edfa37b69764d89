"""The plan import's columns, what it reads into and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from rumbo.core.tabular import (
    Column,
    Columns,
    ImportRefused,
    RowError,
    cell_text,
)
from rumbo.plans.exports import UNIT_SEPARATOR
from rumbo.plans.models import Term

JOB_KIND = "plan_import"
MAX_DEPTH = 25  # keeps the materialised path within its 255 characters
YEAR_MIN, YEAR_MAX = 1900, 2200
MAX_LENGTHS = {"codigo": 60, "titulo": 500, "responsable": 200}
_IN_CHUNK = 900  # ids per IN (...) clause, under SQLite's historical 999 variables

# The columns of the nodes table and of the levels sheet (docs/import-format.md).
COLUMNS = Columns(
    [
        Column("codigo", ("code", "cod", "node_code"), required=True, label=gettext_lazy("Code")),
        Column("nivel", ("level", "level_name", "nivel_nombre"), label=gettext_lazy("Level")),
        Column("titulo", ("title", "nombre", "name"), label=gettext_lazy("Title")),
        Column(
            "codigo_padre",
            ("padre", "cod_padre", "codigo_del_padre", "parent_code", "parent"),
            label=gettext_lazy("Parent code"),
        ),
        Column("peso", ("weight", "ponderacion"), label=gettext_lazy("Weight")),
        Column(
            "responsable",
            ("responsible", "oficina_responsable", "unidad_responsable"),
            label=gettext_lazy("Responsible office"),
        ),
        Column("plazo", ("term",), label=gettext_lazy("Term")),
        Column(
            "anio_inicio",
            ("ano_inicio", "inicio", "desde", "term_start", "start_year"),
            label=gettext_lazy("Start year"),
        ),
        Column(
            "anio_fin", ("ano_fin", "fin", "hasta", "term_end", "end_year"), label=gettext_lazy("End year")
        ),
        Column("descripcion", ("description",), label=gettext_lazy("Description")),
        Column("orden", ("order", "position", "posicion"), label=gettext_lazy("Order")),
        Column(
            "ambito",
            ("ambito_territorial", "units", "scope", "territorial_scope", "unidades_territoriales"),
            label=gettext_lazy("Territorial scope"),
        ),
    ]
)
LEVEL_COLUMNS = Columns(
    [
        Column("profundidad", ("depth", "nivel", "level")),
        Column("nombre", ("name",)),
        Column("clave", ("key",)),
    ]
)
TERM_ALIASES: dict[str, str] = {
    "corto": Term.SHORT, "corto_plazo": Term.SHORT, "short": Term.SHORT, "short_term": Term.SHORT,
    "mediano": Term.MEDIUM, "medio": Term.MEDIUM, "mediano_plazo": Term.MEDIUM, "medium": Term.MEDIUM,
    "medium_term": Term.MEDIUM,
    "largo": Term.LONG, "largo_plazo": Term.LONG, "long": Term.LONG, "long_term": Term.LONG,
}  # fmt: skip


# --- results and errors ---------------------------------------------------------------------


class PlanImportError(ImportRefused):
    """The plan file cannot be imported; `errors` says why, row by row."""


@dataclass(slots=True)
class ParsedRow:
    row: int
    values: dict[str, Any]  # canonical column → raw cell value; absent column = absent key


@dataclass(slots=True)
class ParsedLevel:
    row: int
    depth: Any
    name: Any
    key: Any


@dataclass(slots=True)
class ParsedFile:
    """The file's rows with canonical column names, not yet checked against any plan."""

    format: str  # "xlsx", "csv" or "json"
    filename: str
    headers: dict[str, str]  # canonical column → the header as written
    rows: list[ParsedRow]
    levels: list[ParsedLevel] | None = None  # the "niveles" sheet / "levels" list, when present
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # header problems; rows are not checked


@dataclass(slots=True)
class NodeDraft:
    """What one row will write: `fields` holds only the model fields the file gives."""

    row: int
    code: str
    parent_code: str | None
    depth: int
    position: int
    fields: dict[str, Any]
    units: list[int] | None  # unit ids; None = the file says nothing (keep)
    existing_id: int | None = None


@dataclass(slots=True)
class ImportPlan:
    """The checked import: errors, or everything `plan_import_apply` needs to write."""

    plan_id: int
    parsed: ParsedFile
    errors: list[RowError] = field(default_factory=list)
    creates: list[NodeDraft] = field(default_factory=list)
    updates: list[NodeDraft] = field(default_factory=list)  # existing codes in the file, changed or not
    unchanged: int = 0
    untouched: int = 0  # nodes of the plan absent from the file
    level_specs: list[tuple[int, str, str]] | None = None  # replace the levels (empty plan only)
    new_levels: dict[int, str] = field(default_factory=dict)  # depths to add below the configured ones
    final_parent: dict[str, str | None] = field(default_factory=dict)  # every code of the result
    final_depth: dict[str, int] = field(default_factory=dict)
    fingerprint: tuple[Any, ...] = ()

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def updated(self) -> int:
        return len(self.updates) - self.unchanged


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    untouched: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "untouched": self.untouched,
        }


# --- reading the file ------------------------------------------------------------------------


def _file_error(message: str) -> PlanImportError:
    return PlanImportError([RowError(row=0, column=None, message=message)])


def _cell_text(value: Any) -> str:
    """A cell as text (rumbo.core.tabular.cell_text); a JSON list joined by "|"."""
    if isinstance(value, list | tuple):
        return UNIT_SEPARATOR.join(_cell_text(v) for v in value)
    return cell_text(value)


@dataclass(slots=True)
class _Existing:
    id: int
    code: str
    parent_code: str | None
    depth: int
    position: int
    values: dict[str, Any]


@dataclass(slots=True)
class _Row:
    row: int
    code: str
    fields: dict[str, Any] = field(default_factory=dict)
    parent_given: bool = False
    parent_code: str | None = None
    level_text: str = ""
    order: int | None = None
    unit_refs: list[tuple[str, str]] | None = None
    bad: bool = False


_VALUE_FIELDS = ("title", "description", "weight", "responsible", "term", "term_start", "term_end")
