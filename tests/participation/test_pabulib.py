"""The anonymised export round-trips through pabutools' Pabulib reader, and recounts the same."""

from __future__ import annotations

from collections import Counter

from pabutools.election import Cost_Sat
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.rules import method_of_equal_shares

from rumbo.participation.pabulib import pabulib_text
from rumbo.participation.tally import election_build, tally_equal_shares


def test_a_pabulib_file_round_trips_and_recounts_the_same() -> None:
    ids = ["P-1", "P-2", "P-3", "P-4"]
    ballots = [[0, 1], [0], [2, 3], [2], [3, 1], [0, 2]] * 5
    e = election_build(ids=ids, costs=[50, 50, 40, 40.5], budget=100, ballots=ballots)
    outcome = tally_equal_shares(e)
    names = ["Pista; ciclovía", "Parque", 'Losa "deportiva"', "Posta"]
    text = pabulib_text(
        election=e, meta={"description": "Calzada 2025", "country": "Peru", "unit": "Calzada", "instance": "2025"},
        names=names, outcome=outcome, seed=7,
    )  # fmt: skip
    instance, profile = parse_pabulib_from_string(text)
    assert instance.budget_limit == 100 and instance.meta["unit"] == "Calzada"
    assert sorted((p.name, float(p.cost)) for p in instance) == [
        ("P-1", 50),
        ("P-2", 50),
        ("P-3", 40),
        ("P-4", 40.5),
    ]
    assert {instance.project_meta[p]["name"] for p in instance} == set(names)
    assert Counter(frozenset(p.name for p in b) for b in profile) == Counter(
        frozenset(ids[i] for i in b) for b in ballots
    )
    recount = sorted(p.name for p in method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
    assert recount == sorted(ids[i] for i in outcome.selected)
    selected = {
        instance.project_meta[p]["project_id"]
        for p in instance
        if instance.project_meta[p]["selected"] == "1"
    }
    assert selected == set(recount)


def test_voters_are_numbered_in_a_random_order() -> None:
    e = election_build(ids=["a", "b"], costs=[1, 1], budget=1, ballots=[[0]] * 50 + [[1]] * 50)
    votes = [
        line.split(";")[1] for line in pabulib_text(election=e, meta={}).split("VOTES\n")[1].splitlines()[1:]
    ]
    assert sorted(votes) == ["a"] * 50 + ["b"] * 50 and votes != ["a"] * 50 + ["b"] * 50
