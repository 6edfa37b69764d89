"""Fixtures for plan import/export tests: an entity with a planner, a plan type, territorial units.

Messages are read in Spanish (the autouse `spanish` fixture of tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from rumbo.accounts.models import Entity, Membership, User
from rumbo.plans.models import Plan, PlanType
from rumbo.plans.services import plan_create
from rumbo.territory.models import TerritorialUnit


@pytest.fixture
def entity(db: Any) -> Entity:
    return Entity.objects.create(
        name="Municipalidad Provincial de Moyobamba", kind="municipality", country="PE"
    )


@pytest.fixture
def planner(entity: Entity) -> User:
    user = User.objects.create_user("planificadora", password="x")
    Membership.objects.create(user=user, entity=entity, role="planner")
    return user


@pytest.fixture
def observer(entity: Entity) -> User:
    user = User.objects.create_user("observador", password="x")
    Membership.objects.create(user=user, entity=entity, role="observer")
    return user


@pytest.fixture
def plan_type(db: Any) -> PlanType:
    return PlanType.objects.create(country="PE", code="PAT", name="Plan de Acondicionamiento Territorial")


@pytest.fixture
def units(db: Any) -> dict[str, TerritorialUnit]:
    rows = [
        ("PE", "220101", "Moyobamba"),
        ("PE", "220102", "Calzada"),
        ("PE", "220105", "Soritor"),
        ("CO", "05001", "Medellín"),
    ]
    return {
        code: TerritorialUnit.objects.create(country=country, code=code, name=name, kind="municipality")
        for country, code, name in rows
    }


@pytest.fixture
def make_plan(planner: User, entity: Entity, plan_type: PlanType) -> Any:
    def make(name: str = "PAT Moyobamba 2024-2034", **kwargs: Any) -> Plan:
        return plan_create(actor=planner, entity=entity, plan_type=plan_type, name=name, **kwargs)

    return make
