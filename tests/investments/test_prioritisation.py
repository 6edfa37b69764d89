"""Prioritisation arithmetic on hand-made cases (rumbo.investments.prioritisation): pure, no DB."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from rumbo.investments.prioritisation import (
    Criterion,
    ProjectScores,
    RankedProject,
    rank,
    sensitivity,
    weight_shares,
)

# Weights 3/2/1 → shares 0.5 / 0.333… / 0.166…; cost is lower-is-better.
CRITERIA = [
    Criterion("impact", "Gap closed", 3),
    Criterion("alignment", "Alignment", 2),
    Criterion("cost", "Cost", 1, higher_is_better=False),
]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """These tests read the English explanation lines (the Spanish ones are in the catalogue)."""
    with translation.override("en"):
        yield


def project(pid: int, code: str, **scores: float | None) -> ProjectScores:
    """A project with the given scores by criterion key."""
    return ProjectScores(project_id=pid, code=code, title=f"Project {code}", scores=dict(scores))


def by_code(ranked: list[RankedProject]) -> dict[str, RankedProject]:
    """Index a ranking by project code."""
    return {r.code: r for r in ranked}


def test_shares_of_weights_3_2_1_are_half_third_sixth() -> None:
    shares, total = weight_shares(CRITERIA)
    assert total == 6
    assert shares.tolist() == pytest.approx([0.5, 1 / 3, 1 / 6])


def test_totals_match_hand_computation_with_lower_is_better_cost() -> None:
    ranked = rank(
        [
            project(1, "A", impact=5, alignment=5, cost=0),  # 0.5 + 0.333 + 0.167 = 1.0
            project(2, "B", impact=4, alignment=3, cost=2),  # 0.4 + 0.2 + 0.1 = 0.7
            project(3, "C", impact=2, alignment=2, cost=5),  # 0.2 + 0.1333 + 0 = 0.3333
        ],
        CRITERIA,
    )
    totals = {r.code: r.total for r in ranked}
    assert totals == pytest.approx({"A": 1.0, "B": 0.7, "C": 1 / 3})
    assert [r.code for r in ranked] == ["A", "B", "C"]
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert by_code(ranked)["B"].total_percent == 70.0
    cost = by_code(ranked)["B"].breakdown[2]
    assert (cost.raw_score, cost.normalised, cost.contribution) == pytest.approx((2, 0.6, 0.1))


def test_ties_share_a_rank_and_the_next_rank_skips_ordered_by_code() -> None:
    ranked = rank(
        [
            project(1, "Z-1", impact=5, alignment=5, cost=0),  # 1.0
            project(2, "D-1", impact=4, alignment=3, cost=2),  # 0.4 + 0.2 + 0.1 = 0.7
            project(3, "C-1", impact=3, alignment=4, cost=1),  # 0.3 + 0.2667 + 0.1333 = 0.7
            project(4, "A-1", impact=2, alignment=2, cost=5),  # 0.3333
        ],
        CRITERIA,
    )
    assert [(r.rank, r.code) for r in ranked] == [(1, "Z-1"), (2, "C-1"), (2, "D-1"), (4, "A-1")]


def test_missing_score_is_excluded_with_weights_rescaled_not_counted_as_zero() -> None:
    projects = [project(1, "E", impact=4, alignment=None, cost=2)]
    (excluded,) = rank(projects, CRITERIA)
    # Shares over impact + cost = 0.5 + 1/6 = 2/3 → 0.75 and 0.25: 0.75 × 0.8 + 0.25 × 0.6 = 0.75.
    assert excluded.total == pytest.approx(0.75)
    assert excluded.incomplete is True
    assert excluded.missing == ["alignment"]
    shares = [item.weight_share for item in excluded.breakdown]
    assert shares == pytest.approx([0.75, 0.0, 0.25])
    assert any("Incomplete" in line for line in excluded.explanation())

    (zeroed,) = rank(projects, CRITERIA, missing="zero")
    # 0.5 × 0.8 + 1/3 × 0 + 1/6 × 0.6 = 0.5.
    assert zeroed.total == pytest.approx(0.5)
    assert zeroed.incomplete is True
    assert zeroed.missing == ["alignment"]


def test_absent_key_counts_as_missing_and_project_with_no_scores_totals_zero() -> None:
    ranked = rank([project(1, "F", impact=5), project(2, "G")], CRITERIA)
    f, g = by_code(ranked)["F"], by_code(ranked)["G"]
    assert f.total == pytest.approx(1.0)
    assert f.missing == ["alignment", "cost"]
    assert g.total == 0.0
    assert g.missing == ["impact", "alignment", "cost"]
    assert [r.code for r in ranked] == ["F", "G"]


def test_missing_score_changes_ranking_between_exclude_and_zero() -> None:
    projects = [
        project(1, "H", impact=4, alignment=None, cost=2),  # exclude 0.75, zero 0.5
        project(2, "I", impact=3, alignment=3, cost=2),  # 0.3 + 0.2 + 0.1 = 0.6 either way
    ]
    assert [r.code for r in rank(projects, CRITERIA)] == ["H", "I"]
    assert [r.code for r in rank(projects, CRITERIA, missing="zero")] == ["I", "H"]


def test_weights_not_summing_to_one_are_normalised_and_said_so() -> None:
    scaled = [
        Criterion("impact", "Gap closed", Decimal("30")),
        Criterion("alignment", "Alignment", Decimal("20")),
        Criterion("cost", "Cost", Decimal("10"), higher_is_better=False),
    ]
    (r,) = rank([project(1, "B", impact=4, alignment=3, cost=2)], scaled)
    assert r.total == pytest.approx(0.7)
    assert [i.weight_share for i in r.breakdown] == pytest.approx([0.5, 1 / 3, 1 / 6])
    assert any("add up to 60" in line for line in r.explanation())

    unit = [Criterion("a", "A", 0.5), Criterion("b", "B", 0.5)]
    (u,) = rank([project(1, "U", a=5, b=0)], unit)
    assert u.total == pytest.approx(0.5)
    assert not any("add up to" in line for line in u.explanation())


def test_negative_weight_is_rejected() -> None:
    with pytest.raises(ValueError, match="must be zero or positive"):
        rank([project(1, "A", a=1)], [Criterion("a", "A", -1), Criterion("b", "B", 2)])


def test_all_zero_weights_are_rejected() -> None:
    with pytest.raises(ValueError, match="All weights are zero"):
        rank([project(1, "A", a=1)], [Criterion("a", "A", 0), Criterion("b", "B", Decimal("0"))])


def test_score_outside_scale_and_unknown_rule_are_rejected() -> None:
    with pytest.raises(ValueError, match="outside 0–5"):
        rank([project(1, "A", impact=6, alignment=1, cost=1)], CRITERIA)
    with pytest.raises(ValueError, match="missing-score rule"):
        rank([project(1, "A", impact=1)], CRITERIA, missing="average")  # type: ignore[arg-type]


def test_breakdown_contributions_sum_to_total_and_explain_it() -> None:
    rng = random.Random(7)
    projects = [
        project(
            i,
            f"P-{i:03d}",
            **{c.key: (None if rng.random() < 0.2 else round(rng.uniform(0, 5), 1)) for c in CRITERIA},
        )
        for i in range(200)
    ]
    for missing in ("exclude", "zero"):
        for r in rank(projects, CRITERIA, missing=missing):
            assert sum(i.contribution for i in r.breakdown) == pytest.approx(r.total, abs=1e-12)
            if r.breakdown and any(i.raw_score is not None for i in r.breakdown):
                assert sum(i.weight_share for i in r.breakdown) == pytest.approx(1.0)
    (top,) = rank([project(1, "B", impact=4, alignment=3, cost=2)], CRITERIA)
    lines = top.explanation()
    assert lines[0].startswith("Rank 1, total 70%")
    assert "Cost (lower is better): score 2 of 5 → 1 − 2/5 = 0.6; × weight 0.167 = 0.1." in lines


def test_justification_appears_in_breakdown_and_explanation() -> None:
    p = ProjectScores(1, "J", "Bridge", {"impact": 5}, justifications={"impact": "Closes the gap."})
    (r,) = rank([p], CRITERIA)
    assert r.breakdown[0].justification == "Closes the gap."
    assert any("Justification: Closes the gap." in line for line in r.explanation())


# Equal weights: P 0.6, Q 0.55, R 0.5. Doubling alignment (shares 1/3, 2/3): R 0.667, P 0.467, Q 0.433.
SENS_CRITERIA = [Criterion("impact", "Impact", 1), Criterion("alignment", "Alignment", 1)]
SENS_PROJECTS = [
    project(1, "P", impact=5, alignment=1),
    project(2, "Q", impact=4.5, alignment=1),
    project(3, "R", impact=0, alignment=5),
]


def test_doubling_a_weight_moves_third_project_to_first() -> None:
    assert [r.code for r in rank(SENS_PROJECTS, SENS_CRITERIA)] == ["P", "Q", "R"]
    (row,) = sensitivity(SENS_PROJECTS, SENS_CRITERIA, criterion_key="alignment", deltas=(1.0,), top_n=2)
    assert row.weight_after == 2.0
    assert row.share_after == pytest.approx(2 / 3)
    moves = {e.code: (e.rank_before, e.rank_after, e.change) for e in row.entries}
    assert moves == {"R": (3, 1, 2), "P": (1, 2, -1), "Q": (2, 3, -1)}
    assert [e.code for e in row.entries] == ["R", "P", "Q"]
    assert row.changed_count == 3
    assert row.top_changed is True
    assert (row.entered_top, row.left_top) == (["R"], ["Q"])


def test_halving_a_weight_that_does_not_change_the_ranking() -> None:
    rows = sensitivity(SENS_PROJECTS, SENS_CRITERIA, criterion_key="alignment")
    assert [r.delta for r in rows] == [-0.5, -0.25, 0.25, 0.5]
    assert rows[0].changed_count == 0
    assert rows[0].top_changed is False
    with pytest.raises(ValueError, match="Unknown criterion"):
        sensitivity(SENS_PROJECTS, SENS_CRITERIA, criterion_key="nope")


def test_sensitivity_agrees_with_ranking_under_the_changed_weight() -> None:
    rng = random.Random(11)
    projects = [
        project(i, f"P-{i:04d}", **{c.key: rng.choice([None, 0, 1, 2, 3, 4, 5]) for c in CRITERIA})
        for i in range(500)
    ]
    (row,) = sensitivity(projects, CRITERIA, criterion_key="cost", deltas=(0.5,))
    changed = [CRITERIA[0], CRITERIA[1], Criterion("cost", "Cost", 1.5, higher_is_better=False)]
    expected = [(r.code, r.rank) for r in rank(projects, changed)]
    assert [(e.code, e.rank_after) for e in row.entries] == expected


def test_twenty_thousand_projects_rerank_quickly() -> None:
    rng = random.Random(2024)
    criteria = [
        Criterion("gap", "Gap closed", 3),
        Criterion("alignment", "Alignment", 2),
        Criterion("population", "Population benefited", 2),
        Criterion("cost", "Cost-effectiveness", 2),
        Criterion("readiness", "Readiness", 1),
        Criterion("risk", "Risk", 1, higher_is_better=False),
    ]
    projects = [
        project(
            i,
            f"PRJ-{i:05d}",
            **{c.key: (None if rng.random() < 0.05 else rng.randint(0, 10) / 2) for c in criteria},
        )
        for i in range(20_000)
    ]
    start = time.perf_counter()
    ranked = rank(projects, criteria)
    rows = sensitivity(projects, criteria, criterion_key="gap", deltas=(0.5,))
    elapsed = time.perf_counter() - start
    assert len(ranked) == 20_000
    assert len(rows[0].entries) == 20_000
    assert ranked[0].rank == 1
    # Best first; totals equal to within 1e-9 are ties, so float noise may order them either way.
    assert all(a.total >= b.total - 1e-9 for a, b in itertools.pairwise(ranked))
    assert all(a.rank <= b.rank for a, b in itertools.pairwise(ranked))
    assert elapsed < 5
