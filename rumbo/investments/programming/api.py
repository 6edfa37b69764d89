"""API of investment plans: read with the visibility rule (published plans are public), write
with a token through the same services as the pages. The what-if endpoint never writes."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.investments.gatekeepers import investment_plan_get_for_user
from rumbo.investments.models import InvestmentLine, InvestmentPlan
from rumbo.investments.programming import selectors, services

router = Router(tags=["investments"])
token_auth = ApiTokenAuth()


class InvestmentPlanOut(Schema):
    id: int
    entity_id: int
    plan_id: int | None
    kind: str
    title: str
    year_start: int
    year_end: int
    status: str
    is_published: bool


class LineOut(Schema):
    id: int
    project_id: int
    project_code: str
    year: int
    source: str
    amount: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    note: str


class CeilingRowOut(Schema):
    year: int
    source: str
    programmed: str
    ceiling: str | None
    excess: str
    status: str = Field(description="ok, over, or no_ceiling (lines but no ceiling set)")


class InvestmentPlanDetailOut(InvestmentPlanOut):
    lines: list[LineOut]
    total: str
    totals_by_year: dict[str, str]
    ceiling_check: list[CeilingRowOut]
    over_ceiling: bool


class LineIn(Schema):
    project: str = Field(description="The project's code in the entity's bank.")
    year: int
    source: str = Field(description="Funding source code of the entity's country catalogue or XX.")
    amount: str | float = Field(description='An amount; text may be Spanish-formatted ("1.250.000,50").')
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    note: str = ""


class ApproveIn(Schema):
    note: str = ""


class CeilingIn(Schema):
    year: int
    source: str
    amount: str | float | None = Field(description="Empty or null removes the ceiling.")


class CeilingsIn(Schema):
    ceilings: list[CeilingIn]


class CeilingOut(Schema):
    year: int
    source: str
    amount: str


class WhatIfIn(Schema):
    project_id: int
    from_year: int
    to_year: int


class WhatIfOut(Schema):
    moved_amount: str
    before: list[CeilingRowOut]
    after: list[CeilingRowOut]


def _plan_out(row: InvestmentPlan) -> dict[str, Any]:
    return {
        "id": row.pk,
        "entity_id": row.entity_id,
        "plan_id": row.plan_id,
        "kind": row.kind,
        "title": row.title,
        "year_start": row.year_start,
        "year_end": row.year_end,
        "status": row.status,
        "is_published": row.is_published,
    }


def _ceiling_out(rows: list[selectors.CeilingRow]) -> list[dict[str, Any]]:
    return [
        {
            "year": r.year,
            "source": r.source_code,
            "programmed": str(r.programmed),
            "ceiling": None if r.ceiling is None else str(r.ceiling),
            "excess": str(r.excess),
            "status": r.status,
        }
        for r in rows
    ]


def _visible(user: Any, investment_plan_id: int) -> InvestmentPlan:
    row = investment_plan_get_for_user(investment_plan_id=investment_plan_id, user=user)
    if row is None:
        raise Http404
    return row


def _entity(user: Any, entity_id: int, *, private: bool) -> Entity:
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None or (private and not user_access(user).can(entity.pk, Capability.VIEW_PRIVATE)):
        raise Http404
    return entity


@router.get(
    "/investments/entities/{entity_id}/investment-plans",
    response=list[InvestmentPlanOut],
    summary="Investment plans of an entity",
    operation_id="investment_plans_list",
)
def investment_plans_list(request: HttpRequest, entity_id: int) -> list[dict[str, Any]]:
    """Published plans for everyone; drafts too for whoever may read the entity's private data."""
    reader = api_reader(request)
    entity = _entity(reader, entity_id, private=False)
    return [_plan_out(r) for r in selectors.investment_plans_for_entity(entity=entity, user=reader)]


@router.get(
    "/investments/investment-plans/{investment_plan_id}",
    response=InvestmentPlanDetailOut,
    summary="An investment plan with its lines, totals and ceiling check",
    operation_id="investment_plan_get",
)
def investment_plan_get(request: HttpRequest, investment_plan_id: int) -> dict[str, Any]:
    row = _visible(api_reader(request), investment_plan_id)
    lines = selectors.investment_plan_lines(investment_plan=row)
    figures = selectors.line_figures(lines)
    rows = selectors.investment_plan_ceiling_check(investment_plan=row, lines=figures)
    by_year: dict[str, Any] = {}
    for f in figures:
        by_year[str(f.year)] = by_year.get(str(f.year), selectors.ZERO) + f.amount
    return {
        **_plan_out(row),
        "lines": [
            {
                "id": li.pk,
                "project_id": li.project_id,
                "project_code": li.project.code,
                "year": li.year,
                "source": li.source.code,
                "amount": str(li.amount),
                "starts_on": li.starts_on,
                "ends_on": li.ends_on,
                "note": li.note,
            }
            for li in lines
        ],
        "total": str(sum((f.amount for f in figures), selectors.ZERO)),
        "totals_by_year": {k: str(v) for k, v in sorted(by_year.items())},
        "ceiling_check": _ceiling_out(rows),
        "over_ceiling": any(r.status == "over" for r in rows),
    }


