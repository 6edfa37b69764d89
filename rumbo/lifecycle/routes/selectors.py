"""Reads on routes, a plan's progress along its route and its deadlines. Gatekeepers answer None
for missing and forbidden alike (the plans gatekeeper decides who may see a plan).

Progress counts leaf steps (the actual work items): a container (phase, pauta, paso with
activities) is as far along as the steps inside it. Not-applicable steps leave the count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.lifecycle.routes.models import (
    DayUnit,
    PlanProcedure,
    PlanProcedureStep,
    PlanRoute,
    PlanStepState,
    Procedure,
    Route,
    StepStatus,
)
from rumbo.plans.models import Plan
from rumbo.plans.selectors import plan_get_for_user

RESOLVED = (StepStatus.DONE, StepStatus.NOT_APPLICABLE)
SOON_DAYS = 7


def routes_for_plan(*, plan: Plan) -> QuerySet[Route]:
    """Routes a plan may follow: its country's and the generic ones."""
    return Route.objects.filter(country__in=[plan.entity.country, "XX"]).order_by("country", "name")


def procedures_for_plan(*, plan: Plan) -> QuerySet[Procedure]:
    return Procedure.objects.filter(country=plan.entity.country).order_by("region", "name")


def plan_route_get(*, plan: Plan) -> PlanRoute | None:
    return PlanRoute.objects.select_related("route", "plan", "plan__entity").filter(plan=plan).first()


def step_state_get_for_user(*, state_id: int, user: Any) -> PlanStepState | None:
    """The step state if the user may see its plan; otherwise None."""
    state = (
        PlanStepState.objects.select_related(
            "step",
            "plan_route",
            "plan_route__route",
            "plan_route__plan",
            "plan_route__plan__entity",
            "assignee",
        )
        .filter(pk=state_id)
        .first()
    )
    if state is None or plan_get_for_user(plan_id=state.plan_route.plan_id, user=user) is None:
        return None
    return state


def procedure_step_get_for_user(*, step_id: int, user: Any) -> PlanProcedureStep | None:
    step = (
        PlanProcedureStep.objects.select_related(
            "plan_procedure",
            "plan_procedure__plan",
            "plan_procedure__plan__entity",
            "plan_procedure__procedure",
        )
        .filter(pk=step_id)
        .first()
    )
    if step is None or plan_get_for_user(plan_id=step.plan_procedure.plan_id, user=user) is None:
        return None
    return step


@dataclass
class StepRow:
    """One step of a plan's route in display order, with its state and its leaves' progress."""

    state: PlanStepState
    depth: int
    is_leaf: bool
    done: int = 0  # leaves inside (or itself, for a leaf) that are done
    total: int = 0  # leaves inside that apply (not "not applicable")
    resolved: bool = False  # done / not applicable, or every leaf inside is

    @property
    def step(self) -> Any:
        return self.state.step

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Blocker:
    row: StepRow
    open_steps: list[StepRow] = field(default_factory=list)  # open leaves inside a gate container


@dataclass
class RouteProgress:
    done: int
    total: int  # applicable leaf steps
    not_applicable: int
    phases: list[StepRow]
    current_phase: StepRow | None
    blockers: list[Blocker]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def plan_route_rows(*, plan_route: PlanRoute) -> list[StepRow]:
    """Every step of the route with its state, in display order (two queries)."""
    states = list(
        PlanStepState.objects.filter(plan_route=plan_route)
        .select_related("step", "assignee")
        .order_by("step__path")
    )
    paths = [s.step.path for s in states]
    rows = []
    for i, state in enumerate(states):
        path = state.step.path
        is_leaf = not (i + 1 < len(paths) and paths[i + 1].startswith(path))
        rows.append(StepRow(state=state, depth=state.step.depth, is_leaf=is_leaf))
    # roll leaves up into every ancestor (paths are prefixes)
    by_path = {r.state.step.path: r for r in rows}
    for row in rows:
        if not row.is_leaf:
            continue
        status = row.state.status
        path = row.state.step.path
        segments = path.strip("/").split("/")
        for n in range(1, len(segments) + 1):
            ancestor = by_path.get("/" + "/".join(segments[:n]) + "/")
            if ancestor is None:
                continue
            if status != StepStatus.NOT_APPLICABLE:
                ancestor.total += 1
                if status == StepStatus.DONE:
                    ancestor.done += 1
    for row in rows:
        if row.state.status in RESOLVED:
            row.resolved = True
        elif not row.is_leaf:
            row.resolved = row.done == row.total and all(
                r.state.status in RESOLVED
                for r in rows
                if r.is_leaf and r.state.step.path.startswith(row.state.step.path)
            )
    return rows


