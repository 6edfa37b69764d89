"""Roll-ups of a plan for a period: achievement of every indicator and progress of every node,
each with the breakdown that produced it. Nothing is stored: every figure is computed on
request from the tree, the indicators, the targets and the approved measurements, in a
constant number of queries, so deleting or moving a node changes its ancestors at once.

Rules (pinned by tests/indicators/rollup/):

* The **value** of an indicator for a period is its approved measurement for the whole
  territory (no unit, no disaggregation) in that period; when a key has several approved
  versions, the highest version counts.
* The **target** is the Target of the same period; when there is none, the Target of the year
  that contains the period (a quarterly value against an annual target), and the explanation
  says so.
* **Achievement** follows `rumbo.indicators.achievement` (formula, floor at 0, cap, light).
* **Node progress** = Σ (share × value) over its contributions *with data*: its child nodes
  (raw weight `Node.weight`, value = the child's progress) and its own indicators (raw weight
  `Indicator.weight`, value = the capped achievement). Shares are the raw weights normalised
  over the contributions with data. Contributions without data are listed as missing and left
  out — never counted as 0. A node without any contribution with data has no progress
  ("missing"). A weight of 0 gives a share of 0; when every counted weight is 0 a simple mean
  is used and the explanation says so. `weights_normalised` tells when the counted raw weights
  did not add up to 1.
* Node traffic lights use `settings.RUMBO_PROGRESS_THRESHOLDS` (green, amber) in percent,
  90 and 70 unless configured.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Cast
from django.utils import formats

from rumbo.indicators.achievement import (
    _,
    achievement_compute,
    direction_infer,
    direction_label,
    light_for,
    light_label,
    number_text,
    percent_text,
)
from rumbo.indicators.models import (
    Evidence,
    Indicator,
    Measurement,
    MeasurementStatus,
    Period,
    PeriodKind,
    Target,
)
from rumbo.plans.models import Node, Plan
from rumbo.territory.models import TerritorialUnit

NODE = "node"
INDICATOR = "indicator"


# --- results ----------------------------------------------------------------------------------


@dataclass(slots=True)
class IndicatorResult:
    """The achievement of one indicator in one period, with the numbers behind it."""

    indicator_id: int
    code: str
    name: str
    period_code: str
    value: Decimal | None
    target: Decimal | None
    baseline: Decimal | None
    direction: str
    formula: str
    achievement: float | None  # after the cap, e.g. 0.85
    raw_achievement: float | None  # before the cap
    capped: bool
    light: str  # green | amber | red | missing
    measurement_id: int | None
    evidence_count: int
    node_id: int | None = None
    weight: float = 1.0
    target_period_code: str | None = None  # the period whose target was used (the year, on fallback)
    direction_inferred: bool = False
    cap_percent: Decimal | None = None
    unit_label: str = ""
    threshold_green: Decimal = Decimal(90)
    threshold_amber: Decimal = Decimal(70)
    note: str = ""  # a first line for the explanation (e.g. the per-territory caveat)
    _explanation: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def percent(self) -> float | None:
        return None if self.achievement is None else self.achievement * 100

    @property
    def explanation(self) -> list[str]:
        """The formula with the numbers, in the reader's language. Written when first read, so a
        roll-up of thousands of indicators only spends time on the figures that are shown."""
        if self._explanation is None:
            self._explanation = _indicator_lines(self)
        return self._explanation


@dataclass(slots=True)
class Contribution:
    """One term of a node's weighted mean: a child node or one of the node's own indicators."""

    kind: str  # "node" | "indicator"
    ref_id: int
    code: str
    label: str
    raw_weight: float
    share: float | None  # weight normalised among the contributions with data; None when missing
    value: float | None  # progress of the child / capped achievement of the indicator (fraction)
    missing: bool

    @property
    def percent(self) -> float | None:
        return None if self.value is None else self.value * 100

    @property
    def weighted(self) -> float | None:
        """share × value: this term's part of the node's progress."""
        if self.share is None or self.value is None:
            return None
        return self.share * self.value


@dataclass(slots=True)
class NodeResult:
    """A node's progress in one period and how it was computed."""

    node_id: int
    code: str
    title: str
    depth: int
    progress: float | None
    light: str
    contributions: list[Contribution]
    missing: list[str]  # labels of the contributions without data
    weights_normalised: bool
    parent_id: int | None = None
    child_ids: list[int] = field(default_factory=list)
    indicator_ids: list[int] = field(default_factory=list)
    period_code: str = ""
    thresholds: tuple[Decimal, Decimal] = (Decimal(90), Decimal(70))
    equal_weights: bool = False  # every counted weight was 0: a simple mean was used
    _explanation: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def percent(self) -> float | None:
        return None if self.progress is None else self.progress * 100

    @property
    def explanation(self) -> list[str]:
        """The weighted mean with its numbers, in the reader's language (written when first read)."""
        if self._explanation is None:
            self._explanation = _mean_lines(
                contributions=self.contributions,
                progress=self.progress,
                light=self.light,
                normalised=self.weights_normalised,
                equal=self.equal_weights,
                missing=self.missing,
                thresholds=self.thresholds,
                period_code=self.period_code,
                sep=_decimal_separator(),
            )
        return self._explanation


