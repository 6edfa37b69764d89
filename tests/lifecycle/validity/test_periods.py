"""The Colombian constitutional period table across the 2004 change, and municipal overrides."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from rumbo.lifecycle.validity.models import PeriodOverride
from rumbo.lifecycle.validity.periods import LegalInputError, co_period_containing, co_periods_after
from tests.factories import UnitFactory

D = datetime.date


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (D(2003, 12, 31), D(2001, 1, 1), D(2003, 12, 31)),
        (D(2004, 1, 1), D(2004, 1, 1), D(2007, 12, 31)),
        (D(1998, 6, 1), D(1998, 1, 1), D(2000, 12, 31)),
        (D(2027, 12, 31), D(2024, 1, 1), D(2027, 12, 31)),
        (D(1995, 1, 1), D(1995, 1, 1), D(1997, 12, 31)),
        (D(2051, 12, 31), D(2048, 1, 1), D(2051, 12, 31)),
    ],
)
def test_the_period_containing_a_day_follows_the_table_across_the_2004_change(
    day: datetime.date, start: datetime.date, end: datetime.date
) -> None:
    period = co_period_containing(day)
    assert (period.start, period.end) == (start, end)
    assert period.basis, "every period carries its legal basis"


def test_three_year_periods_cite_ley_136_and_four_year_periods_the_acto_legislativo() -> None:
    assert any("Ley 136" in b["norm"] for b in co_period_containing(D(2000, 1, 1)).basis)
    assert any("Acto Legislativo 02 de 2002" in b["norm"] for b in co_period_containing(D(2010, 1, 1)).basis)


def test_periods_after_cross_from_three_to_four_year_periods() -> None:
    p0 = co_period_containing(D(2000, 12, 20))
    assert [(p.start.year, p.end.year) for p in co_periods_after(p0, 3)] == [
        (2001, 2003),
        (2004, 2007),
        (2008, 2011),
    ]


def test_days_outside_the_table_are_refused_with_a_message() -> None:
    with pytest.raises(LegalInputError):
        co_period_containing(D(1990, 5, 1))
    with pytest.raises(LegalInputError):
        co_periods_after(co_period_containing(D(2049, 1, 1)), 1)


def test_an_atypical_period_wins_for_its_municipality_only(db: Any) -> None:
    # given a municipality whose period ran 2005-01-01 – 2007-12-31
    unit = UnitFactory(country="CO", code="27999", name="Municipio atípico")
    other = UnitFactory(country="CO", code="27998", name="Municipio típico")
    PeriodOverride.objects.create(
        unit=unit, start=D(2005, 1, 1), end=D(2007, 12, 31), source="Elección atípica de 2004"
    )
    # when / then
    atypical = co_period_containing(D(2006, 3, 1), unit=unit)
    assert (atypical.start, atypical.end, atypical.atypical) == (D(2005, 1, 1), D(2007, 12, 31), True)
    assert atypical.basis[0]["norm"] == "Elección atípica de 2004"
    assert co_period_containing(D(2006, 3, 1), unit=other).start == D(2004, 1, 1)
    following = co_periods_after(atypical, 2, unit=unit)
    assert [(p.start, p.end) for p in following] == [
        (D(2008, 1, 1), D(2011, 12, 31)),
        (D(2012, 1, 1), D(2015, 12, 31)),
    ]
