"""Rows for roll-up tests, written straight with the ORM (the services of the sheets and
measurements areas are tested on their own)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rumbo.indicators.models import Evidence, Indicator, Measurement, Target
from rumbo.indicators.periods import period_get_or_create
from rumbo.plans.models import Node, Plan
from rumbo.plans.services import node_create

PERIOD = "2025T3"


def node(actor: Any, plan: Plan, code: str, *, parent: Node | None = None, weight: Any = "1") -> Node:
    return node_create(
        actor=actor, plan=plan, parent=parent, code=code, title=f"Nodo {code}", weight=Decimal(weight)
    )


def indicator(
    plan: Plan,
    at: Node | None,
    code: str,
    *,
    target: Any = None,
    value: Any = None,
    period: str = PERIOD,
    weight: Any = "1",
    evidence: int = 0,
    **fields: Any,
) -> Indicator:
    fields.setdefault("direction", "increasing")
    ind = Indicator.objects.create(
        plan=plan, node=at, code=code, name=f"Indicador {code}", weight=Decimal(weight), **fields
    )
    if target is not None:
        Target.objects.create(indicator=ind, period=period_get_or_create(period), value=Decimal(str(target)))
    if value is not None:
        measure(ind, value, period=period, evidence=evidence)
    return ind


def measure(
    ind: Indicator,
    value: Any,
    *,
    period: str = PERIOD,
    status: str = "approved",
    unit: Any = None,
    version: int = 1,
    evidence: int = 0,
) -> Measurement:
    m = Measurement.objects.create(
        indicator=ind,
        period=period_get_or_create(period),
        value=Decimal(str(value)),
        status=status,
        unit=unit,
        version=version,
    )
    for i in range(evidence):
        Evidence.objects.create(
            measurement=m, kind="link", name=f"Acta {i + 1}", url=f"https://example.org/{i}"
        )
    return m


def target(ind: Indicator, value: Any, *, period: str = PERIOD) -> Target:
    return Target.objects.create(
        indicator=ind, period=period_get_or_create(period), value=Decimal(str(value))
    )
