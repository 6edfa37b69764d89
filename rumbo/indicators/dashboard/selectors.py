"""Reads for the monitoring dashboard: which periods have data, which one to show, gatekeepers,
the measurements a reader may see, and the Vega-Lite specs of the charts (built from the
roll-up series, so the chart and the tables show the same numbers).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, user_access
from rumbo.indicators.models import Evidence, Indicator, Measurement, MeasurementStatus, Period, Target
from rumbo.indicators.periods import period_bounds
from rumbo.indicators.rollup import IndicatorSeries, RollupSeries
from rumbo.plans.models import Node, Plan
from rumbo.plans.selectors import plan_get_for_user

CHART_PERIODS = 8  # how many periods the axis-progress chart of the dashboard shows


@dataclass
class DashboardPeriods:
    """Periods with targets or approved measurements of a plan, oldest first."""

    periods: list[Period]
    measured: set[str]  # codes of the periods that have approved measurements


def dashboard_periods(*, plan: Plan) -> DashboardPeriods:
    """The periods worth choosing on the dashboard: those with targets or approved values. One
    query: an EXISTS per period stops at the first row found (there are few periods)."""
    measured = Exists(
        Measurement.objects.filter(
            period=OuterRef("pk"), indicator__plan=plan, status=MeasurementStatus.APPROVED
        )
    )
    targeted = Exists(Target.objects.filter(period=OuterRef("pk"), indicator__plan=plan))
    rows = list(
        Period.objects.annotate(measured=measured, targeted=targeted)
        .filter(Q(measured=True) | Q(targeted=True))
        .order_by("start", "-end")
    )
    periods: list[Period] = list(rows)
    return DashboardPeriods(periods=periods, measured={p.code for p in rows if p.measured})


def dashboard_period(
    *, code: str | None, choices: DashboardPeriods, today: datetime.date | None = None
) -> Period:
    """The period asked for (PeriodCodeError when the code is not a period), else the latest one
    with approved values that has started, else the latest with data, else the current quarter.
    A period nobody has used yet comes back unsaved: it simply has no data."""
    today = today or datetime.date.today()
    if code:
        normalised, kind, start, end = period_bounds(code)
    else:
        started = [p for p in choices.periods if p.start <= today]
        for pool in ([p for p in started if p.code in choices.measured], started, choices.periods):
            if pool:
                return max(pool, key=lambda p: (p.start, -p.end.toordinal()))
        normalised, kind, start, end = period_bounds(f"{today.year}T{(today.month - 1) // 3 + 1}")
    for period in choices.periods:
        if period.code == normalised:
            return period
    return Period.objects.filter(code=normalised).first() or Period(
        code=normalised, kind=kind, start=start, end=end
    )


def period_options(*, choices: DashboardPeriods, selected: Period) -> list[Period]:
    """The periods of the selector, with the selected one included even when it has no data."""
    if any(p.code == selected.code for p in choices.periods):
        return choices.periods
    return sorted([*choices.periods, selected], key=lambda p: (p.start, -p.end.toordinal()))


def chart_periods(*, choices: DashboardPeriods, selected: Period, count: int = CHART_PERIODS) -> list[Period]:
    """The last `count` periods of the selected period's kind up to it (the selected one included)."""
    same = [p for p in choices.periods if p.kind == selected.kind and p.start <= selected.start]
    if not any(p.code == selected.code for p in same):
        same.append(selected)
    return same[-count:]


def node_for_plan(*, plan: Plan, node_id: int) -> Node | None:
    """A node of an already visible plan (None when it belongs to another plan)."""
    return Node.objects.filter(plan=plan, pk=node_id).first()


def indicator_for_reader(*, indicator_id: int, user: Any) -> Indicator | None:
    """The indicator if the user may see its plan; None for missing and forbidden alike."""
    indicator = (
        Indicator.objects.select_related("plan", "plan__entity", "node").filter(pk=indicator_id).first()
    )
    if indicator is None or plan_get_for_user(plan_id=indicator.plan_id, user=user) is None:
        return None
    return indicator


