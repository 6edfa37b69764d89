"""Reads of investment plans: lines, the ceiling check, what-if moves, the multi-year table and the
summaries. The arithmetic is in pure functions over `LineFigure`s so it can be tested by hand and
reused for "what if" without touching the database; every reader runs a fixed number of queries.

Two counting rules, stated on the pages:
- Ceilings: each investment plan is checked on its own lines against the entity's ceilings
  (another plan covering the same year is not added in: plans are alternative versions or
  different instruments — a multi-year plan and the annual plan of one of its years — and adding
  them would count the same money twice).
- Summaries by axis and by territory: a project serving several axes (or units) has its programmed
  total split in equal parts among them, leftover cents to the first, so parts add up exactly; a
  project with none is shown under "No axis" / "No territorial unit".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.investments.administrations import administration_periods, term_of_year
from rumbo.investments.models import (
    FundingCeiling,
    FundingSource,
    InvestmentLine,
    InvestmentPlan,
    InvestmentPlanKind,
    Project,
    Sector,
)
from rumbo.plans.models import Node, Term
from rumbo.territory.models import TerritorialUnit

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineFigure:
    """What the arithmetic needs of one line."""

    line_id: int
    project_id: int
    year: int
    source_code: str
    amount: Decimal


@dataclass(frozen=True)
class CeilingRow:
    """Programmed against the ceiling for one (year, source)."""

    year: int
    source_code: str
    source_name: str
    programmed: Decimal
    ceiling: Decimal | None
    status: str  # "ok", "over" (programmed > ceiling) or "no_ceiling" (lines but no ceiling set)

    @property
    def excess(self) -> Decimal:
        if self.ceiling is None:
            return ZERO
        return max(ZERO, self.programmed - self.ceiling)

    @property
    def available(self) -> Decimal | None:
        return None if self.ceiling is None else self.ceiling - self.programmed


def ceiling_check(
    *,
    lines: Iterable[LineFigure],
    ceilings: dict[tuple[int, str], Decimal],
    source_names: dict[str, str] | None = None,
    years: Iterable[int] | None = None,
) -> list[CeilingRow]:
    """One row per (year, source) that has lines or a ceiling (within `years` when given): over
    when the sum of the lines exceeds the ceiling (exactly at it is fine), "no_ceiling" when
    there are lines but no ceiling."""
    programmed: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        programmed[(line.year, line.source_code)] += line.amount
    allowed = set(years) if years is not None else None
    keys = set(programmed) | {k for k in ceilings if allowed is None or k[0] in allowed}
    names = source_names or {}
    rows = []
    for year, code in sorted(keys):
        total = programmed.get((year, code), ZERO)
        ceiling = ceilings.get((year, code))
        if ceiling is None:
            status = "no_ceiling" if (year, code) in programmed else "ok"
        else:
            status = "over" if total > ceiling else "ok"
        rows.append(CeilingRow(year, code, names.get(code, code), total, ceiling, status))
    return rows


def what_if_move(
    *, lines: Sequence[LineFigure], project_id: int, from_year: int, to_year: int
) -> list[LineFigure]:
    """The lines as they would be if the project's lines of `from_year` were moved to `to_year`."""
    return [
        replace(line, year=to_year) if line.project_id == project_id and line.year == from_year else line
        for line in lines
    ]


def split_equally(amount: Decimal, keys: Sequence[Any]) -> list[tuple[Any, Decimal]]:
    """`amount` in equal parts among `keys` (in the given order); the leftover cents go one each
    to the first keys, so the parts add up to the amount exactly."""
    if not keys:
        return []
    if len(keys) == 1:
        return [(keys[0], amount)]
    share, leftover = divmod(int(amount * 100), len(keys))
    return [(key, Decimal(share + (1 if i < leftover else 0)) / 100) for i, key in enumerate(keys)]


# --- reads --------------------------------------------------------------------------------------


def investment_plans_for_entity(*, entity: Entity, user: Any) -> QuerySet[InvestmentPlan]:
    """The entity's investment plans the user may see (published ones, or all with VIEW_PRIVATE)."""
    qs = InvestmentPlan.objects.filter(entity=entity).select_related("plan")
    if not user_access(user).can(entity.pk, Capability.VIEW_PRIVATE):
        qs = qs.filter(is_published=True)
    return qs.order_by("-year_start", "kind", "title")


def investment_plan_lines(*, investment_plan: InvestmentPlan) -> list[InvestmentLine]:
    """The plan's lines with their project and source (one query)."""
    return list(
        InvestmentLine.objects.filter(investment_plan=investment_plan)
        .select_related("project", "source")
        .order_by("year", "project__code", "source__code")
    )


def line_figures(lines: Iterable[InvestmentLine]) -> list[LineFigure]:
    return [LineFigure(li.pk, li.project_id, li.year, li.source.code, li.amount) for li in lines]


