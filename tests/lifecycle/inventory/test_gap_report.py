"""The gap report of a Colombian POT against a hand-made inventory, and its CSV."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import translation

from rumbo.lifecycle.inventory.reference import requirements_for
from rumbo.lifecycle.inventory.selectors import GapStatus, inventory_gap_csv, inventory_gap_report
from tests.lifecycle.inventory.conftest import TODAY


@pytest.fixture
def co_inventory(co_entity: Any, make_item: Any) -> Any:
    d = datetime.date
    make_item(
        co_entity,
        title="Cartografía rural IGAC",
        area="rural",
        scale_denominator=25000,
        reference_date=d(2020, 5, 1),
    )
    make_item(
        co_entity,
        title="Cartografía urbana",
        area="urban",
        scale_denominator=10000,
        reference_date=d(2022, 1, 1),
    )
    make_item(
        co_entity,
        title="Estudio de inundación",
        theme="hazard_risk",
        hazard_kind="flood",
        area="both",
        scale_denominator=5000,
        reference_date=d(2019, 1, 1),
        format="pdf",
    )
    make_item(
        co_entity,
        title="Movimientos en masa SGC",
        theme="hazard_risk",
        hazard_kind="mass_movement",
        area="rural",
        scale_denominator=100000,
        reference_date=d(2018, 1, 1),
        source="SGC",
    )
    make_item(
        co_entity, title="Cobertura CLC", theme="land_cover_use", area="rural", reference_date=d(2010, 1, 1)
    )
    make_item(
        co_entity,
        title="Catastro",
        theme="cadastre",
        area="both",
        scale_denominator=None,
        reference_date=d(2023, 1, 1),
    )
    make_item(
        co_entity,
        title="CNPV 2018",
        theme="population_housing",
        area="both",
        scale_denominator=None,
        reference_date=d(2018, 6, 30),
        source="DANE",
        format="spreadsheet",
    )
    return co_entity


def test_gap_report_of_a_colombian_pot(co_inventory: Any) -> None:
    # when
    report = inventory_gap_report(entity=co_inventory, plan_type_code="POT", country="CO", today=TODAY)
    # then
    status = {row.requirement.key: row.status for row in report.rows}
    assert report.total == len(requirements_for(country="CO", plan_type_code="POT")) == 19
    assert report.counts == {"ok": 5, "missing": 11, "outdated": 1, "wrong_scale": 2}
    assert report.required_gaps == 11
    assert status["co-cartografia-rural"] == GapStatus.OK
    assert status["co-cartografia-urbana"] == GapStatus.WRONG_SCALE  # 1:10.000 where 1:5.000 is required
    assert status["co-inundacion-urbana"] == status["co-inundacion-rural"] == GapStatus.OK
    assert status["co-movimientos-rural"] == GapStatus.WRONG_SCALE
    assert status["co-movimientos-urbano"] == GapStatus.MISSING
    assert status["co-cobertura-rural"] == GapStatus.OUTDATED
    assert status["co-catastro"] == status["co-poblacion"] == GapStatus.OK


def test_what_to_commission_lists_required_gaps_first(co_inventory: Any) -> None:
    report = inventory_gap_report(entity=co_inventory, plan_type_code="POT", country="CO", today=TODAY)
    todo = report.to_commission
    assert len(todo) == 14
    assert all(r.action for r in todo)
    assert [r.requirement.required for r in todo] == sorted(
        (r.requirement.required for r in todo), reverse=True
    )


def test_the_report_ignores_other_entities_items(co_inventory: Any, make_item: Any) -> None:
    from tests.factories import EntityFactory

    other = EntityFactory(country="CO")
    make_item(other, theme="soils", area="rural", reference_date=datetime.date(2024, 1, 1))
    report = inventory_gap_report(entity=co_inventory, plan_type_code="POT", country="CO", today=TODAY)
    assert {r.requirement.key: r.status for r in report.rows}["co-suelos"] == GapStatus.MISSING


def test_the_csv_is_for_spanish_excel(co_inventory: Any) -> None:
    # given
    report = inventory_gap_report(entity=co_inventory, plan_type_code="POT", country="CO", today=TODAY)
    # when
    with translation.override("en"):
        data = inventory_gap_csv(report=report)
    # then
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 19
    assert lines[0].split(";")[:3] == ["Requirement", "Theme", "Hazard"]
    urban = next(line for line in lines if line.startswith("Cartografía base urbana;"))
    assert "1:5.000" in urban and "Scale too coarse" in urban and "1:10.000" in urban
    assert "(to be verified)" in next(line for line in lines if "inundación (suelo urbano)" in line)
