"""Fixtures of the programming tests: the funding catalogue and accepted projects of world.entity."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rumbo.investments.models import InvestmentPlan, Project, ProjectStatus
from rumbo.investments.reference import funding_sources_load


@pytest.fixture
def prog(world: Any) -> Any:
    funding_sources_load()
    world.p1 = Project.objects.create(
        entity=world.entity,
        code="P-1",
        title="Pista",
        status=ProjectStatus.ACCEPTED,
        cost_total=Decimal("500"),
    )
    world.p2 = Project.objects.create(
        entity=world.entity,
        code="P-2",
        title="Puente",
        status=ProjectStatus.ACCEPTED,
        cost_total=Decimal("800"),
    )
    world.multi = InvestmentPlan.objects.create(
        entity=world.entity, kind="multiyear", title="Programa 2027–2030", year_start=2027, year_end=2030
    )
    return world
