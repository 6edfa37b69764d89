"""The administration mapping and the plan terms, on hand-made cases."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from rumbo.investments.administrations import administration_periods, term_of_year
from rumbo.lifecycle.validity.vigencia import VigenciaResult


def test_colombia_2024_to_2031_is_two_constitutional_periods(db: Any) -> None:
    # when
    result = administration_periods(country="CO", first_year=2024, last_year=2031)
    # then
    assert [(a.start.year, a.end.year, a.years) for a in result] == [
        (2024, 2027, (2024, 2025, 2026, 2027)),
        (2028, 2031, (2028, 2029, 2030, 2031)),
    ]
    assert all(a.basis for a in result)


def test_peru_terms_are_four_years_from_2003() -> None:
    # when
    result = administration_periods(country="PE", first_year=2021, last_year=2028)
    # then
    assert [(a.start, a.end.year) for a in result] == [
        (datetime.date(2019, 1, 1), 2022),
        (datetime.date(2023, 1, 1), 2026),
        (datetime.date(2027, 1, 1), 2030),
    ]
    assert result[1].years == (2023, 2024, 2025, 2026) and result[1].verified


def test_peru_years_before_2003_belong_to_no_recorded_term() -> None:
    result = administration_periods(country="PE", first_year=2001, last_year=2004)
    assert [a.years for a in result] == [(2003, 2004)]


def test_mexico_october_start_a_year_belongs_to_whoever_is_in_office_on_1_january() -> None:
    # given the default Mexican term: 1 October 2024 – 30 September 2027
    # when
    result = administration_periods(country="MX", first_year=2024, last_year=2028)
    # then 2024 belongs to the term that started in October 2021; 2025–2027 to the 2024 term
    assert [(a.start, a.years) for a in result] == [
        (datetime.date(2021, 10, 1), (2024,)),
        (datetime.date(2024, 10, 1), (2025, 2026, 2027)),
        (datetime.date(2027, 10, 1), (2028,)),
    ]
    assert not any(a.verified for a in result)


def test_mexico_state_override_starts_in_january() -> None:
    # given a municipality of the Estado de México (state code 15)
    class Unit:
        code = "15106"

    # when
    result = administration_periods(country="MX", first_year=2025, last_year=2028, unit=Unit())
    # then
    assert [(a.start, a.years) for a in result] == [
        (datetime.date(2025, 1, 1), (2025, 2026, 2027)),
        (datetime.date(2028, 1, 1), (2028,)),
    ]


def _vigencia(adopted: datetime.date, short: int, medium: int, long: int) -> VigenciaResult:
    return VigenciaResult(
        country="CO",
        adopted=adopted,
        counted_from=adopted,
        adoption_period=None,
        short_term_end=datetime.date(short, 12, 31),
        medium_term_end=datetime.date(medium, 12, 31),
        long_term_end=datetime.date(long, 12, 31),
        revision_window_start=datetime.date(long, 1, 1),
        in_force_after_expiry=True,
        long_term_rule="legal_floor",
    )


@pytest.mark.parametrize(
    ("year", "term"),
    [
        (2023, None),
        (2024, "short"),
        (2027, "short"),
        (2028, "medium"),
        (2031, "medium"),
        (2032, "long"),
        (2035, "long"),
        (2036, None),
    ],
)
def test_term_of_year_uses_the_term_in_force_on_1_january(year: int, term: str | None) -> None:
    # given a POT adopted in June 2024: short term to 2027, medium to 2031, long to 2035
    vigencia = _vigencia(datetime.date(2024, 6, 15), 2027, 2031, 2035)
    # then the adoption year counts in the short term
    assert term_of_year(year=year, vigencia=vigencia) == term
