"""Import of a whole plan structure from XLSX, CSV or JSON (the format of rumbo.plans.exports).

Three steps, so a background job can report progress between them and a page can preview:
`plan_import_parse` reads the file into rows, `plan_import_validate` checks every row against
the plan and collects every error, and `plan_import_apply` writes it all in one transaction or
nothing. Nodes are matched by code: codes already in the plan are updated, new codes created,
and nodes of the plan missing from the file are left alone. See docs/import-format.md.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

import orjson
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record, created_changes, model_snapshot, snapshot_diff
from rumbo.core.jobs import job_enqueue
from rumbo.core.models import AuditEvent, Job
from rumbo.core.numbers import number_text_normalise
from rumbo.core.tabular import (
    Column,
    Columns,
    ImportRefused,
    RowError,
    bytes_opener,
    cell_text,
    fold,
    fold_header,
    import_job_keep,
    is_blank_row,
    refused_as,
    table_detect,
    table_open,
)
from rumbo.core.tabular.reading import Rows
from rumbo.core.uploads import upload_check, upload_max_bytes, upload_size_message
from rumbo.plans.exports import LEVELS_SHEET, NODES_SHEET, UNIT_SEPARATOR
from rumbo.plans.models import Node, Plan, PlanLevel, Term
from rumbo.plans.services import NODE_FIELDS, _lock_plan, parse_weight
from rumbo.territory.models import TerritorialUnit

JOB_KIND = "plan_import"
MAX_DEPTH = 25  # keeps the materialised path within its 255 characters
YEAR_MIN, YEAR_MAX = 1900, 2200
MAX_LENGTHS = {"codigo": 60, "titulo": 500, "responsable": 200}
_IN_CHUNK = 900  # ids per IN (...) clause, under SQLite's historical 999 variables

# The columns of the nodes table and of the levels sheet (docs/import-format.md).
COLUMNS = Columns(
    [
        Column("codigo", ("code", "cod", "node_code"), required=True),
        Column("nivel", ("level", "level_name", "nivel_nombre")),
        Column("titulo", ("title", "nombre", "name")),
        Column("codigo_padre", ("padre", "cod_padre", "codigo_del_padre", "parent_code", "parent")),
        Column("peso", ("weight", "ponderacion")),
        Column("responsable", ("responsible", "oficina_responsable", "unidad_responsable")),
        Column("plazo", ("term",)),
        Column("anio_inicio", ("ano_inicio", "inicio", "desde", "term_start", "start_year")),
        Column("anio_fin", ("ano_fin", "fin", "hasta", "term_end", "end_year")),
        Column("descripcion", ("description",)),
        Column("orden", ("order", "position", "posicion")),
        Column(
            "ambito", ("ambito_territorial", "units", "scope", "territorial_scope", "unidades_territoriales")
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


def _parsed_table(*, fmt: str, filename: str, records: Rows, levels: list[ParsedLevel] | None) -> ParsedFile:
    header = next(records, None)
    if header is None:
        raise _file_error(_("The file is empty."))
    found = COLUMNS.match(header[1])
    parsed = ParsedFile(
        format=fmt,
        filename=filename,
        headers=found.written,
        rows=[],
        levels=levels,
        ignored_columns=found.ignored,
        errors=found.errors,
    )
    if "codigo" not in found.positions:
        return parsed
    parsed.rows = [
        ParsedRow(row=number, values=found.values(cells))
        for number, cells in records
        if not is_blank_row(cells)
    ]
    if not parsed.rows and not parsed.errors:
        raise _file_error(_("The file has column names but no rows to import."))
    return parsed


def _parse_levels_table(records: Rows) -> list[ParsedLevel] | None:
    header = next(records, None)
    if header is None:
        return None
    found = LEVEL_COLUMNS.match(header[1])
    if "nombre" not in found.positions:
        return None
    levels: list[ParsedLevel] = []
    for number, cells in records:
        if is_blank_row(cells):
            continue
        values = found.values(cells)
        levels.append(
            ParsedLevel(
                row=number, depth=values.get("profundidad"), name=values["nombre"], key=values.get("clave")
            )
        )
    return levels or None


def _parse_table(data: bytes, filename: str) -> ParsedFile:
    """An XLSX workbook (its "nodos" sheet, or the first, and a "niveles" sheet when present)
    or a CSV file, read by the shared pipeline."""
    opener = bytes_opener(data)
    with refused_as(PlanImportError):
        info = table_detect(opener, filename, len(data))
        with table_open(opener, info) as table:
            nodes_name = table.sheet_find(NODES_SHEET) or table.sheet_names[0]
            levels_name = table.sheet_find(LEVELS_SHEET)
            levels = None
            if levels_name and levels_name != nodes_name:
                levels = _parse_levels_table(table.rows(levels_name))
            return _parsed_table(
                fmt=info.format, filename=filename, records=table.rows(nodes_name), levels=levels
            )


def _flatten_json_nodes(items: list[Any], parent_code: Any, out: list[tuple[Any, Any]]) -> None:
    """Nested {"children": [...]} trees (the API's shape) become flat rows with parent_code."""
    for item in items:
        out.append((item, parent_code))
        if isinstance(item, dict) and isinstance(item.get("children"), list):
            _flatten_json_nodes(item["children"], item.get("code", item.get("codigo")), out)


def _parse_json(data: bytes, filename: str) -> ParsedFile:
    try:
        document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        raise _file_error(_("The file is not valid JSON: %(detail)s.") % {"detail": str(exc)}) from exc
    levels_raw: Any = None
    if isinstance(document, dict):
        fmt = document.get("format")
        if fmt is not None and not str(fmt).startswith("rumbo.plan/"):
            raise _file_error(
                _("The JSON file is in the format %(format)s, not a Rumbo plan structure.") % {"format": fmt}
            )
        nodes_raw = document.get("nodes")
        levels_raw = document.get("levels")
    else:
        nodes_raw = document
    if not isinstance(nodes_raw, list):
        raise _file_error(_('The JSON file must hold a list of nodes under "nodes".'))
    flat: list[tuple[Any, Any]] = []
    _flatten_json_nodes(nodes_raw, None, flat)
    headers: dict[str, str] = {}
    ignored: set[str] = set()
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for number, (item, nested_parent) in enumerate(flat, start=1):
        if not isinstance(item, dict):
            errors.append(
                RowError(
                    row=number,
                    column=None,
                    message=_("Row %(row)s: each node must be a JSON object.") % {"row": number},
                )
            )
            continue
        values: dict[str, Any] = {}
        for key, value in item.items():
            canonical = COLUMNS.canonical(str(key))
            if canonical is None:
                if key != "children":
                    ignored.add(str(key))
                continue
            values[canonical] = value
            headers.setdefault(canonical, str(key))
        if nested_parent is not None and "codigo_padre" not in values:
            values["codigo_padre"] = nested_parent
            headers.setdefault("codigo_padre", "parent_code")
        rows.append(ParsedRow(row=number, values=values))
    levels: list[ParsedLevel] | None = None
    if isinstance(levels_raw, list):
        levels = [
            ParsedLevel(row=i, depth=lv.get("depth"), name=lv.get("name"), key=lv.get("key"))
            if isinstance(lv, dict)
            else ParsedLevel(row=i, depth=i, name=lv, key=None)
            for i, lv in enumerate(levels_raw, start=1)
        ] or None
    if not rows and not errors:
        raise _file_error(_("The file has no nodes to import."))
    return ParsedFile(
        format="json",
        filename=filename,
        headers=headers,
        rows=rows,
        levels=levels,
        ignored_columns=sorted(ignored),
        errors=errors,
    )


def plan_import_parse(*, data: bytes, filename: str) -> ParsedFile:
    """Read an XLSX, CSV or JSON file into rows with canonical column names.

    Raises PlanImportError for a file that cannot be read at all (too large, binary, wrong
    encoding, damaged); header problems are returned in `errors` for validation to report.
    """
    if len(data) > upload_max_bytes():
        raise _file_error(upload_size_message(len(data)))
    first = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if not data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")) and (
        PurePath(filename).suffix.lower() == ".json" or first in (b"{", b"[")
    ):
        return _parse_json(data, filename)
    return _parse_table(data, filename)


