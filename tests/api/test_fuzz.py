"""Fuzzing every documented API operation with schemathesis: whatever it sends, valid or not, the
API never answers 5xx (only `not_a_server_error` is checked, not full conformance).

The schema is read from the app itself (/api/v1/openapi.json) and requests go straight into
Django's WSGI handler, in the test's own transaction, with the token of an administrator whose
entity has data: plans and a tree, indicators with targets and values, projects, an investment
plan with a line, a report. Generated ids are swapped most of the time for ids of those objects
(`flatmap_path_parameters`), so the operations get past "not found" into their real work.

Bounded: a few examples per operation (RUMBO_FUZZ_EXAMPLES, default 6), the same on every run
(RUMBO_FUZZ_EXPLORE=1 draws new ones, for a longer hunt), no deadline. Deselect with
`-m "not fuzz"`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from rumbo.accounts.services import api_token_create
from rumbo.core.throttle import throttle_reset

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("RUMBO_FUZZ_EXAMPLES", "6"))
# the same examples on every run (a failure in CI is reproducible); RUMBO_FUZZ_EXPLORE=1 draws new ones
DERANDOMIZE = not os.environ.get("RUMBO_FUZZ_EXPLORE")
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())

# path parameter → ids of real objects, filled in by the `fuzz_world` fixture of each test
KNOWN: dict[str, list[Any]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Most of the time, replace each generated path parameter with one of a real object."""
    if not path_parameters:
        return st.just(path_parameters)
    choices = {
        name: st.sampled_from(KNOWN[name]) if KNOWN.get(name) else st.just(value)
        for name, value in path_parameters.items()
    }
    known = st.fixed_dictionaries(choices)
    return st.one_of(known, known, known, st.just(path_parameters))


@pytest.fixture
def in_transaction() -> Iterator[None]:
    """Django's WSGI handler closes "old" connections at each request's start and end, which
    inside a test's transaction would throw it away; the test client does the same as this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world: Any, in_transaction: None) -> dict[str, str]:
    """An entity with data of every kind; returns the headers of its administrator's token."""
    from rumbo.indicators.models import Measurement
    from rumbo.indicators.periods import period_get_or_create
    from rumbo.investments.models import InvestmentPlan, Project, ProjectStatus
    from rumbo.investments.programming.services import line_add
    from rumbo.investments.reference import funding_sources_load
    from rumbo.lifecycle.routes.models import PlanStepState
    from rumbo.reports.models import Report
    from rumbo.reports.services import report_create
    from tests.factories import UnitFactory
    from tests.reports.conftest import build_axis

    admin = world.users["administrator"]
    axis = build_axis(actor=world.users["planner"], plan=world.plan, axis=world.node)
    funding_sources_load()
    projects = [
        Project.objects.create(
            entity=world.entity,
            code=f"P-{n}",
            title=f"Proyecto {n}",
            status=ProjectStatus.ACCEPTED,
            cost_total=Decimal("1000"),
        )
        for n in (1, 2)
    ]
    investment_plan = InvestmentPlan.objects.create(
        entity=world.entity, kind="multiyear", title="Programa", year_start=2027, year_end=2030
    )
    line = line_add(
        actor=admin,
        investment_plan=investment_plan,
        project="P-1",
        year=2027,
        source_code="own",
        amount="500",
    )
    period = period_get_or_create("2025T3")
    report = report_create(
        actor=world.users["reporter"],
        plan=world.plan,
        kind="axis_progress",
        node=world.node,
        period_from=period,
        period_to=period,
    )
    unit = UnitFactory(country="PE", code="220101", name="Moyobamba")
    KNOWN.clear()
    KNOWN.update(
        {
            "entity_id": [world.entity.pk, world.other_entity.pk],
            "plan_id": [world.plan.pk, world.public_plan.pk, world.other_plan.pk],
            "node_id": [world.node.pk, axis.objective.pk, world.other_node.pk],
            "indicator_id": [axis.water.pk, axis.roads.pk],
            "measurement_id": list(
                Measurement.objects.filter(indicator=axis.water).values_list("pk", flat=True)
            ),
            "project_id": [p.pk for p in projects],
            "investment_plan_id": [investment_plan.pk],
            "line_id": [line.pk],
            "report_id": list(Report.objects.filter(pk=report.pk).values_list("pk", flat=True)),
            "unit_id": [unit.pk],
            "state_id": list(PlanStepState.objects.values_list("pk", flat=True)[:3]),
            "key": ["impacto", "costo"],
            "period": ["2025T3", "2026", "2025-03"],
        }
    )
    throttle_reset()
    _token, raw = api_token_create(actor=admin, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case: Any, fuzz_world: dict[str, str]) -> None:
    case.call_and_validate(headers=fuzz_world, checks=[not_a_server_error])
