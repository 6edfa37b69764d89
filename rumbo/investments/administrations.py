"""Which local administration (mayor's term) governs each budget year, per country, and which term
of a territorial plan (short, medium, long) each year falls in.

The counting rule, used everywhere: **a budget year belongs to the administration in office on
1 January of that year.** A Mexican ayuntamiento that takes office on 1 October 2024 therefore
owns the budget years 2025, 2026 and 2027 (it drafts and approves the 2025 budget in its first
months), and the years 2022–2024 belong to the one before it. Years are never split between two
administrations, so every year appears under exactly one header and totals add up.

Colombia comes from the constitutional period table of rumbo.lifecycle (with the municipality's
atypical periods); Peru and Mexico from data/administrations.json (Mexico unverified per state).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from rumbo.lifecycle.validity.periods import LegalInputError, co_period_containing, co_periods_after
from rumbo.lifecycle.validity.vigencia import VigenciaResult

DATA_FILE = Path(__file__).parent / "data" / "administrations.json"


@dataclass(frozen=True)
class Administration:
    """One term of office and the budget years (within the asked range) that belong to it."""

    label: str
    start: datetime.date
    end: datetime.date
    years: tuple[int, ...]
    basis: list[dict[str, str]] = field(default_factory=list, compare=False, hash=False)
    verified: bool = True


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return dict(json.loads(DATA_FILE.read_text(encoding="utf-8")))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years)


def _cyclic_terms(
    rule: dict[str, Any], first_year: int, last_year: int
) -> list[tuple[datetime.date, datetime.date]]:
    """The terms of a fixed-length cycle anchored at `first_start` that hold 1 January of a year in range."""
    anchor = datetime.date.fromisoformat(rule["first_start"])
    length = int(rule["years"])
    # step back or forward to the term in office on 1 January of first_year
    target = datetime.date(first_year, 1, 1)
    start = anchor
    while start > target:
        start = _add_years(start, -length)
    while _add_years(start, length) <= target:
        start = _add_years(start, length)
    terms = []
    while start <= datetime.date(last_year, 1, 1):
        terms.append((start, _add_years(start, length) - datetime.timedelta(days=1)))
        start = _add_years(start, length)
    return terms


def _years_in_office(
    start: datetime.date, end: datetime.date, first_year: int, last_year: int
) -> tuple[int, ...]:
    return tuple(y for y in range(first_year, last_year + 1) if start <= datetime.date(y, 1, 1) <= end)


def _label(start: datetime.date, end: datetime.date, years: tuple[int, ...]) -> str:
    if start.month == 1 and start.day == 1:
        span = f"{start.year}–{end.year}"
    else:
        span = f"{start.isoformat()} – {end.isoformat()}"
    return _("Administration %(span)s") % {"span": span}


def _mx_rule(unit: Any) -> tuple[dict[str, Any], list[dict[str, str]]]:
    country = _data()["MX"]
    state = str(getattr(unit, "code", "") or "")[:2] if unit is not None else ""
    override = country.get("states", {}).get(state)
    if override is None:
        return country, list(country["basis"])
    basis = [*country["basis"], {"norm": "", "article": "", "note": override.get("note", "")}]
    return override, basis


def administration_periods(
    *, country: str, first_year: int, last_year: int, unit: Any = None
) -> list[Administration]:
    """The administrations in office on 1 January of the years first_year..last_year, in order,
    each with the years it owns. `unit` is the municipality (CO atypical periods; MX state)."""
    if last_year < first_year:
        return []
    country = country.upper()
    result: list[Administration] = []
    if country == "CO":
        try:
            period = co_period_containing(datetime.date(first_year, 1, 1), unit=unit)
        except LegalInputError:
            return []
        while period.start <= datetime.date(last_year, 1, 1):
            years = _years_in_office(period.start, period.end, first_year, last_year)
            if years:
                label = _("Administration %(span)s") % {"span": period.label()}
                result.append(Administration(label, period.start, period.end, years, list(period.basis)))
            try:
                period = co_periods_after(period, 1, unit=unit)[0]
            except LegalInputError:
                break
        return result
    if country == "PE":
        rule, basis = _data()["PE"], list(_data()["PE"]["basis"])
    elif country == "MX":
        rule, basis = _mx_rule(unit)
    else:
        return []
    floor = datetime.date.fromisoformat(_data()[country]["first_start"]) if country == "PE" else None
    for start, end in _cyclic_terms(rule, first_year, last_year):
        if floor is not None and start < floor:
            continue  # Peru's four-year terms start in 2003; earlier ones are not recorded
        years = _years_in_office(start, end, first_year, last_year)
        if years:
            result.append(
                Administration(
                    _label(start, end, years), start, end, years, basis, bool(rule.get("verified"))
                )
            )
    return result


def term_of_year(*, year: int, vigencia: VigenciaResult) -> str | None:
    """The plan term ("short", "medium", "long") a budget year falls in, or None before the plan
    counts or after it expires. Same 1 January rule: the term in force on 1 January of the year;
    the year in which the plan is adopted (or its count restarts) belongs to the short term."""
    if year < vigencia.counted_from.year:
        return None
    day = max(datetime.date(year, 1, 1), vigencia.counted_from)
    if day <= vigencia.short_term_end:
        return "short"
    if day <= vigencia.medium_term_end:
        return "medium"
    if day <= vigencia.long_term_end:
        return "long"
    return None
