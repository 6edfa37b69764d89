"""Scoring a project (page and API): the breakdown adds up, decimals with a comma, all or nothing."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.investments.models import ProjectScore
from tests.investments.priorities.conftest import Bank


def _client(world: Any, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def _scores(bank: Bank, code: str) -> dict[str, Decimal]:
    return dict(
        ProjectScore.objects.filter(project=bank.projects[code]).values_list("criterion__key", "score")
    )


def test_score_page_shows_the_breakdown_adding_up_to_the_total(bank: Bank) -> None:
    # when a member opens B's page
    page = _client(bank.world, "observer").get(f"/inversiones/proyectos/{bank.projects['B'].pk}/puntaje/")
    html = page.content.decode()
    # then each contribution is on it (rows by key: alignment 20, cost 10, impact 40 points) and they add up
    assert page.status_code == 200
    assert re.findall(r'data-contribution="([\d.]+)"', html) == ["20.00", "10.00", "40.00"]
    assert 'data-total="70.0"' in html and 'data-sum="70.0"' in html
    assert "Sustento impact" in html and "planner" in html  # justification and who scored
    # and an observer gets no form
    assert page.context["can_edit"] is False and 'name="score_impact"' not in html


def test_score_page_for_an_incomplete_project_explains_the_rescaling(bank: Bank) -> None:
    html = (
        _client(bank.world, "planner")
        .get(f"/inversiones/proyectos/{bank.projects['D'].pk}/puntaje/")
        .content.decode()
    )
    zero = (
        _client(bank.world, "planner")
        .get(f"/inversiones/proyectos/{bank.projects['D'].pk}/puntaje/?missing=zero")
        .content.decode()
    )
    # exclude: impact alone carries the whole weight, 80 points; as zero: 0.5 × 0.8 = 40 points
    assert 'data-total="80.0"' in html and 'data-total="40.0"' in zero
    assert re.findall(r'data-contribution="([\d.]+)"', zero) == ["0.00", "0.00", "40.00"]


def test_scores_typed_with_a_decimal_comma_are_saved(bank: Bank) -> None:
    # when a planner scores D's missing criteria as "3,5" and "1"
    response = _client(bank.world, "planner").post(
        f"/inversiones/proyectos/{bank.projects['D'].pk}/puntaje/",
        {
            "score_impact": "4",
            "score_alignment": "3,5",
            "score_cost": "1",
            "justification_alignment": "Eje 1",
        },
    )
    # then they are saved; D = 0.4 + 3.5/5 × 1/3 + 0.8 × 1/6 = 0.7667
    assert response.status_code == 302
    assert _scores(bank, "D") == {"impact": Decimal("4"), "alignment": Decimal("3.5"), "cost": Decimal("1")}
    rows = (
        _client(bank.world, "planner")
        .get(f"/api/v1/investments/entities/{bank.world.entity.pk}/ranking")
        .json()
    )
    assert {r["code"]: r["total"] for r in rows}["D"] == pytest.approx(0.4 + 0.7 / 3 + 0.8 / 6)


def test_one_wrong_row_saves_nothing_and_marks_each_bad_row(bank: Bank) -> None:
    before = _scores(bank, "B")
    # when one row is fine, one is not a number and one is above the scale
    response = _client(bank.world, "planner").post(
        f"/inversiones/proyectos/{bank.projects['B'].pk}/puntaje/",
        {"score_impact": "1", "score_alignment": "tres", "score_cost": "7"},
    )
    # then nothing is saved and the two rows carry their own error
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"score_alignment", "score_cost"}
    assert _scores(bank, "B") == before


def test_a_blank_score_clears_it(bank: Bank) -> None:
    response = _client(bank.world, "planner").post(
        f"/inversiones/proyectos/{bank.projects['B'].pk}/puntaje/",
        {
            "score_impact": "4",
            "score_alignment": "",
            "score_cost": "2",
            "justification_impact": "Sustento impact",
            "justification_cost": "Sustento cost",
        },
    )
    assert response.status_code == 302
    assert set(_scores(bank, "B")) == {"impact", "cost"}


def test_who_may_read_but_not_edit_gets_403_on_post(bank: Bank) -> None:
    response = _client(bank.world, "reporter").post(
        f"/inversiones/proyectos/{bank.projects['B'].pk}/puntaje/", {"score_impact": "0"}
    )
    assert response.status_code == 403
    assert _scores(bank, "B")["impact"] == 4


def test_the_breakdown_of_a_public_project_is_internal(bank: Bank) -> None:
    # A is in the public bank, but its scores are deliberation: 404 for the public and outsiders
    url = f"/inversiones/proyectos/{bank.projects['A'].pk}/puntaje/"
    assert _client(bank.world, "outsider").get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in


def test_api_put_scores_all_or_nothing(bank: Bank) -> None:
    _t, raw = api_token_create(actor=bank.world.users["planner"], name="t")
    headers = {"Authorization": f"Bearer {raw}"}
    url = f"/api/v1/investments/projects/{bank.projects['C'].pk}/scores"
    before = _scores(bank, "C")
    # a wrong row among good ones: 422, every problem in the detail, nothing saved
    bad = Client().put(
        url,
        data=[
            {"criterion": "impact", "score": "5"},
            {"criterion": "alignment", "score": "-1"},
            {"criterion": "nope", "score": 1},
        ],
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"alignment", "nope"}
    assert _scores(bank, "C") == before
    # all good: saved, the new total and breakdown returned (C = 1×0.5 + 0.4×1/3 + 0 = 63.3 %)
    good = Client().put(
        url,
        data=[{"criterion": "impact", "score": "5", "justification": "Cierra la brecha"}],
        content_type="application/json",
        headers=headers,
    )
    assert good.status_code == 200
    body = good.json()
    assert (body["changed"], body["total_percent"]) == (1, 63.3)
    assert sum(i["contribution"] for i in body["breakdown"]) == pytest.approx(body["total"])