def reader_sees_private(*, user: Any, plan: Plan) -> bool:
    return user_access(user).can(plan.entity_id, Capability.VIEW_PRIVATE)


@dataclass
class MeasurementRow:
    measurement: Measurement
    evidence: list[tuple[str, str | None]]  # (name, link or None)
    link: str | None = None  # the measurement's own page (history, versions), when it exists


def indicator_measurements(*, indicator: Indicator, user: Any) -> list[MeasurementRow]:
    """The indicator's measurements, newest period first, with their evidence. Readers without
    access to private data see approved values only (two queries)."""
    qs = Measurement.objects.filter(indicator=indicator).select_related("period", "unit")
    if not reader_sees_private(user=user, plan=indicator.plan):
        qs = qs.filter(status=MeasurementStatus.APPROVED)
    qs = qs.order_by(
        "-period__start", "period__end", "unit__code", "disaggregation", "-version"
    ).prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")))
    return [
        MeasurementRow(m, [(e.name, _evidence_link(e)) for e in m.evidence.all()], _measurement_link(m))
        for m in qs
    ]


def _measurement_link(measurement: Measurement) -> str | None:
    try:
        return reverse("indicators:measurement_detail", args=[measurement.pk])
    except NoReverseMatch:
        return None


def _evidence_link(evidence: Evidence) -> str | None:
    if evidence.kind == "link" and evidence.url:
        return evidence.url
    try:
        return reverse("indicators:evidence_file", args=[evidence.pk])
    except NoReverseMatch:
        return None


# --- chart specs (Vega-Lite 5) ------------------------------------------------------------------

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def axis_chart_spec(*, series: RollupSeries) -> dict[str, Any]:
    """A line per axis: progress (%) over the periods of the series; missing periods are gaps."""
    rows = series.chart_rows()
    top = max([100.0, *(r["percent"] for r in rows)])
    return {
        "$schema": _SCHEMA,
        "width": "container",
        "height": 240,
        "data": {"values": rows},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {
                "field": "period",
                "type": "ordinal",
                "sort": series.period_codes,
                "title": _("Period"),
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "percent",
                "type": "quantitative",
                "title": _("Progress (%)"),
                "scale": {"domain": [0, top]},
            },
            "color": {"field": "axis", "type": "nominal", "title": _("Axis")},
            "tooltip": [
                {"field": "axis", "title": _("Axis")},
                {"field": "period", "title": _("Period")},
                {"field": "percent", "title": _("Progress (%)")},
            ],
        },
    }


def indicator_chart_spec(*, series: IndicatorSeries, unit_label: str = "") -> dict[str, Any]:
    """Values and targets over time (x = end of each period), with the baseline as a dashed rule."""
    value_name, target_name = _("Value"), _("Target")
    rows = [
        {"date": p.end, "period": p.period_code, "series": value_name, "value": p.value}
        for p in series.values
    ] + [
        {"date": p.end, "period": p.period_code, "series": target_name, "value": p.value}
        for p in series.targets
    ]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": rows},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {
                    "field": "date",
                    "type": "temporal",
                    "title": _("End of period"),
                    "axis": {"format": "%Y-%m", "tickCount": "month", "labelOverlap": True},
                },
                "y": {"field": "value", "type": "quantitative", "title": unit_label or _("Value")},
                "color": {"field": "series", "type": "nominal", "title": None},
                "strokeDash": {"field": "series", "type": "nominal", "title": None},
                "tooltip": [
                    {"field": "series", "title": " "},
                    {"field": "period", "title": _("Period")},
                    {"field": "value", "title": unit_label or _("Value")},
                ],
            },
        }
    ]
    if series.baseline is not None:
        layers.append(
            {
                "data": {"values": [{"value": series.baseline, "label": _("Baseline")}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#6c757d"},
                "encoding": {
                    "y": {"field": "value", "type": "quantitative"},
                    "tooltip": [
                        {"field": "label", "title": " "},
                        {"field": "value", "title": unit_label or " "},
                    ],
                },
            }
        )
    return {"$schema": _SCHEMA, "width": "container", "height": 260, "layer": layers}
