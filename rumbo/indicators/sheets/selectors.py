"""Reads for indicator sheets, the variable dictionary, project progress, corrective actions and
the reporting calendar. Gatekeepers answer None for missing and forbidden alike.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, user_access
from rumbo.indicators.models import (
    CorrectiveAction,
    FinancialProgress,
    Indicator,
    Milestone,
    MilestoneProgress,
    Period,
    Periodicity,
    PeriodKind,
    ReportingCalendar,
    ReportingFrequency,
    Target,
    Variable,
)
from rumbo.indicators.periods import period_bounds, period_codes_between
from rumbo.indicators.sheets.catalogue import CatalogueEntry, CatalogueGroup, general_catalogue
from rumbo.indicators.sheets.formula import format_number
from rumbo.plans.models import Node, Plan
from rumbo.plans.selectors import plan_get_for_user, plan_tree

# --- gatekeepers ----------------------------------------------------------------------------


def indicator_get_for_user(
    *, indicator_id: int, user: Any, capability: Capability | None = None
) -> Indicator | None:
    """The indicator if the user may see its plan (and hold `capability`, when given)."""
    indicator = (
        Indicator.objects.select_related("plan", "plan__entity", "node").filter(pk=indicator_id).first()
    )
    if indicator is None:
        return None
    if plan_get_for_user(plan_id=indicator.plan_id, user=user, capability=capability) is None:
        return None
    return indicator


def corrective_action_get_for_user(*, action_id: int, user: Any) -> CorrectiveAction | None:
    action = CorrectiveAction.objects.select_related("plan", "node", "indicator").filter(pk=action_id).first()
    if action is None or plan_get_for_user(plan_id=action.plan_id, user=user) is None:
        return None
    return action


def user_can(user: Any, plan: Plan, capability: Capability) -> bool:
    return user_access(user).can(plan.entity_id, capability)


# --- direction ----------------------------------------------------------------------------


def indicator_direction_shown(
    *, indicator: Indicator, targets: list[Decimal] | None = None
) -> tuple[str, bool]:
    """(direction, inferred): the stored direction, or the one inferred from baseline and targets."""
    from rumbo.indicators.achievement import indicator_direction

    return indicator_direction(indicator, targets=targets), not indicator.direction


# --- lists and sheets ---------------------------------------------------------------------


@dataclass(slots=True)
class NodeGroup:
    """Indicators attached to one node (node None: to the plan as a whole)."""

    node_id: int | None
    code: str
    title: str
    depth: int
    indicators: list[Indicator] = field(default_factory=list)


def plan_indicators(*, plan: Plan) -> QuerySet[Indicator]:
    return Indicator.objects.filter(plan=plan).select_related("node").order_by("code")


def plan_indicators_by_node(*, plan: Plan) -> list[NodeGroup]:
    """The plan's indicators grouped by tree node in display order; plan-wide ones first."""
    by_node: dict[int | None, list[Indicator]] = defaultdict(list)
    for indicator in plan_indicators(plan=plan):
        by_node[indicator.node_id].append(indicator)
    groups: list[NodeGroup] = []
    if by_node.get(None):
        groups.append(NodeGroup(None, "", _("The plan as a whole"), 0, by_node[None]))
    for row in plan_tree(plan=plan).rows:
        if row.id in by_node:
            groups.append(NodeGroup(row.id, row.code, row.title, row.depth, by_node[row.id]))
    return groups


def indicator_targets(*, indicator: Indicator) -> list[Target]:
    return list(Target.objects.filter(indicator=indicator).select_related("period").order_by("period__start"))


@dataclass(slots=True)
class IndicatorSheet:
    """What the sheet page and the API show about one indicator."""

    indicator: Indicator
    targets: list[Target]
    direction: str
    direction_inferred: bool
    variables: list[Variable]
    formula_text: str

    @property
    def direction_label(self) -> str:
        from rumbo.indicators.achievement import direction_label

        return direction_label(self.direction)


def indicator_sheet(*, indicator: Indicator) -> IndicatorSheet:
    """The sheet with its targets, its variables and its effective direction."""
    targets = indicator_targets(indicator=indicator)
    direction, inferred = indicator_direction_shown(indicator=indicator, targets=[t.value for t in targets])
    variables = list(Variable.objects.filter(indicators__indicator=indicator).order_by("code"))
    formula_text = ""
    if indicator.formula:
        from rumbo.indicators.sheets.formula import FormulaError, formula_parse

        try:
            formula_text = formula_parse(indicator.formula).text
        except FormulaError:
            formula_text = indicator.formula
    return IndicatorSheet(indicator, targets, direction, inferred, variables, formula_text)


def entity_variables(*, entity_id: int) -> QuerySet[Variable]:
    return Variable.objects.filter(entity_id=entity_id).order_by("code")


