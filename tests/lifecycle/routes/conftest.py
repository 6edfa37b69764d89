"""Fixtures for routes: the reference routes loaded, and a Colombian municipality with a plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from rumbo.accounts.models import Entity, Role
from rumbo.lifecycle.routes.reference import LoadResult, routes_load
from rumbo.plans.models import Plan
from rumbo.plans.services import plan_create
from tests.factories import EntityFactory, MembershipFactory, PlanTypeFactory, UserFactory


@pytest.fixture
def loaded(db: Any) -> LoadResult:
    return routes_load()


@dataclass
class CoWorld:
    entity: Entity
    plan: Plan
    planner: Any
    observer: Any


@pytest.fixture
def co(db: Any, superuser: Any, loaded: LoadResult) -> CoWorld:
    entity = EntityFactory(name="Alcaldía de Prueba", country="CO")
    planner = MembershipFactory(
        user=UserFactory(username="co_planner"), entity=entity, role=Role.PLANNER
    ).user
    observer = MembershipFactory(
        user=UserFactory(username="co_observer"), entity=entity, role=Role.OBSERVER
    ).user
    plan_type = PlanTypeFactory(country="CO", code="POT", name="Plan de Ordenamiento Territorial")
    plan = plan_create(actor=superuser, entity=entity, plan_type=plan_type, name="POT de Prueba")
    return CoWorld(entity=entity, plan=plan, planner=planner, observer=observer)