@dataclass
class PlanRollup:
    """Every node and indicator of a plan for one period. `roots` are the axes in display order;
    `order` lists every node id in display order; `total` is the plan-wide mean of the axes."""

    plan_id: int
    period_code: str
    nodes: dict[int, NodeResult]
    indicators: dict[int, IndicatorResult]
    roots: list[NodeResult]
    order: list[int]
    total: NodeResult
    thresholds: tuple[Decimal, Decimal]


# --- loading (a constant number of queries) ---------------------------------------------------

# Node row: id, parent_id, depth, code, title, weight, position
_NodeRow = tuple[int, int | None, int, str, str, float, int]
# Indicator row: see _INDICATOR_FIELDS
_INDICATOR_FIELDS = (
    "id",
    "node_id",
    "code",
    "name",
    "direction",
    "achievement_formula",
    "cap_percent",
    "baseline_value",
    "threshold_green",
    "threshold_amber",
    "weight_f",
    "first_target",
    "last_target",
    "unit_label",
    "first_target_id",
    "last_target_id",
)


@dataclass
class _Tree:
    nodes: dict[int, _NodeRow]
    children: dict[int | None, list[_NodeRow]]
    order: list[int]
    indicators: list[tuple[Any, ...]]
    by_node: dict[int | None, list[tuple[Any, ...]]]
    directions: dict[int, tuple[str, bool]]  # indicator id → (direction, inferred)


def _tree_load(plan: Plan) -> _Tree:
    records: list[_NodeRow] = list(
        Node.objects.filter(plan=plan)
        .annotate(weight_f=Cast("weight", FloatField()))
        .values_list("id", "parent_id", "depth", "code", "title", "weight_f", "position")
    )
    children: dict[int | None, list[_NodeRow]] = defaultdict(list)
    for rec in records:
        children[rec[1]].append(rec)
    for group in children.values():
        group.sort(key=lambda r: (r[6], r[3]))
    order: list[int] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        rec = stack.pop()
        order.append(rec[0])
        kids = children.get(rec[0])
        if kids:
            stack.extend(reversed(kids))

    indicators = _indicator_rows(Indicator.objects.filter(plan=plan))
    by_node: dict[int | None, list[tuple[Any, ...]]] = defaultdict(list)
    directions: dict[int, tuple[str, bool]] = {}
    for row in indicators:
        by_node[row[1]].append(row)
        directions[row[0]] = _row_direction(row)
    return _Tree(
        nodes={r[0]: r for r in records},
        children=children,
        order=order,
        indicators=indicators,
        by_node=by_node,
        directions=directions,
    )


def _indicator_rows(qs: QuerySet[Indicator]) -> list[tuple[Any, ...]]:
    """Indicator rows (_INDICATOR_FIELDS); those without a stored direction also carry their first
    and last targets (value and id), to infer it."""
    targets = Target.objects.filter(indicator=OuterRef("pk"))
    first = targets.order_by("period__start", "-period__end")
    last = targets.order_by("-period__start", "period__end")

    def when_inferred(sub: QuerySet[Target], field: str, output: Any) -> Case:
        return Case(
            When(direction="", then=Subquery(sub.values(field)[:1])), default=None, output_field=output
        )

    return list(
        qs.annotate(
            weight_f=Cast("weight", FloatField()),
            first_target=when_inferred(first, "value", DecimalField()),
            last_target=when_inferred(last, "value", DecimalField()),
            first_target_id=when_inferred(first, "pk", IntegerField()),
            last_target_id=when_inferred(last, "pk", IntegerField()),
        )
        .order_by("code")
        .values_list(*_INDICATOR_FIELDS)
    )


