"""Reads for the validity area: a plan's computed vigencia and its legal timeline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from rumbo.lifecycle.validity.models import PlanStatusEvent, PlanValidity, ValidityRegime
from rumbo.lifecycle.validity.periods import LegalInputError
from rumbo.lifecycle.validity.vigencia import VigenciaResult, vigencia_compute
from rumbo.plans.models import Plan
from rumbo.territory.models import TerritorialUnit, UnitKind

# Regimes that select a rule set by themselves; the others let the adoption date decide.
_EXPLICIT_REGIMES = {ValidityRegime.PE_DS_022_2016, ValidityRegime.PE_DS_012_2022, ValidityRegime.MX_STATE}


def plan_validity_get(*, plan: Plan) -> PlanValidity | None:
    """The plan's validity facts, if recorded."""
    return PlanValidity.objects.filter(plan=plan).select_related("adoption_act").first()


def plan_municipality(*, plan: Plan) -> TerritorialUnit | None:
    """The plan's first municipality (whose atypical periods apply in Colombia), if any."""
    return plan.units.filter(kind=UnitKind.MUNICIPALITY).order_by("pk").first()


def plan_status_events(*, plan: Plan) -> list[PlanStatusEvent]:
    """The plan's legal events, oldest first."""
    return list(PlanStatusEvent.objects.filter(plan=plan).select_related("created_by"))


def _compute(plan: Plan, validity: PlanValidity) -> VigenciaResult:
    assert validity.adoption_date is not None
    regime = validity.regime if validity.regime in _EXPLICIT_REGIMES else None
    return vigencia_compute(
        country=plan.entity.country,
        adopted=validity.adoption_date,
        unit=plan_municipality(plan=plan),
        plan_type=plan.plan_type.code,
        regime=regime,
        revision_restarts_from=validity.revision_restarts_from,
        authority_fixed_end=validity.authority_fixed_end,
        authority=validity.authority,
        declared_long_term_end=validity.declared_long_term_end,
        declared_article=validity.declared_article,
        title_horizon_end=plan.horizon_end,
    )


def plan_vigencia(*, plan: Plan) -> VigenciaResult | None:
    """The plan's computed vigencia; None without an adoption date or when no rule applies.

    Uses the entity's country, the plan type code, the first municipality (CO atypical periods)
    and the validity facts. The title horizon (plan.horizon_end) is only noted, never used."""
    validity = plan_validity_get(plan=plan)
    if validity is None or validity.adoption_date is None:
        return None
    try:
        return _compute(plan, validity)
    except LegalInputError:
        return None


@dataclass
class ValidityOverview:
    """Everything the validity page shows about one plan."""

    validity: PlanValidity | None
    vigencia: VigenciaResult | None
    error: str  # why the vigencia could not be computed ("" when it was, or when not adopted)
    events: list[PlanStatusEvent] = field(default_factory=list)
    today: datetime.date | None = None


def plan_validity_overview(*, plan: Plan, today: datetime.date) -> ValidityOverview:
    """The plan's validity facts, computed vigencia (or the reason it is missing) and events."""
    validity = plan_validity_get(plan=plan)
    vigencia = None
    error = ""
    if validity is not None and validity.adoption_date is not None:
        try:
            vigencia = _compute(plan, validity)
        except LegalInputError as exc:
            error = str(exc)
    return ValidityOverview(
        validity=validity, vigencia=vigencia, error=error, events=plan_status_events(plan=plan), today=today
    )
