"""API: indicator sheets and their targets. Reads follow the plan's visibility; writes need a
token and the EDIT_PLAN capability in the plan's entity."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.accounts.permissions import Capability, user_access
from rumbo.indicators.models import (
    AchievementFormula,
    Direction,
    Indicator,
    IndicatorLevel,
    IndicatorUnit,
    Periodicity,
    TerritorialLevel,
)
from rumbo.indicators.sheets import selectors, services
from rumbo.plans.models import Node, Plan
from rumbo.plans.selectors import plan_get_for_user

router = Router(tags=["monitoring"])
token_auth = ApiTokenAuth()
TARGETS_BODY: Any = Body(..., description='{"2025": 10, "2026T1": 12.5}; null removes one target.')  # type: ignore[type-arg]


class TargetOut(Schema):
    period: str
    value: float


class IndicatorSummaryOut(Schema):
    id: int
    plan_id: int
    node_id: int | None
    node_code: str
    code: str
    name: str
    level: str
    unit: str
    unit_label: str
    periodicity: str
    direction: str = Field(description="Stored direction, or the one inferred from baseline and targets.")
    direction_inferred: bool
    responsible: str
    catalogue_key: str


class IndicatorOut(IndicatorSummaryOut):
    definition: str
    justification: str
    formula: str
    variables: list[str]
    method: str
    achievement_formula: str
    cap_percent: float | None
    baseline_value: float | None
    baseline_date: datetime.date | None
    baseline_source: str
    source: str
    means_of_verification: str
    territorial_disaggregation: str
    population_disaggregation: str
    limitations: str
    assumptions: str
    threshold_green: float
    threshold_amber: float
    weight: float
    targets: list[TargetOut]


class IndicatorIn(Schema):
    node_id: int | None = Field(default=None, description="A node of the plan; null for the plan as a whole.")
    code: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=500)
    definition: str = ""
    justification: str = ""
    level: IndicatorLevel = IndicatorLevel.OUTCOME
    unit: IndicatorUnit = IndicatorUnit.NUMBER
    unit_label: str = Field(default="", max_length=40)
    formula: str = Field(default="", max_length=500, description="Over variable codes, e.g. (A / B) * 100.")
    method: str = ""
    direction: Direction | None = Field(default=None, description="Null: inferred from baseline and targets.")
    achievement_formula: AchievementFormula = AchievementFormula.RATIO
    cap_percent: Decimal | None = Decimal("100")
    baseline_value: Decimal | None = None
    baseline_date: datetime.date | None = None
    baseline_source: str = ""
    periodicity: Periodicity = Periodicity.ANNUAL
    source: str = ""
    means_of_verification: str = ""
    responsible: str = ""
    territorial_disaggregation: TerritorialLevel | None = None
    population_disaggregation: str = ""
    limitations: str = ""
    assumptions: str = ""
    threshold_green: Decimal = Decimal("90")
    threshold_amber: Decimal = Decimal("70")
    weight: Decimal = Field(default=Decimal("1"), ge=0)
    targets: dict[str, Decimal] = Field(default_factory=dict, description='{"2025": 10, "2026T1": 12.5}')


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _summary(indicator: Indicator, direction: str, inferred: bool) -> dict[str, Any]:
    return {
        "id": indicator.pk,
        "plan_id": indicator.plan_id,
        "node_id": indicator.node_id,
        "node_code": indicator.node.code if indicator.node is not None else "",
        "code": indicator.code,
        "name": indicator.name,
        "level": indicator.level,
        "unit": indicator.unit,
        "unit_label": indicator.unit_label,
        "periodicity": indicator.periodicity,
        "direction": direction,
        "direction_inferred": inferred,
        "responsible": indicator.responsible,
        "catalogue_key": indicator.catalogue_key,
    }


def _sheet_out(indicator: Indicator) -> dict[str, Any]:
    sheet = selectors.indicator_sheet(indicator=indicator)
    return {
        **_summary(indicator, sheet.direction, sheet.direction_inferred),
        "definition": indicator.definition,
        "justification": indicator.justification,
        "formula": indicator.formula,
        "variables": [v.code for v in sheet.variables],
        "method": indicator.method,
        "achievement_formula": indicator.achievement_formula,
        "cap_percent": _num(indicator.cap_percent),
        "baseline_value": _num(indicator.baseline_value),
        "baseline_date": indicator.baseline_date,
        "baseline_source": indicator.baseline_source,
        "source": indicator.source,
        "means_of_verification": indicator.means_of_verification,
        "territorial_disaggregation": indicator.territorial_disaggregation,
        "population_disaggregation": indicator.population_disaggregation,
        "limitations": indicator.limitations,
        "assumptions": indicator.assumptions,
        "threshold_green": float(indicator.threshold_green),
        "threshold_amber": float(indicator.threshold_amber),
        "weight": float(indicator.weight),
        "targets": [{"period": t.period.code, "value": float(t.value)} for t in sheet.targets],
    }


def _readable_plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = plan_get_for_user(plan_id=plan_id, user=api_reader(request))
    if plan is None:
        raise HttpError(404, _("Not found."))
    return plan


def _writable_plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = plan_get_for_user(plan_id=plan_id, user=_actor(request))
    if plan is None:
        raise HttpError(404, _("Not found."))
    if not user_access(_actor(request)).can(plan.entity_id, Capability.EDIT_PLAN):
        raise PermissionDenied
    return plan


@router.get(
    "/plans/{plan_id}/indicators", response=list[IndicatorSummaryOut], summary="The plan's indicators"
)
def indicators_list(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """Every indicator sheet of the plan, by code, with its effective direction."""
    plan = _readable_plan(request, plan_id)
    indicators = list(selectors.plan_indicators(plan=plan).prefetch_related("targets__period"))
    result = []
    for indicator in indicators:
        targets = sorted(indicator.targets.all(), key=lambda t: (t.period.start, -t.period.end.toordinal()))
        direction, inferred = selectors.indicator_direction_shown(
            indicator=indicator, targets=[t.value for t in targets]
        )
        result.append(_summary(indicator, direction, inferred))
    return result


@router.get(
    "/indicators/{indicator_id}", response=IndicatorOut, summary="One indicator sheet with its targets"
)
def indicator_detail(request: HttpRequest, indicator_id: int) -> dict[str, Any]:
    indicator = selectors.indicator_get_for_user(indicator_id=indicator_id, user=api_reader(request))
    if indicator is None:
        raise HttpError(404, _("Not found."))
    return _sheet_out(indicator)


@router.post(
    "/plans/{plan_id}/indicators",
    response={201: IndicatorOut},
    auth=token_auth,
    summary="Create an indicator",
)
def indicator_create(request: HttpRequest, plan_id: int, payload: IndicatorIn) -> tuple[int, dict[str, Any]]:
    """Create a sheet (and, optionally, its targets) in one step; nothing is written on an error."""
    plan = _writable_plan(request, plan_id)
    node = None
    if payload.node_id is not None:
        node = Node.objects.filter(plan=plan, pk=payload.node_id).first()
        if node is None:
            raise HttpError(422, _("The node does not exist in this plan."))
    data = payload.dict(exclude={"node_id", "code", "name", "targets"})
    data["direction"] = data["direction"] or ""
    data["territorial_disaggregation"] = data["territorial_disaggregation"] or ""
    with transaction.atomic():
        indicator = services.indicator_create(
            actor=_actor(request), plan=plan, node=node, code=payload.code, name=payload.name, **data
        )
        if payload.targets:
            services.targets_set(actor=_actor(request), indicator=indicator, values=payload.targets)
    return 201, _sheet_out(indicator)


@router.put(
    "/indicators/{indicator_id}/targets", response=IndicatorOut, auth=token_auth, summary="Set targets"
)
def indicator_targets(
    request: HttpRequest,
    indicator_id: int,
    payload: dict[str, Decimal | None] = TARGETS_BODY,
) -> dict[str, Any]:
    """Set targets by period code. Periods not mentioned keep their target; null removes one."""
    indicator = selectors.indicator_get_for_user(indicator_id=indicator_id, user=_actor(request))
    if indicator is None:
        raise HttpError(404, _("Not found."))
    if not user_access(_actor(request)).can(indicator.plan.entity_id, Capability.EDIT_PLAN):
        raise PermissionDenied
    services.targets_set(actor=_actor(request), indicator=indicator, values=payload)
    return _sheet_out(indicator)