def _row_direction(row: tuple[Any, ...]) -> tuple[str, bool]:
    """(direction, inferred?) of an indicator row."""
    if row[4]:
        return str(row[4]), False
    first, last = _decimal(row[11]), _decimal(row[12])
    ends = [first] if row[14] == row[15] else [first, last]
    return direction_infer(baseline=row[7], targets=[t for t in ends if t is not None]), True


def _decimal(value: Any) -> Decimal | None:
    # Subquery annotations come back untyped on SQLite (float or str).
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _target_codes(period: Period) -> tuple[str, str | None]:
    """The period's own code and, when it is shorter than a year, the code of its year."""
    year = None if period.kind == PeriodKind.YEAR else str(period.start.year)
    return period.code, year


def _targets_load(
    plan: Plan, codes: Iterable[str], *, as_float: bool = False
) -> dict[str, dict[int, Decimal]]:
    """period code → indicator id → target (floats when `as_float`: for charts, cheaper to read)."""
    found: dict[str, dict[int, Decimal]] = defaultdict(dict)
    qs = Target.objects.filter(indicator__plan=plan, period__code__in=sorted(set(codes)))
    if as_float:
        qs = qs.annotate(value_f=Cast("value", FloatField()))
    rows = qs.values_list("indicator_id", "period__code", "value_f" if as_float else "value")
    for indicator_id, code, value in rows:
        found[code][indicator_id] = value
    return found


# period code → indicator id → (measurement id, value, evidence count)
_Values = dict[str, dict[int, tuple[int, Decimal, int]]]


def _values_load(plan: Plan, codes: Iterable[str], *, as_float: bool = False) -> _Values:
    """Approved whole-territory values; the highest approved version of a key wins (floats when
    `as_float`). Evidence counts are filled in by `_evidence_counts`, only for the period that is
    explained."""
    found: _Values = defaultdict(dict)
    qs = Measurement.objects.filter(
        indicator__plan=plan,
        period__code__in=sorted(set(codes)),
        unit__isnull=True,
        disaggregation="",
        status=MeasurementStatus.APPROVED,
    )
    if as_float:
        qs = qs.annotate(value_f=Cast("value", FloatField()))
    rows = qs.order_by("version").values_list(
        "id", "indicator_id", "period__code", "value_f" if as_float else "value"
    )
    for mid, indicator_id, code, value in rows:
        found[code][indicator_id] = (mid, value, 0)
    return found


def _evidence_counts(
    plan: Plan, period_code: str, values: dict[int, tuple[int, Decimal, int]]
) -> dict[int, tuple[int, Decimal, int]]:
    """The same values with the number of pieces of evidence of each measurement (one query)."""
    if not values:
        return values
    counts = dict(
        Evidence.objects.filter(
            measurement__indicator__plan=plan,
            measurement__period__code=period_code,
            measurement__unit__isnull=True,
            measurement__disaggregation="",
            measurement__status=MeasurementStatus.APPROVED,
        )
        .order_by()
        .values_list("measurement_id")
        .annotate(n=Count("id"))
        .values_list("measurement_id", "n")
    )
    return {k: (v[0], v[1], counts.get(v[0], 0)) for k, v in values.items()}


# --- computing ---------------------------------------------------------------------------------


def _thresholds() -> tuple[Decimal, Decimal]:
    green, amber = getattr(settings, "RUMBO_PROGRESS_THRESHOLDS", (90, 70))
    return Decimal(str(green)), Decimal(str(amber))


def _decimal_separator() -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR")) or "."


