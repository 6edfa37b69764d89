"""Plan exports neutralise formula-like text and control characters, and the plan import gives
the same tree back (rumbo.core.exports)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from rumbo.plans.exports import plan_export_csv, plan_export_rows, plan_export_xlsx
from rumbo.plans.imports import plan_import
from rumbo.plans.services import node_create

pytestmark = pytest.mark.django_db

TITLES = {
    "E1": '=HYPERLINK("http://x","y")',
    "E2": "@SUM(A1)",
    "E3": "+1+1",
    "E4": "'=ya con apóstrofo",
    "E5": "-5",
    "E6": "- Mejorar el servicio",
}


def _plan(make_plan: Any, planner: Any) -> Any:
    plan = make_plan()
    for code, title in TITLES.items():
        node_create(actor=planner, plan=plan, parent=None, code=code, title=title, responsible="@oficina")
    return plan


def test_the_csv_export_puts_an_apostrophe_before_formula_like_text(make_plan: Any, planner: Any) -> None:
    plan = _plan(make_plan, planner)
    rows = list(csv.reader(io.StringIO(plan_export_csv(plan=plan).decode("utf-8-sig")), delimiter=";"))
    titles = {r[0]: r[2] for r in rows[1:]}
    assert titles["E1"] == "'" + TITLES["E1"]
    assert (
        titles["E2"] == "'@SUM(A1)" and titles["E3"] == "'+1+1" and titles["E6"] == "'- Mejorar el servicio"
    )
    assert titles["E4"] == "''=ya con apóstrofo"  # one more, so the import gives it back exactly
    assert titles["E5"] == "-5"  # only a number: nothing to run
    assert {r[5] for r in rows[1:]} == {"'@oficina"}
    assert all(r[4] == "1" for r in rows[1:])  # weights stay numbers


def test_the_xlsx_export_writes_formula_like_text_as_quoted_text(make_plan: Any, planner: Any) -> None:
    plan = _plan(make_plan, planner)
    sheet = load_workbook(io.BytesIO(plan_export_xlsx(plan=plan)))["nodos"]
    cells = {row[0].value: row[2] for row in sheet.iter_rows(min_row=2)}
    for code in ("E1", "E2", "E3", "E6"):
        assert (cells[code].value, cells[code].data_type, cells[code].quotePrefix) == (
            TITLES[code],
            "s",
            True,
        )
    assert not cells["E5"].quotePrefix


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hostile_titles_survive_the_export_import_round_trip(make_plan: Any, planner: Any, fmt: str) -> None:
    source = _plan(make_plan, planner)
    data = plan_export_csv(plan=source) if fmt == "csv" else plan_export_xlsx(plan=source)
    target = make_plan(name="Destino")
    plan_import(actor=planner, plan=target, data=data, filename=f"plan.{fmt}")
    assert plan_export_rows(plan=target) == plan_export_rows(plan=source)