def entity_ceilings(*, entity: Entity, years: Iterable[int] | None = None) -> dict[tuple[int, str], Decimal]:
    """(year, source code) → ceiling amount of the entity."""
    qs = FundingCeiling.objects.filter(entity=entity)
    if years is not None:
        qs = qs.filter(year__in=list(years))
    return {(year, code): amount for year, code, amount in qs.values_list("year", "source__code", "amount")}


def entity_sources(*, entity: Entity) -> list[FundingSource]:
    """The funding sources an entity may use: its country's catalogue and the general one (XX)."""
    return list(FundingSource.objects.filter(country__in=[entity.country, "XX"]).order_by("country", "code"))


def investment_plan_ceiling_check(
    *, investment_plan: InvestmentPlan, lines: Sequence[LineFigure] | None = None
) -> list[CeilingRow]:
    """The plan's own lines (or the given what-if lines) against the entity's ceilings."""
    if lines is None:
        lines = line_figures(investment_plan_lines(investment_plan=investment_plan))
    years = range(investment_plan.year_start, investment_plan.year_end + 1)
    names = {s.code: s.name for s in entity_sources(entity=investment_plan.entity)}
    return ceiling_check(
        lines=lines,
        ceilings=entity_ceilings(entity=investment_plan.entity, years=years),
        source_names=names,
        years=years,
    )


def ceiling_excess_message(rows: Iterable[CeilingRow]) -> str:
    """The refusal listing each excess (year, source, programmed, ceiling, excess)."""
    parts = [
        _("%(year)s %(source)s: programmed %(programmed)s, ceiling %(ceiling)s, excess %(excess)s")
        % {
            "year": r.year,
            "source": r.source_name,
            "programmed": money(r.programmed),
            "ceiling": money(r.ceiling or ZERO),
            "excess": money(r.excess),
        }
        for r in rows
        if r.status == "over"
    ]
    return _("The plan exceeds its funding ceilings: %(list)s.") % {"list": "; ".join(parts)}


def money(value: Decimal | None) -> str:
    """Spanish money format: 1.234.567,50."""
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def plan_kinds_for(*, country: str) -> list[tuple[str, str]]:
    """The kinds offered to an entity: POA in Mexico, the annual plan elsewhere; multi-year for all."""
    kinds = [InvestmentPlanKind.MULTIYEAR]
    kinds.append(InvestmentPlanKind.POA if country == "MX" else InvestmentPlanKind.ANNUAL)
    return [(k.value, str(k.label)) for k in kinds]


# --- multi-year table ---------------------------------------------------------------------------


@dataclass
class YearColumn:
    year: int
    term: str | None  # "short" | "medium" | "long" | None
    term_label: str


@dataclass
class AdministrationGroup:
    label: str
    years: list[int]
    total: Decimal
    verified: bool


@dataclass
class MultiyearRow:
    project_id: int
    code: str
    title: str
    amounts: list[Decimal]
    total: Decimal


@dataclass
class MultiyearTable:
    columns: list[YearColumn]
    groups: list[AdministrationGroup]
    rows: list[MultiyearRow]
    year_totals: list[Decimal]
    total: Decimal
    has_terms: bool
    notes: list[str] = field(default_factory=list)


def multiyear_table(
    *,
    lines: Sequence[LineFigure],
    projects: dict[int, tuple[str, str]],
    years: Sequence[int],
    administrations: Sequence[Any],
    terms: dict[int, str | None],
) -> MultiyearTable:
    """Projects × years with totals per year and per administration (pure)."""
    index = {y: i for i, y in enumerate(years)}
    per_project: dict[int, list[Decimal]] = {}
    for line in lines:
        if line.year in index:
            per_project.setdefault(line.project_id, [ZERO] * len(years))[index[line.year]] += line.amount
    rows = [
        MultiyearRow(pid, projects[pid][0], projects[pid][1], amounts, sum(amounts, ZERO))
        for pid, amounts in sorted(per_project.items(), key=lambda kv: projects[kv[0]][0])
    ]
    year_totals = [sum((r.amounts[i] for r in rows), ZERO) for i in range(len(years))]
    groups: list[AdministrationGroup] = []
    covered: set[int] = set()
    for adm in administrations:
        ys = [y for y in years if y in adm.years]
        if ys:
            covered.update(ys)
            groups.append(
                AdministrationGroup(
                    adm.label, ys, sum((year_totals[index[y]] for y in ys), ZERO), adm.verified
                )
            )
    loose = [y for y in years if y not in covered]
    if loose:
        groups.append(
            AdministrationGroup(
                _("Administration not recorded"),
                loose,
                sum((year_totals[index[y]] for y in loose), ZERO),
                False,
            )
        )
        groups.sort(key=lambda g: g.years[0])
    labels = dict(Term.choices)
    columns = [YearColumn(y, terms.get(y), str(labels.get(terms.get(y) or "", ""))) for y in years]
    return MultiyearTable(
        columns=columns,
        groups=groups,
        rows=rows,
        year_totals=year_totals,
        total=sum(year_totals, ZERO),
        has_terms=any(terms.values()),
    )