@router.post(
    "/investments/investment-plans/{investment_plan_id}/lines",
    response={201: LineOut},
    auth=token_auth,
    summary="Add a line (EDIT_PLAN)",
    operation_id="investment_line_add",
)
def investment_line_add(
    request: HttpRequest, investment_plan_id: int, payload: LineIn
) -> tuple[int, dict[str, Any]]:
    row = _visible(request.auth, investment_plan_id)  # type: ignore[attr-defined]
    line = services.line_add(
        actor=request.auth,  # type: ignore[attr-defined]
        investment_plan=row,
        project=payload.project,
        year=payload.year,
        source_code=payload.source,
        amount=payload.amount,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        note=payload.note,
    )
    return 201, {
        "id": line.pk,
        "project_id": line.project_id,
        "project_code": line.project.code,
        "year": line.year,
        "source": line.source.code,
        "amount": str(line.amount),
        "starts_on": line.starts_on,
        "ends_on": line.ends_on,
        "note": line.note,
    }


@router.delete(
    "/investments/investment-lines/{line_id}",
    response={204: None},
    auth=token_auth,
    summary="Remove a line (EDIT_PLAN)",
    operation_id="investment_line_remove",
)
def investment_line_remove(request: HttpRequest, line_id: int) -> tuple[int, None]:
    line = InvestmentLine.objects.select_related("investment_plan").filter(pk=line_id).first()
    if line is None:
        raise Http404
    line.investment_plan = _visible(request.auth, line.investment_plan_id)  # type: ignore[attr-defined]
    services.line_remove(actor=request.auth, line=line)  # type: ignore[attr-defined]
    return 204, None


@router.post(
    "/investments/investment-plans/{investment_plan_id}/approve",
    response=InvestmentPlanOut,
    auth=token_auth,
    summary="Approve (APPROVE); 422 with each excess when over a ceiling",
    operation_id="investment_plan_approve",
)
def investment_plan_approve(
    request: HttpRequest, investment_plan_id: int, payload: ApproveIn
) -> dict[str, Any]:
    actor = request.auth  # type: ignore[attr-defined]
    row = _visible(actor, investment_plan_id)
    if not user_access(actor).can(row.entity_id, Capability.APPROVE):
        raise PermissionDenied
    rows = selectors.investment_plan_ceiling_check(investment_plan=row)
    over = [r for r in rows if r.status == "over"]
    if over and row.status == "draft":
        raise HttpError(422, selectors.ceiling_excess_message(over))
    services.investment_plan_approve(actor=actor, investment_plan=row, note=payload.note)
    return _plan_out(row)


@router.get(
    "/investments/entities/{entity_id}/ceilings",
    response=list[CeilingOut],
    summary="The entity's funding ceilings (internal)",
    operation_id="funding_ceilings_list",
)
def funding_ceilings_list(request: HttpRequest, entity_id: int) -> list[dict[str, Any]]:
    entity = _entity(api_reader(request), entity_id, private=True)
    return [
        {"year": y, "source": code, "amount": str(amount)}
        for (y, code), amount in sorted(selectors.entity_ceilings(entity=entity).items())
    ]


@router.put(
    "/investments/entities/{entity_id}/ceilings",
    response=list[CeilingOut],
    auth=token_auth,
    summary="Set funding ceilings, all or nothing (EDIT_PLAN)",
    operation_id="funding_ceilings_set",
)
def funding_ceilings_set(request: HttpRequest, entity_id: int, payload: CeilingsIn) -> list[dict[str, Any]]:
    actor = request.auth  # type: ignore[attr-defined]
    entity = _entity(actor, entity_id, private=True)
    services.ceilings_set(
        actor=actor,
        entity=entity,
        cells=[(c.year, c.source, "" if c.amount is None else c.amount) for c in payload.ceilings],
    )
    return [
        {"year": y, "source": code, "amount": str(amount)}
        for (y, code), amount in sorted(selectors.entity_ceilings(entity=entity).items())
    ]


@router.post(
    "/investments/investment-plans/{investment_plan_id}/what-if",
    response=WhatIfOut,
    summary="Ceilings before and after moving a project between years (nothing saved)",
    operation_id="investment_plan_what_if",
)
def investment_plan_what_if(
    request: HttpRequest, investment_plan_id: int, payload: WhatIfIn
) -> dict[str, Any]:
    row = _visible(api_reader(request), investment_plan_id)
    if not row.year_start <= payload.to_year <= row.year_end:
        raise ValidationError(
            {
                "to_year": _("The year must be between %(start)s and %(end)s.")
                % {"start": row.year_start, "end": row.year_end}
            }
        )
    result = selectors.investment_plan_what_if(
        investment_plan=row,
        project_id=payload.project_id,
        from_year=payload.from_year,
        to_year=payload.to_year,
    )
    return {
        "moved_amount": str(result.moved_amount),
        "before": _ceiling_out(result.before),
        "after": _ceiling_out(result.after),
    }
