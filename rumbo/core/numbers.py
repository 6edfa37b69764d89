"""Numbers as people type them in Spanish-speaking offices: "0,25", "1.234,5", "1,234.5"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

_DOT_GROUPS = re.compile(r"-?\d{1,3}(\.\d{3})+")
_COMMA_GROUPS = re.compile(r"-?\d{1,3}(,\d{3}){2,}(\.\d+)?")


def decimal_from_text(value: Any, *, dot_groups_thousands: bool = False) -> Decimal:
    """A Decimal from a number or a text with a decimal comma or point.

    With both separators the last one is the decimal one; a separator repeated ("1.000.000",
    "1,000,000") groups thousands. `dot_groups_thousands` also reads a single dot followed by
    three digits as thousands ("500.000" = 500000), as money is written in Peru, Colombia and
    Mexico's Spanish Excel files. Raises InvalidOperation for anything else.
    """
    if isinstance(value, str):  # the common case first: a cell of a 1 M-row file
        text = value.strip()
    elif isinstance(value, Decimal):
        return value
    elif isinstance(value, (int, float)):
        return Decimal(str(value))
    else:
        text = str(value).strip()
    if " " in text or "\u00a0" in text:
        text = text.replace(" ", "").replace("\u00a0", "")
    commas = text.count(",")
    if commas and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "").replace(",", ".")
    elif text.count(".") > 1 or (dot_groups_thousands and "." in text and _DOT_GROUPS.fullmatch(text)):
        if not _DOT_GROUPS.fullmatch(text):
            raise InvalidOperation(value)
        text = text.replace(".", "")
    elif commas > 1 and _COMMA_GROUPS.fullmatch(text):
        text = text.replace(",", "")
    elif commas:
        text = text.replace(",", ".")
    if not text:
        raise InvalidOperation(value)
    return Decimal(text)


def number_text_normalise(text: str) -> str:
    """ "1.234,5" and "1,234.5" and "12,5" → a plain decimal string: the last separator is decimal
    (a lone separator followed by exactly three digits and repeated, like "1.234.567", is a
    thousands separator)."""
    t = text
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind("."):
            return t.replace(".", "").replace(",", ".")
        return t.replace(",", "")
    if t.count(",") > 1:
        return t.replace(",", "")
    if t.count(".") > 1:
        return t.replace(".", "")
    return t.replace(",", ".")
