"""Investment plans and their lines: validation, lock after approval, copy, move, program a project."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from rumbo.core.models import AuditEvent
from rumbo.investments.models import InvestmentLine, InvestmentPlan, ProjectStatus, ProjectYearCost
from rumbo.investments.programming.services import (
    investment_plan_approve,
    investment_plan_copy,
    investment_plan_create,
    line_add,
    line_move,
    line_update,
)


def test_line_with_bad_input_reports_every_problem_and_saves_nothing(prog: Any) -> None:
    w = prog
    # when
    with pytest.raises(ValidationError) as exc:
        line_add(
            actor=w.users["planner"],
            investment_plan=w.multi,
            project="NOPE",
            year=2040,
            source_code="zz",
            amount="-3",
        )
    # then
    assert set(exc.value.message_dict) == {"project", "year", "source", "amount"}
    assert not InvestmentLine.objects.filter(investment_plan=w.multi).exists()


def test_a_project_not_accepted_or_of_another_entity_cannot_be_programmed(prog: Any) -> None:
    w = prog
    w.p2.status = ProjectStatus.PROPOSED
    w.p2.save()
    with pytest.raises(ValidationError) as exc:
        line_add(
            actor=w.users["planner"],
            investment_plan=w.multi,
            project=w.p2,
            year=2027,
            source_code="own",
            amount="1",
        )
    assert "project" in exc.value.message_dict
    other = InvestmentPlan.objects.create(
        entity=w.other_entity, kind="annual", title="X", year_start=2027, year_end=2027
    )
    with pytest.raises(ValidationError):
        line_add(
            actor=w.users["other_admin"],
            investment_plan=other,
            project="P-1",
            year=2027,
            source_code="own",
            amount="1",
        )


def test_a_reader_may_not_add_lines(prog: Any) -> None:
    with pytest.raises(PermissionDenied):
        line_add(
            actor=prog.users["observer"],
            investment_plan=prog.multi,
            project="P-1",
            year=2027,
            source_code="own",
            amount="1",
        )


def test_a_spanish_amount_is_stored_and_audited(prog: Any) -> None:
    line = line_add(
        actor=prog.users["planner"],
        investment_plan=prog.multi,
        project="P-1",
        year=2028,
        source_code="own",
        amount="1.250.000,50",
    )
    assert line.amount == Decimal("1250000.50")
    assert AuditEvent.objects.filter(target_id=str(line.pk), action="created").exists()


def test_poa_is_for_mexico_and_annual_plans_cover_one_year(prog: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        investment_plan_create(
            actor=prog.users["planner"],
            entity=prog.entity,
            kind="poa",
            title="POA",
            year_start=2027,
            year_end=2027,
        )
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        investment_plan_create(
            actor=prog.users["planner"],
            entity=prog.entity,
            kind="annual",
            title="A",
            year_start=2027,
            year_end=2028,
        )
    assert "year_end" in exc.value.message_dict


def test_an_approved_plan_is_locked_and_a_copy_is_a_new_draft(prog: Any) -> None:
    w = prog
    line = line_add(
        actor=w.users["planner"],
        investment_plan=w.multi,
        project="P-1",
        year=2027,
        source_code="own",
        amount="10",
    )
    from rumbo.investments.programming.services import ceilings_set

    ceilings_set(actor=w.users["planner"], entity=w.entity, cells=[(2027, "own", "10")])
    investment_plan_approve(actor=w.users["approver"], investment_plan=w.multi)
    # when editing the approved plan, then it is refused
    with pytest.raises(ValidationError):
        line_update(actor=w.users["planner"], line=line, year=2027, source_code="own", amount="5")
    # when copying, then the copy is a draft with the same lines
    copy = investment_plan_copy(actor=w.users["planner"], investment_plan=w.multi)
    assert copy.status == "draft" and list(copy.lines.values_list("amount", flat=True)) == [Decimal("10.00")]


def test_moving_a_project_merges_with_the_target_year_line(prog: Any) -> None:
    w = prog
    line_add(
        actor=w.users["planner"],
        investment_plan=w.multi,
        project="P-1",
        year=2027,
        source_code="own",
        amount="100",
    )
    line_add(
        actor=w.users["planner"],
        investment_plan=w.multi,
        project="P-1",
        year=2028,
        source_code="own",
        amount="50",
    )
    # when
    moved = line_move(
        actor=w.users["planner"], investment_plan=w.multi, project_id=w.p1.pk, from_year=2027, to_year=2028
    )
    # then
    assert moved == 1
    assert list(w.multi.lines.values_list("year", "amount")) == [(2028, Decimal("150.00"))]


def test_program_project_defaults_to_next_year_cost_and_creates_the_annual_plan(prog: Any) -> None:
    # given P-1 costs 200 in 2027 from its breakdown, and no annual plan exists
    w = prog
    ProjectYearCost.objects.create(project=w.p1, year=2027, amount=Decimal("200"))
    client = Client()
    client.force_login(w.users["planner"])
    url = f"/inversiones/proyectos/{w.p1.pk}/programar/"
    # when the form is shown, then the amount offered is the 2027 cost (if next year is 2027) or the total
    page = client.get(url)
    assert page.status_code == 200
    # when saved with "create next year's plan"
    response = client.post(url, {"create_next": "on", "year": "2027", "source": "own", "amount": "200"})
    # then the plan is created, the line added and the page shows it highlighted
    plan = InvestmentPlan.objects.get(entity=w.entity, kind="annual", year_start=2027)
    line = plan.lines.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?linea={line.pk}#linea-{line.pk}")
    detail = client.get(response["Location"]).content.decode()
    assert f'id="linea-{line.pk}" class="table-success highlighted"' in detail


def test_program_project_with_bad_amount_creates_no_plan(prog: Any) -> None:
    client = Client()
    client.force_login(prog.users["planner"])
    response = client.post(
        f"/inversiones/proyectos/{prog.p1.pk}/programar/",
        {"create_next": "on", "year": "2027", "source": "own", "amount": "abc"},
    )
    assert response.status_code == 200
    assert not InvestmentPlan.objects.filter(kind="annual").exists()


def test_plan_page_flags_an_excess_before_approval(prog: Any) -> None:
    w = prog
    from rumbo.investments.programming.services import ceilings_set

    ceilings_set(actor=w.users["planner"], entity=w.entity, cells=[(2027, "own", "10")])
    line_add(
        actor=w.users["planner"],
        investment_plan=w.multi,
        project="P-1",
        year=2027,
        source_code="own",
        amount="10,01",
    )
    line_add(
        actor=w.users["planner"],
        investment_plan=w.multi,
        project="P-1",
        year=2028,
        source_code="loan",
        amount="1",
    )
    client = Client()
    client.force_login(w.users["approver"])
    page = client.get(f"/inversiones/planes-inversion/{w.multi.pk}/").content.decode()
    assert 'id="over-ceiling"' in page and 'data-status="over"' in page
    assert 'id="no-ceiling"' in page and 'data-status="no_ceiling"' in page
    # when approving from the page, then it is refused
    client.post(f"/inversiones/planes-inversion/{w.multi.pk}/aprobar/")
    w.multi.refresh_from_db()
    assert w.multi.status == "draft"


def test_ceilings_page_saves_the_grid(prog: Any) -> None:
    client = Client()
    client.force_login(prog.users["planner"])
    url = f"/inversiones/entidades/{prog.entity.pk}/techos/?desde=2027&hasta=2028"
    assert client.get(url).status_code == 200
    response = client.post(url, {"year": ["2027", "2028"], "c-2027-own": "1.000", "c-2028-own": ""})
    assert response.status_code == 302
    assert list(prog.entity.funding_ceilings.values_list("year", "amount")) == [(2027, Decimal("1000.00"))]
    bad = client.post(url, {"year": ["2027"], "c-2027-own": "-1"})
    assert bad.status_code == 200 and 'id="ceiling-errors"' in bad.content.decode()


def test_what_if_page_shows_before_and_after_and_apply_moves(prog: Any) -> None:
    w = prog
    line_add(
        actor=w.users["planner"],
        investment_plan=w.multi,
        project="P-1",
        year=2027,
        source_code="own",
        amount="100",
    )
    client = Client()
    client.force_login(w.users["planner"])
    url = f"/inversiones/planes-inversion/{w.multi.pk}/simular/"
    page = client.get(url, {"project": w.p1.pk, "from_year": 2027, "to_year": 2029}).content.decode()
    assert 'id="before"' in page and 'id="after"' in page
    assert w.multi.lines.get().year == 2027  # nothing saved
    client.post(url, {"project": w.p1.pk, "from_year": 2027, "to_year": 2029})
    assert w.multi.lines.get().year == 2029
