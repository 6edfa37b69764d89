"""Export of a plan's whole structure (levels and tree) as XLSX, CSV or JSON.

The files are the interchange format documented in docs/import-format.md: importing an export
into an empty plan reproduces the same tree. Column names are canonical Spanish; the importer
also accepts English aliases (see rumbo.plans.imports).
"""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

import orjson
from openpyxl import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from rumbo.core.exports import csv_writer, xlsx_cell
from rumbo.plans.models import Node, Plan, PlanLevel
from rumbo.plans.selectors import plan_tree

FORMAT_ID = "rumbo.plan/1"

# Canonical node columns, in file order.
NODE_COLUMNS: tuple[str, ...] = (
    "codigo",
    "nivel",
    "titulo",
    "codigo_padre",
    "peso",
    "responsable",
    "plazo",
    "anio_inicio",
    "anio_fin",
    "descripcion",
    "orden",
    "ambito",
)
LEVEL_COLUMNS: tuple[str, ...] = ("profundidad", "nombre", "clave")
NODES_SHEET = "nodos"
LEVELS_SHEET = "niveles"
PLAN_SHEET = "plan"

# Model term value → Spanish file value, and back.
TERM_TO_FILE: dict[str, str] = {"short": "corto", "medium": "mediano", "long": "largo", "": ""}
UNIT_SEPARATOR = "|"
# Keys of the JSON node objects (English, like the API), matching NODE_COLUMNS one to one.
JSON_NODE_KEYS: dict[str, str] = {
    "codigo": "code",
    "nivel": "level",
    "titulo": "title",
    "codigo_padre": "parent_code",
    "peso": "weight",
    "responsable": "responsible",
    "plazo": "term",
    "anio_inicio": "term_start",
    "anio_fin": "term_end",
    "descripcion": "description",
    "orden": "order",
    "ambito": "units",
}


def decimal_text(value: Decimal, *, decimal_comma: bool = False) -> str:
    """A weight without trailing zeros or exponent ("0.25", "1"), with a decimal comma if asked."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if decimal_comma else text


def plan_export_levels(*, plan: Plan) -> list[dict[str, Any]]:
    """The plan's tree levels by depth, as {"depth", "name", "key"}."""
    return [
        {"depth": lvl.depth, "name": lvl.name, "key": lvl.key}
        for lvl in PlanLevel.objects.filter(plan=plan).order_by("depth")
    ]


def plan_export_meta(*, plan: Plan) -> dict[str, Any]:
    """The plan's own data carried in exports for information (the importer does not apply it)."""
    return {
        "name": plan.name,
        "code": plan.code,
        "type_code": plan.plan_type.code,
        "country": plan.entity.country,
        "horizon_start": plan.horizon_start,
        "horizon_end": plan.horizon_end,
        "status": plan.status,
        "vision": plan.vision,
        "target_image": plan.target_image,
        "description": plan.description,
    }


def plan_export_rows(*, plan: Plan) -> list[dict[str, Any]]:
    """One dict per node in display order, keyed by the canonical columns.

    Values are typed: `peso` a Decimal, years and `orden` (1-based among siblings) ints or None,
    `ambito` a list of unit codes ("PE:220101" when the unit is of another country).
    """
    summary = plan_tree(plan=plan, with_description=True)
    codes = {row.id: row.code for row in summary.rows}
    # The tree reads weights as floats for speed; the file carries the exact decimal.
    weights: dict[int, Decimal] = dict(Node.objects.filter(plan=plan).values_list("id", "weight"))
    country = plan.entity.country
    units: dict[int, list[str]] = defaultdict(list)
    through = Node.units.through.objects.filter(node__plan=plan).order_by(
        "territorialunit__country", "territorialunit__code"
    )
    for node_id, unit_country, unit_code in through.values_list(
        "node_id", "territorialunit__country", "territorialunit__code"
    ):
        units[node_id].append(unit_code if unit_country == country else f"{unit_country}:{unit_code}")
    return [
        {
            "codigo": row.code,
            "nivel": row.level_name,
            "titulo": row.title,
            "codigo_padre": codes.get(row.parent_id, "") if row.parent_id else "",
            "peso": weights[row.id],
            "responsable": row.responsible,
            "plazo": TERM_TO_FILE.get(row.term, row.term),
            "anio_inicio": row.term_start,
            "anio_fin": row.term_end,
            "descripcion": row.description,
            "orden": row.position + 1,
            "ambito": units.get(row.id, []),
        }
        for row in summary.rows
    ]


