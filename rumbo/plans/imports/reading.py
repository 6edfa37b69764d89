"""Reading a plan file (XLSX, CSV through rumbo.core.tabular; JSON here) into rows with canonical names."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import orjson
from django.utils.translation import gettext as _

from rumbo.core.tabular import (
    RowError,
    bytes_opener,
    header_read,
    is_blank_row,
    refused_as,
    table_detect,
    table_open,
)
from rumbo.core.tabular.reading import Rows
from rumbo.core.uploads import upload_max_bytes, upload_size_message
from rumbo.plans.exports import LEVELS_SHEET, NODES_SHEET
from rumbo.plans.imports.results import (
    COLUMNS,
    LEVEL_COLUMNS,
    ParsedFile,
    ParsedLevel,
    ParsedRow,
    PlanImportError,
    _file_error,
)


def _parsed_table(
    *,
    fmt: str,
    filename: str,
    records: Rows,
    levels: list[ParsedLevel] | None,
    mapping: dict[str, str] | None,
) -> ParsedFile:
    header = next(records, None)
    if header is None:
        raise _file_error(_("The file is empty."))
    found = header_read(COLUMNS, header[1], mapping)
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


def _parse_table(data: bytes, filename: str, mapping: dict[str, str] | None) -> ParsedFile:
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
                fmt=info.format,
                filename=filename,
                records=table.rows(nodes_name),
                levels=levels,
                mapping=mapping,
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


def is_json(data: bytes, filename: str) -> bool:
    first = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    return not data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")) and (
        PurePath(filename).suffix.lower() == ".json" or first in (b"{", b"[")
    )


def plan_import_parse(*, data: bytes, filename: str, mapping: dict[str, str] | None = None) -> ParsedFile:
    """Read an XLSX, CSV or JSON file into rows with canonical column names (a table's columns
    through `mapping`, column → header as written, when the person mapped them).

    Raises PlanImportError for a file that cannot be read at all (too large, binary, wrong
    encoding, damaged); header problems are returned in `errors` for validation to report.
    """
    if len(data) > upload_max_bytes():
        raise _file_error(upload_size_message(len(data)))
    if is_json(data, filename):
        return _parse_json(data, filename)
    return _parse_table(data, filename, mapping)
