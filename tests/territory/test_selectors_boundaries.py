"""The map background of an entity: its units' boundaries, or the nearest ancestor's when a unit
has none loaded."""

from __future__ import annotations

from typing import Any

from rumbo.territory.models import Jurisdiction, TerritorialUnit
from rumbo.territory.selectors import entity_boundaries_geojson
from tests.factories import UnitFactory as _UnitFactory


def UnitFactory(**kwargs: Any) -> TerritorialUnit:
    """A unit with its materialised path set, as the reference loader does."""
    unit = _UnitFactory(**kwargs)
    unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


SQUARE = {"type": "Polygon", "coordinates": [[[-77, -7], [-76, -7], [-76, -6], [-77, -6], [-77, -7]]]}


def test_a_unit_without_boundary_is_stood_in_for_by_its_nearest_ancestor(world: Any) -> None:
    # given a department with a boundary, a province without one and two of its districts without
    department = UnitFactory(country="PE", code="22", name="San Martín", geometry=SQUARE)
    province = UnitFactory(country="PE", code="2201", name="Moyobamba", parent=department)
    first = UnitFactory(country="PE", code="220101", name="Moyobamba", parent=province)
    second = UnitFactory(country="PE", code="220102", name="Calzada", parent=province)
    for unit in (first, second):
        Jurisdiction.objects.create(entity=world.entity, unit=unit)
    # when the map background is asked for
    features = entity_boundaries_geojson(entity_id=world.entity.pk)["features"]
    # then the department is drawn once, flagged approximate, naming the units it stands for
    assert [f["id"] for f in features] == [department.pk]
    assert features[0]["properties"]["approximate"] is True
    assert sorted(features[0]["properties"]["stands_for"]) == ["Calzada", "Moyobamba"]


def test_a_unit_with_its_boundary_is_drawn_as_itself(world: Any) -> None:
    unit = UnitFactory(country="PE", code="220101", name="Moyobamba", geometry=SQUARE)
    Jurisdiction.objects.create(entity=world.entity, unit=unit)
    features = entity_boundaries_geojson(entity_id=world.entity.pk)["features"]
    assert [(f["id"], f["properties"]["approximate"]) for f in features] == [(unit.pk, False)]