# --- checking the rows against the plan --------------------------------------------------------


def _parse_row_weight(value: Any, row: int) -> tuple[Decimal | None, str | None]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = repr(value)
    else:
        text = _cell_text(value).strip()
    if not text:
        return Decimal("1.000000"), None
    try:
        number = Decimal(number_text_normalise(text.strip().replace(" ", "").replace("\u00a0", "")))
    except InvalidOperation:
        return None, _("Row %(row)s: the weight “%(value)s” is not a number.") % {"row": row, "value": text}
    if not number.is_finite():
        return None, _("Row %(row)s: the weight “%(value)s” is not a number.") % {"row": row, "value": text}
    if number < 0:
        return None, _("Row %(row)s: the weight %(value)s is negative; it must be zero or more.") % {
            "row": row,
            "value": text,
        }
    try:
        return parse_weight(number), None
    except ValidationError:
        return None, _("Row %(row)s: the weight %(value)s is too large.") % {"row": row, "value": text}


def _parse_year(value: Any) -> int | None:
    """A year or None for an empty cell; raises ValueError when it is not a plausible year."""
    text = _cell_text(value).strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})(?:[.,]0+)?", text)
    if not match or not YEAR_MIN <= int(match.group(1)) <= YEAR_MAX:
        raise ValueError(text)
    return int(match.group(1))


