"""Reads on plans and trees. Gatekeepers answer None for missing and forbidden alike.

Tree reads are a constant number of queries whatever the size of the plan: all nodes in one
query, ordered in Python by (parent, position, code).
"""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, FloatField, Q, QuerySet
from django.db.models.functions import Cast

from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.audit import audit_events_for
from rumbo.core.models import AuditEvent
from rumbo.plans.models import Node, Plan, PlanLevel, PlanType, Term


def plans_visible_to(*, user: Any) -> QuerySet[Plan]:
    """Published plans plus every plan of an entity where the user may read private data."""
    access = user_access(user)
    qs = Plan.objects.select_related("entity", "plan_type")
    if access.is_superuser:
        return qs
    return qs.filter(Q(is_published=True) | Q(entity_id__in=access.entities_with(Capability.VIEW_PRIVATE)))


def plan_get_for_user(*, plan_id: int, user: Any, capability: Capability | None = None) -> Plan | None:
    """The plan if the user may see it (and hold `capability`, when given); otherwise None."""
    plan = Plan.objects.select_related("entity", "plan_type").filter(pk=plan_id).first()
    if plan is None:
        return None
    access = user_access(user)
    if not (plan.is_published or access.can(plan.entity_id, Capability.VIEW_PRIVATE)):
        return None
    if capability is not None and not access.can(plan.entity_id, capability):
        return None
    return plan


def node_get_for_user(*, node_id: int, user: Any, capability: Capability | None = None) -> Node | None:
    node = Node.objects.select_related("plan", "plan__entity", "level", "parent").filter(pk=node_id).first()
    if node is None:
        return None
    if plan_get_for_user(plan_id=node.plan_id, user=user, capability=capability) is None:
        return None
    return node


def plan_types_for_country(*, country: str | None) -> QuerySet[PlanType]:
    qs = PlanType.objects.all()
    if country:
        qs = qs.filter(country__in=[country.upper(), "XX"])
    return qs


@dataclass(slots=True)
class TreeRow:
    """One node in display order, with what a tree view needs and nothing else."""

    id: int
    parent_id: int | None
    depth: int
    code: str
    title: str
    level_name: str
    weight: float  # raw weight as entered (exact value: Node.weight)
    share: float | None  # the weight normalised among siblings (None when all siblings weigh 0)
    responsible: str
    term: str
    term_label: str
    term_start: int | None
    term_end: int | None
    position: int
    child_count: int
    description: str


@dataclass(slots=True)
class TreeSummary:
    rows: list[TreeRow]
    # Sibling groups whose raw weights do not add up to 1 (parent id → raw sum): shown to the
    # user, who is told that roll-ups normalise them.
    unnormalised_groups: dict[int | None, float]


_TREE_FIELDS = (
    "id",
    "parent_id",
    "depth",
    "code",
    "title",
    "level_id",
    "weight_f",
    "responsible",
    "term",
    "term_start",
    "term_end",
    "position",
)


def plan_tree(*, plan: Plan, with_description: bool = False) -> TreeSummary:
    """The plan's nodes in depth-first display order (two queries whatever the size).

    Descriptions can be long and the tree page does not show them: they are read only when asked.
    """
    level_names = dict(PlanLevel.objects.filter(plan=plan).values_list("id", "name"))
    term_labels = {value: str(label) for value, label in Term.choices}
    fields = (*_TREE_FIELDS, "description") if with_description else _TREE_FIELDS
    gc_was_enabled = gc.isenabled()
    gc.disable()  # tens of thousands of small objects: collection passes would double the time
    try:
        # The weight is read as a float: the Decimal conversion of every row costs more than the
        # rest of the read, and shares are shown rounded anyway.
        records = list(
            Node.objects.filter(plan=plan)
            .annotate(weight_f=Cast("weight", FloatField()))
            .values_list(*fields)
        )
        children: dict[int | None, list[tuple[Any, ...]]] = defaultdict(list)
        for rec in records:
            children[rec[1]].append(rec)
        sums: dict[int | None, float] = {}
        for parent_id, group in children.items():
            group.sort(key=_sibling_order)
            sums[parent_id] = math.fsum(r[6] for r in group)
        rows: list[TreeRow] = []
        stack: list[tuple[Any, ...]] = list(reversed(children.get(None, [])))
        while stack:
            rec = stack.pop()
            total = sums[rec[1]]
            kids = children.get(rec[0])
            rows.append(
                TreeRow(
                    rec[0],
                    rec[1],
                    rec[2],
                    rec[3],
                    rec[4],
                    level_names.get(rec[5], ""),
                    rec[6],
                    rec[6] / total if total else None,
                    rec[7],
                    rec[8],
                    term_labels.get(rec[8], ""),
                    rec[9],
                    rec[10],
                    rec[11],
                    len(kids) if kids else 0,
                    rec[12] if with_description else "",
                )
            )
            if kids:
                stack.extend(reversed(kids))
    finally:
        if gc_was_enabled:
            gc.enable()
    unnormalised = {pid: s for pid, s in sums.items() if abs(s - 1.0) > 1e-9}
    return TreeSummary(rows=rows, unnormalised_groups=unnormalised)


def _sibling_order(rec: tuple[Any, ...]) -> tuple[int, str]:
    return rec[11], rec[3]


def plan_tree_nested(*, plan: Plan) -> list[dict[str, Any]]:
    """The tree as nested dicts (for the API), in display order."""
    summary = plan_tree(plan=plan, with_description=True)
    by_id: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for row in summary.rows:
            item = {
                "id": row.id,
                "code": row.code,
                "title": row.title,
                "level": row.level_name,
                "depth": row.depth,
                "weight": row.weight,
                "share": row.share,
                "responsible": row.responsible,
                "term": row.term or None,
                "term_start": row.term_start,
                "term_end": row.term_end,
                "description": row.description,
                "children": [],
            }
            by_id[row.id] = item
            if row.parent_id is None:
                roots.append(item)
            else:
                by_id[row.parent_id]["children"].append(item)
    finally:
        if gc_was_enabled:
            gc.enable()
    return roots


def plan_alignments(*, plan: Plan, user: Any) -> list[tuple[Node, Node]]:
    """(node of this plan, node of another plan it is aligned to), for target plans the user can see."""
    through = Node.aligned_to.through
    visible = plans_visible_to(user=user).values("pk")
    links = (
        through.objects.filter(from_node__plan=plan, to_node__plan__in=visible)
        .select_related("from_node", "to_node", "to_node__plan")
        .order_by("from_node__path")
    )
    return [(link.from_node, link.to_node) for link in links]


def plan_counts(*, plan: Plan) -> dict[str, int]:
    """Node counts per level name, in depth order."""
    rows = (
        Node.objects.filter(plan=plan)
        .values("level__depth", "level__name")
        .annotate(n=Count("id"))
        .order_by("level__depth")
    )
    return {r["level__name"]: r["n"] for r in rows}


def plan_history(*, plan: Plan, limit: int = 200) -> list[AuditEvent]:
    """The plan's own changes and those of everything inside it, newest first."""
    return list(audit_events_for(plan)[:limit])


def node_descendant_count(*, node: Node) -> int:
    return Node.objects.filter(plan_id=node.plan_id, path__startswith=node.path).exclude(pk=node.pk).count()
