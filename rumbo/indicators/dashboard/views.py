"""Monitoring pages: the plan dashboard, a node's drill-down, an indicator's detail and the
per-territory view. Readable by whoever may see the plan (published plans are public); every
figure opens its "how is this calculated?" breakdown.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rumbo.core.http import HtmxHttpRequest
from rumbo.indicators.dashboard import selectors
from rumbo.indicators.dashboard.panels import dashboard_panels_render
from rumbo.indicators.models import Period
from rumbo.indicators.periods import PeriodCodeError
from rumbo.indicators.rollup import (
    dashboard_rollup,
    indicator_result,
    indicator_series,
    plan_rollup,
    plan_rollup_by_unit,
)
from rumbo.plans.gatekeepers import plan_or_404


def _period(request: HtmxHttpRequest, choices: selectors.DashboardPeriods) -> Period:
    """The period of `?periodo=`; a bad code is reported and the default period shown instead."""
    code = request.GET.get("periodo", "").strip() or None
    try:
        return selectors.dashboard_period(code=code, choices=choices)
    except PeriodCodeError as exc:
        messages.error(request, str(exc))
        return selectors.dashboard_period(code=None, choices=choices)


@require_GET
def dashboard(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    choices = selectors.dashboard_periods(plan=plan)
    period = _period(request, choices)
    rollup, series = dashboard_rollup(
        plan=plan, period=period, periods=selectors.chart_periods(choices=choices, selected=period)
    )
    lights = {"green": 0, "amber": 0, "red": 0, "missing": 0}
    for result in rollup.indicators.values():
        lights[result.light] += 1
    return render(
        request,
        "indicators/dashboard/dashboard.html",
        {
            "plan": plan,
            "period": period,
            "periods": selectors.period_options(choices=choices, selected=period),
            "rollup": rollup,
            "series": series,
            "chart_spec": selectors.axis_chart_spec(series=series),
            "lights": lights,
            "indicator_count": len(rollup.indicators),
            "panels": dashboard_panels_render(request=request, plan=plan, period=period),
        },
    )


@require_GET
def node_progress(request: HtmxHttpRequest, plan_id: int, node_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    node = selectors.node_for_plan(plan=plan, node_id=node_id)
    if node is None:
        raise Http404
    choices = selectors.dashboard_periods(plan=plan)
    period = _period(request, choices)
    rollup = plan_rollup(plan=plan, period=period)
    result = rollup.nodes[node.pk]
    ancestor_ids = [int(part) for part in node.path.strip("/").split("/")[:-1] if part]
    return render(
        request,
        "indicators/dashboard/node_progress.html",
        {
            "plan": plan,
            "node": node,
            "period": period,
            "periods": selectors.period_options(choices=choices, selected=period),
            "rollup": rollup,
            "result": result,
            "ancestors": [rollup.nodes[i] for i in ancestor_ids if i in rollup.nodes],
            "indicators": [rollup.indicators[i] for i in result.indicator_ids],
        },
    )


@require_GET
def indicator_detail(request: HtmxHttpRequest, indicator_id: int) -> HttpResponse:
    indicator = selectors.indicator_for_reader(indicator_id=indicator_id, user=request.user)
    if indicator is None:
        raise Http404
    choices = selectors.dashboard_periods(plan=indicator.plan)
    period = _period(request, choices)
    series = indicator_series(indicator=indicator)
    return render(
        request,
        "indicators/dashboard/indicator_detail.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "period": period,
            "periods": selectors.period_options(choices=choices, selected=period),
            "result": indicator_result(indicator=indicator, period=period),
            "series": series,
            "chart_spec": selectors.indicator_chart_spec(series=series, unit_label=indicator.unit_label),
            "measurements": selectors.indicator_measurements(indicator=indicator, user=request.user),
            "sees_private": selectors.reader_sees_private(user=request.user, plan=indicator.plan),
        },
    )


@require_GET
def territory_view(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    choices = selectors.dashboard_periods(plan=plan)
    period = _period(request, choices)
    return render(
        request,
        "indicators/dashboard/territory_view.html",
        {
            "plan": plan,
            "period": period,
            "periods": selectors.period_options(choices=choices, selected=period),
            "territory": plan_rollup_by_unit(plan=plan, period=period),
        },
    )