def _parse_order(value: Any) -> int | None:
    text = _cell_text(value).strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,9})(?:[.,]0+)?", text)
    if not match or int(match.group(1)) < 1:
        raise ValueError(text)
    return int(match.group(1))


def _unit_refs(value: Any, country: str) -> list[tuple[str, str]]:
    items = value if isinstance(value, list) else re.split(r"[|;,]", _cell_text(value))
    refs: list[tuple[str, str]] = []
    for item in items:
        text = _cell_text(item).strip()
        if not text:
            continue
        prefix, sep, rest = text.partition(":")
        ref = (prefix.strip().upper(), rest.strip()) if sep else (country, text)
        if ref not in refs:
            refs.append(ref)
    return refs


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


def _fingerprint(plan: Plan) -> tuple[Any, ...]:
    agg = Node.objects.filter(plan=plan).aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    return (agg["n"], agg["last"], agg["top"])


def _validate_levels(parsed_levels: list[ParsedLevel]) -> tuple[list[tuple[int, str, str]], list[RowError]]:
    specs: list[tuple[int, str, str]] = []
    errors: list[RowError] = []
    keys: set[str] = set()
    for expected, lv in enumerate(parsed_levels, start=1):
        name = _cell_text(lv.name).strip()
        depth_text = _cell_text(lv.depth).strip()
        if depth_text and depth_text != str(expected):
            errors.append(
                RowError(
                    row=lv.row,
                    column="profundidad",
                    message=_(
                        "Levels list, row %(row)s: the depths must be 1, 2, 3… in order; expected %(expected)s."
                    )
                    % {"row": lv.row, "expected": expected},
                )
            )
            continue
        if not name or len(name) > 100:
            errors.append(
                RowError(
                    row=lv.row,
                    column="nombre",
                    message=_(
                        "Levels list, row %(row)s: the level name is missing or longer than 100 characters."
                    )
                    % {"row": lv.row},
                )
            )
            continue
        key = slugify(_cell_text(lv.key).strip())[:60] or slugify(name)[:50] or f"level-{expected}"
        while key in keys:
            key = f"{key}-{expected}"
        keys.add(key)
        specs.append((expected, name, key))
    return specs, errors


