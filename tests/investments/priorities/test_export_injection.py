"""The ranking CSV neutralises formula-like project titles; amounts stay numbers (rumbo.core.exports)."""

from __future__ import annotations

import csv
import io

from django.test import Client

from tests.investments.priorities.conftest import Bank


def test_formula_like_titles_are_text_and_amounts_stay_numbers_in_the_ranking_csv(bank: Bank) -> None:
    # given projects with hostile titles and codes
    hostile = {"A": '=HYPERLINK("http://x","y")', "B": "@SUM(A1)", "C": "+1+1"}
    for code, title in hostile.items():
        project = bank.projects[code]
        project.title = title
        project.save(update_fields=["title"])
    client = Client()
    client.force_login(bank.world.users["observer"])
    # when
    body = client.get(f"/inversiones/entidades/{bank.world.entity.pk}/priorizacion.csv").content
    # then
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    titles = {r[1]: r[2] for r in rows[1:]}
    for code, title in hostile.items():
        assert titles[code] == "'" + title
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert rows[1][3] == "100,0" and rows[1][8] == "1000,00"  # numbers untouched
