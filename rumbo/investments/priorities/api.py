"""API: the prioritisation matrix, a project's scores, the bank's ranking with breakdowns, and its
sensitivity to a weight. All of it is internal deliberation: reads need VIEW_PRIVATE on the
entity (a token or a session; others get 404, as for a missing entity); writes need a token and
EDIT_PLAN. Writes go through the same services as the pages."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.http import json_response
from rumbo.investments.gatekeepers import project_get_for_user
from rumbo.investments.models import PriorityCriterion, ProjectStage, Sector
from rumbo.investments.priorities import selectors, services
from rumbo.investments.prioritisation import TOP_N, RankedProject
from rumbo.investments.selectors import BankRankingRow, entity_bank_ranking

router = Router(tags=["investments"])
token_auth = ApiTokenAuth()


class CriterionOut(Schema):
    key: str
    name: str
    weight: float
    share: float = Field(description="weight ÷ Σ weights, on 0..1 (0 when all weights are zero).")
    higher_is_better: bool
    scale_max: float
    scores: int = Field(description="How many projects have a score on it.")


class CriterionIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    weight: str | float = Field(description='Zero or positive; text may use a decimal comma ("2,5").')
    higher_is_better: bool = True
    scale_max: str | float = 5


class CriterionDeletedOut(Schema):
    key: str
    scores_removed: int


class BreakdownOut(Schema):
    key: str
    name: str
    score: float | None
    scale_max: float
    higher_is_better: bool
    normalised: float | None = Field(description="score ÷ max, or 1 − score ÷ max when lower is better.")
    weight_share: float = Field(
        description="The share used for this project (rescaled when scores are missing)."
    )
    contribution: float = Field(description="weight_share × normalised; the contributions add up to `total`.")
    justification: str


class RankedOut(Schema):
    rank: int
    project_id: int
    code: str
    title: str
    total: float = Field(description="0..1")
    total_percent: float
    incomplete: bool
    missing: list[str]
    stage: str
    sector: str
    cost_total: float
    currency: str
    breakdown: list[BreakdownOut]
    explanation: list[str] = Field(description="Filled with explain=true.")


class MoveOut(Schema):
    project_id: int
    code: str
    rank_before: int
    rank_after: int
    change: int = Field(description="> 0: moved up.")
    total_before: float
    total_after: float


class SensitivityOut(Schema):
    criterion: str
    weight_before: float
    weight_after: float
    share_before: float
    share_after: float
    changed_count: int
    top_n: int
    top_changed: bool
    entered_top: list[str]
    left_top: list[str]
    spearman: float | None
    moves: list[MoveOut]


class RankingQuery(Schema):
    missing: Literal["exclude", "zero"] = "exclude"
    sector: Sector | None = None
    stage: ProjectStage | None = None
    plan_id: int | None = None


class RankingListQuery(RankingQuery):
    explain: bool = Field(default=False, description="Add each project's explanation lines (text).")


class SensitivityQuery(RankingQuery):
    criterion: str
    factor: float | None = Field(
        default=None, ge=0, description="Multiply the weight by this (0.5 = −50 %, 1.25 = +25 %)."
    )
    weight: float | None = Field(default=None, ge=0, description="Or: a new raw weight.")
    top_n: int = Field(default=TOP_N, ge=1, le=1000)


class ScoreIn(Schema):
    criterion: str = Field(description="The criterion's key.")
    score: str | float | None = Field(
        description="0..scale_max; text may use a decimal comma; null clears it."
    )
    justification: str = ""


class ScoreSheetOut(Schema):
    project_id: int
    changed: int
    total: float | None
    total_percent: float | None
    incomplete: bool
    missing: list[str]
    breakdown: list[BreakdownOut]


def _private_entity(request: HttpRequest, entity_id: int, user: Any) -> Entity:
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None or not user_access(user).can(entity.pk, Capability.VIEW_PRIVATE):
        raise HttpError(404, _("Not found."))
    return entity


def _breakdown(ranked: RankedProject) -> list[dict[str, Any]]:
    return [
        {
            "key": i.key,
            "name": i.name,
            "score": i.raw_score,
            "scale_max": i.scale_max,
            "higher_is_better": i.higher_is_better,
            "normalised": i.normalised,
            "weight_share": i.weight_share,
            "contribution": i.contribution,
            "justification": i.justification,
        }
        for i in ranked.breakdown
    ]


def _ranked_out(row: BankRankingRow, *, explain: bool) -> dict[str, Any]:
    r, f = row.ranked, row.facts
    return {
        "rank": r.rank,
        "project_id": r.project_id,
        "code": r.code,
        "title": r.title,
        "total": r.total,
        "total_percent": r.total_percent,
        "incomplete": r.incomplete,
        "missing": r.missing,
        "stage": f.stage,
        "sector": f.sector,
        "cost_total": float(f.cost_total),
        "currency": f.currency,
        "breakdown": _breakdown(r),
        "explanation": r.explanation() if explain else [],
    }


def _criteria_out(entity: Entity) -> list[dict[str, Any]]:
    return [
        {
            "key": row.criterion.key,
            "name": row.criterion.name,
            "weight": float(row.criterion.weight),
            "share": row.share,
            "higher_is_better": row.criterion.higher_is_better,
            "scale_max": float(row.criterion.scale_max),
            "scores": row.scores,
        }
        for row in selectors.criteria_table(entity=entity).rows
    ]


@router.get(
    "/investments/entities/{entity_id}/criteria",
    response=list[CriterionOut],
    summary="The entity's prioritisation criteria with their weights and shares",
    operation_id="investments_criteria_list",
)
def criteria_list(request: HttpRequest, entity_id: int) -> list[dict[str, Any]]:
    entity = _private_entity(request, entity_id, api_reader(request))
    return _criteria_out(entity)


@router.put(
    "/investments/entities/{entity_id}/criteria/{key}",
    response=CriterionOut,
    auth=token_auth,
    summary="Create or change a criterion",
    operation_id="investments_criterion_put",
)
def criterion_put(request: HttpRequest, entity_id: int, key: str, payload: CriterionIn) -> dict[str, Any]:
    """Weights are zero or positive and not all zero; the maximum score cannot fall below a score
    already given. Errors: 422 with a `detail` in Spanish."""
    entity = _private_entity(request, entity_id, request.auth)  # type: ignore[attr-defined]
    criterion = services.criterion_save(
        actor=request.auth,  # type: ignore[attr-defined]
        entity=entity,
        key=key,
        name=payload.name,
        weight=payload.weight,
        higher_is_better=payload.higher_is_better,
        scale_max=payload.scale_max,
    )
    return next(c for c in _criteria_out(entity) if c["key"] == criterion.key)


@router.delete(
    "/investments/entities/{entity_id}/criteria/{key}",
    response=CriterionDeletedOut,
    auth=token_auth,
    summary="Remove a criterion and every score on it",
    operation_id="investments_criterion_delete",
)
def criterion_remove(request: HttpRequest, entity_id: int, key: str) -> dict[str, Any]:
    entity = _private_entity(request, entity_id, request.auth)  # type: ignore[attr-defined]
    criterion = PriorityCriterion.objects.filter(entity=entity, key=key).first()
    if criterion is None:
        raise HttpError(404, _("Not found."))
    removed = services.criterion_delete(actor=request.auth, criterion=criterion)  # type: ignore[attr-defined]
    return {"key": key, "scores_removed": removed}


@router.get(
    "/investments/entities/{entity_id}/ranking",
    response=list[RankedOut],
    summary="The ranking of the entity's project bank, each project with its breakdown",
    operation_id="investments_ranking",
)
def ranking(request: HttpRequest, entity_id: int, filters: Query[RankingListQuery]) -> HttpResponse:
    """Accepted projects only, best first; ranks are counted within the filtered set. `missing`:
    `exclude` (default) leaves unscored criteria out and rescales the other shares; `zero` counts
    them as the worst value. `explain=true` adds the explanation lines of each project."""
    entity = _private_entity(request, entity_id, api_reader(request))
    try:
        rows = entity_bank_ranking(
            entity=entity,
            missing=filters.missing,
            sector=filters.sector or "",
            stage=filters.stage or "",
            plan_id=filters.plan_id,
        )
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc
    # serialised directly (orjson): a bank of thousands of projects with their breakdowns
    return json_response([_ranked_out(row, explain=filters.explain) for row in rows])


@router.get(
    "/investments/entities/{entity_id}/sensitivity",
    response=SensitivityOut,
    summary="How the ranking moves when one criterion's weight changes (nothing is saved)",
    operation_id="investments_sensitivity",
)
def sensitivity(request: HttpRequest, entity_id: int, query: Query[SensitivityQuery]) -> dict[str, Any]:
    """Give `factor` (the weight is multiplied by it) or `weight` (a new raw weight)."""
    entity = _private_entity(request, entity_id, api_reader(request))
    if (query.factor is None) == (query.weight is None):
        raise HttpError(422, _("Give either factor or weight."))
    try:
        result = selectors.bank_sensitivity(
            entity=entity,
            criterion_key=query.criterion,
            delta=None if query.factor is None else query.factor - 1.0,
            new_weight=query.weight,
            top_n=query.top_n,
            missing=query.missing,
            sector=query.sector or "",
            stage=query.stage or "",
            plan_id=query.plan_id,
        )
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc
    row = result.row
    return {
        "criterion": row.criterion_key,
        "weight_before": row.weight_before,
        "weight_after": row.weight_after,
        "share_before": row.share_before,
        "share_after": row.share_after,
        "changed_count": row.changed_count,
        "top_n": row.top_n,
        "top_changed": row.top_changed,
        "entered_top": row.entered_top,
        "left_top": row.left_top,
        "spearman": result.spearman,
        "moves": [
            {
                "project_id": m.project_id,
                "code": m.code,
                "rank_before": m.rank_before,
                "rank_after": m.rank_after,
                "change": m.change,
                "total_before": m.total_before_percent / 100,
                "total_after": m.total_after_percent / 100,
            }
            for m in result.moves
        ],
    }


@router.put(
    "/investments/projects/{project_id}/scores",
    response=ScoreSheetOut,
    auth=token_auth,
    summary="Score a project on several criteria at once (all or nothing)",
    operation_id="investments_project_scores_put",
)
def project_scores_put(request: HttpRequest, project_id: int, payload: list[ScoreIn]) -> dict[str, Any]:
    """Rows not sent are left as they are; a null or blank score clears the criterion's score. If
    any row is wrong nothing is saved: 422 with every problem in `detail` (Spanish)."""
    actor = request.auth  # type: ignore[attr-defined]
    project = project_get_for_user(project_id=project_id, user=actor)
    if project is None:
        raise HttpError(404, _("Not found."))
    changed = services.project_scores_set(
        actor=actor,
        project=project,
        rows=[services.ScoreInput(r.criterion, r.score, r.justification) for r in payload],
    )
    sheet = selectors.project_score_sheet(project=project)
    ranked = sheet.ranked
    return {
        "project_id": project.pk,
        "changed": changed,
        "total": ranked.total if ranked else None,
        "total_percent": ranked.total_percent if ranked else None,
        "incomplete": ranked.incomplete if ranked else False,
        "missing": ranked.missing if ranked else [],
        "breakdown": _breakdown(ranked) if ranked else [],
    }
