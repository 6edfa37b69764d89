"""Roll-up rules on hand-computed trees: normalised weights, missing data, zero weights,
deleted and moved nodes, fallback targets, query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rumbo.indicators.models import Indicator, Period
from rumbo.indicators.periods import period_get_or_create
from rumbo.indicators.rollup import (
    dashboard_rollup,
    indicator_result,
    indicator_series,
    plan_rollup,
    plan_rollup_by_unit,
    plan_rollup_series,
)
from rumbo.plans.services import node_delete, node_move, plan_create
from tests.factories import UnitFactory
from tests.indicators.rollup.tree_builder import PERIOD, indicator, measure, node, target


@pytest.fixture
def tree(world: Any, superuser: Any) -> dict[str, Any]:
    """E (axis) → O1 (weight 2) → I1: 80 of 100 (0.8); O2 (weight 3) → I2: 50 of 100 (0.5)."""
    plan = plan_create(
        actor=superuser, entity=world.entity, plan_type=world.plan.plan_type, name="Plan de prueba"
    )
    e = node(superuser, plan, "E")
    o1 = node(superuser, plan, "O1", parent=e, weight="2")
    o2 = node(superuser, plan, "O2", parent=e, weight="3")
    i1 = indicator(plan, o1, "I1", target=100, value=80)
    i2 = indicator(plan, o2, "I2", target=100, value=50)
    return {"plan": plan, "E": e, "O1": o1, "O2": o2, "I1": i1, "I2": i2, "actor": superuser}


def rollup(plan: Any, code: str = PERIOD) -> Any:
    return plan_rollup(plan=plan, period=period_get_or_create(code))


def test_explanations_use_the_readers_language_and_decimal_mark(tree: dict[str, Any]) -> None:
    # given a roll-up computed once
    axis = rollup(tree["plan"]).nodes[tree["E"].pk]
    # then its explanation is written for whoever reads it (Spanish: decimal comma)
    assert "0,4 × 80,0 % + 0,6 × 50,0 % = 62,0 %" in axis.explanation[0]


def test_weights_2_and_3_become_shares_of_0_4_and_0_6(tree: dict[str, Any]) -> None:
    # when
    result = rollup(tree["plan"])
    # then 0.4 × 0.8 + 0.6 × 0.5 = 0.62
    axis = result.nodes[tree["E"].pk]
    assert axis.progress == pytest.approx(0.62)
    assert [(c.code, c.raw_weight, c.share) for c in axis.contributions] == [
        ("O1", 2.0, pytest.approx(0.4)),
        ("O2", 3.0, pytest.approx(0.6)),
    ]
    assert axis.contributions[0].weighted == pytest.approx(0.32)
    assert axis.weights_normalised is True
    assert axis.light == "red"
    with translation.override("en"):
        lines = axis.explanation
    assert "0.4 × 80.0 % + 0.6 × 50.0 % = 62.0 %" in lines[0]
    assert any("add up to 5" in line for line in lines)
    assert result.roots == [axis]
    assert result.total.progress == pytest.approx(0.62)


def test_missing_data_is_left_out_and_listed_never_counted_as_zero(tree: dict[str, Any]) -> None:
    # given a third objective of weight 5 whose indicator has a target but no approved value
    o3 = node(tree["actor"], tree["plan"], "O3", parent=tree["E"], weight="5")
    i3 = indicator(tree["plan"], o3, "I3", target=100)
    measure(i3, 100, status="submitted")  # not approved: does not count
    # when
    result = rollup(tree["plan"])
    # then the axis is still 0.62 (not (2×0.8 + 3×0.5 + 5×0) / 10 = 0.31)
    axis = result.nodes[tree["E"].pk]
    assert axis.progress == pytest.approx(0.62)
    assert axis.missing == ["O3 Nodo O3"]
    missing = axis.contributions[2]
    assert (missing.missing, missing.share, missing.value) == (True, None, None)
    with translation.override("en"):
        lines = axis.explanation
    assert any("not counted as 0" in line and "O3" in line for line in lines)
    # and the node with only missing data has no progress
    assert result.nodes[o3.pk].progress is None
    assert result.nodes[o3.pk].light == "missing"
    assert result.nodes[o3.pk].missing == ["I3 Indicador I3"]
    assert result.indicators[i3.pk].light == "missing"


def test_a_node_without_indicators_or_children_is_missing(tree: dict[str, Any]) -> None:
    empty = node(tree["actor"], tree["plan"], "O4", parent=tree["E"])
    result = rollup(tree["plan"])
    assert result.nodes[empty.pk].progress is None
    assert result.nodes[tree["E"].pk].missing == ["O4 Nodo O4"]


def test_a_zero_weight_counts_with_a_share_of_zero(tree: dict[str, Any]) -> None:
    # given O1 weighs 0 and O2 weighs 3
    tree["O1"].weight = Decimal("0")
    tree["O1"].save()
    # then only O2 counts: progress 0.5
    axis = rollup(tree["plan"]).nodes[tree["E"].pk]
    assert axis.progress == pytest.approx(0.5)
    assert [c.share for c in axis.contributions] == [0.0, 1.0]


def test_when_every_counted_weight_is_zero_a_simple_mean_is_used_and_said(tree: dict[str, Any]) -> None:
    for code in ("O1", "O2"):
        tree[code].weight = Decimal("0")
        tree[code].save()
    axis = rollup(tree["plan"]).nodes[tree["E"].pk]
    assert axis.progress == pytest.approx(0.65)
    assert [c.share for c in axis.contributions] == [0.5, 0.5]
    with translation.override("en"):
        lines = axis.explanation
    assert any("simple mean" in line for line in lines)


def test_weights_adding_up_to_one_are_not_flagged(tree: dict[str, Any]) -> None:
    tree["O1"].weight, tree["O2"].weight = Decimal("0.4"), Decimal("0.6")
    tree["O1"].save()
    tree["O2"].save()
    axis = rollup(tree["plan"]).nodes[tree["E"].pk]
    assert axis.weights_normalised is False
    assert axis.progress == pytest.approx(0.62)


def test_node_progress_mixes_children_and_its_own_indicators(tree: dict[str, Any]) -> None:
    # given the axis also has an indicator of its own with weight 5 at 100 %
    indicator(tree["plan"], tree["E"], "IE", target=10, value=10, weight="5")
    # then (2×0.8 + 3×0.5 + 5×1.0) / 10 = 0.81
    axis = rollup(tree["plan"]).nodes[tree["E"].pk]
    assert axis.progress == pytest.approx(0.81)
    assert [c.kind for c in axis.contributions] == ["node", "node", "indicator"]


def test_decreasing_indicator_in_a_tree(tree: dict[str, Any]) -> None:
    # given I2 replaced by a decreasing indicator: target 10, value 12.5 → 0.8
    i = indicator(tree["plan"], tree["O2"], "D1", target=10, value="12.5", direction="decreasing")
    tree["I2"].delete()
    result = rollup(tree["plan"])
    assert result.indicators[i.pk].achievement == pytest.approx(0.8)
    assert result.nodes[tree["E"].pk].progress == pytest.approx(0.8)


def test_capped_over_achievement_rolls_up_capped(tree: dict[str, Any]) -> None:
    # given I2 at 150 of 100 with the default cap of 100 %
    measure(tree["I2"], 150, version=2)  # a later approved version wins
    result = rollup(tree["plan"])
    i2 = result.indicators[tree["I2"].pk]
    assert (i2.achievement, i2.raw_achievement, i2.capped) == (1.0, 1.5, True)
    # 0.4 × 0.8 + 0.6 × 1.0 = 0.92
    assert result.nodes[tree["E"].pk].progress == pytest.approx(0.92)


def test_gap_closed_indicator_in_a_tree(world: Any, superuser: Any) -> None:
    e = node(superuser, world.plan, "E")
    i = indicator(
        world.plan,
        e,
        "G",
        target=60,
        value=50,
        baseline_value=Decimal("20"),
        achievement_formula="gap_closed",
    )
    result = rollup(world.plan)
    assert result.indicators[i.pk].achievement == pytest.approx(0.75)
    assert result.nodes[e.pk].progress == pytest.approx(0.75)


def test_direction_is_inferred_in_the_roll_up_and_explained(world: Any, superuser: Any) -> None:
    e = node(superuser, world.plan, "E")
    i = indicator(world.plan, e, "POB", target=10, value="12.5", direction="", baseline_value=Decimal("30"))
    target(i, "5", period="2026T3")
    result = rollup(world.plan).indicators[i.pk]
    assert (result.direction, result.direction_inferred) == ("decreasing", True)
    assert result.achievement == pytest.approx(0.8)
    with translation.override("en"):
        lines = result.explanation
    assert "Direction inferred from the baseline and the targets: decreasing." in lines


def test_a_quarter_without_target_uses_the_target_of_its_year(world: Any, superuser: Any) -> None:
    e = node(superuser, world.plan, "E")
    i = indicator(world.plan, e, "A", value=40)
    target(i, 80, period="2025")
    result = rollup(world.plan).indicators[i.pk]
    assert (result.target, result.target_period_code, result.achievement) == (Decimal("80"), "2025", 0.5)
    with translation.override("en"):
        lines = result.explanation
    assert any("the target of 2025 (80) is used" in line for line in lines)


def test_deleting_a_child_recomputes_its_ancestors(tree: dict[str, Any]) -> None:
    assert rollup(tree["plan"]).nodes[tree["E"].pk].progress == pytest.approx(0.62)
    # when O2 is deleted
    node_delete(actor=tree["actor"], node=tree["O2"])
    # then only O1 counts
    axis = rollup(tree["plan"]).nodes[tree["E"].pk]
    assert axis.progress == pytest.approx(0.8)
    assert [c.code for c in axis.contributions] == ["O1"]


def test_moving_a_node_recomputes_both_old_and_new_ancestors(tree: dict[str, Any]) -> None:
    # given a second axis F with an objective at 20 %
    f = node(tree["actor"], tree["plan"], "F")
    of = node(tree["actor"], tree["plan"], "OF", parent=f)
    indicator(tree["plan"], of, "IF", target=100, value=20)
    before = rollup(tree["plan"])
    assert before.nodes[f.pk].progress == pytest.approx(0.2)
    # when O2 (weight 3, 50 %) moves under F
    node_move(actor=tree["actor"], node=tree["O2"], new_parent=f)
    after = rollup(tree["plan"])
    # then E = 0.8 (O1 alone) and F = (1×0.2 + 3×0.5) / 4 = 0.425
    assert after.nodes[tree["E"].pk].progress == pytest.approx(0.8)
    assert after.nodes[f.pk].progress == pytest.approx(0.425)
    assert [r.code for r in after.roots] == ["E", "F"]
    # and the plan total averages the axes: (0.8 + 0.425) / 2
    assert after.total.progress == pytest.approx(0.6125)


def test_whole_territory_only_and_highest_approved_version(tree: dict[str, Any]) -> None:
    unit = UnitFactory()
    measure(tree["I1"], 10, unit=unit)  # unit-level: not the plan's value
    measure(tree["I1"], 90, version=2, status="submitted")  # pending correction: not yet counted
    result = rollup(tree["plan"])
    assert result.indicators[tree["I1"].pk].value == Decimal("80")


def test_evidence_is_counted(world: Any, superuser: Any) -> None:
    e = node(superuser, world.plan, "E")
    i = indicator(world.plan, e, "A", target=10, value=5, evidence=2)
    assert rollup(world.plan).indicators[i.pk].evidence_count == 2


def _plan_of(world: Any, superuser: Any, size: int) -> Any:
    plan = plan_create(
        actor=superuser, entity=world.entity, plan_type=world.plan.plan_type, name=f"Plan {size}"
    )
    axes = [node(superuser, plan, f"E{a}") for a in range(size // 10)]
    for a, axis in enumerate(axes):
        for k in range(9):
            child = node(superuser, plan, f"E{a}.{k}", parent=axis)
            indicator(
                plan,
                child,
                f"I{a}.{k}",
                target=100,
                value=k * 10,
                evidence=k % 2,
                direction="" if k % 3 else "increasing",
            )
    return plan


def test_query_count_does_not_grow_with_the_plan(world: Any, superuser: Any) -> None:
    small, big = _plan_of(world, superuser, 20), _plan_of(world, superuser, 200)
    period = period_get_or_create(PERIOD)
    with CaptureQueriesContext(connection) as small_q:
        small_result = plan_rollup(plan=small, period=period)
    with CaptureQueriesContext(connection) as big_q:
        big_result = plan_rollup(plan=big, period=period)
    assert len(big_result.nodes) == 200 and len(small_result.nodes) == 20
    assert len(small_q.captured_queries) == len(big_q.captured_queries) <= 5


def test_an_unsaved_period_gives_missing_everywhere(tree: dict[str, Any]) -> None:
    period = Period(code="2030T1", kind="quarter", start="2030-01-01", end="2030-03-31")
    period.start = __import__("datetime").date(2030, 1, 1)
    result = plan_rollup(plan=tree["plan"], period=period)
    assert result.nodes[tree["E"].pk].progress is None


def test_series_gives_axis_progress_per_period(tree: dict[str, Any]) -> None:
    # given 2025T2: I1 40 of 100 (0.4) and I2 without data
    measure(tree["I1"], 40, period="2025T2")
    target(tree["I1"], 100, period="2025T2")
    periods = [period_get_or_create("2025T2"), period_get_or_create("2025T3")]
    series = plan_rollup_series(plan=tree["plan"], periods=periods)
    assert series.period_codes == ["2025T2", "2025T3"]
    assert series.progress[tree["E"].pk] == [pytest.approx(0.4), pytest.approx(0.62)]
    assert series.chart_rows()[0] == {"period": "2025T2", "axis": "E Nodo E", "percent": 40.0}


def test_indicator_series_lists_baseline_targets_and_approved_values(tree: dict[str, Any]) -> None:
    i1 = tree["I1"]
    i1.baseline_value = Decimal("30")
    i1.save()
    target(i1, 120, period="2026T3")
    measure(i1, 85, version=2)
    measure(i1, 99, period="2026T3", status="draft")
    series = indicator_series(indicator=i1)
    assert series.baseline == 30.0
    assert [(p.period_code, p.value) for p in series.targets] == [("2025T3", 100.0), ("2026T3", 120.0)]
    assert [(p.period_code, p.value) for p in series.values] == [("2025T3", 85.0)]


def test_indicator_result_matches_the_roll_up(tree: dict[str, Any]) -> None:
    with translation.override("en"):
        one = indicator_result(indicator=tree["I2"], period=period_get_or_create(PERIOD))
    assert one.achievement == rollup(tree["plan"]).indicators[tree["I2"].pk].achievement == 0.5


def test_per_territory_view_shows_missing_units_as_missing(tree: dict[str, Any]) -> None:
    # given two units of the plan; I1 measured in one of them only
    north, south = UnitFactory(code="990001", name="Norte"), UnitFactory(code="990002", name="Sur")
    tree["plan"].units.set([north, south])
    measure(tree["I1"], 45, unit=north)
    measure(tree["I1"], 70, unit=south, period="2025T2")  # another period: missing in 2025T3
    with translation.override("en"):
        result = plan_rollup_by_unit(plan=tree["plan"], period=period_get_or_create(PERIOD))
    assert [u.code for u in result.units] == ["990001", "990002"]
    assert [r.code for r in result.rows] == ["I1"]
    cells = result.rows[0].cells
    assert cells[0].achievement == pytest.approx(0.45)
    assert cells[1].achievement is None and cells[1].light == "missing"
    assert result.units[0].progress == pytest.approx(0.45)
    assert result.units[1].progress is None
    assert result.units[1].missing == ["I1"]


def test_the_chart_series_follows_the_same_rules_as_the_breakdown(tree: dict[str, Any]) -> None:
    # given missing data, a zero weight, an all-zero sibling group, a year-target fallback and a cap
    actor, plan = tree["actor"], tree["plan"]
    o3 = node(actor, plan, "O3", parent=tree["E"], weight="5")
    indicator(plan, o3, "I3", target=100)
    f = node(actor, plan, "F", weight="0")
    for k, value in enumerate((30, 170)):
        child = node(actor, plan, f"F{k}", parent=f, weight="0")
        indicator(plan, child, f"IF{k}", value=value)
        target(Indicator.objects.get(code=f"IF{k}"), 100, period="2025")
    measure(tree["I1"], 40, period="2025T2")
    target(tree["I1"], 100, period="2025T2")
    periods = [period_get_or_create(c) for c in ("2025T1", "2025T2", "2025T3")]
    # when
    series = plan_rollup_series(plan=plan, periods=periods)
    both, series_too = dashboard_rollup(plan=plan, period=periods[-1], periods=periods)
    # then every figure equals the one of the explained roll-up
    for i, period in enumerate(periods):
        full = plan_rollup(plan=plan, period=period)
        for axis in full.roots:
            assert series.progress[axis.node_id][i] == pytest.approx(axis.progress)
            assert series_too.progress[axis.node_id][i] == pytest.approx(axis.progress)
        assert series.total[i] == pytest.approx(full.total.progress)
    assert both.nodes[f.pk].progress == pytest.approx((0.3 + 1.0) / 2)  # simple mean, 170 % capped at 100 %
