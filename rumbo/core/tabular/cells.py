"""Cell parsers shared by every import: a cell's text as people type it in a Spanish-speaking
office, to a value, or a `CellError` whose message names the value (the row and the column are
added by `RowErrors.cell`, so every importer words a bad cell the same way).

The rules (docs/import-format.md, "Números, fechas y sí/no"):
- numbers: "1234,5", "1.234,5", "1,234.5", "1 234,5" and "-3" read alike; with both separators the
  last one is decimal; a separator repeated ("1.234.567") groups thousands; a lone comma is decimal;
- money: the same, a currency sign or code (S/, $, €, COP, MXN, PEN, USD…) is dropped and a lone
  dot followed by three digits groups thousands ("S/ 500.000" is five hundred thousand: amounts
  carry two decimals at the most), never negative;
- percentages: a number from 0 to 100, with or without "%";
- dates: 31/12/2025, 31-12-2025, 31.12.2025, 2025-12-31, "31 de diciembre de 2025",
  31-dic-2025, and the dates Excel stores (read as ISO by `cell_text`); day first, never month first;
- yes/no: sí, si, s, x, 1, verdadero, yes, true / no, n, 0, falso, false (case and accents aside).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from rumbo.core.numbers import decimal_from_text
from rumbo.core.tabular.reading import fold

Parser = Callable[[str], Any]


class CellError(ValueError):
    """A cell that cannot be read; `message` names the value, not the row or the column."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


_CURRENCY = re.compile(
    r"^(s/\.?|us\$|\$|€|cop|mxn|pen|usd|eur)|(s/\.?|\$|€|cop|mxn|pen|usd|eur)$", re.IGNORECASE
)


def number_cell(text: str, *, limit: Decimal | None = None) -> Decimal:
    """A number; `limit` bounds its absolute value (the column's field size)."""
    try:
        value = decimal_from_text(text)
    except (InvalidOperation, ValueError):
        raise CellError(_("“%(value)s” is not a number.") % {"value": _shown(text)}) from None
    if not value.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": _shown(text)})
    if limit is not None and abs(value) >= limit:
        raise CellError(_("%(value)s is too large.") % {"value": _shown(text)})
    return value


def money_cell(text: str, *, limit: Decimal = Decimal("1e15")) -> Decimal:
    """A non-negative amount with two decimals."""
    t = text.strip()
    if t and not (t[0].isdigit() and t[-1].isdigit()):  # a sign or code at either end
        t = _CURRENCY.sub("", t).strip()
    try:
        value = decimal_from_text(t, dot_groups_thousands=True)
    except (InvalidOperation, ValueError):
        raise CellError(_("“%(value)s” is not an amount.") % {"value": _shown(text)}) from None
    if not value.is_finite() or value < 0:
        raise CellError(_("Amounts must be zero or positive."))
    if value >= limit:
        raise CellError(_("The amount is too large."))
    return value.quantize(Decimal("0.01"))


def percentage_cell(text: str) -> Decimal:
    """A percentage from 0 to 100 with two decimals ("45,5", "45,5 %")."""
    t = text.strip().removesuffix("%").strip()
    try:
        value = decimal_from_text(t)
    except (InvalidOperation, ValueError):
        raise CellError(_("“%(value)s” is not a percentage.") % {"value": _shown(text)}) from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise CellError(_("A percentage must be between 0 and 100."))
    return value.quantize(Decimal("0.01"))


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("enero", "ene", "january", "jan"),
            ("febrero", "feb", "february"),
            ("marzo", "mar", "march"),
            ("abril", "abr", "april", "apr"),
            ("mayo", "may"),
            ("junio", "jun", "june"),
            ("julio", "jul", "july"),
            ("agosto", "ago", "august", "aug"),
            ("septiembre", "setiembre", "sep", "set", "sept", "september"),
            ("octubre", "oct", "october"),
            ("noviembre", "nov", "november"),
            ("diciembre", "dic", "december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")
_WORDS = re.compile(r"(\d{1,2})(?:\s+de\s+|[\s\-/.]+)([a-z]+)\.?(?:\s+de\s+|\s*,\s*|[\s\-/.]+)(\d{4})")


def date_cell(text: str) -> datetime.date:
    """A date, day first."""
    t = fold(text.strip())
    day = month = year = 0
    if m := _ISO.fullmatch(t):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _DAY_FIRST.fullmatch(t):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            year += 2000 if year < 70 else 1900
    elif (m := _WORDS.fullmatch(t)) and m[2] in _MONTHS:
        day, month, year = int(m[1]), _MONTHS[m[2]], int(m[3])
    try:
        if year < 1800:
            raise ValueError
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a date; write it as 31/12/2025.") % {"value": _shown(text)}
        ) from None


_YES = frozenset({"si", "s", "x", "1", "verdadero", "v", "yes", "y", "true"})
_NO = frozenset({"no", "n", "0", "falso", "f", "false"})


def boolean_cell(text: str) -> bool:
    """Yes or no."""
    t = fold(text.strip()).rstrip(".")
    if t in _YES:
        return True
    if t in _NO:
        return False
    raise CellError(_("“%(value)s” is neither yes nor no; write sí or no.") % {"value": _shown(text)})


def code_cell(text: str, *, max_length: int = 60) -> str:
    """A code: trimmed, one line, no longer than `max_length`."""
    t = text.strip()
    if any(ch in t for ch in "\r\n\t"):
        raise CellError(_("The code “%(value)s” spans several lines.") % {"value": _shown(t)})
    if len(t) > max_length:
        raise CellError(
            _("The code “%(value)s” is longer than %(max)s characters.")
            % {"value": _shown(t), "max": max_length}
        )
    return t


def text_cell(text: str, *, max_length: int = 5000) -> str:
    """A free text, trimmed, no longer than `max_length`."""
    t = text.strip()
    if len(t) > max_length:
        raise CellError(_("The text is longer than %(max)s characters.") % {"max": max_length})
    return t
