"""The gap report CSV neutralises formula-like item titles (rumbo.core.exports)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest

from rumbo.lifecycle.inventory.selectors import inventory_gap_csv, inventory_gap_report
from tests.lifecycle.inventory.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1+1"])
def test_a_formula_like_item_title_is_text_in_the_gap_csv(co_entity: Any, make_item: Any, title: str) -> None:
    # given the newest suitable item of a requirement has a hostile title
    make_item(
        co_entity, title=title, area="both", scale_denominator=5000, reference_date=datetime.date(2024, 1, 1)
    )
    report = inventory_gap_report(entity=co_entity, plan_type_code="POT", country="CO", today=TODAY)
    # when
    rows = list(csv.reader(io.StringIO(inventory_gap_csv(report=report).decode("utf-8-sig")), delimiter=";"))
    # then the "newest suitable item" column holds it behind an apostrophe, never bare
    cells = [cell for row in rows for cell in row]
    assert "'" + title in cells
    assert title not in cells
    assert all(not cell.startswith(("=", "+", "@")) for cell in cells)
