"""The investment plan's XLSX and PDF with hostile project titles: formula-like text stays text,
control characters do not break the workbook, markup is shown, never run (rumbo.core.exports)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pypdf

from rumbo.investments.programming.documents import (
    investment_plan_pdf,
    investment_plan_xlsx,
    plan_document_content,
)
from rumbo.investments.programming.services import line_add


def _hostile_plan(w: Any) -> Any:
    w.p1.title = '=HYPERLINK("http://x","y")'
    w.p1.save(update_fields=["title"])
    w.p2.title = "@SUM(A1) <script>alert('x')</script> \"comillas\"\x0b\x01 fin"
    w.p2.save(update_fields=["title"])
    for project, year in (("P-1", 2027), ("P-2", 2028)):
        line_add(
            actor=w.users["planner"],
            investment_plan=w.multi,
            project=project,
            year=year,
            source_code="own",
            amount="100",
            note="+1+1",
        )
    return plan_document_content(investment_plan=w.multi)


def test_the_xlsx_holds_hostile_titles_as_quoted_text_and_amounts_as_numbers(prog: Any) -> None:
    content = _hostile_plan(prog)
    book = openpyxl.load_workbook(io.BytesIO(investment_plan_xlsx(content=content)))
    rows = list(book["Lines"].iter_rows(min_row=2))
    by_code = {row[0].value: row for row in rows}
    title = by_code["P-1"][1]
    assert (title.value, title.data_type, title.quotePrefix) == ('=HYPERLINK("http://x","y")', "s", True)
    other = by_code["P-2"][1]
    assert other.value == "@SUM(A1) <script>alert('x')</script> \"comillas\" fin" and other.quotePrefix
    note = by_code["P-1"][7]
    assert (note.value, note.quotePrefix) == ("+1+1", True)
    assert by_code["P-2"][4].data_type == "n"  # the amount is a number
    assert not any(cell.data_type == "f" for row in book["Lines"].iter_rows() for cell in row)


def test_the_pdf_is_generated_and_shows_the_markup_as_text(prog: Any) -> None:
    # given hostile titles, and an entity name with quotes and a backslash (it is in the footer)
    prog.entity.name = 'Municipalidad "San Juan" \\ <b>'
    prog.entity.save(update_fields=["name"])
    content = _hostile_plan(prog)
    # when
    pdf = investment_plan_pdf(content=content)
    # then
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(page.extract_text() for page in pages)
    assert "<script>alert" in text and "HYPERLINK" in text and "\x0b" not in text
    footer = pages[-1].extract_text().splitlines()[-1]
    assert 'Municipalidad "San Juan" \\ <b>' in footer  # not "u0022San Juanu0022"
