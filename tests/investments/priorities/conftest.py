"""A hand-made prioritisation case on the shared `world`: criteria weighing 3/2/1 (shares 50 %,
33.3 %, 16.7 %; cost is lower-is-better, all on 0–5) and projects whose totals are worked out by
hand next to each one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from rumbo.investments.models import PriorityCriterion, Project, ProjectStatus
from rumbo.investments.priorities.services import ScoreInput, criterion_save, project_scores_set

SCORES: dict[str, dict[str, float]] = {
    # code: scores                                  exclude-missing total      missing counted as 0
    "A": {"impact": 5, "alignment": 5, "cost": 0},  # 0.5 + 0.3333 + 0.1667 = 100 %
    "B": {"impact": 4, "alignment": 3, "cost": 2},  # 0.4 + 0.2 + 0.1 = 70 %
    "C": {"impact": 2, "alignment": 2, "cost": 5},  # 0.2 + 0.1333 + 0 = 33.3 %
    "D": {"impact": 4},  # only impact: 4/5 = 80 % (shares rescaled) |  0.5 × 0.8 = 40 %
    "E": {"impact": 3, "alignment": 4, "cost": 1},  # 0.3 + 0.2667 + 0.1333 = 70 % (ties with B)
}


@dataclass
class Bank:
    world: Any
    criteria: dict[str, PriorityCriterion]
    projects: dict[str, Project]


def make_criteria(world: Any) -> dict[str, PriorityCriterion]:
    actor = world.users["planner"]
    return {
        key: criterion_save(
            actor=actor, entity=world.entity, key=key, name=name, weight=weight, higher_is_better=higher
        )
        for key, name, weight, higher in [
            ("impact", "Brecha que cierra", 3, True),
            ("alignment", "Alineación", 2, True),
            ("cost", "Costo", 1, False),
        ]
    }


def make_project(world: Any, code: str, status: str = ProjectStatus.ACCEPTED, **fields: Any) -> Project:
    return Project.objects.create(
        entity=world.entity, code=code, title=f"Proyecto {code}", status=status, **fields
    )


def score(world: Any, project: Project, scores: Mapping[str, float]) -> None:
    project_scores_set(
        actor=world.users["planner"],
        project=project,
        rows=[ScoreInput(key, value, f"Sustento {key}") for key, value in scores.items()],
    )


@pytest.fixture
def bank(world: Any) -> Bank:
    criteria = make_criteria(world)
    projects = {}
    for code, scores in SCORES.items():
        projects[code] = make_project(world, code, cost_total=1000 * (ord(code) - 64), stage="profile")
        score(world, projects[code], scores)
    # not in the bank, though scored at the top: they must never be ranked
    for code, status in [
        ("P", ProjectStatus.PROPOSED),
        ("R", ProjectStatus.REJECTED),
        ("W", ProjectStatus.WITHDRAWN),
    ]:
        projects[code] = make_project(world, code, status=status)
        score(world, projects[code], {"impact": 5, "alignment": 5, "cost": 0})
    return Bank(world=world, criteria=criteria, projects=projects)
