"""An entity sets its jurisdiction and creates its own units (sectors, groupings)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from rumbo.territory.models import Jurisdiction, TerritorialUnit
from rumbo.territory.services import jurisdiction_set, unit_create_custom, unit_delete_custom
from tests.factories import UnitFactory


@pytest.fixture
def districts(db: Any) -> list[TerritorialUnit]:
    province = UnitFactory(country="PE", code="2201", name="Moyobamba", kind="province", path="/", depth=2)
    units = []
    for code, name in (("220101", "Moyobamba"), ("220102", "Calzada")):
        unit = UnitFactory(country="PE", code=code, name=name, parent=province, depth=3)
        unit.path = f"/{province.pk}/{unit.pk}/"
        unit.save()
        units.append(unit)
    return units


def test_a_sector_is_created_under_a_district_with_its_path(
    world: Any, districts: list[TerritorialUnit]
) -> None:
    sector = unit_create_custom(
        actor=world.users["administrator"],
        entity=world.entity,
        kind="sector",
        code="220101-S1",
        name="Sector Centro",
        parent=districts[0],
    )
    assert sector.path == f"{districts[0].path}{sector.pk}/" and sector.owner_entity == world.entity
    assert sector.name_search == "sector centro"


def test_a_mancomunidad_groups_existing_units(world: Any, districts: list[TerritorialUnit]) -> None:
    group = unit_create_custom(
        actor=world.users["administrator"],
        entity=world.entity,
        kind="mancomunidad",
        code="MANC-ALTO-MAYO",
        name="Mancomunidad del Alto Mayo",
        members=districts,
    )
    assert set(group.members.values_list("code", flat=True)) == {"220101", "220102"}


@pytest.mark.parametrize("kind, extra", [("sector", {}), ("mancomunidad", {}), ("municipality", {})])
def test_incomplete_or_official_units_are_refused(
    world: Any, districts: list[TerritorialUnit], kind: str, extra: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        unit_create_custom(
            actor=world.users["administrator"], entity=world.entity, kind=kind, code="X1", name="X", **extra
        )
    assert not TerritorialUnit.objects.filter(code="X1").exists()


def test_a_code_already_used_in_the_country_is_refused(world: Any, districts: list[TerritorialUnit]) -> None:
    with pytest.raises(ValidationError):
        unit_create_custom(
            actor=world.users["administrator"],
            entity=world.entity,
            kind="sector",
            code="220102",
            name="Duplicado",
            parent=districts[0],
        )


def test_only_administrators_of_the_entity_change_its_territory(
    world: Any, districts: list[TerritorialUnit]
) -> None:
    for who in ("planner", "other_admin", "overseer"):
        with pytest.raises(PermissionDenied):
            jurisdiction_set(actor=world.users[who], entity=world.entity, units=districts)
    jurisdiction_set(actor=world.users["administrator"], entity=world.entity, units=districts)
    assert Jurisdiction.objects.filter(entity=world.entity).count() == 2


def test_reference_units_cannot_be_deleted_and_custom_ones_can(
    world: Any, districts: list[TerritorialUnit]
) -> None:
    with pytest.raises(ValidationError):
        unit_delete_custom(actor=world.users["administrator"], unit=districts[0])
    sector = unit_create_custom(
        actor=world.users["administrator"],
        entity=world.entity,
        kind="barrio",
        code="B-1",
        name="Barrio Lluyllucucha",
        parent=districts[0],
    )
    unit_delete_custom(actor=world.users["administrator"], unit=sector)
    assert not TerritorialUnit.objects.filter(pk=sector.pk).exists()


def test_the_entity_territory_page_sets_jurisdiction_and_creates_units(
    world: Any, districts: list[TerritorialUnit]
) -> None:
    client = Client()
    client.force_login(world.users["administrator"])
    url = f"/territorio/entidades/{world.entity.pk}/unidades/"
    assert client.post(url, {"form": "jurisdiction", "unit_codes": "220101, 220102"}).status_code == 302
    assert Jurisdiction.objects.filter(entity=world.entity).count() == 2
    bad = client.post(url, {"form": "jurisdiction", "unit_codes": "220101, 999"})
    assert bad.status_code == 200 and "999" in bad.content.decode()
    assert Jurisdiction.objects.filter(entity=world.entity).count() == 2
    created = client.post(
        url,
        {
            "form": "unit",
            "kind": "centro_poblado",
            "code": "CP-1",
            "name": "Centro poblado Rioja",
            "parent_code": "220102",
        },
    )
    assert created.status_code == 302
    assert TerritorialUnit.objects.get(code="CP-1").parent == districts[1]
    planner = Client()
    planner.force_login(world.users["planner"])
    assert (
        planner.post(
            url, {"form": "unit", "kind": "sector", "code": "S", "name": "S", "parent_code": "220102"}
        ).status_code
        == 403
    )
