"""Colombian municipal constitutional periods, read from `data/co_periods.json`, with
per-municipality atypical periods (`PeriodOverride`) taking precedence for that municipality.

Also the small input parsing shared by the API, the pages and the commands of this area.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).parent / "data"
COUNTRIES = ("CO", "PE", "MX")

Basis = dict[str, str]  # {"norm": …, "article": …, "note": …}


class LegalInputError(ValueError):
    """Input a legal computation cannot use; the message is ready to show to a user."""


def iso_date_parse(value: str | None, *, field_name: str) -> datetime.date:
    """A YYYY-MM-DD date, or LegalInputError naming the field."""
    if value is None or not str(value).strip():
        raise LegalInputError(_("%(field)s: this parameter is required.") % {"field": field_name})
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise LegalInputError(
            _("%(field)s: “%(value)s” is not a valid date; use YYYY-MM-DD.")
            % {"field": field_name, "value": value}
        ) from None


def country_parse(value: str | None) -> str:
    """An upper-case country code among those Rumbo has rules for."""
    code = (value or "").strip().upper()
    if not code:
        raise LegalInputError(_("country: this parameter is required."))
    if code not in COUNTRIES:
        raise LegalInputError(
            _("country: unknown country “%(value)s”; use one of: %(values)s.")
            % {"value": value, "values": ", ".join(COUNTRIES)}
        )
    return code


@dataclass(frozen=True)
class Period:
    """One constitutional period (1 Jan – 31 Dec) with the rule that sets it."""

    start: datetime.date
    end: datetime.date
    basis: list[Basis] = field(default_factory=list, compare=False, hash=False)
    atypical: bool = False  # True when it comes from a municipality's PeriodOverride

    def label(self) -> str:
        return f"{self.start.year}–{self.end.year}" if not self.atypical else f"{self.start}–{self.end}"

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@lru_cache(maxsize=1)
def _co_table() -> tuple[Period, ...]:
    data = json.loads((DATA_DIR / "co_periods.json").read_text(encoding="utf-8"))
    return tuple(
        Period(
            start=datetime.date.fromisoformat(item["start"]),
            end=datetime.date.fromisoformat(item["end"]),
            basis=[dict(b) for b in item["basis"]],
        )
        for item in sorted(data["periods"], key=lambda p: p["start"])
    )


def co_period_table() -> list[Period]:
    """The national period table, oldest first."""
    return list(_co_table())


def _overrides(unit: Any) -> list[Period]:
    if unit is None:
        return []
    from rumbo.lifecycle.validity.models import PeriodOverride

    return [
        Period(
            start=o.start,
            end=o.end,
            basis=[
                {
                    "norm": o.source,
                    "article": "",
                    "note": _("Atypical period of %(unit)s (CE conceptos 1546 and 1608 de 2004).")
                    % {"unit": getattr(unit, "name", unit)},
                }
            ],
            atypical=True,
        )
        for o in PeriodOverride.objects.filter(unit=unit).order_by("start")
    ]


def _timeline(unit: Any) -> list[Period]:
    """The municipality's periods: its overrides plus every national period none of them overlaps."""
    overrides = _overrides(unit)
    national = [p for p in _co_table() if not any(o.start <= p.end and p.start <= o.end for o in overrides)]
    return sorted([*overrides, *national], key=lambda p: p.start)


def co_period_containing(day: datetime.date, *, unit: Any = None) -> Period:
    """The constitutional period that contains `day` (the municipality's atypical one first)."""
    for period in _overrides(unit):
        if period.contains(day):
            return period
    for period in _co_table():
        if period.contains(day):
            return period
    table = _co_table()
    raise LegalInputError(
        _(
            "No Colombian constitutional period is recorded for %(date)s (the table covers %(first)s to %(last)s)."
        )
        % {"date": day.isoformat(), "first": table[0].start.isoformat(), "last": table[-1].end.isoformat()}
    )


def co_periods_after(period: Period, n: int, *, unit: Any = None) -> list[Period]:
    """The `n` periods that follow `period`, in order (raises when the table runs out)."""
    result: list[Period] = []
    current = period
    timeline = _timeline(unit)
    for _i in range(n):
        following = next((p for p in timeline if p.start > current.end), None)
        if following is None:
            raise LegalInputError(
                _("The period table ends on %(last)s: cannot count %(n)s periods after %(period)s.")
                % {"last": timeline[-1].end.isoformat(), "n": n, "period": period.label()}
            )
        result.append(following)
        current = following
    return result