def _indicator_result(
    row: tuple[Any, ...],
    *,
    direction: tuple[str, bool],
    period_code: str,
    year_code: str | None,
    measured: tuple[int, Decimal, int] | None,
    targets: dict[str, dict[int, Decimal]],
    note: str = "",
) -> IndicatorResult:
    indicator_id = row[0]
    target = targets.get(period_code, {}).get(indicator_id)
    target_code: str | None = period_code if target is not None else None
    if target is None and year_code is not None:
        target = targets.get(year_code, {}).get(indicator_id)
        target_code = year_code if target is not None else None
    value = measured[1] if measured else None
    outcome = achievement_compute(
        value=value,
        target=target,
        baseline=row[7],
        direction=direction[0],
        formula=row[5],
        cap_percent=row[6],
        threshold_green=row[8],
        threshold_amber=row[9],
        explain=False,
    )
    return IndicatorResult(
        indicator_id=indicator_id,
        code=row[2],
        name=row[3],
        period_code=period_code,
        value=value,
        target=target,
        baseline=row[7],
        direction=direction[0],
        formula=row[5],
        achievement=outcome.achievement,
        raw_achievement=outcome.raw_achievement,
        capped=outcome.capped,
        light=outcome.light,
        measurement_id=measured[0] if measured else None,
        evidence_count=measured[2] if measured else 0,
        node_id=row[1],
        weight=row[10],
        target_period_code=target_code,
        direction_inferred=direction[1],
        cap_percent=row[6],
        unit_label=row[13],
        threshold_green=row[8],
        threshold_amber=row[9],
        note=note,
    )


def _indicator_lines(result: IndicatorResult) -> list[str]:
    """The explanation of an indicator result: what was missing or substituted, then the formula."""
    sep = _decimal_separator()
    period_code = result.period_code
    head: list[str] = []
    if result.note:
        head.append(result.note)
    if result.direction_inferred:
        head.append(
            _("Direction inferred from the baseline and the targets: %(direction)s.")
            % {"direction": direction_label(result.direction)}
        )
    if result.value is None:
        head.append(
            _(
                "No approved value for %(period)s: shown as missing and left out of roll-ups (not counted as 0)."
            )
            % {"period": period_code}
        )
    if result.target is None:
        head.append(
            _("No target for %(period)s nor for its year: achievement cannot be computed.")
            % {"period": period_code}
        )
    elif result.target_period_code != period_code:
        head.append(
            _("No target for %(period)s: the target of %(year)s (%(target)s) is used.")
            % {
                "period": period_code,
                "year": result.target_period_code,
                "target": number_text(result.target, sep),
            }
        )
    outcome = achievement_compute(
        value=result.value,
        target=result.target,
        baseline=result.baseline,
        direction=result.direction,
        formula=result.formula,
        cap_percent=result.cap_percent,
        threshold_green=result.threshold_green,
        threshold_amber=result.threshold_amber,
        explain=True,
        sep=sep,
    )
    return head + outcome.explanation


def _weighted_mean(contributions: list[Contribution]) -> tuple[float | None, bool, bool, list[str]]:
    """(progress, weights_normalised, equal_weights, missing labels); fills each counted share."""
    counted: list[Contribution] = []
    missing: list[str] = []
    for c in contributions:
        if c.missing:
            missing.append(c.label)
        else:
            counted.append(c)
    if not counted:
        return None, False, False, missing
    total = math.fsum(c.raw_weight for c in counted)
    equal = total <= 0
    for c in counted:
        c.share = 1 / len(counted) if equal else c.raw_weight / total
    progress = math.fsum(c.share * c.value for c in counted if c.share is not None and c.value is not None)
    return progress, abs(total - 1.0) > 1e-9, equal, missing


def _mean_lines(
    *,
    contributions: list[Contribution],
    progress: float | None,
    light: str,
    normalised: bool,
    equal: bool,
    missing: list[str],
    thresholds: tuple[Decimal, Decimal],
    period_code: str,
    sep: str,
) -> list[str]:
    """The explanation of a weighted mean, with its numbers."""
    lines: list[str] = []
    counted = [c for c in contributions if not c.missing]
    if progress is None:
        if contributions:
            lines.append(
                _("No contribution has data for %(period)s: progress is missing (not 0).")
                % {"period": period_code}
            )
        else:
            lines.append(_("No indicators and no child elements: there is nothing to compute."))
        return lines
    total = math.fsum(c.raw_weight for c in counted)
    terms = " + ".join(f"{_share_text(c.share, sep)} × {percent_text(c.value, sep)}" for c in counted)
    lines.append(
        _("Progress = Σ (share × value) over the %(n)s contributions with data = %(terms)s = %(result)s")
        % {"n": len(counted), "terms": terms, "result": percent_text(progress, sep)}
    )
    if equal:
        lines.append(_("Every contribution with data weighs 0: a simple mean is used instead."))
    elif normalised:
        lines.append(
            _(
                "Weights normalised: the raw weights of the contributions with data add up to %(total)s, "
                "not 1, so each share = raw weight / %(total)s."
            )
            % {"total": number_text(total, sep)}
        )
    if missing:
        lines.append(
            _("Without data, left out (not counted as 0): %(labels)s.") % {"labels": "; ".join(missing)}
        )
    lines.append(
        _("Traffic light: %(light)s (green from %(green)s %%, amber from %(amber)s %%, red below).")
        % {
            "light": light_label(light),
            "green": number_text(thresholds[0], sep),
            "amber": number_text(thresholds[1], sep),
        }
    )
    return lines


