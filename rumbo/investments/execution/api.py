"""API of the execution area: a project's execution (read with the visibility rule; write with a
token and REPORT_DATA), the projects of an entity as GeoJSON, and a plan's execution roll-up with
its breakdowns. Writes go through the same services as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.accounts.models import Entity
from rumbo.indicators.periods import PeriodCodeError, period_bounds
from rumbo.investments.execution import selectors, services
from rumbo.investments.execution.rollup import ExecutionFigure, plan_execution_rollup
from rumbo.investments.gatekeepers import project_get_for_user
from rumbo.investments.models import ExecutionRecord
from rumbo.plans.selectors import plan_get_for_user

router = Router(tags=["investments"])
token_auth = ApiTokenAuth()


class ExecutionRecordOut(Schema):
    period: str
    period_end: str
    programmed: str
    committed: str
    paid: str
    physical_planned: str | None
    physical_actual: str | None
    note: str
    origin: str
    financial_percent: str | None = Field(description="paid ÷ programmed of the period × 100.")
    commitment_percent: str | None = Field(description="committed ÷ programmed of the period × 100.")
    physical_gap: str | None = Field(description="achieved − planned, in percentage points.")
    cumulative_financial_percent: str | None = Field(description="Σ paid ÷ Σ programmed up to the period.")


class ProjectExecutionOut(Schema):
    project_id: int
    code: str
    title: str
    records: list[ExecutionRecordOut]
    warnings: list[str] = []


class ExecutionIn(Schema):
    programmed: str | float = Field(description='An amount; text may use Spanish format ("1.250.000,50").')
    committed: str | float
    paid: str | float
    physical_planned: str | float | None = None
    physical_actual: str | float | None = Field(
        default=None, description="Cumulative percent (0–100) of the whole project at the period's end."
    )
    note: str = ""


def _d(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _record_out(row: selectors.ExecutionRow) -> dict[str, Any]:
    r: ExecutionRecord = row.record
    return {
        "period": r.period,
        "period_end": r.period_end.isoformat(),
        "programmed": _d(r.programmed),
        "committed": _d(r.committed),
        "paid": _d(r.paid),
        "physical_planned": _d(r.physical_planned),
        "physical_actual": _d(r.physical_actual),
        "note": r.note,
        "origin": r.origin,
        "financial_percent": _d(row.financial),
        "commitment_percent": _d(row.commitment),
        "physical_gap": _d(row.gap),
        "cumulative_financial_percent": _d(row.cum_financial),
    }


@router.get(
    "/investments/projects/{project_id}/execution",
    response=ProjectExecutionOut,
    summary="Execution of a project per period",
    operation_id="investments_project_execution_get",
)
def project_execution_get(request: HttpRequest, project_id: int) -> dict[str, Any]:
    """Every period recorded, with its derived figures. Accepted projects are public."""
    project = project_get_for_user(project_id=project_id, user=api_reader(request))
    if project is None:
        raise HttpError(404, _("Not found."))
    execution = selectors.project_execution(project=project)
    return {
        "project_id": project.pk,
        "code": project.code,
        "title": project.title,
        "records": [_record_out(row) for row in execution.rows],
    }


@router.put(
    "/investments/projects/{project_id}/execution/{period}",
    response=ProjectExecutionOut,
    auth=token_auth,
    summary="Record the execution of a project in a period",
    operation_id="investments_project_execution_put",
)
def project_execution_put(
    request: HttpRequest, project_id: int, period: str, payload: ExecutionIn
) -> dict[str, Any]:
    """Create or replace the period's record (paid ≤ committed; committed above programmed is a
    warning; achieved progress may not go down without a note). Needs REPORT_DATA."""
    actor = request.auth  # type: ignore[attr-defined]
    project = project_get_for_user(project_id=project_id, user=actor)
    if project is None:
        raise HttpError(404, _("Not found."))
    result = services.execution_record_set(actor=actor, project=project, period=period, **payload.dict())
    out = project_execution_get(request, project_id)
    out["warnings"] = result.warnings
    return out


@router.get(
    "/investments/entities/{entity_id}/projects.geojson",
    summary="Projects of an entity as GeoJSON",
    operation_id="investments_entity_projects_geojson",
)
def entity_projects_geojson(request: HttpRequest, entity_id: int, plan: int | None = None) -> dict[str, Any]:
    """The entity's visible projects (accepted ones; all for readers of its private data) as a
    FeatureCollection; `boundaries` holds the entity's units. `plan` keeps the projects of one plan."""
    reader = api_reader(request)
    entity = get_object_or_404(Entity, pk=entity_id)
    plan_obj = None
    if plan is not None:
        plan_obj = plan_get_for_user(plan_id=plan, user=reader)
        if plan_obj is None or plan_obj.entity_id != entity.pk:
            raise HttpError(404, _("Not found."))
    data = selectors.entity_project_map(user=reader, entity=entity, plan=plan_obj)
    return {**data.projects, "boundaries": data.boundaries}


def _figure_out(figure: ExecutionFigure) -> dict[str, Any]:
    return {
        "projects": figure.count,
        "physical_percent": _d(figure.physical),
        "physical_rule": figure.physical_rule or None,
        "weight_total": _d(figure.weight_total),
        "financial_percent": _d(figure.financial),
        "paid": _d(figure.paid),
        "programmed": _d(figure.programmed),
        "breakdown": [
            {
                "project_id": p.project_id,
                "code": p.code,
                "cost_weight": _d(p.cost),
                "weight_share_percent": _d(figure.shares.get(p.project_id)),
                "physical_percent": _d(p.physical),
                "physical_period": p.physical_period,
                "paid": _d(p.paid),
                "programmed": _d(p.programmed),
                "has_data": p.physical is not None,
                "nodes_served": p.nodes,
            }
            for p in figure.projects
        ],
    }


@router.get(
    "/investments/plans/{plan_id}/execution",
    summary="Execution of a plan's projects per node",
    operation_id="investments_plan_execution_rollup",
)
def plan_execution_get(request: HttpRequest, plan_id: int, period: str) -> dict[str, Any]:
    """As of the end of `period` (2026, 2026S1, 2026T2, 2026-05): per node, physical progress
    (cost-weighted mean of the latest achieved %; plain mean when all costs are zero) and
    financial execution (Σ paid ÷ Σ programmed), with the projects each figure comes from."""
    reader = api_reader(request)
    plan = plan_get_for_user(plan_id=plan_id, user=reader)
    if plan is None:
        raise Http404
    try:
        code, _kind, _start, end = period_bounds(period)
    except PeriodCodeError as exc:
        raise HttpError(422, str(exc)) from exc
    rollup = plan_execution_rollup(plan=plan, date=end, user=reader)
    axes = {n.node_id for n in rollup.roots}
    return {
        "plan_id": plan.pk,
        "period": code,
        "date": end.isoformat(),
        "total": _figure_out(rollup.total),
        "nodes": [
            {
                "node_id": n.node_id,
                "code": n.code,
                "title": n.title,
                "depth": n.depth,
                "is_axis": n.node_id in axes,
                **_figure_out(n.figure),
            }
            for n in rollup.nodes.values()
        ],
    }
