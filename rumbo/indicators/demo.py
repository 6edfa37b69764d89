"""Monitoring demonstration data for the Moyobamba PAT: a few indicators with baselines, 2025
quarterly targets and approved values for the first three quarters, so the dashboard, the
breakdowns and the reports have something to show on a fresh install.

The figures are invented for the demonstration and labelled as such on the plan.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from rumbo.indicators.measurements.services import measurement_approve, measurement_save, measurement_submit
from rumbo.indicators.models import Indicator
from rumbo.indicators.periods import period_get_or_create
from rumbo.indicators.sheets.services import indicator_create, targets_set
from rumbo.plans.models import Node, Plan

# node code, indicator code, name, unit, unit label, direction, baseline, targets T1–T4, values T1–T3
DEMO_INDICATORS = [
    (
        "E1.1",
        "IND-E1-01",
        "Municipalidades distritales con oficina de ordenamiento territorial",
        "number",
        "municipalidades",
        "increasing",
        "1",
        ("2", "3", "4", "5"),
        ("2", "3", "3"),
    ),
    (
        "E1.2",
        "IND-E1-02",
        "Funcionarios capacitados en gestión del territorio",
        "number",
        "personas",
        "increasing",
        "10",
        ("20", "40", "60", "80"),
        ("22", "35", "41"),
    ),
    (
        "E2.1",
        "IND-E2-01",
        "Caminos vecinales en buen estado",
        "percentage",
        "%",
        "increasing",
        "35",
        ("38", "41", "44", "47"),
        ("37", "40", "45"),
    ),
    (
        "E3.2",
        "IND-E3-01",
        "Viviendas en zonas de peligro muy alto",
        "number",
        "viviendas",
        "decreasing",
        "420",
        ("400", "380", "360", "340"),
        ("410", "395", "390"),
    ),
    (
        "E4.1",
        "IND-E4-01",
        "Capitales distritales con esquema de ordenamiento urbano aprobado",
        "number",
        "capitales",
        "increasing",
        "0",
        ("1", "2", "3", "5"),
        ("1", "1", "2"),
    ),
]
QUARTERS = ("2025T1", "2025T2", "2025T3", "2025T4")


def monitoring_demo_load(*, actor: Any, plan: Plan | None) -> int:
    """Add the demo indicators and values to the demo plan once; returns how many were created."""
    if plan is None or Indicator.objects.filter(plan=plan).exists():
        return 0
    nodes = {n.code: n for n in Node.objects.filter(plan=plan)}
    created = 0
    with transaction.atomic():
        for node_code, code, name, unit, label, direction, baseline, targets, values in DEMO_INDICATORS:
            node = nodes.get(node_code)
            if node is None:
                continue
            indicator = indicator_create(
                actor=actor,
                plan=plan,
                node=node,
                code=code,
                name=name,
                unit=unit,
                unit_label=label,
                direction=direction,
                periodicity="quarterly",
                baseline_value=Decimal(baseline),
                baseline_source="Línea base de demostración",
                responsible=node.responsible,
                means_of_verification="Informe trimestral de la oficina responsable (demostración)",
            )
            targets_set(actor=actor, indicator=indicator, values=dict(zip(QUARTERS, targets, strict=True)))
            for quarter, value in zip(QUARTERS, values, strict=False):
                measurement = measurement_save(
                    actor=actor,
                    indicator=indicator,
                    period=period_get_or_create(quarter),
                    value=value,
                    notes="Valor de demostración",
                )
                measurement_submit(actor=actor, measurement=measurement)
                measurement_approve(actor=actor, measurement=measurement)
            created += 1
    return created