def plan_import_validate(*, plan: Plan, parsed: ParsedFile) -> ImportPlan:
    """Check every row against the plan and collect every error; nothing is written.

    Returns what the import would do (creates, updates, unchanged rows, untouched nodes) so it
    can be previewed, and what `plan_import_apply` needs to write it.
    """
    result = ImportPlan(plan_id=plan.pk, parsed=parsed, errors=list(parsed.errors))
    if any(e.row <= 1 for e in parsed.errors):
        return result
    errors = result.errors
    col = parsed.headers
    country = plan.entity.country.upper()
    result.fingerprint = _fingerprint(plan)

    # The plan as it is: one query for nodes, one for their units, one for levels.
    records = list(
        Node.objects.filter(plan=plan).values_list(
            "id", "code", "parent_id", "depth", "position", *_VALUE_FIELDS
        )
    )
    code_by_id = {rec[0]: rec[1] for rec in records}
    existing: dict[str, _Existing] = {
        rec[1]: _Existing(
            id=rec[0],
            code=rec[1],
            parent_code=code_by_id.get(rec[2]) if rec[2] else None,
            depth=rec[3],
            position=rec[4],
            values=dict(zip(_VALUE_FIELDS, rec[5:], strict=True)),
        )
        for rec in records
    }
    existing_units: dict[int, set[int]] = defaultdict(set)
    for node_id, unit_id in Node.units.through.objects.filter(node__plan=plan).values_list(
        "node_id", "territorialunit_id"
    ):
        existing_units[node_id].add(unit_id)

    # Row by row: each field on its own, so one row can report several problems.
    rows: dict[str, _Row] = {}
    first_row: dict[str, int] = {}
    for prow in parsed.rows:
        v = prow.values
        n = prow.row
        code = _cell_text(v.get("codigo")).strip()
        if not code:
            errors.append(RowError(n, col.get("codigo"), _("Row %(row)s: the code is missing.") % {"row": n}))
            continue
        if code in first_row:
            errors.append(
                RowError(
                    n,
                    col.get("codigo"),
                    _("Row %(row)s: the code %(code)s is repeated (it is already in row %(first)s).")
                    % {"row": n, "code": code, "first": first_row[code]},
                )
            )
            continue
        first_row[code] = n
        r = _Row(row=n, code=code)
        rows[code] = r

        def fail(column: str, message: str, r: _Row = r) -> None:
            errors.append(RowError(r.row, col.get(column, column), message))
            r.bad = True

        if len(code) > MAX_LENGTHS["codigo"]:
            fail(
                "codigo",
                _("Row %(row)s: the code is longer than %(max)s characters.")
                % {"row": n, "max": MAX_LENGTHS["codigo"]},
            )
        if "titulo" in v:
            title = _cell_text(v["titulo"]).strip()
            if not title:
                fail("titulo", _("Row %(row)s: the title is missing.") % {"row": n})
            elif len(title) > MAX_LENGTHS["titulo"]:
                fail(
                    "titulo",
                    _("Row %(row)s: the title is longer than %(max)s characters.")
                    % {"row": n, "max": MAX_LENGTHS["titulo"]},
                )
            r.fields["title"] = title
        elif code not in existing:
            fail("titulo", _("Row %(row)s: the title is missing.") % {"row": n})
        if "codigo_padre" in v:
            r.parent_given = True
            r.parent_code = _cell_text(v["codigo_padre"]).strip() or None
        if "nivel" in v:
            r.level_text = _cell_text(v["nivel"]).strip()
        if "peso" in v:
            weight, message = _parse_row_weight(v["peso"], n)
            if message:
                fail("peso", message)
            r.fields["weight"] = weight
        if "responsable" in v:
            responsible = _cell_text(v["responsable"]).strip()
            if len(responsible) > MAX_LENGTHS["responsable"]:
                fail(
                    "responsable",
                    _("Row %(row)s: the responsible office is longer than %(max)s characters.")
                    % {"row": n, "max": MAX_LENGTHS["responsable"]},
                )
            r.fields["responsible"] = responsible
        if "descripcion" in v:
            r.fields["description"] = _cell_text(v["descripcion"])
        if "plazo" in v:
            term_text = _cell_text(v["plazo"]).strip()
            term = TERM_ALIASES.get(fold_header(term_text), None) if term_text else ""
            if term is None:
                fail(
                    "plazo",
                    _("Row %(row)s: the term “%(value)s” is not valid; use corto, mediano or largo.")
                    % {"row": n, "value": term_text},
                )
            r.fields["term"] = term or ""
        for column, model_field in (("anio_inicio", "term_start"), ("anio_fin", "term_end")):
            if column in v:
                try:
                    r.fields[model_field] = _parse_year(v[column])
                except ValueError:
                    fail(
                        column,
                        _("Row %(row)s: “%(value)s” is not a year (a whole number such as 2030).")
                        % {"row": n, "value": _cell_text(v[column]).strip()},
                    )
        if "orden" in v:
            try:
                r.order = _parse_order(v["orden"])
            except ValueError:
                fail(
                    "orden",
                    _("Row %(row)s: the order “%(value)s” must be a whole number from 1 up.")
                    % {"row": n, "value": _cell_text(v["orden"]).strip()},
                )
        if "ambito" in v:
            r.unit_refs = _unit_refs(v["ambito"], country)
        if not r.bad:
            base = existing[code].values if code in existing else {}
            start = r.fields.get("term_start", base.get("term_start"))
            end = r.fields.get("term_end", base.get("term_end"))
            if start is not None and end is not None and start > end:
                fail(
                    "anio_fin",
                    _("Row %(row)s: the start year %(start)s is after the end year %(end)s.")
                    % {"row": n, "start": start, "end": end},
                )

    # Territorial units: one query for all the codes the file names.
    wanted = {ref for r in rows.values() for ref in (r.unit_refs or ())}
    unit_ids = _unit_ids(wanted)
    for r in rows.values():
        for ref in r.unit_refs or ():
            if ref not in unit_ids:
                errors.append(
                    RowError(
                        r.row,
                        col.get("ambito"),
                        _("Row %(row)s: there is no territorial unit with the code %(code)s in %(country)s.")
                        % {"row": r.row, "code": ref[1], "country": ref[0]},
                    )
                )
                r.bad = True

    # The resulting tree: the file's parents over the plan's, then depths and cycles.
    final_parent: dict[str, str | None] = {code: e.parent_code for code, e in existing.items()}
    for r in rows.values():
        if r.parent_given or r.code not in existing:
            final_parent[r.code] = r.parent_code
    for r in rows.values():
        if r.parent_code and r.parent_code not in final_parent:
            errors.append(
                RowError(
                    r.row,
                    col.get("codigo_padre"),
                    _("Row %(row)s: the parent code %(parent)s is neither in the file nor in the plan.")
                    % {"row": r.row, "parent": r.parent_code},
                )
            )
            r.bad = True
    depth, cycles = _depths(final_parent)
    for cycle in cycles:
        shown = " → ".join([*cycle, cycle[0]])
        for code in cycle:
            if code in rows:
                errors.append(
                    RowError(
                        rows[code].row,
                        col.get("codigo_padre"),
                        _(
                            "Row %(row)s: the code %(code)s is inside a cycle of parents (%(cycle)s); "
                            "a node cannot be its own ancestor."
                        )
                        % {"row": rows[code].row, "code": code, "cycle": shown},
                    )
                )
                rows[code].bad = True
    for r in rows.values():
        if depth.get(r.code, 0) > MAX_DEPTH:
            errors.append(
                RowError(
                    r.row,
                    col.get("codigo_padre"),
                    _(
                        "Row %(row)s: the node would be at depth %(depth)s; the tree may have at most %(max)s levels."
                    )
                    % {"row": r.row, "depth": depth[r.code], "max": MAX_DEPTH},
                )
            )
            r.bad = True

    # Levels: the file's list for an empty plan, otherwise the plan's own.
    if not existing and parsed.levels:
        specs, level_errors = _validate_levels(parsed.levels)
        errors.extend(level_errors)
        result.level_specs = specs
        level_rows = specs
    else:
        level_rows = list(
            PlanLevel.objects.filter(plan=plan).order_by("depth").values_list("depth", "name", "key")
        )
    _check_levels(rows, depth, final_parent, level_rows, result, col)

    result.final_parent = final_parent
    result.final_depth = depth
    result.untouched = sum(1 for code in existing if code not in rows)
    if errors:
        errors.sort(key=lambda e: e.row)
        return result

    positions = _positions(rows, existing, final_parent)
    for code in sorted(rows, key=lambda c: rows[c].row):
        r = rows[code]
        units = [unit_ids[ref] for ref in r.unit_refs] if r.unit_refs is not None else None
        old = existing.get(code)
        draft = NodeDraft(
            row=r.row,
            code=code,
            parent_code=final_parent[code],
            depth=depth[code],
            position=positions[code],
            fields=r.fields,
            units=units,
            existing_id=old.id if old else None,
        )
        if old is None:
            result.creates.append(draft)
            continue
        result.updates.append(draft)
        same = (
            all(old.values[k] == value for k, value in r.fields.items())
            and old.parent_code == draft.parent_code
            and old.depth == draft.depth
            and old.position == draft.position
            and (units is None or set(units) == existing_units.get(old.id, set()))
        )
        result.unchanged += int(same)
    return result