def _share_text(share: float | None, sep: str) -> str:
    text = "—" if share is None else f"{share:.3f}".rstrip("0").rstrip(".")
    return text.replace(".", sep) if sep != "." else text


def _node_result(
    *,
    node_id: int,
    code: str,
    title: str,
    depth: int,
    parent_id: int | None,
    contributions: list[Contribution],
    thresholds: tuple[Decimal, Decimal],
    period_code: str,
) -> NodeResult:
    progress, normalised, equal, missing = _weighted_mean(contributions)
    return NodeResult(
        node_id=node_id,
        code=code,
        title=title,
        depth=depth,
        progress=progress,
        light=light_for(achievement=progress, threshold_green=thresholds[0], threshold_amber=thresholds[1]),
        contributions=contributions,
        missing=missing,
        weights_normalised=normalised,
        parent_id=parent_id,
        period_code=period_code,
        thresholds=thresholds,
        equal_weights=equal,
    )


def _compute(
    *,
    plan: Plan,
    tree: _Tree,
    period: Period,
    values: _Values,
    targets: dict[str, dict[int, Decimal]],
) -> PlanRollup:
    period_code, year_code = _target_codes(period)
    thresholds = _thresholds()
    measured = _evidence_counts(plan, period_code, values.get(period_code, {}))
    indicators: dict[int, IndicatorResult] = {}
    for row in tree.indicators:
        indicators[row[0]] = _indicator_result(
            row,
            direction=tree.directions[row[0]],
            period_code=period_code,
            year_code=year_code,
            measured=measured.get(row[0]),
            targets=targets,
        )
    nodes: dict[int, NodeResult] = {}
    empty: list[Any] = []
    # Reversed display (pre-)order puts every node after all its descendants.
    for node_id in reversed(tree.order):
        rec = tree.nodes[node_id]
        kids = tree.children.get(node_id, empty)
        own = tree.by_node.get(node_id, empty)
        contributions = [_node_contribution(kid, nodes[kid[0]]) for kid in kids]
        contributions.extend(_indicator_contribution(row, indicators[row[0]]) for row in own)
        result = nodes[node_id] = _node_result(
            node_id=node_id,
            code=rec[3],
            title=rec[4],
            depth=rec[2],
            parent_id=rec[1],
            contributions=contributions,
            thresholds=thresholds,
            period_code=period_code,
        )
        result.child_ids = [k[0] for k in kids]
        result.indicator_ids = [r[0] for r in own]
    root_rows = tree.children.get(None, empty)
    roots = [nodes[r[0]] for r in root_rows]
    total = _node_result(
        node_id=0,
        code="",
        title=plan.name,
        depth=0,
        parent_id=None,
        contributions=[_node_contribution(r, nodes[r[0]]) for r in root_rows],
        thresholds=thresholds,
        period_code=period_code,
    )
    total.child_ids = [r.node_id for r in roots]
    return PlanRollup(
        plan_id=plan.pk,
        period_code=period_code,
        nodes=nodes,
        indicators=indicators,
        roots=roots,
        order=tree.order,
        total=total,
        thresholds=thresholds,
    )


def _node_contribution(rec: _NodeRow, result: NodeResult) -> Contribution:
    return Contribution(
        kind=NODE,
        ref_id=rec[0],
        code=rec[3],
        label=f"{rec[3]} {rec[4]}",
        raw_weight=rec[5],
        share=None,
        value=result.progress,
        missing=result.progress is None,
    )


def _indicator_contribution(row: tuple[Any, ...], result: IndicatorResult) -> Contribution:
    return Contribution(
        kind=INDICATOR,
        ref_id=row[0],
        code=row[2],
        label=f"{row[2]} {row[3]}",
        raw_weight=row[10],
        share=None,
        value=result.achievement,
        missing=result.achievement is None,
    )


