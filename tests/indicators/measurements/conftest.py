"""Fixtures of the measurements tests: indicators of the private and public plans and a small
territory (a province with two districts inside the plan, one district outside)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.indicators.models import Indicator, Period
from rumbo.indicators.periods import period_get_or_create
from rumbo.territory.models import TerritorialUnit
from tests.factories import UnitFactory


def make_unit(code: str, name: str, parent: TerritorialUnit | None = None) -> TerritorialUnit:
    unit = UnitFactory(code=code, name=name, parent=parent, kind="municipality")
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save()
    return unit


@dataclass
class Data:
    world: Any
    quarterly: Indicator  # number, quarterly, in world.plan
    annual_pct: Indicator  # percentage, annual, in world.plan
    public: Indicator  # number, quarterly, in world.public_plan
    other: Indicator  # in world.other_plan
    province: TerritorialUnit
    district: TerritorialUnit  # inside the plan's territory
    district2: TerritorialUnit
    outside: TerritorialUnit  # same country, outside the plan's territory
    q3: Period  # 2025T3
    year: Period  # 2025

    def user(self, role: str) -> Any:
        return self.world.users[role]


@pytest.fixture
def data(world: Any) -> Data:
    province = make_unit("0801", "Provincia de Prueba")
    district = make_unit("080101", "Distrito Uno", province)
    district2 = make_unit("080102", "Distrito Dos", province)
    outside = make_unit("150101", "Distrito Lejano")
    world.plan.units.add(province)
    world.public_plan.units.add(province)
    quarterly = Indicator.objects.create(
        plan=world.plan,
        node=world.node,
        code="IND-1",
        name="Viviendas",
        periodicity="quarterly",
        unit="number",
    )
    annual_pct = Indicator.objects.create(
        plan=world.plan, code="IND-2", name="Cobertura", periodicity="annual", unit="percentage"
    )
    public = Indicator.objects.create(
        plan=world.public_plan, code="PUB-1", name="Público", periodicity="quarterly"
    )
    other = Indicator.objects.create(plan=world.other_plan, code="X-1", name="Ajeno", periodicity="quarterly")
    return Data(
        world,
        quarterly,
        annual_pct,
        public,
        other,
        province,
        district,
        district2,
        outside,
        period_get_or_create("2025T3"),
        period_get_or_create("2025"),
    )


def token_client(user: Any) -> Client:
    _token, raw = api_token_create(actor=user, name="pruebas")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
