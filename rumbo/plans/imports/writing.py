"""Writing a checked import in one transaction: bulk inserts and updates, one audit event per node."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.text import slugify

from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, created_changes, model_snapshot, snapshot_diff
from rumbo.core.models import AuditEvent
from rumbo.core.tabular import import_audit
from rumbo.plans.imports.checking import _fingerprint, plan_import_validate
from rumbo.plans.imports.messages import plan_import_summary
from rumbo.plans.imports.results import (
    _IN_CHUNK,
    _VALUE_FIELDS,
    ImportPlan,
    ImportResult,
    NodeDraft,
    PlanImportError,
)
from rumbo.plans.models import Node, Plan, PlanLevel
from rumbo.plans.services import NODE_FIELDS, _lock_plan

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
    import_audit(
        actor=actor,
        target=plan,
        message=plan_import_summary(outcome, filename=ip.parsed.filename),
        changes={**outcome.as_dict(), "file": ip.parsed.filename, "format": ip.parsed.format},
    )
    return outcome
