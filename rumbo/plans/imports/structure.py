"""The tree the file asks for: depths, levels and sibling positions of every code."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from rumbo.core.tabular import (
    RowError,
    fold,
)
from rumbo.plans.imports.results import _IN_CHUNK, ImportPlan, _Existing, _Row
from rumbo.territory.models import TerritorialUnit


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