@dataclass(slots=True)
class CatalogueRow:
    entry: CatalogueEntry
    adopted: Indicator | None

    @property
    def periodicity_label(self) -> str:
        return str(dict(Periodicity.choices).get(self.entry.periodicity, self.entry.periodicity))


def catalogue_for_plan(*, plan: Plan) -> list[tuple[CatalogueGroup, list[CatalogueRow]]]:
    """The general indicators by group, each with the plan's sheet when already adopted."""
    adopted = {i.catalogue_key: i for i in Indicator.objects.filter(plan=plan).exclude(catalogue_key="")}
    return [
        (group, [CatalogueRow(e, adopted.get(e.key)) for e in entries])
        for group, entries in general_catalogue().by_group()
    ]


def plan_corrective_actions(*, plan: Plan) -> QuerySet[CorrectiveAction]:
    return (
        CorrectiveAction.objects.filter(plan=plan)
        .select_related("node", "indicator", "created_by")
        .order_by("status", "due_date", "pk")
    )


# --- physical and financial progress -------------------------------------------------------


@dataclass(slots=True)
class MilestoneRow:
    milestone: Milestone
    share: float  # the weight normalised over the node's milestones
    percent: float | None  # progress by the end of the period (None: never reported → counted as 0)
    period_code: str  # the period the progress was reported for ("" when none)
    contribution: float  # share × percent / 100


@dataclass(slots=True)
class PhysicalProgress:
    """Physical progress of a project or action at the end of a period: Σ share × percent."""

    value: float | None
    rows: list[MilestoneRow]
    explanation: list[str]
    weights_normalised: bool


def _pct(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:.1f} %"


def project_physical_progress(*, node: Node, period: Period) -> PhysicalProgress:
    """Σ (milestone weight share × percent done by the end of the period). A milestone's latest
    report on or before the period counts; a milestone never reported counts as 0 %."""
    milestones = list(Milestone.objects.filter(node=node).order_by("position", "pk"))
    if not milestones:
        return PhysicalProgress(
            None, [], [_("This node has no milestones: define them to measure physical progress.")], False
        )
    latest: dict[int, MilestoneProgress] = {}
    for report in (
        MilestoneProgress.objects.filter(milestone__in=milestones, period__end__lte=period.end)
        .select_related("period")
        .order_by("period__end", "period__start")
    ):
        latest[report.milestone_id] = report
    total_weight = sum((m.weight for m in milestones), Decimal(0))
    if total_weight <= 0:
        return PhysicalProgress(None, [], [_("All milestones weigh 0.")], False)
    rows: list[MilestoneRow] = []
    terms: list[str] = []
    value = 0.0
    for m in milestones:
        share = float(m.weight / total_weight)
        progress = latest.get(m.pk)
        percent = float(progress.percent) if progress is not None else None
        contribution = share * (percent or 0.0) / 100
        value += contribution
        rows.append(MilestoneRow(m, share, percent, progress.period.code if progress else "", contribution))
        terms.append(f"{share:.2f} × {(percent or 0.0):.0f} %")
    explanation = [
        _("Physical progress = Σ (milestone weight share × percent done) = %(terms)s = %(result)s")
        % {"terms": " + ".join(terms), "result": _pct(value)},
    ]
    normalised = total_weight != Decimal(1) and total_weight != Decimal(100)
    explanation.append(
        _("Weights %(weights)s add up to %(total)s; each share is weight / %(total)s.")
        % {
            "weights": ", ".join(format_number(m.weight) for m in milestones),
            "total": format_number(total_weight),
        }
    )
    never = [m.name for m in milestones if m.pk not in latest]
    if never:
        explanation.append(
            _("Without any report by %(period)s, counted as 0 %%: %(names)s.")
            % {"period": period.code, "names": ", ".join(never)}
        )
    return PhysicalProgress(value, rows, explanation, normalised)


@dataclass(slots=True)
class FinancialProgressResult:
    value: float | None  # executed / programmed
    programmed: Decimal | None
    executed: Decimal | None
    currency: str
    explanation: list[str]


def project_financial_progress(*, node: Node, period: Period) -> FinancialProgressResult:
    """Executed / programmed amounts of a node in a period, with the division written out."""
    row = FinancialProgress.objects.filter(node=node, period=period).first()
    if row is None:
        return FinancialProgressResult(
            None, None, None, "", [_("No amounts were entered for %(period)s.") % {"period": period.code}]
        )
    if row.programmed == 0:
        return FinancialProgressResult(
            None,
            row.programmed,
            row.executed,
            row.currency,
            [
                _("Nothing was programmed for %(period)s, so there is no execution rate.")
                % {"period": period.code}
            ],
        )
    value = float(row.executed / row.programmed)
    explanation = [
        _(
            "Financial progress = executed / programmed = %(executed)s / %(programmed)s %(currency)s = %(result)s"
        )
        % {
            "executed": format_number(row.executed),
            "programmed": format_number(row.programmed),
            "currency": row.currency,
            "result": _pct(value),
        }
    ]
    return FinancialProgressResult(value, row.programmed, row.executed, row.currency, explanation)


