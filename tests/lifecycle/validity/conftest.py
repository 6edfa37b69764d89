"""Fixtures for the validity area: a Colombian entity with a POT plan in a municipality."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from rumbo.accounts.models import Entity, Role
from rumbo.plans.models import Plan
from rumbo.plans.services import plan_create
from rumbo.territory.models import TerritorialUnit
from tests.factories import EntityFactory, MembershipFactory, PlanTypeFactory, UnitFactory, UserFactory


@dataclass
class Colombia:
    entity: Entity
    unit: TerritorialUnit
    planner: Any
    observer: Any
    plan: Plan


@pytest.fixture
def colombia(db: Any, superuser: Any) -> Colombia:
    entity = EntityFactory(name="Alcaldía de Prueba", country="CO")
    unit = UnitFactory(country="CO", code="05999", name="Municipio de Prueba", kind="municipality")
    planner = MembershipFactory(
        user=UserFactory(username="co_planner"), entity=entity, role=Role.PLANNER
    ).user
    observer = MembershipFactory(
        user=UserFactory(username="co_observer"), entity=entity, role=Role.OBSERVER
    ).user
    pot = PlanTypeFactory(country="CO", code="POT", name="Plan de Ordenamiento Territorial")
    plan = plan_create(actor=superuser, entity=entity, plan_type=pot, name="POT de Prueba", units=[unit])
    return Colombia(entity=entity, unit=unit, planner=planner, observer=observer, plan=plan)
