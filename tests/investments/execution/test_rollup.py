"""The roll-up of projects' execution onto the plan's tree, pinned on hand-made cases."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rumbo.investments.execution.rollup import plan_execution_rollup
from rumbo.investments.models import ExecutionRecord, Project, ProjectStatus
from rumbo.plans.services import node_create

END_T2 = datetime.date(2026, 6, 30)


def _project(world: Any, code: str, cost: int, *nodes: Any, status: str = ProjectStatus.ACCEPTED) -> Project:
    project = Project.objects.create(
        entity=world.entity, plan=world.plan, code=code, title=code, cost_total=cost, status=status
    )
    project.nodes.set(nodes)
    return project


def _record(
    project: Project, period: str, end: datetime.date, programmed: int, paid: int, actual: Any
) -> None:
    ExecutionRecord.objects.create(
        project=project,
        period=period,
        period_end=end,
        programmed=programmed,
        committed=programmed,
        paid=paid,
        physical_actual=actual,
    )


@pytest.fixture
def tree(world: Any, superuser: Any) -> Any:
    axis2 = node_create(actor=superuser, plan=world.plan, parent=None, code="E2", title="Eje dos")
    child = node_create(actor=superuser, plan=world.plan, parent=world.node, code="E1.1", title="Objetivo")
    return world.node, child, axis2


def test_physical_is_cost_weighted_and_financial_adds_money(world: Any, tree: Any) -> None:
    # given two projects under the first axis (one on a child objective): cost 100 at 40 %, cost 300 at 80 %
    axis, child, _axis2 = tree
    a = _project(world, "A", 100, axis)
    b = _project(world, "B", 300, child)
    _record(a, "2026T2", END_T2, programmed=100, paid=50, actual=40)
    _record(b, "2026T2", END_T2, programmed=200, paid=150, actual=80)
    # when
    rollup = plan_execution_rollup(plan=world.plan, date=END_T2, user=world.users["planner"])
    # then (100×40 + 300×80) / 400 = 70 %; (50 + 150) / (100 + 200) = 66.7 %
    figure = rollup.nodes[axis.pk].figure
    assert figure.physical == Decimal("70.0") and figure.physical_rule == "weighted"
    assert figure.financial == Decimal("66.7")
    assert figure.shares == {a.pk: Decimal("25.0"), b.pk: Decimal("75.0")}
    assert rollup.nodes[child.pk].figure.physical == Decimal("80.0")


def test_projects_without_data_are_listed_not_counted_as_zero(world: Any, tree: Any) -> None:
    # given one project at 60 % and one without any record
    axis, _child, _axis2 = tree
    a = _project(world, "A", 100, axis)
    silent = _project(world, "S", 900, axis)
    _record(a, "2026T1", datetime.date(2026, 3, 31), programmed=10, paid=5, actual=60)
    # when
    figure = (
        plan_execution_rollup(plan=world.plan, date=END_T2, user=world.users["planner"]).nodes[axis.pk].figure
    )
    # then the mean is 60 %, not (100×60 + 900×0)/1000 = 6 %
    assert figure.physical == Decimal("60.0")
    assert [p.project_id for p in figure.without_data] == [silent.pk]
    assert figure.count == 2


def test_all_zero_costs_fall_back_to_the_plain_mean(world: Any, tree: Any) -> None:
    axis, _child, _axis2 = tree
    a, b = _project(world, "A", 0, axis), _project(world, "B", 0, axis)
    _record(a, "2026T2", END_T2, programmed=0, paid=0, actual=20)
    _record(b, "2026T2", END_T2, programmed=0, paid=0, actual=50)
    figure = (
        plan_execution_rollup(plan=world.plan, date=END_T2, user=world.users["planner"]).nodes[axis.pk].figure
    )
    # (20 + 50) / 2 = 35 %; nothing programmed: no financial figure
    assert figure.physical == Decimal("35.0") and figure.physical_rule == "plain"
    assert figure.financial is None


def test_latest_progress_up_to_the_date_and_money_summed_over_periods(world: Any, tree: Any) -> None:
    # given progress 30 % in T1, 50 % in T2 and 90 % in T3
    axis, _child, _axis2 = tree
    a = _project(world, "A", 100, axis)
    _record(a, "2026T1", datetime.date(2026, 3, 31), programmed=100, paid=20, actual=30)
    _record(a, "2026T2", END_T2, programmed=100, paid=60, actual=50)
    _record(a, "2026T3", datetime.date(2026, 9, 30), programmed=100, paid=100, actual=90)
    # when rolled up as of the end of T2
    figure = (
        plan_execution_rollup(plan=world.plan, date=END_T2, user=world.users["planner"]).nodes[axis.pk].figure
    )
    # then T3 is ignored: 50 %, and (20 + 60) / (100 + 100) = 40 %
    assert figure.physical == Decimal("50.0")
    assert figure.financial == Decimal("40.0")


def test_a_project_serving_two_axes_counts_in_each_and_once_in_the_total(world: Any, tree: Any) -> None:
    axis, _child, axis2 = tree
    shared = _project(world, "A", 100, axis, axis2)
    _record(shared, "2026T2", END_T2, programmed=100, paid=10, actual=10)
    rollup = plan_execution_rollup(plan=world.plan, date=END_T2, user=world.users["planner"])
    assert rollup.nodes[axis.pk].figure.count == 1 and rollup.nodes[axis2.pk].figure.count == 1
    assert rollup.total.count == 1 and [p.project_id for p in rollup.shared] == [shared.pk]


def test_private_projects_are_left_out_for_the_public(world: Any, tree: Any) -> None:
    axis, _child, _axis2 = tree
    _project(world, "A", 100, axis)
    _project(world, "P", 100, axis, status=ProjectStatus.PROPOSED)
    public = plan_execution_rollup(plan=world.plan, date=END_T2, user=AnonymousUser())
    member = plan_execution_rollup(plan=world.plan, date=END_T2, user=world.users["observer"])
    assert public.nodes[axis.pk].figure.count == 1 and member.nodes[axis.pk].figure.count == 2


def test_the_number_of_queries_does_not_grow_with_the_projects(world: Any, tree: Any) -> None:
    axis, child, axis2 = tree
    user = world.users["planner"]
    plan_execution_rollup(plan=world.plan, date=END_T2, user=user)  # warm the access cache
    for i in range(3):
        p = _project(world, f"A{i}", 100, axis, child)
        _record(p, "2026T2", END_T2, programmed=100, paid=10, actual=10)
    with CaptureQueriesContext(connection) as few:
        plan_execution_rollup(plan=world.plan, date=END_T2, user=user)
    for i in range(30):
        p = _project(world, f"B{i}", 100, axis2)
        _record(p, "2026T2", END_T2, programmed=100, paid=10, actual=10)
    with CaptureQueriesContext(connection) as many:
        plan_execution_rollup(plan=world.plan, date=END_T2, user=user)
    assert len(few) == len(many) <= 4