def _sheet_cell(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """A value for a write-only sheet: text that starts like a formula stays text
    (rumbo.core.exports), weights are numbers."""
    if isinstance(value, Decimal):
        return float(value)  # 12 digits with 6 decimals survive the float exactly
    return xlsx_cell(ws, value)


def _flat_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "ambito": UNIT_SEPARATOR.join(row["ambito"])}


def plan_export_xlsx(*, plan: Plan) -> bytes:
    """An Excel workbook with the sheets "nodos" (the tree), "niveles" and "plan" (metadata)."""
    wb = Workbook(write_only=True)
    nodes = wb.create_sheet(NODES_SHEET)
    nodes.append(list(NODE_COLUMNS))
    for row in plan_export_rows(plan=plan):
        flat = _flat_row(row)
        nodes.append([_sheet_cell(nodes, flat[col]) for col in NODE_COLUMNS])
    levels = wb.create_sheet(LEVELS_SHEET)
    levels.append(list(LEVEL_COLUMNS))
    for lvl in plan_export_levels(plan=plan):
        levels.append([lvl["depth"], _sheet_cell(levels, lvl["name"]), lvl["key"]])
    meta_sheet = wb.create_sheet(PLAN_SHEET)
    meta_sheet.append(["clave", "valor"])
    meta = plan_export_meta(plan=plan)
    meta_rows = [
        ("formato", FORMAT_ID),
        ("nombre", meta["name"]),
        ("codigo", meta["code"]),
        ("tipo", meta["type_code"]),
        ("pais", meta["country"]),
        ("horizonte_inicio", meta["horizon_start"]),
        ("horizonte_fin", meta["horizon_end"]),
        ("estado", meta["status"]),
        ("vision", meta["vision"]),
        ("imagen_objetivo", meta["target_image"]),
        ("descripcion", meta["description"]),
    ]
    for key, value in meta_rows:
        meta_sheet.append([key, _sheet_cell(meta_sheet, value)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv_text(value: Any) -> str:
    """Text for a CSV cell (csv_writer then neutralises text that starts like a formula with an
    apostrophe, which the importer takes off again: rumbo.core.exports)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_text(value, decimal_comma=True)
    return str(value)


def plan_export_csv(*, plan: Plan) -> bytes:
    """The tree as CSV the way Spanish-locale Excel writes it: UTF-8 with BOM, ";" and decimal comma.

    CSV carries no level list: levels are named in the "nivel" column.
    """
    out = io.StringIO(newline="")
    writer = csv_writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(NODE_COLUMNS)
    for row in plan_export_rows(plan=plan):
        flat = _flat_row(row)
        writer.writerow([_csv_text(flat[col]) for col in NODE_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def plan_export_json(*, plan: Plan) -> bytes:
    """{"format": "rumbo.plan/1", "plan": {...}, "levels": [...], "nodes": [...]}, nodes flat with parent_code."""
    nodes = []
    for row in plan_export_rows(plan=plan):
        item = {JSON_NODE_KEYS[col]: row[col] for col in NODE_COLUMNS}
        item["weight"] = decimal_text(row["peso"])
        item["term"] = row["plazo"] and {v: k for k, v in TERM_TO_FILE.items()}[row["plazo"]]
        item["parent_code"] = row["codigo_padre"] or None
        nodes.append(item)
    document = {
        "format": FORMAT_ID,
        "plan": plan_export_meta(plan=plan),
        "levels": plan_export_levels(plan=plan),
        "nodes": nodes,
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)