def _plan_municipality(investment_plan: InvestmentPlan) -> TerritorialUnit | None:
    from rumbo.lifecycle.validity.selectors import plan_municipality

    if investment_plan.plan is not None:
        return plan_municipality(plan=investment_plan.plan)
    return None


def investment_plan_multiyear(
    *, investment_plan: InvestmentPlan, lines: Sequence[LineFigure] | None = None
) -> MultiyearTable:
    """The multi-year table of the plan grouped by administration, with the POT term of each year
    when the territorial plan has a computed vigencia."""
    from rumbo.lifecycle.validity.selectors import plan_vigencia

    all_lines = investment_plan_lines(investment_plan=investment_plan)
    figures = list(lines) if lines is not None else line_figures(all_lines)
    projects = {li.project_id: (li.project.code, li.project.title) for li in all_lines}
    years = list(range(investment_plan.year_start, investment_plan.year_end + 1))
    unit = _plan_municipality(investment_plan)
    administrations = administration_periods(
        country=investment_plan.entity.country, first_year=years[0], last_year=years[-1], unit=unit
    )
    terms: dict[int, str | None] = {}
    vigencia = plan_vigencia(plan=investment_plan.plan) if investment_plan.plan is not None else None
    if vigencia is not None:
        terms = {y: term_of_year(year=y, vigencia=vigencia) for y in years}
    table = multiyear_table(
        lines=figures, projects=projects, years=years, administrations=administrations, terms=terms
    )
    table.notes.append(_("A budget year belongs to the administration in office on 1 January of that year."))
    if any(not g.verified for g in table.groups):
        table.notes.append(
            _("The start dates of these administrations have not been verified for this state.")
        )
    return table


# --- summaries ----------------------------------------------------------------------------------


@dataclass
class SummaryRow:
    key: str
    label: str
    amount: Decimal
    share: Decimal  # percent of the plan total


@dataclass
class InvestmentSummary:
    total: Decimal
    line_count: int
    project_count: int
    by_year: list[SummaryRow]
    by_source: list[SummaryRow]
    by_axis: list[SummaryRow]
    by_unit: list[SummaryRow]
    by_sector: list[SummaryRow]
    split_projects_axis: int  # projects whose amounts were split among several axes
    split_projects_unit: int


