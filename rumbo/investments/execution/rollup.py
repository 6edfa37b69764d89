"""Execution of a plan's projects rolled up onto its strategic tree, as of the end of a period.

For each node, the projects serving it or any node below it:
- physical progress = the mean of each project's latest achieved physical progress (cumulative,
  recorded for a period ending on or before the date), weighted by the project's total cost.
  Projects with nothing recorded are listed as "no data", never counted as 0. When every weight
  is zero the plain mean is used, and the breakdown says so.
- financial execution = Σ paid / Σ programmed over the records up to the date (money of a record
  belongs to its period, so the periods are added up).
A project serving several nodes counts fully in each of them (and once in the plan's total).
Four queries whatever the size of the plan.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q

from rumbo.accounts.permissions import Capability, user_access
from rumbo.investments.models import ExecutionRecord, Project, ProjectStatus
from rumbo.plans.models import Node, Plan

HUNDRED = Decimal(100)


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class ProjectFigures:
    """What one project brings to a roll-up."""

    project_id: int
    code: str
    title: str
    cost: Decimal  # the weight of its physical progress
    physical: Decimal | None  # latest achieved %, None = no data
    physical_period: str | None
    programmed: Decimal  # Σ over its records up to the date
    paid: Decimal
    has_records: bool
    nodes: int = 0  # how many nodes of the plan it serves directly


@dataclass(slots=True)
class ExecutionFigure:
    """The execution of a set of projects, with what it was calculated from."""

    projects: list[ProjectFigures]
    physical: Decimal | None = None  # %
    physical_rule: str = ""  # "weighted" | "plain" | "" (no data)
    weight_total: Decimal = Decimal(0)
    financial: Decimal | None = None  # %
    programmed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    without_data: list[ProjectFigures] = field(default_factory=list)
    shares: dict[int, Decimal] = field(default_factory=dict)  # project id → its share of the weight (%)

    @property
    def count(self) -> int:
        return len(self.projects)


@dataclass(slots=True)
class NodeExecution:
    node_id: int
    code: str
    title: str
    depth: int
    figure: ExecutionFigure


@dataclass(slots=True)
class PlanExecution:
    plan: Plan
    date: datetime.date
    nodes: dict[int, NodeExecution]
    roots: list[NodeExecution]
    total: ExecutionFigure
    shared: list[ProjectFigures]  # projects serving more than one node

    @property
    def has_projects(self) -> bool:
        return bool(self.total.projects)


def execution_figure(*, projects: list[ProjectFigures]) -> ExecutionFigure:
    """The physical progress (cost-weighted mean, or plain mean when all costs are zero) and the
    financial execution (Σ paid / Σ programmed) of these projects."""
    figure = ExecutionFigure(projects=projects)
    with_physical = [p for p in projects if p.physical is not None]
    figure.without_data = [p for p in projects if p.physical is None]
    if with_physical:
        weight_total = sum((p.cost for p in with_physical), Decimal(0))
        if weight_total > 0:
            figure.physical_rule = "weighted"
            figure.weight_total = weight_total
            weighted = sum((p.cost * (p.physical or 0) for p in with_physical), Decimal(0))
            figure.physical = _one_decimal(weighted / weight_total)
            figure.shares = {
                p.project_id: _one_decimal(p.cost * HUNDRED / weight_total) for p in with_physical
            }
        else:
            figure.physical_rule = "plain"
            values = [p.physical or Decimal(0) for p in with_physical]
            figure.physical = _one_decimal(sum(values, Decimal(0)) / len(values))
            share = _one_decimal(HUNDRED / len(values))
            figure.shares = {p.project_id: share for p in with_physical}
    figure.programmed = sum((p.programmed for p in projects), Decimal(0))
    figure.paid = sum((p.paid for p in projects), Decimal(0))
    if figure.programmed > 0:
        figure.financial = _one_decimal(figure.paid * HUNDRED / figure.programmed)
    return figure


def plan_execution_rollup(*, plan: Plan, date: datetime.date, user: Any) -> PlanExecution:
    """The execution of the plan's projects on every node of its tree as of `date` (the end of
    the dashboard's period). Users who may not read the entity's private data see only accepted
    projects."""
    nodes = list(
        Node.objects.filter(plan=plan)
        .order_by("depth", "position", "code")
        .values("pk", "code", "title", "path", "depth", "parent_id")
    )
    through = Project.nodes.through
    links = list(through.objects.filter(node__plan=plan).values_list("project_id", "node_id"))
    project_ids = {p for p, _n in links}
    qs = Project.objects.filter(Q(pk__in=project_ids) | Q(plan=plan))
    if not user_access(user).can(plan.entity_id, Capability.VIEW_PRIVATE):
        qs = qs.filter(status=ProjectStatus.ACCEPTED)
    figures: dict[int, ProjectFigures] = {
        pk: ProjectFigures(pk, code, title, cost or Decimal(0), None, None, Decimal(0), Decimal(0), False)
        for pk, code, title, cost in qs.order_by("code").values_list("pk", "code", "title", "cost_total")
    }
    for project_id, period, programmed, paid, actual in (
        ExecutionRecord.objects.filter(project_id__in=list(figures), period_end__lte=date)
        .order_by("period_end", "period")
        .values_list("project_id", "period", "programmed", "paid", "physical_actual")
    ):
        f = figures[project_id]
        f.has_records = True
        f.programmed += programmed
        f.paid += paid
        if actual is not None:  # ordered by date: the last one seen is the latest
            f.physical, f.physical_period = actual, period
    by_node: dict[int, set[int]] = {n["pk"]: set() for n in nodes}
    path_of = {n["pk"]: n["path"] for n in nodes}
    for project_id, node_id in links:
        if project_id not in figures:
            continue
        figures[project_id].nodes += 1
        for part in path_of.get(node_id, "").strip("/").split("/"):
            if part and int(part) in by_node:
                by_node[int(part)].add(project_id)
    result: dict[int, NodeExecution] = {}
    for n in nodes:
        members = [figures[i] for i in sorted(by_node[n["pk"]], key=lambda i: figures[i].code)]
        result[n["pk"]] = NodeExecution(
            n["pk"], n["code"], n["title"], n["depth"], execution_figure(projects=members)
        )
    roots = [result[n["pk"]] for n in nodes if n["parent_id"] is None]
    return PlanExecution(
        plan=plan,
        date=date,
        nodes=result,
        roots=roots,
        total=execution_figure(projects=list(figures.values())),
        shared=[f for f in figures.values() if f.nodes > 1],
    )
