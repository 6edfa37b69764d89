"""The small rules the gap report is made of: scale, age, coverage, theme."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from rumbo.lifecycle.inventory.models import scale_label
from rumbo.lifecycle.inventory.reference import InformationRequirement
from rumbo.lifecycle.inventory.selectors import (
    GapStatus,
    age_in_years,
    is_outdated,
    requirement_evaluate,
    scale_satisfies,
)
from tests.lifecycle.inventory.conftest import TODAY


def requirement(**overrides: Any) -> InformationRequirement:
    values: dict[str, Any] = {
        "key": "test",
        "country": "CO",
        "plan_type_code": "POT",
        "name": "Cartografía base rural",
        "theme": "base_cartography",
        "hazard_kind": "",
        "area": "rural",
        "max_scale_denominator": 25000,
        "scale_source": "law",
        "max_age_years": 10,
        "max_age_source": "rumbo_default",
        "required": True,
        "basis": (),
    }
    values.update(overrides)
    return InformationRequirement(**values)


@pytest.mark.parametrize(
    ("item", "required", "ok"),
    [
        (5000, 25000, True),  # finer than required
        (25000, 25000, True),  # exactly the required scale
        (100000, 25000, False),  # coarser
        (25001, 25000, False),
        (None, 25000, False),  # no recorded scale cannot prove it
        (None, None, True),  # the requirement has no scale
        (1000000, None, True),
    ],
)
def test_a_bigger_denominator_is_coarser(item: int | None, required: int | None, ok: bool) -> None:
    assert scale_satisfies(item_denominator=item, required_denominator=required) is ok


def test_scales_are_written_with_a_dot_for_thousands() -> None:
    assert scale_label(25000) == "1:25.000"
    assert scale_label(5000) == "1:5.000"
    assert scale_label(1000000) == "1:1.000.000"
    assert scale_label(500) == "1:500"
    assert scale_label(None) == ""


def test_age_counts_completed_years() -> None:
    assert age_in_years(reference_date=datetime.date(2015, 7, 1), today=TODAY) == 9
    assert age_in_years(reference_date=datetime.date(2015, 6, 30), today=TODAY) == 10
    assert age_in_years(reference_date=datetime.date(2026, 1, 1), today=TODAY) == 0


def test_an_item_is_outdated_only_after_its_anniversary() -> None:
    assert not is_outdated(reference_date=datetime.date(2015, 6, 30), today=TODAY, max_age_years=10)
    assert is_outdated(reference_date=datetime.date(2015, 6, 29), today=TODAY, max_age_years=10)
    # 29 February: the anniversary in a non-leap year is 28 February.
    assert not is_outdated(
        reference_date=datetime.date(2016, 2, 29), today=datetime.date(2021, 2, 28), max_age_years=5
    )
    assert is_outdated(
        reference_date=datetime.date(2016, 2, 29), today=datetime.date(2021, 3, 1), max_age_years=5
    )


def test_a_1_5000_map_satisfies_a_1_25000_requirement(co_entity: Any, make_item: Any) -> None:
    # given
    make_item(co_entity, area="rural", scale_denominator=5000, reference_date=datetime.date(2022, 1, 1))
    # when
    row = requirement_evaluate(
        requirement=requirement(), items=list(co_entity.information_items.all()), today=TODAY
    )
    # then
    assert row.status == GapStatus.OK
    assert row.age_years == 3
    assert row.action == ""


def test_a_1_100000_map_does_not_satisfy_a_1_25000_requirement(co_entity: Any, make_item: Any) -> None:
    make_item(co_entity, area="rural", scale_denominator=100000)
    row = requirement_evaluate(
        requirement=requirement(), items=list(co_entity.information_items.all()), today=TODAY
    )
    assert row.status == GapStatus.WRONG_SCALE
    assert "1:100.000" in row.notes[0] and "1:25.000" in row.notes[0]
    assert row.action


def test_a_map_without_scale_does_not_satisfy_a_scale_requirement(co_entity: Any, make_item: Any) -> None:
    make_item(co_entity, area="rural", scale_denominator=None)
    row = requirement_evaluate(
        requirement=requirement(), items=list(co_entity.information_items.all()), today=TODAY
    )
    assert row.status == GapStatus.WRONG_SCALE


def test_an_old_map_is_outdated_with_its_age(co_entity: Any, make_item: Any) -> None:
    make_item(co_entity, area="rural", reference_date=datetime.date(2012, 3, 1))
    row = requirement_evaluate(
        requirement=requirement(), items=list(co_entity.information_items.all()), today=TODAY
    )
    assert row.status == GapStatus.OUTDATED
    assert row.age_years == 13


def test_the_newest_item_at_the_right_scale_decides_the_age(co_entity: Any, make_item: Any) -> None:
    # given an old map at the right scale and a recent one that is too coarse
    old = make_item(co_entity, area="rural", reference_date=datetime.date(2010, 1, 1))
    make_item(co_entity, area="rural", scale_denominator=100000, reference_date=datetime.date(2024, 1, 1))
    new = make_item(co_entity, area="rural", reference_date=datetime.date(2021, 1, 1))
    # when
    row = requirement_evaluate(
        requirement=requirement(), items=list(co_entity.information_items.all()), today=TODAY
    )
    # then
    assert row.status == GapStatus.OK
    assert row.best == new
    assert old in row.items


def test_no_item_is_missing(co_entity: Any) -> None:
    row = requirement_evaluate(requirement=requirement(), items=[], today=TODAY)
    assert row.status == GapStatus.MISSING
    assert row.items == []


def test_an_urban_map_does_not_satisfy_a_rural_requirement(co_entity: Any, make_item: Any) -> None:
    # given an urban-only 1:5.000 map
    make_item(co_entity, area="urban", scale_denominator=5000)
    items = list(co_entity.information_items.all())
    # then it covers the urban requirement but not the rural one
    assert (
        requirement_evaluate(requirement=requirement(), items=items, today=TODAY).status == GapStatus.MISSING
    )
    urban = requirement(area="urban", max_scale_denominator=5000)
    assert requirement_evaluate(requirement=urban, items=items, today=TODAY).status == GapStatus.OK


def test_an_item_covering_another_area_counts_for_nothing(co_entity: Any, make_item: Any) -> None:
    make_item(co_entity, area="other", scale_denominator=5000)
    row = requirement_evaluate(
        requirement=requirement(), items=list(co_entity.information_items.all()), today=TODAY
    )
    assert row.status == GapStatus.MISSING
    assert len(row.notes) == 2


def test_a_requirement_over_both_areas_needs_both_sides(co_entity: Any, make_item: Any) -> None:
    both = requirement(area="both", theme="population_housing", max_scale_denominator=None)
    make_item(co_entity, theme="population_housing", area="urban", reference_date=datetime.date(2018, 6, 30))
    items = list(co_entity.information_items.all())
    assert requirement_evaluate(requirement=both, items=items, today=TODAY).status == GapStatus.MISSING
    make_item(co_entity, theme="population_housing", area="rural", reference_date=datetime.date(2018, 6, 30))
    items = list(co_entity.information_items.all())
    assert requirement_evaluate(requirement=both, items=items, today=TODAY).status == GapStatus.OK


def test_a_hazard_requirement_needs_its_kind_or_a_multi_hazard_study(co_entity: Any, make_item: Any) -> None:
    flood = requirement(theme="hazard_risk", hazard_kind="flood", max_scale_denominator=25000)
    make_item(co_entity, theme="hazard_risk", hazard_kind="seismic", area="rural")
    items = list(co_entity.information_items.all())
    assert requirement_evaluate(requirement=flood, items=items, today=TODAY).status == GapStatus.MISSING
    make_item(co_entity, theme="hazard_risk", hazard_kind="multiple", area="rural")
    items = list(co_entity.information_items.all())
    assert requirement_evaluate(requirement=flood, items=items, today=TODAY).status == GapStatus.OK
