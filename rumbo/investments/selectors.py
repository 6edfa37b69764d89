"""Reads of the investments module: the entity's prioritisation ranking from its stored scores."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rumbo.accounts.models import Entity
from rumbo.investments.models import PriorityCriterion, Project, ProjectScore
from rumbo.investments.prioritisation import Criterion, ProjectScores, RankedProject, rank


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
