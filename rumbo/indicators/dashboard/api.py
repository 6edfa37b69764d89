"""API: progress of a plan for a period, with every figure's breakdown. Public for published
plans, like the dashboard."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import api_reader
from rumbo.core.http import json_response
from rumbo.indicators.dashboard.selectors import dashboard_period, dashboard_periods
from rumbo.indicators.periods import PeriodCodeError
from rumbo.indicators.rollup import IndicatorResult, NodeResult, plan_rollup
from rumbo.plans.selectors import plan_get_for_user

router = Router(tags=["monitoring"])


class ContributionOut(Schema):
    kind: str
    ref_id: int
    code: str
    label: str
    raw_weight: float
    share: float | None
    value: float | None
    missing: bool


class NodeProgressOut(Schema):
    id: int
    parent_id: int | None
    code: str
    title: str
    depth: int
    progress: float | None
    light: str
    weights_normalised: bool
    missing: list[str]
    explanation: list[str]
    contributions: list[ContributionOut]
    indicator_ids: list[int]


class IndicatorResultOut(Schema):
    id: int
    code: str
    name: str
    node_id: int | None
    period: str
    value: float | None
    target: float | None
    target_period: str | None
    baseline: float | None
    direction: str
    direction_inferred: bool
    formula: str
    cap_percent: float | None
    achievement: float | None
    raw_achievement: float | None
    capped: bool
    light: str
    explanation: list[str]
    measurement_id: int | None
    evidence_count: int


class ThresholdsOut(Schema):
    green: float
    amber: float


class ProgressOut(Schema):
    plan_id: int
    period: str
    thresholds: ThresholdsOut
    total: NodeProgressOut
    axes: list[NodeProgressOut]
    nodes: list[NodeProgressOut]
    indicators: list[IndicatorResultOut]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _node_out(result: NodeResult) -> dict[str, Any]:
    return {
        "id": result.node_id,
        "parent_id": result.parent_id,
        "code": result.code,
        "title": result.title,
        "depth": result.depth,
        "progress": result.progress,
        "light": result.light,
        "weights_normalised": result.weights_normalised,
        "missing": result.missing,
        "explanation": result.explanation,
        "contributions": [
            {
                "kind": c.kind,
                "ref_id": c.ref_id,
                "code": c.code,
                "label": c.label,
                "raw_weight": c.raw_weight,
                "share": c.share,
                "value": c.value,
                "missing": c.missing,
            }
            for c in result.contributions
        ],
        "indicator_ids": result.indicator_ids,
    }


def _indicator_out(r: IndicatorResult) -> dict[str, Any]:
    return {
        "id": r.indicator_id,
        "code": r.code,
        "name": r.name,
        "node_id": r.node_id,
        "period": r.period_code,
        "value": _float(r.value),
        "target": _float(r.target),
        "target_period": r.target_period_code,
        "baseline": _float(r.baseline),
        "direction": r.direction,
        "direction_inferred": r.direction_inferred,
        "formula": r.formula,
        "cap_percent": _float(r.cap_percent),
        "achievement": r.achievement,
        "raw_achievement": r.raw_achievement,
        "capped": r.capped,
        "light": r.light,
        "explanation": r.explanation,
        "measurement_id": r.measurement_id,
        "evidence_count": r.evidence_count,
    }


@router.get("/plans/{plan_id}/progress", response=ProgressOut, summary="Progress of a plan in a period")
def plan_progress(request: HttpRequest, plan_id: int, period: str | None = None) -> HttpResponse:
    """Achievement of every indicator and progress of every node (axes first) for `period`
    (2025, 2025S1, 2025T3, 2025-07; default: the latest period with approved values). Each node
    carries its breakdown: contributions with raw weight, normalised share and value, the ones
    without data (`missing`, never counted as 0) and the formula with its numbers."""
    plan = plan_get_for_user(plan_id=plan_id, user=api_reader(request))
    if plan is None:
        raise HttpError(404, _("Not found."))
    try:
        chosen = dashboard_period(code=period, choices=dashboard_periods(plan=plan))
    except PeriodCodeError as exc:
        raise HttpError(422, str(exc)) from exc
    rollup = plan_rollup(plan=plan, period=chosen)
    return json_response(
        {
            "plan_id": plan.pk,
            "period": rollup.period_code,
            "thresholds": {"green": float(rollup.thresholds[0]), "amber": float(rollup.thresholds[1])},
            "total": _node_out(rollup.total),
            "axes": [_node_out(r) for r in rollup.roots],
            "nodes": [_node_out(rollup.nodes[i]) for i in rollup.order],
            "indicators": [_indicator_out(r) for r in rollup.indicators.values()],
        }
    )
