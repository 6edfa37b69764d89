"""Periods as objects: parse a code, create the period on demand, list periods in a range.

Codes: "2025" (year), "2025S1"/"2025S2" (semester), "2025T1"…"2025T4" (quarter, trimestre;
"2025Q3" is accepted too), "2025-07" (month).
"""

from __future__ import annotations

import calendar
import datetime
import re

from django.utils.translation import gettext as _

from rumbo.indicators.models import Period, PeriodKind

_PATTERNS = (
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
    (re.compile(r"^(\d{4})[Ss]([12])$"), PeriodKind.SEMESTER),
    (re.compile(r"^(\d{4})[TtQq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
)


class PeriodCodeError(ValueError):
    """The text is not a period code; the message says which forms are valid."""


def period_bounds(code: str) -> tuple[str, str, datetime.date, datetime.date]:
    """(normalised code, kind, start, end) for a period code, or PeriodCodeError."""
    text = (code or "").strip()
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if not 1900 <= year <= 2200:
            break
        if kind == PeriodKind.YEAR:
            return str(year), kind, datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        n = int(match.group(2))
        if kind == PeriodKind.SEMESTER:
            first = 1 + 6 * (n - 1)
            return f"{year}S{n}", kind, datetime.date(year, first, 1), _month_end(year, first + 5)
        if kind == PeriodKind.QUARTER:
            first = 1 + 3 * (n - 1)
            return f"{year}T{n}", kind, datetime.date(year, first, 1), _month_end(year, first + 2)
        if 1 <= n <= 12:
            return f"{year}-{n:02d}", kind, datetime.date(year, n, 1), _month_end(year, n)
        break
    raise PeriodCodeError(
        _(
            "%(code)s is not a period. Use 2025 (year), 2025S1 (semester), 2025T3 (quarter) or 2025-07 (month)."
        )
        % {"code": text or "∅"}
    )


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_get_or_create(code: str) -> Period:
    """The period for a code, created the first time it is used."""
    normalised, kind, start, end = period_bounds(code)
    period, _created = Period.objects.get_or_create(
        code=normalised, defaults={"kind": kind, "start": start, "end": end}
    )
    return period


def period_codes_between(kind: str, start: datetime.date, end: datetime.date) -> list[str]:
    """The codes of every period of a kind that starts within [start, end], in order."""
    codes: list[str] = []
    year = start.year
    while year <= end.year:
        if kind == PeriodKind.YEAR:
            candidates = [str(year)]
        elif kind == PeriodKind.SEMESTER:
            candidates = [f"{year}S1", f"{year}S2"]
        elif kind == PeriodKind.QUARTER:
            candidates = [f"{year}T{q}" for q in range(1, 5)]
        else:
            candidates = [f"{year}-{m:02d}" for m in range(1, 13)]
        for code in candidates:
            _code, _kind, p_start, _end = period_bounds(code)
            if start <= p_start <= end:
                codes.append(code)
        year += 1
    return codes
