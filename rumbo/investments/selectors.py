"""Reads of the investments module: the entity's prioritisation ranking from its stored scores."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rumbo.accounts.models import Entity
from rumbo.investments.models import PriorityCriterion, Project, ProjectScore, ProjectStatus
from rumbo.investments.prioritisation import Criterion, MissingRule, ProjectScores, RankedProject, rank


def entity_criteria(*, entity: Entity) -> list[Criterion]:
    return [
        Criterion(
            key=c.key,
            name=c.name,
            weight=c.weight,
            higher_is_better=c.higher_is_better,
            scale_max=float(c.scale_max),
        )
        for c in PriorityCriterion.objects.filter(entity=entity).order_by("key")
    ]


def entity_ranking(*, entity: Entity, missing: Any = "exclude") -> list[RankedProject]:
    """The entity's projects ranked by the weighted, normalised scores of its criteria (three
    queries); each result carries its breakdown. Missing scores are left out by default."""
    criteria = entity_criteria(entity=entity)
    if not criteria:
        return []
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    notes: dict[int, dict[str, str]] = defaultdict(dict)
    for project_id, key, score, justification in ProjectScore.objects.filter(
        project__entity=entity
    ).values_list("project_id", "criterion__key", "score", "justification"):
        scores[project_id][key] = float(score)
        notes[project_id][key] = justification
    projects = [
        ProjectScores(project_id=pk, code=code, title=title, scores=scores[pk], justifications=notes[pk])
        for pk, code, title in Project.objects.filter(entity=entity).values_list("pk", "code", "title")
    ]
    return rank(projects, criteria, missing=missing)


@dataclass(frozen=True, slots=True)
class BankProjectFacts:
    """What a ranking shows of a project besides its score: stage, sector, cost, plan."""

    project_id: int
    code: str
    title: str
    status: str
    stage: str
    sector: str
    cost_total: Decimal
    currency: str
    plan_id: int | None


@dataclass(frozen=True, slots=True)
class BankScores:
    """The inputs of the prioritisation engine for a set of the entity's projects."""

    criteria: list[Criterion]
    projects: list[ProjectScores]
    facts: dict[int, BankProjectFacts]


@dataclass(frozen=True, slots=True)
class BankRankingRow:
    """One ranked project with its breakdown (``ranked``) and its facts."""

    ranked: RankedProject
    facts: BankProjectFacts


def entity_bank_scores(
    *,
    entity: Entity,
    statuses: Iterable[str] = (ProjectStatus.ACCEPTED,),
    sector: str = "",
    stage: str = "",
    plan_id: int | None = None,
) -> BankScores:
    """The criteria and the stored scores of the entity's projects in `statuses` (the public bank by
    default), optionally only of one sector, stage or plan (three queries)."""
    criteria = entity_criteria(entity=entity)
    projects_qs = Project.objects.filter(entity=entity, status__in=list(statuses))
    if sector:
        projects_qs = projects_qs.filter(sector=sector)
    if stage:
        projects_qs = projects_qs.filter(stage=stage)
    if plan_id is not None:
        projects_qs = projects_qs.filter(plan_id=plan_id)
    facts = {
        row[0]: BankProjectFacts(*row)
        for row in projects_qs.values_list(
            "pk", "code", "title", "status", "stage", "sector", "cost_total", "currency", "plan_id"
        )
    }
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    notes: dict[int, dict[str, str]] = defaultdict(dict)
    if criteria and facts:
        for project_id, key, score, justification in ProjectScore.objects.filter(
            project__in=projects_qs, criterion__entity=entity
        ).values_list("project_id", "criterion__key", "score", "justification"):
            scores[project_id][key] = float(score)
            notes[project_id][key] = justification
    projects = [
        ProjectScores(project_id=pk, code=f.code, title=f.title, scores=scores[pk], justifications=notes[pk])
        for pk, f in facts.items()
    ]
    return BankScores(criteria=criteria, projects=projects, facts=facts)


def entity_bank_ranking(
    *,
    entity: Entity,
    missing: MissingRule = "exclude",
    statuses: Iterable[str] = (ProjectStatus.ACCEPTED,),
    sector: str = "",
    stage: str = "",
    plan_id: int | None = None,
) -> list[BankRankingRow]:
    """The entity's projects in `statuses` (accepted ones by default: proposed, rejected and
    withdrawn projects are not in the bank) ranked best first, each with its breakdown and facts.

    Ranks are computed within the chosen set; raises ``ValueError`` when the engine refuses the
    matrix (all weights zero, a stored score outside its scale). No criteria → empty list.
    """
    data = entity_bank_scores(entity=entity, statuses=statuses, sector=sector, stage=stage, plan_id=plan_id)
    if not data.criteria:
        return []
    return [
        BankRankingRow(ranked=r, facts=data.facts[r.project_id])
        for r in rank(data.projects, data.criteria, missing=missing)
    ]