# --- public selectors ----------------------------------------------------------------------------


def plan_rollup(*, plan: Plan, period: Period) -> PlanRollup:
    """Achievement of every indicator and progress of every node of the plan in one period, with
    their breakdowns. Five queries whatever the size of the plan; `period` may be unsaved."""
    tree = _tree_load(plan)
    codes = [c for c in _target_codes(period) if c]
    return _compute(
        plan=plan,
        tree=tree,
        period=period,
        values=_values_load(plan, [period.code]),
        targets=_targets_load(plan, codes),
    )


@dataclass
class RollupSeries:
    """Progress of the axes (and of the whole plan) over several periods, for charts."""

    period_codes: list[str]
    axes: list[tuple[int, str, str]]  # (node id, code, title) in display order
    progress: dict[int, list[float | None]]  # axis id → progress per period (fraction or None)
    total: list[float | None]

    def table_rows(self) -> list[tuple[str, list[float | None]]]:
        """(axis label, progress in % per period) — the chart's data as a table."""
        return [
            (f"{code} {title}", [None if v is None else v * 100 for v in self.progress[node_id]])
            for node_id, code, title in self.axes
        ]

    def chart_rows(self) -> list[dict[str, Any]]:
        """Long-format rows for a Vega-Lite chart (percentages; missing periods left out)."""
        rows: list[dict[str, Any]] = []
        for node_id, code, title in self.axes:
            for code_p, value in zip(self.period_codes, self.progress[node_id], strict=True):
                if value is not None:
                    rows.append(
                        {"period": code_p, "axis": f"{code} {title}"[:60], "percent": round(value * 100, 1)}
                    )
        return rows


def _progress_only(
    *, tree: _Tree, period: Period, values: _Values, targets: dict[str, dict[int, Decimal]]
) -> tuple[dict[int, float | None], float | None]:
    """The same rules as `_compute` without breakdowns, for charts: (node id → progress, plan total)."""
    period_code, year_code = _target_codes(period)
    measured = values.get(period_code, {})
    own_targets = targets.get(period_code, {})
    year_targets = targets.get(year_code, {}) if year_code else {}
    achieved: dict[int, float | None] = {}
    for row in tree.indicators:
        got = measured.get(row[0])
        target = own_targets.get(row[0])
        if target is None:
            target = year_targets.get(row[0])
        if got is None or target is None:
            achieved[row[0]] = None
            continue
        achieved[row[0]] = achievement_compute(
            value=got[1],
            target=target,
            baseline=row[7],
            direction=tree.directions[row[0]][0],
            formula=row[5],
            cap_percent=row[6],
            threshold_green=row[8],
            threshold_amber=row[9],
            explain=False,
        ).achievement
    progress: dict[int, float | None] = {}

    def mean(pairs: list[tuple[float, float]]) -> float | None:
        if not pairs:
            return None
        total = math.fsum(w for w, _v in pairs)
        if total <= 0:
            return math.fsum(v for _w, v in pairs) / len(pairs)
        return math.fsum(w / total * v for w, v in pairs)

    empty: list[Any] = []
    for node_id in reversed(tree.order):
        pairs: list[tuple[float, float]] = []
        for kid in tree.children.get(node_id, empty):
            value = progress[kid[0]]
            if value is not None:
                pairs.append((kid[5], value))
        for row in tree.by_node.get(node_id, empty):
            value = achieved[row[0]]
            if value is not None:
                pairs.append((row[10], value))
        progress[node_id] = mean(pairs)
    roots = [(r[5], progress[r[0]]) for r in tree.children.get(None, empty)]
    return progress, mean([(w, v) for w, v in roots if v is not None])


def _series(
    *,
    tree: _Tree,
    periods: Sequence[Period],
    values: _Values,
    targets: dict[str, dict[int, Decimal]],
    known: PlanRollup | None = None,
) -> RollupSeries:
    axes = [(r[0], r[3], r[4]) for r in tree.children.get(None, [])]
    progress: dict[int, list[float | None]] = {a[0]: [] for a in axes}
    total: list[float | None] = []
    for period in periods:
        if known is not None and known.period_code == period.code:
            nodes = {axis_id: known.nodes[axis_id].progress for axis_id, _c, _t in axes}
            plan_total = known.total.progress
        else:
            nodes, plan_total = _progress_only(tree=tree, period=period, values=values, targets=targets)
        for axis_id, _code, _title in axes:
            progress[axis_id].append(nodes[axis_id])
        total.append(plan_total)
    return RollupSeries(period_codes=[p.code for p in periods], axes=axes, progress=progress, total=total)


