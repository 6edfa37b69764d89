"""API: a plan's route with its states and progress, step updates, and the plan's deadlines.
Reads follow the plan's visibility; writes need a token of someone who may edit the plan."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.accounts.permissions import Capability, user_access
from rumbo.lifecycle.routes import services
from rumbo.lifecycle.routes.models import PlanStepState, StepStatus
from rumbo.lifecycle.routes.selectors import (
    StepRow,
    plan_deadlines,
    plan_route_get,
    plan_route_progress,
    plan_route_rows,
    step_state_get_for_user,
)
from rumbo.plans.models import Plan
from rumbo.plans.selectors import plan_get_for_user

router = Router(tags=["lifecycle"])
token_auth = ApiTokenAuth()


class StepStateOut(Schema):
    id: int = Field(description="The step state's id (use it with PATCH /route-steps/{id}).")
    code: str
    title: str
    kind: str
    depth: int
    parent_code: str | None
    gate: bool
    status: str
    assignee: str | None
    start_date: datetime.date | None
    due_date: datetime.date | None
    done_date: datetime.date | None
    not_applicable_reason: str
    deliverables: list[str]
    guidance: dict[str, Any]
    basis: list[dict[str, Any]]
    done: int = Field(description="Leaf steps done inside (or itself, for a leaf).")
    total: int = Field(description="Applicable leaf steps inside (not-applicable ones excluded).")


class PhaseProgressOut(Schema):
    code: str
    title: str
    done: int
    total: int
    percent: int


class BlockerOut(Schema):
    code: str
    title: str
    open_steps: list[str]


class ProgressOut(Schema):
    done: int
    total: int
    not_applicable: int
    percent: int
    current_phase: str | None
    phases: list[PhaseProgressOut]
    blockers: list[BlockerOut]


class RouteOut(Schema):
    plan_id: int
    route: str
    route_name: str
    version: str
    options: dict[str, Any]
    progress: ProgressOut
    steps: list[StepStateOut]


class StepPatch(Schema):
    status: StepStatus | None = None
    assignee: str | None = Field(default=None, description="Username of a member of the plan's entity.")
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    done_date: datetime.date | None = None
    not_applicable_reason: str | None = None


class DeadlineOut(Schema):
    kind: str
    title: str
    context: str
    due: datetime.date
    days_left: int
    state: str = Field(description="overdue, soon (7 days or less) or upcoming.")
    rule: str
    basis: str
    consequences: str
    verified: bool


def _actor(request: HttpRequest) -> Any:
    """The user that ApiTokenAuth authenticated (ninja sets `request.auth`)."""
    return request.auth  # type: ignore[attr-defined]


def _state_out(row: StepRow) -> dict[str, Any]:
    state, step = row.state, row.state.step
    parent_path = step.path.rsplit("/", 2)[0] + "/" if step.depth > 1 else None
    return {
        "id": state.pk,
        "code": step.code,
        "title": step.title,
        "kind": step.kind,
        "depth": step.depth,
        "parent_code": parent_path,
        "gate": step.gate,
        "status": state.status,
        "assignee": state.assignee.get_username() if state.assignee else None,
        "start_date": state.start_date,
        "due_date": state.due_date,
        "done_date": state.done_date,
        "not_applicable_reason": state.not_applicable_reason,
        "deliverables": step.deliverables,
        "guidance": step.guidance,
        "basis": step.basis,
        "done": row.done,
        "total": row.total,
    }


def _readable_plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = plan_get_for_user(plan_id=plan_id, user=api_reader(request))
    if plan is None:
        raise HttpError(404, _("Not found."))
    return plan


@router.get(
    "/plans/{plan_id}/route", response=RouteOut, summary="A plan's route with its states and progress"
)
def plan_route(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """Steps in display order; progress counts leaf steps and leaves out not-applicable ones."""
    plan = _readable_plan(request, plan_id)
    plan_route = plan_route_get(plan=plan)
    if plan_route is None:
        raise HttpError(404, _("This plan does not follow a route yet."))
    rows = plan_route_rows(plan_route=plan_route)
    progress = plan_route_progress(plan_route=plan_route, rows=rows)
    code_by_path = {r.state.step.path: r.state.step.code for r in rows}
    steps = []
    for row in rows:
        out = _state_out(row)
        out["parent_code"] = code_by_path.get(out["parent_code"]) if out["parent_code"] else None
        steps.append(out)
    return {
        "plan_id": plan.pk,
        "route": plan_route.route.code,
        "route_name": plan_route.route.name,
        "version": plan_route.route.version,
        "options": plan_route.options,
        "progress": {
            "done": progress.done,
            "total": progress.total,
            "not_applicable": progress.not_applicable,
            "percent": progress.percent,
            "current_phase": progress.current_phase.state.step.code if progress.current_phase else None,
            "phases": [
                {
                    "code": p.state.step.code,
                    "title": p.state.step.title,
                    "done": p.done,
                    "total": p.total,
                    "percent": p.percent,
                }
                for p in progress.phases
            ],
            "blockers": [
                {
                    "code": b.row.state.step.code,
                    "title": b.row.state.step.title,
                    "open_steps": [r.state.step.code for r in b.open_steps],
                }
                for b in progress.blockers
            ],
        },
        "steps": steps,
    }


@router.patch(
    "/route-steps/{state_id}", response=StepStateOut, auth=token_auth, summary="Change a route step"
)
def route_step_patch(request: HttpRequest, state_id: int, payload: StepPatch) -> dict[str, Any]:
    """Fields left out keep their value. Not applicable needs a reason; done defaults to today."""
    actor = _actor(request)
    state = step_state_get_for_user(state_id=state_id, user=actor)
    if state is None:
        raise HttpError(404, _("Not found."))
    if not user_access(actor).can(state.plan_route.plan.entity_id, Capability.EDIT_PLAN):
        raise PermissionDenied
    fields = payload.dict(exclude_unset=True)
    assignee = state.assignee
    if "assignee" in fields:
        assignee = None
        if fields["assignee"]:
            assignee = get_user_model().objects.filter(username=fields["assignee"]).first()
            if assignee is None:
                raise HttpError(422, _("Unknown user: %(username)s") % {"username": fields["assignee"]})
    services.step_update(
        actor=actor,
        state=state,
        status=fields.get("status") or state.status,
        assignee=assignee,
        start_date=fields.get("start_date", state.start_date),
        due_date=fields.get("due_date", state.due_date),
        done_date=fields.get("done_date", state.done_date),
        not_applicable_reason=fields.get("not_applicable_reason", state.not_applicable_reason) or "",
    )
    fresh = PlanStepState.objects.select_related("step", "assignee").get(pk=state.pk)
    row = next(r for r in plan_route_rows(plan_route=state.plan_route) if r.state.pk == fresh.pk)
    return _state_out(row)


@router.get("/plans/{plan_id}/deadlines", response=list[DeadlineOut], summary="A plan's open deadlines")
def plan_deadlines_list(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """Open due dates, soonest first, each with its rule and legal basis."""
    plan = _readable_plan(request, plan_id)
    return [
        {
            "kind": d.kind,
            "title": d.title,
            "context": d.context,
            "due": d.due,
            "days_left": d.days_left,
            "state": d.state,
            "rule": d.rule,
            "basis": d.basis,
            "consequences": d.consequences,
            "verified": d.verified,
        }
        for d in plan_deadlines(plan=plan)
    ]
