"""Deadlines: both counting conventions, calendar and business days, national holidays."""

from __future__ import annotations

import datetime

import pytest

from rumbo.lifecycle.validity.deadlines import DeadlineError, deadline_compute, deadline_rules_list

D = datetime.date


def test_calendar_days_same_day_counts_the_start_as_day_one() -> None:
    result = deadline_compute(
        country="CO", start=D(2025, 3, 3), amount=10, unit="calendar_days", count_start="same_day"
    )
    assert result.due == D(2025, 3, 12)


def test_calendar_days_next_day_counts_from_the_following_day() -> None:
    result = deadline_compute(
        country="CO", start=D(2025, 3, 3), amount=10, unit="calendar_days", count_start="next_day"
    )
    assert result.due == D(2025, 3, 13)


def test_a_calendar_deadline_on_a_holiday_is_not_moved_unless_asked() -> None:
    # 2025-01-06 is Reyes Magos (moved to Monday) in Colombia
    kept = deadline_compute(
        country="CO", start=D(2025, 1, 1), amount=5, unit="calendar_days", count_start="next_day"
    )
    assert kept.due == D(2025, 1, 6)
    assert kept.rolled_from is None
    rolled = deadline_compute(
        country="CO",
        start=D(2025, 1, 1),
        amount=5,
        unit="calendar_days",
        count_start="next_day",
        roll_to_business_day=True,
    )
    assert (rolled.due, rolled.rolled_from) == (D(2025, 1, 7), D(2025, 1, 6))


def test_colombian_business_days_skip_reyes_magos_moved_to_monday() -> None:
    # Thu 2 Jan → Fri 3 (1), Mon 6 holiday, Tue 7 (2), Wed 8 (3)
    result = deadline_compute(
        country="CO", start=D(2025, 1, 2), amount=3, unit="business_days", count_start="next_day"
    )
    assert result.due == D(2025, 1, 8)
    assert result.holidays_skipped == [D(2025, 1, 6)]
    same_day = deadline_compute(
        country="CO", start=D(2025, 1, 2), amount=3, unit="business_days", count_start="same_day"
    )
    assert same_day.due == D(2025, 1, 7)


def test_peruvian_business_days_skip_fiestas_patrias() -> None:
    # Fri 25 Jul 2025; Mon 28 and Tue 29 are holidays
    result = deadline_compute(
        country="PE", start=D(2025, 7, 25), amount=2, unit="business_days", count_start="next_day"
    )
    assert result.due == D(2025, 7, 31)
    assert result.holidays_skipped == [D(2025, 7, 28), D(2025, 7, 29)]


def test_mexican_business_days_skip_constitution_day() -> None:
    # Fri 31 Jan 2025; Mon 3 Feb is Constitution Day (first Monday of February)
    result = deadline_compute(
        country="MX", start=D(2025, 1, 31), amount=1, unit="business_days", count_start="next_day"
    )
    assert result.due == D(2025, 2, 4)
    same_day = deadline_compute(
        country="MX", start=D(2025, 1, 31), amount=1, unit="business_days", count_start="same_day"
    )
    assert same_day.due == D(2025, 1, 31)


def test_a_same_day_count_starting_on_a_weekend_counts_the_next_business_day() -> None:
    result = deadline_compute(
        country="PE", start=D(2025, 3, 1), amount=1, unit="business_days", count_start="same_day"
    )
    assert result.due == D(2025, 3, 3)


def test_a_named_rule_adds_its_legal_basis_and_the_calendar_basis_is_always_there() -> None:
    result = deadline_compute(
        country="CO",
        start=D(2025, 2, 3),
        amount=30,
        unit="business_days",
        count_start="next_day",
        rule_id="co_ctp_concept",
    )
    assert result.basis[0]["norm"] == "Ley 388 de 1997"
    assert any(b["norm"] == "holidays" for b in result.basis)
    assert result.steps


def test_every_named_rule_carries_basis_and_valid_from() -> None:
    rules = deadline_rules_list()
    assert {r["country"] for r in rules} == {"CO", "PE", "MX"}
    for rule in rules:
        assert rule["basis"] and rule["valid_from"]
        assert all({"norm", "article", "note"} <= set(b) for b in rule["basis"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"country": "AR"},
        {"amount": 0},
        {"amount": 3651},
        {"unit": "weeks"},
        {"count_start": "tomorrow"},
    ],
)
def test_bad_inputs_raise_a_deadline_error(kwargs: dict[str, object]) -> None:
    params: dict[str, object] = {
        "country": "CO",
        "start": D(2025, 1, 1),
        "amount": 5,
        "unit": "calendar_days",
        "count_start": "next_day",
    }
    params.update(kwargs)
    with pytest.raises(DeadlineError):
        deadline_compute(**params)  # type: ignore[arg-type]
