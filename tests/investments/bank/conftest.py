"""Fixtures of the bank tests: the entity governs a small square province with one district."""

from __future__ import annotations

from typing import Any

import pytest

from rumbo.investments.reference import funding_sources_load
from rumbo.territory.models import Jurisdiction
from tests.factories import UnitFactory

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-77, -6.1], [-76.9, -6.1], [-76.9, -6.0], [-77, -6.0], [-77, -6.1]]],
}
INSIDE = {"type": "Point", "coordinates": [-76.95, -6.05]}
OUTSIDE = {"type": "Point", "coordinates": [-71.5, -16.4]}


@pytest.fixture
def territory(world: Any) -> Any:
    funding_sources_load()
    province = UnitFactory(country="PE", code="2201", name="Moyobamba", kind="province", geometry=SQUARE)
    province.path = f"/{province.pk}/"
    province.save()
    district = UnitFactory(country="PE", code="220101", name="Moyobamba", parent=province)
    district.path = f"{province.path}{district.pk}/"
    district.save()
    elsewhere = UnitFactory(country="PE", code="150101", name="Lima")
    elsewhere.path = f"/{elsewhere.pk}/"
    elsewhere.save()
    Jurisdiction.objects.create(entity=world.entity, unit=province)
    return world