def plan_rollup_series(*, plan: Plan, periods: Sequence[Period]) -> RollupSeries:
    """Axis progress for each of `periods` (in the order given), by the same rules as
    `plan_rollup` (in floating point: the figures are for charts). The tree, the targets and the
    measurements are each read once for all periods."""
    tree = _tree_load(plan)
    values = _values_load(plan, [p.code for p in periods], as_float=True)
    targets = _targets_load(plan, {c for p in periods for c in _target_codes(p) if c}, as_float=True)
    return _series(tree=tree, periods=periods, values=values, targets=targets)


def dashboard_rollup(
    *, plan: Plan, period: Period, periods: Sequence[Period]
) -> tuple[PlanRollup, RollupSeries]:
    """`plan_rollup` for `period` and `plan_rollup_series` for `periods`, sharing the tree (a
    constant number of queries for both; the selected period is computed once)."""
    tree = _tree_load(plan)
    own_codes = [c for c in _target_codes(period) if c]
    rollup = _compute(
        plan=plan,
        tree=tree,
        period=period,
        values=_values_load(plan, [period.code]),
        targets=_targets_load(plan, own_codes),
    )
    others = [p for p in periods if p.code != period.code]
    values = _values_load(plan, [p.code for p in others], as_float=True)
    targets = _targets_load(plan, {c for p in others for c in _target_codes(p) if c}, as_float=True)
    return rollup, _series(tree=tree, periods=periods, values=values, targets=targets, known=rollup)


@dataclass(slots=True)
class SeriesPoint:
    period_code: str
    start: str  # ISO dates, ready for JSON
    end: str
    value: float
    measurement_id: int | None = None


@dataclass
class IndicatorSeries:
    """An indicator's baseline, targets and approved whole-territory values over time."""

    indicator_id: int
    baseline: float | None
    baseline_date: str | None
    targets: list[SeriesPoint]
    values: list[SeriesPoint]


def indicator_series(*, indicator: Indicator) -> IndicatorSeries:
    """Baseline, targets and approved values (highest approved version per period) of one indicator,
    in period order — the data of its chart. Two queries."""
    targets = [
        SeriesPoint(code, start.isoformat(), end.isoformat(), float(value))
        for code, start, end, value in indicator.targets.order_by(
            "period__start", "-period__end"
        ).values_list("period__code", "period__start", "period__end", "value")
    ]
    latest: dict[str, SeriesPoint] = {}
    rows = (
        Measurement.objects.filter(
            indicator=indicator, unit__isnull=True, disaggregation="", status=MeasurementStatus.APPROVED
        )
        .order_by("period__start", "-period__end", "version")
        .values_list("id", "period__code", "period__start", "period__end", "value")
    )
    for mid, code, start, end, value in rows:
        latest[code] = SeriesPoint(code, start.isoformat(), end.isoformat(), float(value), mid)
    return IndicatorSeries(
        indicator_id=indicator.pk,
        baseline=None if indicator.baseline_value is None else float(indicator.baseline_value),
        baseline_date=indicator.baseline_date.isoformat() if indicator.baseline_date else None,
        targets=targets,
        values=list(latest.values()),
    )


def indicator_result(*, indicator: Indicator, period: Period) -> IndicatorResult:
    """The achievement of one indicator in one period with its explanation (a few queries)."""
    row = _indicator_rows(Indicator.objects.filter(pk=indicator.pk))[0]
    direction = _row_direction(row)
    period_code, year_code = _target_codes(period)
    targets: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for code, value in Target.objects.filter(
        indicator=indicator, period__code__in=[c for c in (period_code, year_code) if c]
    ).values_list("period__code", "value"):
        targets[code][indicator.pk] = value
    measured = None
    for mid, value, evidence_count in (
        Measurement.objects.filter(
            indicator=indicator,
            period__code=period_code,
            unit__isnull=True,
            disaggregation="",
            status=MeasurementStatus.APPROVED,
        )
        .annotate(evidence_count=Count("evidence"))
        .order_by("version")
        .values_list("id", "value", "evidence_count")
    ):
        measured = (mid, value, evidence_count)
    return _indicator_result(
        row,
        direction=direction,
        period_code=period_code,
        year_code=year_code,
        measured=measured,
        targets=targets,
    )


