"""Sensitivity of the ranking to one weight, on a three-project case worked out by hand.

Weights impact 3, alignment 2, cost 1 (lower is better) → shares 1/2, 1/3, 1/6:
  X: impact 5, alignment 0, cost 0 → 0.5 + 0 + 0.1667 = 66.7 %
  Y: impact 2, alignment 5, cost 0 → 0.2 + 0.3333 + 0.1667 = 70.0 %
  Z: impact 3, alignment 3, cost 5 → 0.3 + 0.2 + 0 = 50.0 %
Ranking: Y, X, Z.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from rumbo.investments.models import PriorityCriterion, ProjectScore
from rumbo.investments.priorities.selectors import bank_sensitivity_one_at_a_time
from rumbo.investments.priorities.services import criterion_save
from tests.investments.priorities.conftest import make_criteria, make_project, score


@pytest.fixture
def three(world: Any) -> Any:
    make_criteria(world)
    for code, scores in {
        "X": {"impact": 5, "alignment": 0, "cost": 0},
        "Y": {"impact": 2, "alignment": 5, "cost": 0},
        "Z": {"impact": 3, "alignment": 3, "cost": 5},
    }.items():
        score(world, make_project(world, code), scores)
    return world


def _client(world: Any) -> Client:
    client = Client()
    client.force_login(world.users["observer"])
    return client


def test_raising_impact_by_half_swaps_the_first_two(three: Any) -> None:
    # impact 3 → 4.5: shares 0.6, 0.2667, 0.1333 → X 73.3 %, Y 64.0 %, Z 52.0 %
    body = (
        _client(three)
        .get(
            f"/api/v1/investments/entities/{three.entity.pk}/sensitivity?criterion=impact&factor=1.5&top_n=1"
        )
        .json()
    )
    assert [(m["code"], m["rank_before"], m["rank_after"], m["change"]) for m in body["moves"]] == [
        ("X", 2, 1, 1),
        ("Y", 1, 2, -1),
        ("Z", 3, 3, 0),
    ]
    assert [round(m["total_after"], 4) for m in body["moves"]] == [0.7333, 0.64, 0.52]
    assert (body["weight_before"], body["weight_after"]) == (3.0, 4.5)
    assert body["share_after"] == pytest.approx(0.6)
    assert (body["changed_count"], body["top_changed"], body["entered_top"], body["left_top"]) == (
        2,
        True,
        ["X"],
        ["Y"],
    )
    # Spearman: Σd² = 1 + 1 + 0 = 2 → 1 − 6×2 / (3×8) = 0.5
    assert body["spearman"] == pytest.approx(0.5)
    # nothing was saved
    assert PriorityCriterion.objects.get(entity=three.entity, key="impact").weight == 3


def test_lowering_impact_by_half_leaves_the_order(three: Any) -> None:
    # impact 1.5: shares 1/3, 4/9, 2/9 → X 55.6 %, Y 80.0 %, Z 46.7 %
    body = (
        _client(three)
        .get(f"/api/v1/investments/entities/{three.entity.pk}/sensitivity?criterion=impact&factor=0.5")
        .json()
    )
    assert [(m["code"], m["change"]) for m in body["moves"]] == [("Y", 0), ("X", 0), ("Z", 0)]
    assert body["changed_count"] == 0 and body["spearman"] == 1.0


def test_a_new_weight_for_a_criterion_weighing_zero(three: Any) -> None:
    # given an extra criterion at weight 0 where only Z scores: it moves nothing yet
    criterion_save(actor=three.users["planner"], entity=three.entity, key="extra", name="Extra", weight=0)
    extra = PriorityCriterion.objects.get(entity=three.entity, key="extra")
    for code, value in {"X": 0, "Y": 0, "Z": 5}.items():
        ProjectScore.objects.create(
            project=three.entity.projects.get(code=code), criterion=extra, score=value
        )
    # when it is given weight 6: total 12, shares 1/4, 1/6, 1/12, 1/2 → Z 75 %, Y 35 %, X 33.3 %
    body = (
        _client(three)
        .get(f"/api/v1/investments/entities/{three.entity.pk}/sensitivity?criterion=extra&weight=6")
        .json()
    )
    assert [(m["code"], m["rank_before"], m["rank_after"]) for m in body["moves"]] == [
        ("Z", 3, 1),
        ("Y", 1, 2),
        ("X", 2, 3),
    ]
    assert [round(m["total_after"], 4) for m in body["moves"]] == [0.75, 0.35, 0.3333]


def test_one_weight_at_a_time_counts_the_projects_that_move(three: Any) -> None:
    # ±25 % by hand: impact +25 % puts X above Y (2 move); alignment −25 % too; cost moves nobody
    rows = bank_sensitivity_one_at_a_time(entity=three.entity, top_n=1)
    assert {
        r.criterion.key: (r.minus.changed_count, r.plus.changed_count) for r in rows if r.minus and r.plus
    } == {
        "alignment": (2, 0),
        "cost": (0, 0),
        "impact": (0, 2),
    }
    assert {r.criterion.key: r.plus.entered_top for r in rows if r.plus} == {
        "alignment": [],
        "cost": [],
        "impact": ["X"],
    }


def test_sensitivity_page_full_and_htmx_partial(three: Any) -> None:
    url = f"/inversiones/entidades/{three.entity.pk}/sensibilidad/?criterion=impact&change=50&top_n=1"
    client = _client(three)
    # a plain request gets the whole page with the projects that move or are in the top 1;
    # Z keeps its third place outside the top and is only counted
    response = client.get(url)
    full = response.content.decode()
    assert "<html" in full and 'id="sensitivity-form"' in full
    assert re.findall(r'data-code="([XYZ])" data-before="(\d)" data-after="(\d)"', full) == [
        ("X", "2", "1"),
        ("Y", "1", "2"),
    ]
    assert response.context["hidden_moves"] == 1
    # an htmx request only the result, with the one-at-a-time table
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'id="moves-table"' in partial and 'id="one-at-a-time"' in partial
    assert 'data-key="impact"' in partial and 'data-plus="2"' in partial


def test_sensitivity_page_new_weight_and_bad_input(three: Any) -> None:
    client = _client(three)
    base = f"/inversiones/entidades/{three.entity.pk}/sensibilidad/"
    # a new weight typed with a decimal comma: impact 4,5 is the same as +50 %
    ok = client.get(base, {"criterion": "impact", "change": "weight", "new_weight": "4,5"})
    assert ok.context["result"].row.changed_count == 2
    # a missing or negative new weight is an error on the field
    bad = client.get(base, {"criterion": "impact", "change": "weight", "new_weight": "-1"})
    assert bad.context["result"] is None and bad.context["form"].errors["new_weight"]
    # cutting the only positive weight to zero is refused by the engine with a message
    criterion_save(actor=three.users["planner"], entity=three.entity, key="alignment", name="A", weight=0)
    criterion_save(
        actor=three.users["planner"],
        entity=three.entity,
        key="cost",
        name="C",
        weight=0,
        higher_is_better=False,
    )
    zero = client.get(base, {"criterion": "impact", "change": "weight", "new_weight": "0"})
    assert zero.context["result"] is None and zero.context["problem"]


def test_api_sensitivity_needs_factor_or_weight(three: Any) -> None:
    url = f"/api/v1/investments/entities/{three.entity.pk}/sensitivity?criterion=impact"
    assert _client(three).get(url).status_code == 422
    assert _client(three).get(url.replace("impact", "nope") + "&factor=2").status_code == 422
