"""The bank's ranking through the page, the API and the CSV export, pinned on the hand-made case
of conftest.py (weights 3/2/1, cost lower-is-better)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client

from rumbo.accounts.services import api_token_create
from tests.investments.priorities.conftest import Bank


def _client(world: Any, who: str) -> Client:
    client = Client()
    client.force_login(world.users[who])
    return client


def test_api_ranking_totals_ranks_and_breakdowns_match_the_hand_computation(bank: Bank) -> None:
    # given the hand-made bank; when a member reads the ranking (missing scores left out)
    rows = (
        _client(bank.world, "observer")
        .get(f"/api/v1/investments/entities/{bank.world.entity.pk}/ranking")
        .json()
    )
    # then the order, the tie B = E (shared rank 3, next rank skips to 5) and the totals are as on paper
    assert [(r["code"], r["rank"], r["total_percent"]) for r in rows] == [
        ("A", 1, 100.0),
        ("D", 2, 80.0),
        ("B", 3, 70.0),
        ("E", 3, 70.0),
        ("C", 5, 33.3),
    ]
    by_code = {r["code"]: r for r in rows}
    # B: impact 4/5 × 0.5 = 0.4; alignment 3/5 × 1/3 = 0.2; cost (lower is better) (1 − 2/5) × 1/6 = 0.1
    contributions = {i["key"]: i["contribution"] for i in by_code["B"]["breakdown"]}
    assert contributions == pytest.approx({"impact": 0.4, "alignment": 0.2, "cost": 0.1})
    cost = next(i for i in by_code["B"]["breakdown"] if i["key"] == "cost")
    assert (cost["normalised"], cost["weight_share"]) == pytest.approx((0.6, 1 / 6))
    for row in rows:  # contributions add up to the total
        assert sum(i["contribution"] for i in row["breakdown"]) == pytest.approx(row["total"])
    # D has only impact: flagged incomplete, its share rescaled to the whole
    assert by_code["D"]["incomplete"] is True and by_code["D"]["missing"] == ["alignment", "cost"]
    impact = next(i for i in by_code["D"]["breakdown"] if i["key"] == "impact")
    assert impact["weight_share"] == pytest.approx(1.0)
    assert by_code["B"]["breakdown"][0]["justification"].startswith("Sustento")


def test_api_ranking_with_missing_as_zero_drops_the_incomplete_project(bank: Bank) -> None:
    # when missing scores count as the worst value, D = 0.5 × 0.8 = 40 %
    rows = (
        _client(bank.world, "observer")
        .get(f"/api/v1/investments/entities/{bank.world.entity.pk}/ranking?missing=zero")
        .json()
    )
    assert [(r["code"], r["rank"], r["total_percent"]) for r in rows] == [
        ("A", 1, 100.0),
        ("B", 2, 70.0),
        ("E", 2, 70.0),
        ("D", 4, 40.0),
        ("C", 5, 33.3),
    ]


def test_ranking_excludes_proposed_rejected_and_withdrawn_projects(bank: Bank) -> None:
    # given P, R and W scored at the top but not accepted
    rows = (
        _client(bank.world, "planner")
        .get(f"/api/v1/investments/entities/{bank.world.entity.pk}/ranking")
        .json()
    )
    page = _client(bank.world, "planner").get(f"/inversiones/entidades/{bank.world.entity.pk}/priorizacion/")
    # then neither the API nor the page ranks them
    assert {r["code"] for r in rows} == {"A", "B", "C", "D", "E"}
    assert set(re.findall(r'data-code="([A-Z])"', page.content.decode())) == {"A", "B", "C", "D", "E"}


def test_ranking_page_lists_in_order_with_breakdowns_and_schedule_links_for_planners(bank: Bank) -> None:
    url = f"/inversiones/entidades/{bank.world.entity.pk}/priorizacion/"
    # when a planner and an observer open the page
    planner = _client(bank.world, "planner").get(url).content.decode()
    observer = _client(bank.world, "observer").get(url).content.decode()
    # then rows come best first with their rank, each opening a breakdown
    assert re.findall(r'data-code="([A-Z])" data-rank="(\d)"', planner) == [
        ("A", "1"),
        ("D", "2"),
        ("B", "3"),
        ("E", "3"),
        ("C", "5"),
    ]
    assert planner.count("<details><summary data-total=") == 5
    assert 'data-total="33.3"' in planner
    # and only who may edit the plan gets the link to schedule a project
    schedule = f"/inversiones/proyectos/{bank.projects['A'].pk}/programar/"
    assert schedule in planner and schedule not in observer


def test_ranking_filters_rank_within_the_chosen_stage(bank: Bank) -> None:
    # given B moved to feasibility
    bank.projects["B"].stage = "feasibility"
    bank.projects["B"].save()
    # when filtering by that stage
    rows = (
        _client(bank.world, "planner")
        .get(f"/api/v1/investments/entities/{bank.world.entity.pk}/ranking?stage=feasibility")
        .json()
    )
    page = _client(bank.world, "planner").get(
        f"/inversiones/entidades/{bank.world.entity.pk}/priorizacion/?stage=feasibility"
    )
    # then B is alone and first
    assert [(r["code"], r["rank"]) for r in rows] == [("B", 1)]
    assert re.findall(r'data-code="([A-Z])" data-rank="(\d)"', page.content.decode()) == [("B", "1")]


def test_ranking_csv_is_for_spanish_excel_with_bom_semicolons_and_decimal_comma(bank: Bank) -> None:
    # when the export is downloaded
    response = _client(bank.world, "observer").get(
        f"/inversiones/entidades/{bank.world.entity.pk}/priorizacion.csv"
    )
    # then it is UTF-8 with a BOM, separated by `;`, numbers with a decimal comma, best first
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header, data = rows[0], rows[1:]
    assert len(header) == 10 + 2 * 3
    assert [(r[0], r[1], r[3]) for r in data] == [
        ("1", "A", "100,0"),
        ("2", "D", "80,0"),
        ("3", "B", "70,0"),
        ("3", "E", "70,0"),
        ("5", "C", "33,3"),
    ]
    c_row = data[-1]
    assert c_row[8] == "3000,00"  # cost 1000 × 3
    # C per criterion (columns sorted by key: alignment, cost, impact): score; points of the total
    assert c_row[10:] == ["2,00", "13,33", "5,00", "0,00", "2,00", "20,00"]


def test_another_entitys_admin_gets_404_on_every_page_and_read(bank: Bank) -> None:
    world = bank.world
    client = _client(world, "other_admin")
    urls = [
        f"/inversiones/entidades/{world.entity.pk}/priorizacion/",
        f"/inversiones/entidades/{world.entity.pk}/priorizacion.csv",
        f"/inversiones/entidades/{world.entity.pk}/criterios/",
        f"/inversiones/entidades/{world.entity.pk}/sensibilidad/",
        f"/inversiones/proyectos/{bank.projects['A'].pk}/puntaje/",
        f"/api/v1/investments/entities/{world.entity.pk}/ranking",
        f"/api/v1/investments/entities/{world.entity.pk}/criteria",
    ]
    assert {url: client.get(url).status_code for url in urls} == {url: 404 for url in urls}
    # and a token of theirs cannot score the entity's projects or change its criteria
    _token, raw = api_token_create(actor=world.users["other_admin"], name="t")
    headers = {"Authorization": f"Bearer {raw}"}
    put = client.put(
        f"/api/v1/investments/projects/{bank.projects['P'].pk}/scores",
        data=[{"criterion": "impact", "score": 1}],
        content_type="application/json",
        headers=headers,
    )
    put_public = client.put(
        f"/api/v1/investments/projects/{bank.projects['A'].pk}/scores",
        data=[{"criterion": "impact", "score": 1}],
        content_type="application/json",
        headers=headers,
    )
    criterion = client.put(
        f"/api/v1/investments/entities/{world.entity.pk}/criteria/impact",
        data={"name": "x", "weight": 100},
        content_type="application/json",
        headers=headers,
    )
    assert (put.status_code, put_public.status_code, criterion.status_code) == (404, 403, 404)
    bank.criteria["impact"].refresh_from_db()
    assert bank.criteria["impact"].weight == 3
