"""The cell parsers every import shares: one rule for numbers, money, percentages, dates, yes/no."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from rumbo.core.tabular import CellError, boolean_cell, date_cell, money_cell, number_cell, percentage_cell


@pytest.mark.parametrize(
    ("text", "value"),
    [("1234,5", "1234.5"), ("1.234,5", "1234.5"), ("1,234.5", "1234.5"), ("1 234,5", "1234.5"), ("-3", "-3"),
     ("1.234.567", "1234567"), ("12,25", "12.25")],
)  # fmt: skip
def test_numbers_as_spanish_and_english_excel_write_them(text: str, value: str) -> None:
    assert number_cell(text) == Decimal(value)


@pytest.mark.parametrize("text", ["mucho", "1.2.3", "NaN", "Infinity", ""])
def test_what_is_not_a_number_is_refused_naming_the_value(text: str) -> None:
    with pytest.raises(CellError) as exc:
        number_cell(text)
    assert text[:10] in exc.value.message


def test_money_drops_the_currency_and_reads_a_lone_dot_as_thousands() -> None:
    assert money_cell("S/ 500.000") == Decimal("500000.00")
    assert money_cell("$1.250.000,50") == Decimal("1250000.50")
    with pytest.raises(CellError):
        money_cell("-5")


def test_percentages_are_from_0_to_100() -> None:
    assert percentage_cell("45,5 %") == Decimal("45.50")
    with pytest.raises(CellError):
        percentage_cell("140")


@pytest.mark.parametrize(
    "text", ["31/12/2025", "31-12-2025", "31.12.2025", "2025-12-31", "31 de diciembre de 2025", "31-dic-2025",
             "2025-12-31T00:00:00"],
)  # fmt: skip
def test_dates_day_first(text: str) -> None:
    assert date_cell(text) == datetime.date(2025, 12, 31)


@pytest.mark.parametrize("text", ["12/31/2025", "31/02/2025", "mañana", "1/1/1700"])
def test_impossible_or_month_first_dates_are_refused(text: str) -> None:
    with pytest.raises(CellError):
        date_cell(text)


def test_yes_and_no() -> None:
    assert [boolean_cell(t) for t in ("Sí", "si", "X", "1", "verdadero")] == [True] * 5
    assert [boolean_cell(t) for t in ("No", "n", "0", "FALSO")] == [False] * 4
    with pytest.raises(CellError):
        boolean_cell("quizás")