def _unit_ids(refs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    ordered = sorted(refs)
    for start in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[start : start + _IN_CHUNK]
        qs = TerritorialUnit.objects.filter(
            country__in={c for c, _code in chunk}, code__in={k for _c, k in chunk}
        )
        for unit_id, unit_country, unit_code in qs.values_list("id", "country", "code"):
            found[(unit_country, unit_code)] = unit_id
    return {ref: found[ref] for ref in refs if ref in found}


def _depths(final_parent: dict[str, str | None]) -> tuple[dict[str, int], list[list[str]]]:
    """Depth of every node whose ancestry reaches a root, and the cycles (child → parent order)."""
    depth: dict[str, int] = {}
    unresolved: set[str] = set()
    cycles: list[list[str]] = []
    for start in final_parent:
        if start in depth or start in unresolved:
            continue
        chain: list[str] = []
        on_chain: dict[str, int] = {}
        cur = start
        base: int | None
        while True:
            on_chain[cur] = len(chain)
            chain.append(cur)
            parent = final_parent[cur]
            if parent is None:
                base = 0
                break
            if parent in depth:
                base = depth[parent]
                break
            if parent in unresolved or parent not in final_parent:
                base = None
                break
            if parent in on_chain:
                cycles.append(chain[on_chain[parent] :])
                base = None
                break
            cur = parent
        if base is None:
            unresolved.update(chain)
        else:
            for offset, code in enumerate(reversed(chain), start=1):
                depth[code] = base + offset
    return depth, cycles


def _check_levels(
    rows: dict[str, _Row],
    depth: dict[str, int],
    final_parent: dict[str, str | None],
    level_rows: list[tuple[int, str, str]],
    result: ImportPlan,
    col: dict[str, str],
) -> None:
    """Match each row's level by name, key or depth number, and check it fits the node's depth.

    A depth below the configured levels gets a new level, named as the file names it (or
    "Nivel N"), like `plan_level_for_depth` does for a node added by hand.
    """
    name_by_depth = {d: name for d, name, _key in level_rows}
    lookup: dict[str, int] = {}
    for d, name, key in level_rows:
        lookup.setdefault(fold(name), d)
        lookup.setdefault(fold(key), d)
    new_levels = result.new_levels
    for r in sorted(rows.values(), key=lambda r: r.row):
        node_depth = depth.get(r.code)
        if not r.level_text:
            continue
        folded = fold(r.level_text)
        if folded in lookup:
            level_depth = lookup[folded]
        elif folded.isdigit() and (int(folded) in name_by_depth or int(folded) == node_depth):
            level_depth = int(folded)
        elif (
            node_depth is not None
            and node_depth not in name_by_depth
            and (node_depth not in new_levels or fold(new_levels[node_depth]) == folded)
        ):
            new_levels[node_depth] = r.level_text
            level_depth = node_depth
        else:
            known = ", ".join(name for _d, name in sorted(name_by_depth.items()))
            result.errors.append(
                RowError(
                    r.row,
                    col.get("nivel"),
                    _(
                        "Row %(row)s: the level “%(level)s” does not exist in this plan; the levels are: %(levels)s."
                    )
                    % {"row": r.row, "level": r.level_text, "levels": known},
                )
            )
            r.bad = True
            continue
        if node_depth is not None and level_depth != node_depth:
            expected = name_by_depth.get(node_depth) or new_levels.get(node_depth) or f"Nivel {node_depth}"
            parent = final_parent.get(r.code)
            if parent:
                message = _(
                    "Row %(row)s: the level “%(level)s” does not fit: under %(parent)s the node must be "
                    "“%(expected)s”."
                ) % {"row": r.row, "level": r.level_text, "parent": parent, "expected": expected}
            else:
                message = _(
                    "Row %(row)s: the level “%(level)s” does not fit: a node without a parent must be "
                    "“%(expected)s”."
                ) % {"row": r.row, "level": r.level_text, "expected": expected}
            result.errors.append(RowError(r.row, col.get("nivel"), message))
            r.bad = True
    for node_depth in set(depth.values()):
        if node_depth not in name_by_depth and node_depth not in new_levels:
            new_levels[node_depth] = f"Nivel {node_depth}"


def _positions(
    rows: dict[str, _Row], existing: dict[str, _Existing], final_parent: dict[str, str | None]
) -> dict[str, int]:
    """Position among siblings: "orden" - 1 when given; otherwise an existing node that stays
    under the same parent keeps its place, and the others go last, in file order."""
    positions: dict[str, int] = {}
    top: dict[str | None, int] = defaultdict(lambda: -1)
    for code, e in existing.items():
        r = rows.get(code)
        if final_parent[code] == e.parent_code and (r is None or r.order is None):
            positions[code] = e.position
            top[e.parent_code] = max(top[e.parent_code], e.position)
    for code, r in rows.items():
        if r.order is not None:
            positions[code] = r.order - 1
            top[final_parent[code]] = max(top[final_parent[code]], r.order - 1)
    for code in sorted(rows, key=lambda c: rows[c].row):
        if code not in positions:
            parent = final_parent[code]
            top[parent] += 1
            positions[code] = top[parent]
    return positions


# --- writing ------------------------------------------------------------------------------------


def plan_import_apply(
    *,
    actor: Any,
    plan: Plan,
    import_plan: ImportPlan,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write a validated import in one transaction: all rows or none.

    Locks the plan first; if the tree changed since validation, validates again under the
    lock. Creates level by level (parents first) with bulk inserts, and leaves one audit event
    per created or changed node plus one "imported" event on the plan.
    """
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    if import_plan.plan_id != plan.pk:
        raise ValueError("The import was validated against another plan.")
    if import_plan.errors:
        raise PlanImportError(import_plan.errors)
    with transaction.atomic():
        _lock_plan(plan)
        if _fingerprint(plan) != import_plan.fingerprint:
            import_plan = plan_import_validate(plan=plan, parsed=import_plan.parsed)
            if import_plan.errors:
                raise PlanImportError(import_plan.errors)
        return _write(actor=actor, plan=plan, ip=import_plan, progress=progress)


def _set_levels(plan: Plan, ip: ImportPlan) -> dict[int, PlanLevel]:
    if ip.level_specs is not None:
        current = list(
            PlanLevel.objects.filter(plan=plan).order_by("depth").values_list("depth", "name", "key")
        )
        if current != ip.level_specs:
            # Only for a plan without nodes, so no node refers to these levels.
            PlanLevel.objects.filter(plan=plan).delete()
            PlanLevel.objects.bulk_create(
                [PlanLevel(plan=plan, depth=d, name=name, key=key) for d, name, key in ip.level_specs]
            )
    levels = {lvl.depth: lvl for lvl in PlanLevel.objects.filter(plan=plan)}
    keys = {lvl.key for lvl in levels.values()}
    missing = []
    for d, name in sorted(ip.new_levels.items()):
        if d in levels:
            continue
        key = slugify(name)[:50] or f"level-{d}"
        while key in keys:
            key = f"{key}-{d}"
        keys.add(key)
        missing.append(PlanLevel(plan=plan, depth=d, name=name[:100], key=key))
    for lvl in PlanLevel.objects.bulk_create(missing):
        levels[lvl.depth] = lvl
    return levels


def _db_values(fields: list[Any], values: Iterable[Any], db: Any) -> list[Any]:
    return [f.get_db_prep_save(v, connection=db) for f, v in zip(fields, values, strict=True)]


def _fields(model: type[Any], names: list[str]) -> list[Any]:
    """The concrete fields of `model` with these names (foreign keys by field name)."""
    by_name = {f.name: f for f in model._meta.concrete_fields}
    return [by_name[name] for name in names]


def _insert_rows(model: type[Any], field_names: list[str], rows: list[list[Any]]) -> None:
    """Insert many rows with one prepared INSERT run for each row (values by attribute name).

    Django's bulk_create compiles a multi-row statement per batch of ~60 rows (SQLite's 999
    variables), which costs seconds for ten thousand rows; executemany costs milliseconds.
    """
    if not rows:
        return
    fields = _fields(model, field_names)
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the thread-local proxy costs per value
    qn = db.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with db.cursor() as cursor:
        cursor.executemany(sql, [_db_values(fields, row, db) for row in rows])


def _update_rows(nodes: list[Node], field_names: list[str]) -> None:
    """Save these fields of many nodes with one prepared UPDATE run for each node.

    Django's bulk_update builds a CASE expression per field and row: seconds per thousand rows.
    """
    if not nodes:
        return
    fields = _fields(Node, field_names)
    db = connections[DEFAULT_DB_ALIAS]
    qn = db.ops.quote_name
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {qn(Node._meta.db_table)} SET {assignments} WHERE {qn(Node._meta.pk.column or 'id')} = %s"  # noqa: S608
    params = [
        [*_db_values(fields, (getattr(node, f.attname) for f in fields), db), node.pk] for node in nodes
    ]
    with db.cursor() as cursor:
        cursor.executemany(sql, params)


_NODE_INSERT = ["plan", "parent", "path", "depth", "level", "code", "position", *_VALUE_FIELDS,
                "created_at", "updated_at"]  # fmt: skip
_EVENT_INSERT = ["occurred_at", "actor", "entity_id", "target_type", "target_id", "target_repr",
                 "scope_type", "scope_id", "action", "changes", "message"]  # fmt: skip


def _write(
    *, actor: Any, plan: Plan, ip: ImportPlan, progress: Callable[[int, int], None] | None
) -> ImportResult:
    now = timezone.now()
    total = len(ip.creates) + len(ip.updates)
    done = 0
    levels = _set_levels(plan, ip)
    nodes = {n.code: n for n in Node.objects.filter(plan=plan)}
    ids = {code: n.pk for code, n in nodes.items()}
    through = Node.units.through
    old_units: dict[int, list[int]] = defaultdict(list)
    for node_id, unit_id in through.objects.filter(node__plan=plan).values_list(
        "node_id", "territorialunit_id"
    ):
        old_units[node_id].append(unit_id)

    # New nodes, parents first: one INSERT statement per depth, then their ids by code. The
    # placeholder path "/" (no saved node has it) tells this batch apart; paths are set below.
    created: list[tuple[NodeDraft, Node]] = []
    for node_depth, group in itertools.groupby(
        sorted(ip.creates, key=lambda d: d.depth), key=lambda d: d.depth
    ):
        batch = [
            (
                draft,
                Node(
                    plan=plan,
                    parent_id=ids[draft.parent_code] if draft.parent_code else None,
                    path="/",
                    depth=node_depth,
                    level=levels[node_depth],
                    code=draft.code,
                    position=draft.position,
                    created_at=now,
                    updated_at=now,
                    **draft.fields,
                ),
            )
            for draft in group
        ]
        fields = _fields(Node, _NODE_INSERT)
        _insert_rows(Node, _NODE_INSERT, [[getattr(node, f.attname) for f in fields] for _d, node in batch])
        fresh = dict(Node.objects.filter(plan=plan, depth=node_depth, path="/").values_list("code", "id"))
        for draft, node in batch:
            node.pk = ids[draft.code] = fresh[draft.code]
        created.extend(batch)
        done += len(batch)
        if progress:
            progress(done, total)

    paths: dict[str, str] = {}
    for code in sorted(ip.final_parent, key=lambda c: ip.final_depth[c]):
        parent = ip.final_parent[code]
        paths[code] = f"{paths[parent] if parent else '/'}{ids[code]}/"

    # Existing nodes: the file's values, and new places for moved nodes and their subtrees.
    upds = {d.code: d for d in ip.updates}
    changed: list[Node] = []
    events: list[list[Any]] = []
    unit_rows: list[list[int]] = []
    units_replaced: list[int] = []
    updated = unchanged = 0
    node_type = ContentType.objects.get_for_model(Node)
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None

    def event(node: Node, action: str, changes: dict[str, Any]) -> list[Any]:
        return [now, actor_id, plan.entity_id, node_type.pk, str(node.pk), str(node)[:300],
                plan._meta.label_lower, plan.pk, action, changes, ""]  # fmt: skip

    for code, node in nodes.items():
        upd = upds.get(code)
        before = model_snapshot(node, NODE_FIELDS) if upd else {}
        parent_code = ip.final_parent[code]
        place = {
            "parent_id": ids[parent_code] if parent_code else None,
            "path": paths[code],
            "depth": ip.final_depth[code],
            "level_id": levels[ip.final_depth[code]].pk,
        }
        if upd:
            place.update(upd.fields, position=upd.position)
        dirty = False
        for attr, value in place.items():
            if getattr(node, attr) != value:
                setattr(node, attr, value)
                dirty = True
        if dirty:
            node.updated_at = now
            changed.append(node)
        if upd is None:
            continue
        changes: dict[str, Any] = snapshot_diff(before, model_snapshot(node, NODE_FIELDS))
        if upd.units is not None and sorted(set(upd.units)) != sorted(old_units.get(node.pk, [])):
            changes["units"] = [sorted(old_units.get(node.pk, [])), sorted(set(upd.units))]
            units_replaced.append(node.pk)
            unit_rows.extend([node.pk, u] for u in dict.fromkeys(upd.units))
        if changes:
            updated += 1
            events.append(event(node, AuditAction.UPDATED, changes))
        else:
            unchanged += 1
    _update_rows(changed, ["parent", "path", "depth", "level", "position", *_VALUE_FIELDS, "updated_at"])
    done += len(ip.updates)
    if progress:
        progress(done, total)

    for draft, node in created:
        node.path = paths[draft.code]
        changes = created_changes(node, NODE_FIELDS)
        if draft.units:
            changes["units"] = [None, sorted(set(draft.units))]
            unit_rows.extend([node.pk, u] for u in dict.fromkeys(draft.units))
        events.append(event(node, AuditAction.CREATED, changes))

    for start in range(0, len(units_replaced), _IN_CHUNK):
        through.objects.filter(node_id__in=units_replaced[start : start + _IN_CHUNK]).delete()
    _update_rows([node for _draft, node in created], ["path"])
    _insert_rows(through, ["node", "territorialunit"], unit_rows)
    _insert_rows(AuditEvent, _EVENT_INSERT, events)
    outcome = ImportResult(created=len(created), updated=updated, unchanged=unchanged, untouched=ip.untouched)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORTED,
        target=plan,
        entity_id=plan.entity_id,
        scope=plan,
        message=plan_import_summary(outcome, filename=ip.parsed.filename),
        changes={**outcome.as_dict(), "file": ip.parsed.filename, "format": ip.parsed.format},
    )
    return outcome


def plan_import_summary(result: ImportResult, *, filename: str) -> str:
    """One sentence for the user and the plan's history."""
    return _(
        "Imported %(file)s: %(created)s nodes created, %(updated)s updated, %(unchanged)s unchanged; "
        "%(untouched)s nodes of the plan that are not in the file were left as they were."
    ) % {"file": filename, **result.as_dict()}


def plan_import_errors_message(errors: list[RowError]) -> str:
    """The Spanish summary of a failed import ("El archivo tiene 3 errores; no se importó nada.")."""
    count = len(errors)
    return ngettext(
        "The file has %(count)s error; nothing was imported.",
        "The file has %(count)s errors; nothing was imported.",
        count,
    ) % {"count": count}


def plan_import(*, actor: Any, plan: Plan, data: bytes, filename: str) -> ImportResult:
    """Parse, validate and apply in one call; raises PlanImportError with every row error."""
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    parsed = plan_import_parse(data=data, filename=filename)
    import_plan = plan_import_validate(plan=plan, parsed=parsed)
    if import_plan.errors:
        raise PlanImportError(import_plan.errors)
    return plan_import_apply(actor=actor, plan=plan, import_plan=import_plan)


def plan_import_start(*, actor: Any, plan: Plan, uploaded_file: UploadedFile[Any]) -> Job:
    """Queue an import as a background job (kind "plan_import") and return the job to poll.

    Checks permission and size now; the task runs after the commit and reports row errors on
    the job.
    """
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    upload_check(uploaded_file)  # UploadRefused (a ValidationError) for the form to show

    with transaction.atomic():
        job = import_job_keep(
            kind=JOB_KIND,
            title=lambda name: _("Import of %(file)s into %(plan)s") % {"file": name, "plan": plan.name},
            actor=actor,
            entity_id=plan.entity_id,
            uploaded_file=uploaded_file,
            default_name="import",
            params={"plan_id": plan.pk, "return_url": reverse("plans:detail", kwargs={"plan_id": plan.pk})},
        )
        job_enqueue("rumbo.plans.tasks.plan_import_task", job.pk)
    return job
