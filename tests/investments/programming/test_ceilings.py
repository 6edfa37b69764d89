"""Ceiling arithmetic on hand-made cases, and approval refused while over a ceiling."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from rumbo.investments.models import FundingCeiling, FundingSource, InvestmentPlan
from rumbo.investments.programming.selectors import LineFigure, ceiling_check, what_if_move
from rumbo.investments.programming.services import ceilings_set, investment_plan_approve, line_add

D = Decimal


def _line(pk: int, project: int, year: int, source: str, amount: str) -> LineFigure:
    return LineFigure(pk, project, year, source, D(amount))


def test_exactly_at_the_ceiling_is_ok_and_one_cent_over_is_flagged() -> None:
    # given two lines adding up to 1000.00 in 2027 own, and 1000.01 in 2028 own
    lines = [
        _line(1, 1, 2027, "own", "600.00"),
        _line(2, 2, 2027, "own", "400.00"),
        _line(3, 1, 2028, "own", "1000.01"),
    ]
    ceilings = {(2027, "own"): D("1000.00"), (2028, "own"): D("1000.00")}
    # when
    rows = ceiling_check(lines=lines, ceilings=ceilings)
    # then
    assert [(r.year, r.programmed, r.status, r.excess) for r in rows] == [
        (2027, D("1000.00"), "ok", D("0")),
        (2028, D("1000.01"), "over", D("0.01")),
    ]


def test_lines_without_a_ceiling_are_flagged_not_ok() -> None:
    rows = ceiling_check(lines=[_line(1, 1, 2027, "loan", "5")], ceilings={})
    assert [(r.status, r.ceiling, r.excess) for r in rows] == [("no_ceiling", None, D("0"))]


def test_a_ceiling_without_lines_is_shown_with_nothing_programmed() -> None:
    rows = ceiling_check(lines=[], ceilings={(2027, "own"): D("10")}, years=[2027])
    assert [(r.programmed, r.status, r.available) for r in rows] == [(D("0"), "ok", D("10"))]


def test_what_if_moves_only_the_project_lines_of_that_year() -> None:
    # given project 1 with 300 in 2027 and 2028, project 2 with 500 in 2027; ceiling 600 per year
    lines = [
        _line(1, 1, 2027, "own", "300"),
        _line(2, 1, 2028, "own", "300"),
        _line(3, 2, 2027, "own", "500"),
    ]
    ceilings = {(2027, "own"): D("600"), (2028, "own"): D("600")}
    # when project 1 moves from 2027 to 2028
    moved = what_if_move(lines=lines, project_id=1, from_year=2027, to_year=2028)
    # then before: 2027 over by 200; after: 2027 = 500 ok, 2028 = 600 ok (exactly at the ceiling)
    before = ceiling_check(lines=lines, ceilings=ceilings)
    after = ceiling_check(lines=moved, ceilings=ceilings)
    assert [(r.year, r.status, r.excess) for r in before] == [(2027, "over", D("200")), (2028, "ok", D("0"))]
    assert [(r.year, r.programmed, r.status) for r in after] == [
        (2027, D("500"), "ok"),
        (2028, D("600"), "ok"),
    ]
    assert lines[0].year == 2027  # the input is untouched


def test_each_plan_is_checked_on_its_own_lines(prog: Any) -> None:
    # given a ceiling of 1000 for 2027 own, and two plans with 700 each in 2027 own
    w = prog
    planner = w.users["planner"]
    ceilings_set(actor=planner, entity=w.entity, cells=[(2027, "own", "1.000")])
    annual = InvestmentPlan.objects.create(
        entity=w.entity, kind="annual", title="A", year_start=2027, year_end=2027
    )
    line_add(actor=planner, investment_plan=annual, project="P-1", year=2027, source_code="own", amount="700")
    line_add(
        actor=planner, investment_plan=w.multi, project="P-2", year=2027, source_code="own", amount="700"
    )
    # when both are approved, then neither is over: the other plan's 700 is not added in
    investment_plan_approve(actor=w.users["approver"], investment_plan=annual)
    investment_plan_approve(actor=w.users["approver"], investment_plan=w.multi)
    assert InvestmentPlan.objects.filter(pk__in=[annual.pk, w.multi.pk], status="approved").count() == 2


def test_approval_is_refused_with_each_excess_listed(prog: Any) -> None:
    # given a ceiling of 1.000,00 in 2027 own and 1.000,01 programmed
    w = prog
    ceilings_set(actor=w.users["planner"], entity=w.entity, cells=[(2027, "own", "1.000,00")])
    line_add(
        actor=w.users["planner"],
        investment_plan=w.multi,
        project="P-1",
        year=2027,
        source_code="own",
        amount="1.000,01",
    )
    # when
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        investment_plan_approve(actor=w.users["approver"], investment_plan=w.multi)
    # then the message names the year, source, programmed, ceiling and excess; nothing changed
    message = " ".join(exc.value.messages)
    assert "2027" in message and "Recursos propios" in message
    assert "1.000,01" in message and "1.000,00" in message and "0,01" in message
    w.multi.refresh_from_db()
    assert w.multi.status == "draft"


def test_ceilings_grid_is_all_or_nothing(prog: Any) -> None:
    # given one valid cell and one negative amount
    w = prog
    # when
    with pytest.raises(ValidationError):
        ceilings_set(
            actor=w.users["planner"], entity=w.entity, cells=[(2027, "own", "100"), (2028, "own", "-5")]
        )
    # then nothing was saved
    assert not FundingCeiling.objects.filter(entity=w.entity).exists()


def test_ceilings_grid_sets_changes_and_removes(prog: Any) -> None:
    w = prog
    own = FundingSource.objects.get(country="XX", code="own")
    ceilings_set(
        actor=w.users["planner"], entity=w.entity, cells=[(2027, "own", "1.500.000,50"), (2028, "own", "10")]
    )
    changed = ceilings_set(
        actor=w.users["planner"], entity=w.entity, cells=[(2027, "own", "1.500.000,50"), (2028, "own", "")]
    )
    assert changed == 1
    assert list(FundingCeiling.objects.filter(entity=w.entity).values_list("year", "source", "amount")) == [
        (2027, own.pk, D("1500000.50"))
    ]


def test_unknown_source_in_the_grid_is_refused(prog: Any) -> None:
    with pytest.raises(ValidationError):
        ceilings_set(actor=prog.users["planner"], entity=prog.entity, cells=[(2027, "nope", "1")])
    assert not FundingCeiling.objects.exists()