def plan_route_progress(*, plan_route: PlanRoute, rows: list[StepRow] | None = None) -> RouteProgress:
    """Overall and per-phase progress (not-applicable steps excluded from the denominator), the
    current phase (the first one not resolved) and what blocks the next phase: the current
    phase's gate steps that are not done."""
    rows = rows if rows is not None else plan_route_rows(plan_route=plan_route)
    leaves = [r for r in rows if r.is_leaf]
    done = sum(1 for r in leaves if r.state.status == StepStatus.DONE)
    na = sum(1 for r in leaves if r.state.status == StepStatus.NOT_APPLICABLE)
    phases = [r for r in rows if r.depth == 1]
    current = next((p for p in phases if not p.resolved), None)
    blockers: list[Blocker] = []
    if current is not None:
        prefix = current.state.step.path
        inside = [r for r in rows if r.state.step.path.startswith(prefix)]
        for row in inside:
            if row.state.step.gate and not row.resolved:
                open_steps = [
                    r
                    for r in inside
                    if r.is_leaf
                    and r is not row
                    and r.state.step.path.startswith(row.state.step.path)
                    and r.state.status not in RESOLVED
                ]
                blockers.append(Blocker(row=row, open_steps=open_steps))
    return RouteProgress(
        done=done,
        total=len(leaves) - na,
        not_applicable=na,
        phases=phases,
        current_phase=current,
        blockers=blockers,
    )


def plan_procedures(*, plan: Plan) -> list[PlanProcedure]:
    return list(PlanProcedure.objects.filter(plan=plan).select_related("procedure").prefetch_related("steps"))


def basis_text(basis: list[dict[str, Any]]) -> str:
    """ "Ley 388 de 1997, art. 24 num. 3: rule" for each basis item, joined by "; "."""
    parts = []
    for item in basis or []:
        text = ", ".join(x for x in (item.get("norm", ""), item.get("article", "")) if x)
        if item.get("rule"):
            text += f": {item['rule']}"
        if item.get("verified") is False:
            text += " " + _("(to verify)")
        parts.append(text)
    return "; ".join(parts)


def rule_text(step: PlanProcedureStep) -> str:
    """The deadline rule in words, e.g. "30 business days, counted from the next day"."""
    if not step.amount:
        return ""
    unit = DayUnit(step.unit).label
    start = (
        _("counted from the next day") if step.count_start == "next_day" else _("counted from the same day")
    )
    return _("%(amount)s %(unit)s, %(start)s") % {"amount": step.amount, "unit": unit, "start": start}


@dataclass
class DeadlineRow:
    uid: str  # stable identifier (for iCalendar UIDs)
    kind: str  # "procedure" or "route"
    title: str
    context: str  # the procedure's or route's name
    due: datetime.date
    rule: str
    basis: str
    consequences: str
    verified: bool
    days_left: int
    url_name: str
    url_arg: int

    @property
    def state(self) -> str:
        if self.days_left < 0:
            return "overdue"
        if self.days_left <= SOON_DAYS:
            return "soon"
        return "upcoming"


def plan_deadlines(*, plan: Plan, today: datetime.date | None = None) -> list[DeadlineRow]:
    """Open due dates of the plan (procedure steps not completed, route steps not resolved),
    soonest first, each with its rule and legal basis."""
    today = today or timezone.localdate()
    rows: list[DeadlineRow] = []
    steps = PlanProcedureStep.objects.filter(
        plan_procedure__plan=plan, due_date__isnull=False, completed_on__isnull=True
    ).select_related("plan_procedure__procedure")
    for step in steps:
        assert step.due_date is not None
        rows.append(
            DeadlineRow(
                uid=f"procedure-step-{step.pk}",
                kind="procedure",
                title=step.title,
                context=step.plan_procedure.procedure.name,
                due=step.due_date,
                rule=rule_text(step),
                basis=basis_text(step.basis),
                consequences=step.consequences,
                verified=step.verified,
                days_left=(step.due_date - today).days,
                url_name="lifecycle:procedure",
                url_arg=plan.pk,
            )
        )
    states = (
        PlanStepState.objects.filter(plan_route__plan=plan, due_date__isnull=False)
        .filter(~Q(status__in=RESOLVED))
        .select_related("step", "plan_route__route")
    )
    for state in states:
        assert state.due_date is not None
        rows.append(
            DeadlineRow(
                uid=f"route-step-{state.pk}",
                kind="route",
                title=f"{state.step.code} {state.step.title}",
                context=state.plan_route.route.name,
                due=state.due_date,
                rule=_("Due date set by the team"),
                basis=basis_text(state.step.basis),
                consequences="",
                verified=True,
                days_left=(state.due_date - today).days,
                url_name="lifecycle:step",
                url_arg=state.pk,
            )
        )
    rows.sort(key=lambda r: (r.due, r.title))
    return rows
