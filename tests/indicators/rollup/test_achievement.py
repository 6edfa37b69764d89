"""Achievement of one value: formulas, division by zero, floor, cap and traffic lights,
computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import translation

from rumbo.indicators.achievement import achievement_compute, direction_infer, indicator_direction, light_for
from rumbo.indicators.models import Indicator
from tests.indicators.rollup.tree_builder import target


def compute(
    value: str | None,
    target: str | None,
    *,
    direction: str = "increasing",
    formula: str = "ratio",
    baseline: str | None = None,
    cap: str | None = "100",
    green: str = "90",
    amber: str = "70",
):
    with translation.override("en"):
        return achievement_compute(
            value=None if value is None else D(value),
            target=None if target is None else D(target),
            baseline=None if baseline is None else D(baseline),
            direction=direction,
            formula=formula,
            cap_percent=None if cap is None else D(cap),
            threshold_green=D(green),
            threshold_amber=D(amber),
        )


def test_increasing_ratio_is_value_over_target() -> None:
    result = compute("80", "100")
    assert result.achievement == pytest.approx(0.8)
    assert result.light == "amber"
    assert result.explanation[0] == "Achievement = value / target = 80 / 100 = 80.0 % (increasing indicator)"


def test_decreasing_ratio_is_target_over_value() -> None:
    # given target 10 and value 12.5 of a decreasing indicator: 10 / 12.5 = 0.8
    result = compute("12.5", "10", direction="decreasing")
    assert result.achievement == pytest.approx(0.8)
    assert result.explanation[0] == "Achievement = target / value = 10 / 12.5 = 80.0 % (decreasing indicator)"


def test_decreasing_value_of_zero_is_the_best_result_and_counts_as_the_cap() -> None:
    assert compute("0", "10", direction="decreasing", cap="120").achievement == pytest.approx(1.2)
    assert compute("0", "10", direction="decreasing", cap="120").capped is True
    assert compute("0", "10", direction="decreasing", cap=None).achievement == pytest.approx(1.0)
    assert compute("0", "0", direction="decreasing").achievement == pytest.approx(1.0)


def test_increasing_target_of_zero_is_reached_by_any_non_negative_value() -> None:
    assert compute("0", "0").achievement == 1.0
    assert compute("-1", "0").achievement == 0.0


def test_neutral_ratio_penalises_the_distance_either_way() -> None:
    # 1 − |110 − 100| / 100 = 0.9 and 1 − |90 − 100| / 100 = 0.9
    assert compute("110", "100", direction="neutral").achievement == pytest.approx(0.9)
    assert compute("90", "100", direction="neutral").achievement == pytest.approx(0.9)
    # far away: floored at 0, never negative
    assert compute("300", "100", direction="neutral").achievement == 0.0
    assert compute("0", "0", direction="neutral").achievement == 1.0
    assert compute("1", "0", direction="neutral").achievement == 0.0


def test_gap_closed_measures_the_share_of_the_way_from_the_baseline() -> None:
    # (50 − 20) / (60 − 20) = 0.75
    result = compute("50", "60", formula="gap_closed", baseline="20")
    assert result.achievement == pytest.approx(0.75)
    assert "(50 − 20) / (60 − 20) = 75.0 %" in result.explanation[0]


def test_gap_closed_works_for_decreasing_indicators_and_floors_at_zero() -> None:
    # poverty from 40 down to 20; now 30 → half the gap closed
    assert compute("30", "20", direction="decreasing", formula="gap_closed", baseline="40").achievement == 0.5
    # moved away from the target: negative → 0
    result = compute("45", "20", direction="decreasing", formula="gap_closed", baseline="40")
    assert result.achievement == 0.0
    assert result.raw_achievement == 0.0
    assert any("counts as 0" in line for line in result.explanation)


def test_gap_closed_without_baseline_is_missing_and_says_why() -> None:
    result = compute("50", "60", formula="gap_closed")
    assert result.achievement is None
    assert result.light == "missing"
    assert "needs a baseline" in result.explanation[0]


def test_gap_closed_with_target_equal_to_baseline_is_all_or_nothing() -> None:
    assert compute("60", "60", formula="gap_closed", baseline="60").achievement == 1.0
    assert compute("61", "60", formula="gap_closed", baseline="60").achievement == 1.0
    assert compute("59", "60", formula="gap_closed", baseline="60").achievement == 0.0
    assert compute("59", "60", direction="decreasing", formula="gap_closed", baseline="60").achievement == 1.0


def test_gap_closed_neutral_penalises_overshooting() -> None:
    # baseline 20, target 60, value 70: 1 − |70 − 60| / |60 − 20| = 0.75
    assert compute("70", "60", direction="neutral", formula="gap_closed", baseline="20").achievement == 0.75


def test_over_achievement_is_capped_as_configured() -> None:
    capped = compute("150", "100", cap="100")
    assert (capped.achievement, capped.raw_achievement, capped.capped) == (1.0, 1.5, True)
    assert any("Capped at 100.0 %" in line for line in capped.explanation)
    at_120 = compute("150", "100", cap="120")
    assert (at_120.achievement, at_120.capped) == (pytest.approx(1.2), True)
    uncapped = compute("150", "100", cap=None)
    assert (uncapped.achievement, uncapped.capped) == (1.5, False)
    under = compute("80", "100", cap="100")
    assert under.capped is False


def test_missing_value_or_target_is_missing_not_zero() -> None:
    assert compute(None, "100").light == "missing"
    assert compute(None, "100").achievement is None
    assert compute("80", None).light == "missing"


@pytest.mark.parametrize(
    ("percent", "light"),
    [("90", "green"), ("89.99", "amber"), ("70", "amber"), ("69.99", "red"), ("0", "red"), ("100", "green")],
)
def test_traffic_light_boundaries_are_inclusive(percent: str, light: str) -> None:
    assert light_for(achievement=D(percent) / 100, threshold_green=D("90"), threshold_amber=D("70")) == light
    assert compute(percent, "100").light == light


def test_float_noise_does_not_move_a_boundary() -> None:
    assert light_for(achievement=0.9, threshold_green=90, threshold_amber=70) == "green"
    assert compute("9", "10").light == "green"  # 0.9 exactly at the green threshold


def test_thresholds_are_configurable_per_indicator() -> None:
    assert compute("80", "100", green="80", amber="50").light == "green"
    assert compute("49", "100", green="80", amber="50").light == "red"


def test_direction_is_inferred_from_the_baseline_and_the_targets() -> None:
    assert direction_infer(baseline=D("10"), targets=[D("12"), D("20")]) == "increasing"
    assert direction_infer(baseline=D("40"), targets=[D("35"), D("20")]) == "decreasing"
    assert direction_infer(baseline=D("5"), targets=[D("5")]) == "neutral"
    assert direction_infer(baseline=None, targets=[D("30"), D("10")]) == "decreasing"
    assert direction_infer(baseline=None, targets=[D("30")]) == "increasing"  # nothing to compare


def test_indicator_direction_prefers_the_stored_direction(world) -> None:
    # given an indicator without direction, baseline 40 and falling targets
    ind = Indicator.objects.create(plan=world.plan, code="POB", name="Pobreza", baseline_value=D("40"))
    target(ind, "35", period="2025")
    target(ind, "30", period="2026")
    # then
    assert indicator_direction(ind) == "decreasing"
    ind.direction = "increasing"
    assert indicator_direction(ind) == "increasing"
