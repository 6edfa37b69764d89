"""Statutory deadlines: counting calendar or business days from a start date, holiday-aware.

Holidays come from the `holidays` package (national calendars of CO, PE and MX); Saturdays
and Sundays are never business days. The counting convention is an explicit parameter
(rules.md §6): "same_day" counts the start day as day 1, "next_day" starts counting the day
after. A calendar-day deadline that falls on a non-business day is NOT moved unless the caller
asks for it (`roll_to_business_day=True`), because that depends on the norm that sets it.

Named rules (CAR concertation, CTP concept, …) with their legal source live in
`data/deadline_rules.json`; `deadline_rules_list` and `deadline_rule_get` read them.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import holidays
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rumbo.lifecycle.validity.periods import COUNTRIES, DATA_DIR, Basis, LegalInputError

UNITS = ("calendar_days", "business_days")
COUNT_STARTS = ("same_day", "next_day")
MAX_AMOUNT = 3650


class DeadlineError(LegalInputError):
    """Bad input for a deadline computation (message ready for the user)."""


@dataclass
class DeadlineResult:
    country: str
    start: datetime.date
    amount: int
    unit: str
    count_start: str
    due: datetime.date
    rolled_from: datetime.date | None = None  # the unrolled due date, when it was moved
    basis: list[Basis] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    holidays_skipped: list[datetime.date] = field(default_factory=list)
    rule: dict[str, Any] | None = None


@lru_cache(maxsize=1)
def _rules_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / "deadline_rules.json").read_text(encoding="utf-8"))
    return data


def deadline_rules_list(*, country: str | None = None) -> list[dict[str, Any]]:
    """The named statutory deadlines (of one country when given), with their basis."""
    rules = _rules_data()["rules"]
    return [dict(r) for r in rules if country is None or r["country"] == country.upper()]


def deadline_rule_get(rule_id: str) -> dict[str, Any]:
    for rule in _rules_data()["rules"]:
        if rule["id"] == rule_id:
            return dict(rule)
    raise DeadlineError(_("rule: unknown deadline rule “%(rule)s”.") % {"rule": rule_id})


@lru_cache(maxsize=1)
def _holidays_version() -> str:
    return importlib.metadata.version("holidays")


@lru_cache(maxsize=16)
def _calendar_in(country: str, language: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country, language=language)


def _calendar(country: str) -> holidays.HolidayBase:
    """The country's holidays, named in the user's language (Spanish or English)."""
    return _calendar_in(country, "es" if (get_language() or "es").startswith("es") else "en_US")


def is_business_day(day: datetime.date, *, country: str) -> bool:
    return day.weekday() < 5 and day not in _calendar(country)


def amount_parse(value: str | None) -> int:
    """A whole number of days from text (the range is checked by `deadline_compute`)."""
    if value is None or not str(value).strip():
        raise DeadlineError(_("amount: this parameter is required."))
    try:
        return int(str(value).strip())
    except ValueError:
        raise DeadlineError(
            _("amount: “%(value)s” is not a whole number of days.") % {"value": value}
        ) from None


def _validate(country: str, amount: Any, unit: str, count_start: str) -> tuple[str, int]:
    code = (country or "").strip().upper()
    if code not in COUNTRIES:
        raise DeadlineError(
            _("country: unknown country “%(value)s”; use one of: %(values)s.")
            % {"value": country, "values": ", ".join(COUNTRIES)}
        )
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DeadlineError(_("amount: must be a whole number of days."))
    if not 1 <= amount <= MAX_AMOUNT:
        raise DeadlineError(
            _("amount: must be between 1 and %(max)s days (got %(value)s).")
            % {"max": MAX_AMOUNT, "value": amount}
        )
    if unit not in UNITS:
        raise DeadlineError(
            _("unit: unknown unit “%(value)s”; use one of: %(values)s.")
            % {"value": unit, "values": ", ".join(UNITS)}
        )
    if count_start not in COUNT_STARTS:
        raise DeadlineError(
            _("count_start: unknown convention “%(value)s”; use one of: %(values)s.")
            % {"value": count_start, "values": ", ".join(COUNT_STARTS)}
        )
    return code, amount


def deadline_compute(
    *,
    country: str,
    start: datetime.date,
    amount: int,
    unit: str,
    count_start: str,
    roll_to_business_day: bool = False,
    rule_id: str | None = None,
) -> DeadlineResult:
    """The due date of a deadline of `amount` days from `start`, with its explanation.

    Business days skip weekends and the country's public holidays. A calendar-day due date on a
    non-business day stays put unless `roll_to_business_day` (then: the next business day).
    `rule_id` (a named rule of deadline_rules.json) only adds that rule's legal basis."""
    code, amount = _validate(country, amount, unit, count_start)
    rule = deadline_rule_get(rule_id) if rule_id else None
    if rule is not None and rule["country"] != code:
        raise DeadlineError(
            _("rule: the rule “%(rule)s” belongs to %(other)s, not %(country)s.")
            % {"rule": rule_id, "other": rule["country"], "country": code}
        )
    first = start if count_start == "same_day" else start + datetime.timedelta(days=1)
    steps = [
        _("Start: %(start)s. Convention “%(convention)s”: the first counted day is %(first)s.")
        % {"start": start.isoformat(), "convention": count_start, "first": first.isoformat()}
    ]
    skipped: list[datetime.date] = []
    calendar = _calendar(code)
    if unit == "calendar_days":
        due = first + datetime.timedelta(days=amount - 1)
        steps.append(
            _("%(amount)s calendar days counted from %(first)s (day 1) end on %(due)s.")
            % {"amount": amount, "first": first.isoformat(), "due": due.isoformat()}
        )
    else:
        day = first
        counted = 0
        while True:
            if day.weekday() >= 5:
                pass
            elif day in calendar:
                skipped.append(day)
            else:
                counted += 1
                if counted == amount:
                    break
            day += datetime.timedelta(days=1)
        due = day
        steps.append(
            _(
                "%(amount)s business days counted from %(first)s, skipping Saturdays, Sundays and %(n)s public holiday(s), end on %(due)s."
            )
            % {"amount": amount, "first": first.isoformat(), "n": len(skipped), "due": due.isoformat()}
        )
        for holiday in skipped:
            steps.append(
                _("Skipped holiday: %(date)s (%(name)s).")
                % {"date": holiday.isoformat(), "name": calendar.get(holiday)}
            )
    rolled_from = None
    if roll_to_business_day and not is_business_day(due, country=code):
        rolled_from = due
        while not is_business_day(due, country=code):
            due += datetime.timedelta(days=1)
        steps.append(
            _("%(date)s is not a business day: moved to the next business day, %(due)s, as requested.")
            % {"date": rolled_from.isoformat(), "due": due.isoformat()}
        )
    elif not is_business_day(due, country=code):
        steps.append(
            _("The due date %(date)s is not a business day; it was not moved (no rule asked for it).")
            % {"date": due.isoformat()}
        )
    basis: list[Basis] = []
    if rule is not None:
        basis.extend(dict(b) for b in rule["basis"])
        steps.insert(0, _("Rule: %(name)s.") % {"name": rule["name"]})
    basis.extend(dict(b) for b in _rules_data()["calendars"][code]["basis"])
    basis.append(
        {
            "norm": "holidays",
            "article": f"{_holidays_version()} ({code})",
            "note": _("Public holidays calendar used to skip non-business days."),
        }
    )
    return DeadlineResult(
        country=code,
        start=start,
        amount=amount,
        unit=unit,
        count_start=count_start,
        due=due,
        rolled_from=rolled_from,
        basis=basis,
        steps=steps,
        holidays_skipped=skipped,
        rule=rule,
    )


def deadline_as_dict(result: DeadlineResult) -> dict[str, Any]:
    """The JSON form shared by the API and the `deadline` command (dates as YYYY-MM-DD)."""
    return {
        "due": result.due.isoformat(),
        "basis": [dict(b) for b in result.basis],
        "country": result.country,
        "start": result.start.isoformat(),
        "amount": result.amount,
        "unit": result.unit,
        "count_start": result.count_start,
        "rolled_from": result.rolled_from.isoformat() if result.rolled_from else None,
        "holidays_skipped": [d.isoformat() for d in result.holidays_skipped],
        "steps": list(result.steps),
    }
