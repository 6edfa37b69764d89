"""Fixtures: an axis with an objective and two indicators, targets and approved values."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from rumbo.indicators.models import CorrectiveAction, Indicator, IndicatorLevel, Measurement, Target
from rumbo.indicators.periods import period_get_or_create
from rumbo.plans.models import Node, Plan
from rumbo.plans.services import node_create


@dataclass
class AxisData:
    plan: Plan
    axis: Node
    objective: Node
    water: Indicator
    roads: Indicator


def build_axis(*, actor: Any, plan: Plan, axis: Node, value: str = "71.5") -> AxisData:
    objective = node_create(
        actor=actor, plan=plan, parent=axis, code=f"{axis.code}.O1", title="Objetivo de agua"
    )
    water = Indicator.objects.create(
        plan=plan,
        node=objective,
        code=f"{axis.code}-IND1",
        name="Cobertura de agua potable",
        unit="percentage",
        unit_label="%",
        baseline_value=Decimal("50"),
        level=IndicatorLevel.OUTCOME,
        means_of_verification="Informe de la EPS",
    )
    roads = Indicator.objects.create(
        plan=plan,
        node=axis,
        code=f"{axis.code}-IND2",
        name="Vías rurales mejoradas",
        unit="length",
        unit_label="km",
        baseline_value=Decimal("0"),
        level=IndicatorLevel.OUTPUT,
    )
    for i, code in enumerate(["2025T1", "2025T2", "2025T3"]):
        period = period_get_or_create(code)
        Target.objects.create(indicator=water, period=period, value=Decimal(60 + 5 * i))
        Target.objects.create(indicator=roads, period=period, value=Decimal(10 * (i + 1)))
        if code != "2025T3":
            Measurement.objects.create(
                indicator=water, period=period, value=Decimal(55 + 5 * i), status="approved"
            )
    Measurement.objects.create(
        indicator=water, period=period_get_or_create("2025T3"), value=Decimal(value), status="approved"
    )
    Target.objects.create(indicator=water, period=period_get_or_create("2030"), value=Decimal("95"))
    CorrectiveAction.objects.create(
        plan=plan,
        node=objective,
        indicator=water,
        title="Ampliar redes en zona rural",
        responsible="Gerencia de Agua",
    )
    return AxisData(plan=plan, axis=axis, objective=objective, water=water, roads=roads)


@pytest.fixture
def axis_data(world: Any) -> AxisData:
    return build_axis(actor=world.users["planner"], plan=world.plan, axis=world.node)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)
