"""The one rule for user text in exported spreadsheets and generated documents (rumbo.core.exports)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from rumbo.core.exports import (
    csv_cell,
    csv_cell_unquote,
    csv_writer,
    formula_like,
    text_printable,
    xlsx_row,
)

HOSTILE = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1+1", "-2+3+cmd|' /C calc'!A0", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_like_a_formula_gets_an_apostrophe_in_csv(text: str) -> None:
    assert formula_like(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, -5.25, Decimal("-1250000.50"), 0, None])
def test_numbers_stay_numbers(value: object) -> None:
    assert csv_cell(value) == value


@pytest.mark.parametrize("text", ["-5", "-5,25", "-1.250.000,50", "+3", "-0.5e3", ".5"])
def test_text_that_is_only_a_number_is_left_alone(text: str) -> None:
    # a spreadsheet reads it as a constant; an apostrophe would turn negative amounts into text
    assert not formula_like(text)
    assert csv_cell(text) == text


@pytest.mark.parametrize(
    "text", [*HOSTILE, "-5", "'=x", "''=x", "'", "''", "'abc", "- guion", "Texto normal", "=", "@"]
)
def test_what_csv_cell_writes_csv_cell_unquote_reads_back(text: str) -> None:
    assert csv_cell_unquote(csv_cell(text)) == text


def test_the_csv_writer_neutralises_every_cell() -> None:
    out = io.StringIO()
    csv_writer(out, delimiter=";").writerow(["=1+1", -5, "ok", None])
    assert next(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == ["'=1+1", "-5", "ok", ""]


def test_xlsx_cells_that_start_like_a_formula_are_text_with_the_quote_prefix() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(xlsx_row(ws, [*HOSTILE[:3], -5, "-5", "a\x0bb\x00"]))
    out = io.BytesIO()
    wb.save(out)
    cells = next(iter(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows()))
    for cell, text in zip(cells[:3], HOSTILE[:3], strict=True):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert (cells[3].value, cells[3].data_type) == (-5, "n")
    assert cells[4].value == "-5" and not cells[4].quotePrefix
    assert cells[5].value == "ab"


def test_text_printable_drops_what_xml_cannot_hold_and_keeps_line_breaks() -> None:
    assert text_printable("a\x00b\x0bc\x0cd\x1fe\ufffef\ud800g") == "abcdefg"
    assert text_printable("línea\tuno\nlínea dos\r\n<script>\"'&") == "línea\tuno\nlínea dos\r\n<script>\"'&"