def _rows(totals: dict[str, Decimal], labels: dict[str, str], total: Decimal) -> list[SummaryRow]:
    return [
        SummaryRow(
            key,
            labels.get(key, key),
            amount,
            (amount * 100 / total).quantize(Decimal("0.1")) if total else ZERO,
        )
        for key, amount in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def summarise(
    *,
    year_source: dict[tuple[int, str], Decimal],
    project_totals: dict[int, Decimal],
    project_axes: dict[int, list[str]],
    project_units: dict[int, list[str]],
    project_sectors: dict[int, str],
    labels: dict[str, dict[str, str]],
    line_count: int = 0,
) -> InvestmentSummary:
    """Totals by year, source, axis, unit and sector (pure) from the sums per (year, source) and per
    project; a project's programmed total is split equally among its axes and its units, so each
    list adds up to the plan total."""
    total = sum(project_totals.values(), ZERO)
    by: dict[str, dict[str, Decimal]] = {
        k: defaultdict(lambda: ZERO) for k in ("year", "source", "axis", "unit", "sector")
    }
    for (year, code), amount in year_source.items():
        by["year"][str(year)] += amount
        by["source"][code] += amount
    for pid, amount in project_totals.items():
        by["sector"][project_sectors.get(pid) or ""] += amount
        for key, part in split_equally(amount, project_axes.get(pid) or [""]):
            by["axis"][key] += part
        for key, part in split_equally(amount, project_units.get(pid) or [""]):
            by["unit"][key] += part
    return InvestmentSummary(
        total=total,
        line_count=line_count,
        project_count=len(project_totals),
        by_year=sorted(_rows(by["year"], {}, total), key=lambda r: r.key),
        by_source=_rows(by["source"], labels.get("source", {}), total),
        by_axis=_rows(by["axis"], labels.get("axis", {}), total),
        by_unit=_rows(by["unit"], labels.get("unit", {}), total),
        by_sector=_rows(by["sector"], labels.get("sector", {}), total),
        split_projects_axis=sum(1 for p in project_totals if len(project_axes.get(p, [])) > 1),
        split_projects_unit=sum(1 for p in project_totals if len(project_units.get(p, [])) > 1),
    )


def investment_plan_summary(*, investment_plan: InvestmentPlan) -> InvestmentSummary:
    """The plan's summaries in a fixed number of queries whatever its size (sums in SQL)."""
    lines = InvestmentLine.objects.filter(investment_plan=investment_plan)
    year_source: dict[tuple[int, str], Decimal] = {}
    line_count = 0
    for year, code, amount, count in (
        lines.values_list("year", "source__code").annotate(s=Sum("amount"), n=Count("pk")).order_by()
    ):
        year_source[(year, code)] = amount
        line_count += count
    project_totals: dict[int, Decimal] = {}
    sectors: dict[int, str] = {}
    for pid, sector, amount in (
        lines.values_list("project_id", "project__sector").annotate(s=Sum("amount")).order_by()
    ):
        project_totals[pid] = amount
        sectors[pid] = sector
    # the entity's projects (an index join), keeping those of the plan: cheaper than an IN list
    entity_projects = {"project__entity_id": investment_plan.entity_id}
    node_through = Project.nodes.through.objects.filter(**entity_projects)
    if investment_plan.plan_id is not None:
        node_through = node_through.filter(node__plan_id=investment_plan.plan_id)
    axes: dict[int, list[str]] = defaultdict(list)
    for pid, path in node_through.values_list("project_id", "node__path"):
        if pid not in project_totals:
            continue
        root = path.strip("/").split("/")[0]
        if root not in axes[pid]:
            axes[pid].append(root)
    for keys in axes.values():
        keys.sort(key=int)
    root_ids = {int(k) for keys in axes.values() for k in keys}
    axis_labels = {
        str(pk): f"{code} {title}"
        for pk, code, title in Node.objects.filter(pk__in=root_ids).values_list("pk", "code", "title")
    }
    units: dict[int, list[str]] = defaultdict(list)
    for pid, uid in Project.units.through.objects.filter(**entity_projects).values_list(
        "project_id", "territorialunit_id"
    ):
        if pid in project_totals:
            units[pid].append(str(uid))
    unit_labels = {
        str(pk): f"{name} ({code})"
        for pk, code, name in TerritorialUnit.objects.filter(
            pk__in={int(u) for keys in units.values() for u in keys}
        ).values_list("pk", "code", "name")
    }
    unit_order = {k: label for k, label in sorted(unit_labels.items(), key=lambda kv: kv[1])}
    for keys in units.values():
        keys.sort(key=lambda k: unit_order.get(k, k))
    source_labels = {s.code: s.name for s in entity_sources(entity=investment_plan.entity)}
    sector_labels = {k: str(v) for k, v in Sector.choices}
    sector_labels[""] = _("No sector")
    axis_labels[""] = _("No axis")
    unit_labels[""] = _("No territorial unit")
    return summarise(
        year_source=year_source,
        project_totals=project_totals,
        project_axes=axes,
        project_units=units,
        project_sectors=sectors,
        labels={"source": source_labels, "axis": axis_labels, "unit": unit_labels, "sector": sector_labels},
        line_count=line_count,
    )


def next_year_annual_plan(*, entity: Entity, today: datetime.date) -> InvestmentPlan | None:
    """The entity's draft annual plan (or POA) of next year, if there is one."""
    return (
        InvestmentPlan.objects.filter(
            entity=entity,
            kind__in=[InvestmentPlanKind.ANNUAL, InvestmentPlanKind.POA],
            year_start=today.year + 1,
            status="draft",
        )
        .order_by("pk")
        .first()
    )


def project_default_amount(*, project: Project, year: int) -> Decimal:
    """The project's cost planned for the year in its breakdown, else its total cost."""
    costs = [c.amount for c in project.year_costs.all() if c.year == year]
    return sum(costs, ZERO) if costs else project.cost_total


@dataclass
class WhatIf:
    """The ceilings table before and after moving a project's lines between years (nothing saved)."""

    project_id: int
    from_year: int
    to_year: int
    moved_amount: Decimal
    before: list[CeilingRow]
    after: list[CeilingRow]


def investment_plan_what_if(
    *, investment_plan: InvestmentPlan, project_id: int, from_year: int, to_year: int
) -> WhatIf:
    """What the ceiling check would say if the project's lines of `from_year` moved to `to_year`."""
    lines = line_figures(investment_plan_lines(investment_plan=investment_plan))
    moved = what_if_move(lines=lines, project_id=project_id, from_year=from_year, to_year=to_year)
    amount = sum((li.amount for li in lines if li.project_id == project_id and li.year == from_year), ZERO)
    return WhatIf(
        project_id=project_id,
        from_year=from_year,
        to_year=to_year,
        moved_amount=amount,
        before=investment_plan_ceiling_check(investment_plan=investment_plan, lines=lines),
        after=investment_plan_ceiling_check(investment_plan=investment_plan, lines=moved),
    )