# --- per-territory view ----------------------------------------------------------------------------


@dataclass
class UnitColumn:
    """One territorial unit: the weighted mean of the achievements it has data for."""

    unit_id: int
    code: str
    name: str
    progress: float | None
    light: str
    counted: int
    missing: list[str]  # codes of indicators with unit-level data elsewhere but none here
    explanation: list[str]

    @property
    def percent(self) -> float | None:
        return None if self.progress is None else self.progress * 100


@dataclass
class TerritoryRow:
    indicator_id: int
    code: str
    name: str
    cells: list[IndicatorResult]  # aligned with TerritoryRollup.units; light "missing" when no data


@dataclass
class TerritoryRollup:
    period_code: str
    units: list[UnitColumn]
    rows: list[TerritoryRow]


def plan_rollup_by_unit(*, plan: Plan, period: Period) -> TerritoryRollup:
    """Per territorial unit of the plan (and any unit with data), the achievement of every
    indicator that has unit-level measurements, against the plan's target of the period (targets
    are not set per unit). Units without a value are shown as missing, never as 0."""
    period_code, year_code = _target_codes(period)
    thresholds = _thresholds()
    tree = _tree_load(plan)
    unit_level = Measurement.objects.filter(
        indicator__plan=plan, unit__isnull=False, disaggregation="", status=MeasurementStatus.APPROVED
    )
    indicator_ids = set(unit_level.values_list("indicator_id", flat=True).distinct())
    unit_ids = set(plan.units.values_list("pk", flat=True)) | set(
        unit_level.values_list("unit_id", flat=True).distinct()
    )
    units = list(
        TerritorialUnit.objects.filter(pk__in=unit_ids).order_by("code").values_list("id", "code", "name")
    )
    measured: dict[tuple[int, int], tuple[int, Decimal, int]] = {}
    for mid, indicator_id, unit_id, value, evidence_count in (
        unit_level.filter(period__code=period_code)
        .annotate(evidence_count=Count("evidence"))
        .order_by("version")
        .values_list("id", "indicator_id", "unit_id", "value", "evidence_count")
    ):
        measured[(indicator_id, unit_id)] = (mid, value, evidence_count)
    targets = _targets_load(plan, [c for c in (period_code, year_code) if c])
    note = _("Compared with the plan-wide target: targets are not set per territorial unit.")
    rows: list[TerritoryRow] = []
    per_unit: dict[int, list[tuple[IndicatorResult, float]]] = defaultdict(list)
    for row in tree.indicators:
        if row[0] not in indicator_ids:
            continue
        cells = []
        for unit_id, _code, _name in units:
            result = _indicator_result(
                row,
                direction=tree.directions[row[0]],
                period_code=period_code,
                year_code=year_code,
                measured=measured.get((row[0], unit_id)),
                targets=targets,
                note=note,
            )
            cells.append(result)
            per_unit[unit_id].append((result, row[10]))
        rows.append(TerritoryRow(indicator_id=row[0], code=row[2], name=row[3], cells=cells))
    columns: list[UnitColumn] = []
    for unit_id, code, name in units:
        contributions = [
            Contribution(
                kind=INDICATOR,
                ref_id=r.indicator_id,
                code=r.code,
                label=f"{r.code} {r.name}",
                raw_weight=w,
                share=None,
                value=r.achievement,
                missing=r.achievement is None,
            )
            for r, w in per_unit.get(unit_id, [])
        ]
        mean = _node_result(
            node_id=unit_id,
            code=code,
            title=name,
            depth=0,
            parent_id=None,
            contributions=contributions,
            thresholds=thresholds,
            period_code=period_code,
        )
        columns.append(
            UnitColumn(
                unit_id=unit_id,
                code=code,
                name=name,
                progress=mean.progress,
                light=mean.light,
                counted=sum(1 for c in contributions if not c.missing),
                missing=[c.code for c in contributions if c.missing],
                explanation=mean.explanation,
            )
        )
    return TerritoryRollup(period_code=period_code, units=columns, rows=rows)