def node_progress_history(*, node: Node) -> list[tuple[Period, PhysicalProgress, FinancialProgressResult]]:
    """Physical and financial progress for every period with a report on the node."""
    period_ids = set(
        MilestoneProgress.objects.filter(milestone__node=node).values_list("period_id", flat=True)
    ) | set(FinancialProgress.objects.filter(node=node).values_list("period_id", flat=True))
    periods = Period.objects.filter(pk__in=period_ids).order_by("start", "-end")
    return [
        (p, project_physical_progress(node=node, period=p), project_financial_progress(node=node, period=p))
        for p in periods
    ]


# --- the reporting calendar ------------------------------------------------------------------

DEFAULT_DUE_DAYS = 30
FREQUENCY_KIND = {
    ReportingFrequency.QUARTERLY: PeriodKind.QUARTER,
    ReportingFrequency.SEMIANNUAL: PeriodKind.SEMESTER,
    ReportingFrequency.ANNUAL: PeriodKind.YEAR,
}
PERIODICITY_KIND = {
    Periodicity.MONTHLY: PeriodKind.MONTH,
    Periodicity.QUARTERLY: PeriodKind.QUARTER,
    Periodicity.SEMIANNUAL: PeriodKind.SEMESTER,
    Periodicity.ANNUAL: PeriodKind.YEAR,
    Periodicity.BIENNIAL: PeriodKind.YEAR,
}


def reporting_calendar_of(*, plan: Plan) -> ReportingCalendar:
    """The plan's calendar, or an unsaved one with the defaults (quarterly, 30 days)."""
    calendar = ReportingCalendar.objects.filter(plan=plan).first()
    if calendar is None:
        calendar = ReportingCalendar(
            plan=plan, frequency=ReportingFrequency.QUARTERLY, due_days_after_period_end=DEFAULT_DUE_DAYS
        )
    return calendar


def indicator_period_kind(*, indicator: Indicator, calendar: ReportingCalendar) -> str:
    """The kind of period an indicator is measured in: its periodicity, or the plan's reporting
    frequency for "other"."""
    kind = PERIODICITY_KIND.get(indicator.periodicity)  # type: ignore[call-overload]
    return str(kind) if kind else str(FREQUENCY_KIND[calendar.frequency])  # type: ignore[index]


@dataclass(frozen=True, slots=True)
class DuePeriod:
    code: str
    start: datetime.date
    end: datetime.date
    due: datetime.date


def due_periods(
    *, kind: str, due_days: int, start: datetime.date, end: datetime.date, biennial: bool = False
) -> list[DuePeriod]:
    """Periods of a kind whose due date (end + due days) falls within [start, end]."""
    first = start - datetime.timedelta(days=due_days + 400)
    result = []
    for code in period_codes_between(kind, first, end):
        normalised, _kind, p_start, p_end = period_bounds(code)
        if biennial and p_start.year % 2:
            continue
        due = p_end + datetime.timedelta(days=due_days)
        if start <= due <= end:
            result.append(DuePeriod(normalised, p_start, p_end, due))
    return result


@dataclass(slots=True)
class CalendarRow:
    indicator: Indicator
    period_code: str
    period_end: datetime.date
    due: datetime.date
    responsible: str


def plan_calendar_upcoming(*, plan: Plan, today: datetime.date, days: int = 190) -> list[CalendarRow]:
    """The due dates of each indicator in the next `days`, with the office responsible."""
    calendar = reporting_calendar_of(plan=plan)
    rows: list[CalendarRow] = []
    horizon = today + datetime.timedelta(days=days)
    for indicator in plan_indicators(plan=plan):
        kind = indicator_period_kind(indicator=indicator, calendar=calendar)
        for due in due_periods(
            kind=kind,
            due_days=calendar.due_days_after_period_end,
            start=today,
            end=horizon,
            biennial=indicator.periodicity == Periodicity.BIENNIAL,
        ):
            rows.append(
                CalendarRow(indicator, due.code, due.end, due.due, indicator_responsible(indicator=indicator))
            )
    rows.sort(key=lambda r: (r.due, r.indicator.code))
    return rows


def indicator_responsible(*, indicator: Indicator) -> str:
    """The office responsible: the sheet's, else its node's."""
    if indicator.responsible:
        return indicator.responsible
    return indicator.node.responsible if indicator.node is not None else ""
