"""The counting rules on hand cases, against pabutools (the reference implementation) on random
elections, and the stateless tally endpoint's contract."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from django.test import Client
from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

from rumbo.core.throttle import throttle_reset
from rumbo.participation.tally import election_build, tally_equal_shares, tally_greedy


def _ids(e: Any, outcome: Any) -> list[str]:
    return sorted(e.ids[i] for i in outcome.selected)


def _election(costs: dict[str, float], budget: float, ballots: list[list[str]]) -> Any:
    ids = list(costs)
    index = {p: i for i, p in enumerate(ids)}
    return election_build(
        ids=ids,
        costs=[costs[p] for p in ids],
        budget=budget,
        ballots=[[index[p] for p in b] for b in ballots],
    )


def test_the_rules_differ_when_a_majority_would_take_everything() -> None:
    # given 60 voters for two big projects of the centre and 40 for two of the outskirts
    costs = {"centro-1": 50, "centro-2": 50, "barrio-1": 40, "barrio-2": 40}
    ballots = [["centro-1", "centro-2"]] * 60 + [["barrio-1", "barrio-2"]] * 40
    e = _election(costs, 100, ballots)
    # then greedy funds the majority's two; equal shares funds one of each side
    assert _ids(e, tally_greedy(e)) == ["centro-1", "centro-2"]
    assert _ids(e, tally_equal_shares(e)) == ["barrio-1", "centro-1"]


def test_ties_go_to_the_smaller_id_and_a_project_above_the_budget_is_never_funded() -> None:
    e = _election({"b": 5, "a": 5, "caro": 120}, 10, [["a", "b", "caro"]] * 3)
    assert _ids(e, tally_greedy(e)) == ["a", "b"]
    assert tally_greedy(e).selected[:2] == [1, 0]  # "caro" has as many votes but does not fit
    e = _election({"b": 6, "a": 6}, 10, [["a", "b"]] * 2)
    assert _ids(e, tally_greedy(e)) == ["a"] and _ids(e, tally_equal_shares(e)) == ["a"]


def test_equal_shares_explains_each_purchase_by_its_rho() -> None:
    # 4 voters with 2.5 each; "x" (cost 4) has 2 supporters: each pays 2, ρ = 2/4 = 0.5
    e = _election({"x": 4, "y": 3}, 10, [["x"], ["x"], ["y"], ["y", "x"]])
    out = tally_equal_shares(e)
    assert [e.ids[i] for i in out.selected] == ["x", "y"]
    assert out.rho[0] == pytest.approx(4 / 3 / 4)  # three supporters of x: 4/3 each
    assert out.total_cost == 7


@pytest.mark.parametrize("seed", range(120))
def test_both_rules_agree_with_pabutools(seed: int) -> None:
    rnd = random.Random(seed)
    k, n = rnd.randint(1, 10), rnd.randint(0, 30)
    ids = [f"p{i}" for i in range(k)]
    costs = [rnd.choice([1, 2, 3, 5, 8, 10, 13]) for _ in range(k)]
    budget = rnd.choice([5, 10, 15, 20, 30])
    ballots = [[i for i in range(k) if rnd.random() < 0.4] for _ in range(n)]
    e = election_build(ids=ids, costs=costs, budget=budget, ballots=ballots)
    instance = Instance(budget_limit=budget)
    projects = [Project(ids[i], costs[i]) for i in range(k)]
    for p in projects:
        instance.add(p)
    profile = ApprovalProfile([ApprovalBallot([projects[i] for i in b]) for b in ballots], instance=instance)
    greedy = sorted(p.name for p in greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat))
    shares = sorted(p.name for p in method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
    assert _ids(e, tally_greedy(e)) == greedy
    assert _ids(e, tally_equal_shares(e)) == shares


# --- the endpoint ------------------------------------------------------------------------------

URL = "/api/v1/participation/tally"


def _post(body: Any) -> Any:
    return Client().post(URL, json.dumps(body), content_type="application/json")


def test_the_tally_endpoint_counts_by_each_rule(db: Any) -> None:
    body = {
        "rule": "greedy",
        "budget": 100,
        "projects": [
            {"id": "centro-1", "cost": 50},
            {"id": "centro-2", "cost": 50},
            {"id": "barrio-1", "cost": 40},
            {"id": "barrio-2", "cost": 40},
        ],
        "ballots": [["centro-1", "centro-2"]] * 60 + [["barrio-1", "barrio-2", "barrio-1"]] * 40,
    }
    response = _post(body)
    assert response.status_code == 200
    assert response.json() == {"selected": ["centro-1", "centro-2"], "total_cost": 100}
    response = _post({**body, "rule": "equal_shares"})
    assert response.json() == {"selected": ["barrio-1", "centro-1"], "total_cost": 90}
    response = _post({**body, "projects": [{**p, "cost": p["cost"] + 0.5} for p in body["projects"]]})
    assert response.json()["total_cost"] == 50.5 + 40.5  # 101 does not fit: centro-1 then barrio-1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"budget": 0}, "presupuesto"),
        ({"budget": True}, "presupuesto"),
        ({"rule": "borda"}, "greedy"),
        ({"projects": [{"id": "a", "cost": 0}]}, "costo del proyecto a"),
        ({"projects": [{"id": "a", "cost": -3}]}, "costo del proyecto a"),
        ({"projects": [{"id": "a", "cost": 1}, {"id": "a", "cost": 2}]}, "aparece dos veces"),
        ({"ballots": [["a"], ["zeta"]]}, "papeleta 2 menciona un proyecto desconocido: zeta"),
        ({"projects": [{"id": f"p{i}", "cost": 1} for i in range(2001)], "ballots": []}, "2.000 proyectos"),
    ],
)
def test_bad_tally_requests_get_a_spanish_422(db: Any, change: dict[str, Any], message: str) -> None:
    body = {
        "rule": "greedy",
        "budget": 10,
        "projects": [{"id": "a", "cost": 1}],
        "ballots": [["a"]],
        **change,
    }
    response = _post(body)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_too_many_ballots_and_a_body_too_large_are_refused(db: Any, settings: Any) -> None:
    from rumbo.participation import api

    body = {"rule": "greedy", "budget": 10, "projects": [{"id": "a", "cost": 1}]}
    original = api.MAX_BALLOTS
    api.MAX_BALLOTS = 3  # the limit of a million, checked without sending a million
    try:
        response = _post({**body, "ballots": [["a"]] * 4})
    finally:
        api.MAX_BALLOTS = original
    assert response.status_code == 422 and "papeletas" in response.json()["detail"]
    settings.RUMBO_TALLY_MAX_BYTES = 200
    response = _post({**body, "ballots": [["a"]] * 100})
    assert response.status_code == 413 and "MB" in response.json()["detail"]
    broken = Client().post(URL, b"{not json", content_type="application/json")
    assert broken.status_code == 400


def test_the_tally_is_rate_limited_per_address(db: Any, settings: Any) -> None:
    throttle_reset()
    settings.RUMBO_RATE_LIMITS = {**settings.RUMBO_RATE_LIMITS, "tally": "2/h"}
    body = {"rule": "greedy", "budget": 10, "projects": [{"id": "a", "cost": 1}], "ballots": [["a"]]}
    codes = [_post(body).status_code for _ in range(3)]
    throttle_reset()
    assert codes == [200, 200, 429]


def test_a_fake_token_opens_no_new_allowance(db: Any, settings: Any) -> None:
    throttle_reset()
    settings.RUMBO_RATE_LIMITS = {**settings.RUMBO_RATE_LIMITS, "tally": "2/h"}
    body = json.dumps(
        {"rule": "greedy", "budget": 10, "projects": [{"id": "a", "cost": 1}], "ballots": [["a"]]}
    )
    codes = [
        Client()
        .post(URL, body, content_type="application/json", headers={"Authorization": f"Bearer x{i}"})
        .status_code
        for i in range(3)
    ]
    throttle_reset()
    assert codes == [200, 200, 429]


def test_equal_shares_never_buys_what_its_supporters_cannot_pay() -> None:
    # supporters' budgets adding up to the cost but for float rounding (0.1 × 3 ≠ 0.3)
    e = _election({"x": 0.3, "y": 0.2}, 0.3, [["x"], ["x"], ["x", "y"]])
    out = tally_equal_shares(e)
    assert out.selected[0] == 0 and out.total_cost <= 0.3 + 1e-9
