"""Summaries reconcile to the plan total; constant number of queries; multi-year grouping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rumbo.investments.models import FundingSource, InvestmentLine, InvestmentPlan, Project, ProjectStatus
from rumbo.investments.programming.selectors import (
    investment_plan_multiyear,
    investment_plan_summary,
    split_equally,
)
from rumbo.plans.services import node_create
from rumbo.territory.models import TerritorialUnit

D = Decimal


def _unit(code: str) -> TerritorialUnit:
    return TerritorialUnit.objects.create(
        country="PE", code=code, name=f"Distrito {code}", kind="municipality"
    )


def test_split_equally_gives_leftover_cents_to_the_first() -> None:
    assert split_equally(D("100.00"), ["a", "b", "c"]) == [
        ("a", D("33.34")),
        ("b", D("33.33")),
        ("c", D("33.33")),
    ]


def test_every_summary_adds_up_to_the_plan_total(prog: Any, superuser: Any) -> None:
    # given P-1 serving two axes and two units (100,00), P-2 with no axis or unit (0,01)
    w = prog
    w.multi.plan = w.plan
    w.multi.save()
    e2 = node_create(actor=superuser, plan=w.plan, parent=None, code="E2", title="Eje dos")
    child = node_create(actor=superuser, plan=w.plan, parent=w.node, code="E1.1", title="Objetivo")
    w.p1.nodes.set([child, w.node, e2])
    w.p1.units.set([_unit("010101"), _unit("010102")])
    w.p1.sector = "transport"
    w.p1.save()
    own = FundingSource.objects.get(country="XX", code="own")
    InvestmentLine.objects.create(
        investment_plan=w.multi, project=w.p1, year=2027, source=own, amount=D("100.00")
    )
    InvestmentLine.objects.create(
        investment_plan=w.multi, project=w.p2, year=2028, source=own, amount=D("0.01")
    )
    # when
    s = investment_plan_summary(investment_plan=w.multi)
    # then
    assert s.total == D("100.01")
    for rows in (s.by_year, s.by_source, s.by_axis, s.by_unit, s.by_sector):
        assert sum(r.amount for r in rows) == s.total
    # P-1 serves E1 twice (E1 and its child) and E2: split in two halves, not three thirds
    axes = {r.key: r.amount for r in s.by_axis}
    assert axes == {str(w.node.pk): D("50.00"), str(e2.pk): D("50.00"), "": D("0.01")}
    assert {r.amount for r in s.by_unit} == {D("50.00"), D("0.01")}
    assert s.split_projects_axis == 1 and s.split_projects_unit == 1


def _plan_with_lines(world: Any, n: int) -> InvestmentPlan:
    own = FundingSource.objects.get(country="XX", code="own")
    unit = _unit(f"77{n:04d}")
    plan = InvestmentPlan.objects.create(
        entity=world.entity, plan=world.plan, kind="multiyear", title=f"P{n}", year_start=2027, year_end=2030
    )
    projects = Project.objects.bulk_create(
        [
            Project(
                entity=world.entity,
                code=f"Q{n}-{i}",
                title="x",
                status=ProjectStatus.ACCEPTED,
                sector="water",
            )
            for i in range(n)
        ]
    )
    for p in projects:
        p.nodes.add(world.node)
        p.units.add(unit)
    InvestmentLine.objects.bulk_create(
        [
            InvestmentLine(investment_plan=plan, project=p, year=2027 + i % 4, source=own, amount=D("10"))
            for i, p in enumerate(projects)
        ]
    )
    return plan


def test_summary_page_runs_the_same_queries_for_50_and_500_lines(prog: Any) -> None:
    client = Client()
    client.force_login(prog.users["planner"])
    counts = []
    for n in (50, 500):
        plan = _plan_with_lines(prog, n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/inversiones/planes-inversion/{plan.pk}/resumen/")
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_multiyear_groups_years_by_administration_with_totals(prog: Any) -> None:
    # given a Peruvian multi-year plan 2025–2028 with 100 in 2026 and 50 in 2027
    w = prog
    plan = InvestmentPlan.objects.create(
        entity=w.entity, kind="multiyear", title="M", year_start=2025, year_end=2028
    )
    own = FundingSource.objects.get(country="XX", code="own")
    InvestmentLine.objects.create(investment_plan=plan, project=w.p1, year=2026, source=own, amount=D("100"))
    InvestmentLine.objects.create(investment_plan=plan, project=w.p2, year=2027, source=own, amount=D("50"))
    # when
    table = investment_plan_multiyear(investment_plan=plan)
    # then 2025–2026 belong to the 2023–2026 term and 2027–2028 to 2027–2030
    assert [(g.years, g.total) for g in table.groups] == [([2025, 2026], D("100")), ([2027, 2028], D("50"))]
    assert table.year_totals == [D("0"), D("100"), D("50"), D("0")] and table.total == D("150")
    client = Client()
    client.force_login(w.users["planner"])
    page = client.get(f"/inversiones/planes-inversion/{plan.pk}/plurianual/").content.decode()
    assert page.count('class="text-center administration"') == 2
