"""Checking every row of a parsed file against the plan: every error at once, nothing written."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rumbo.core.tabular import (
    CellError,
    RowError,
    fold_header,
    number_cell,
)
from rumbo.plans.imports.results import (
    _VALUE_FIELDS,
    MAX_DEPTH,
    MAX_LENGTHS,
    TERM_ALIASES,
    YEAR_MAX,
    YEAR_MIN,
    ImportPlan,
    NodeDraft,
    ParsedFile,
    ParsedLevel,
    _cell_text,
    _Existing,
    _Row,
)
from rumbo.plans.imports.structure import _check_levels, _depths, _positions, _unit_ids
from rumbo.plans.models import Node, Plan, PlanLevel
from rumbo.plans.services import parse_weight

# --- checking the rows against the plan --------------------------------------------------------


def _parse_row_weight(value: Any, row: int, column: str) -> tuple[Decimal | None, str | None]:
    """The weight of a row (1 when empty) or the message saying why it cannot be read."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = repr(value)
    else:
        text = _cell_text(value).strip()
    if not text:
        return Decimal("1.000000"), None
    try:
        number = number_cell(text)
    except CellError as exc:
        return None, _("Row %(row)s, %(column)s: %(problem)s") % {
            "row": row,
            "column": column,
            "problem": exc.message,
        }
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
                too_long = _("Row %(row)s: the title is longer than %(max)s characters.")
                fail("titulo", too_long % {"row": n, "max": MAX_LENGTHS["titulo"]})
            r.fields["title"] = title
        elif code not in existing:
            fail("titulo", _("Row %(row)s: the title is missing.") % {"row": n})
        if "codigo_padre" in v:
            r.parent_given = True
            r.parent_code = _cell_text(v["codigo_padre"]).strip() or None
        if "nivel" in v:
            r.level_text = _cell_text(v["nivel"]).strip()
        if "peso" in v:
            weight, message = _parse_row_weight(v["peso"], n, col.get("peso", "peso"))
            if message:
                fail("peso", message)
            r.fields["weight"] = weight
        if "responsable" in v:
            responsible = _cell_text(v["responsable"]).strip()
            if len(responsible) > MAX_LENGTHS["responsable"]:
                too_long = _("Row %(row)s: the responsible office is longer than %(max)s characters.")
                fail("responsable", too_long % {"row": n, "max": MAX_LENGTHS["responsable"]})
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
