"""Projects: bad input gets clear messages and nothing is saved (issue 5, first slice)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rumbo.investments.models import Project, ProjectYearCost
from rumbo.investments.reference import funding_sources_load
from rumbo.investments.services import criterion_set, parse_amount, project_create, score_set
from rumbo.territory.models import Jurisdiction
from tests.factories import UnitFactory

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-77, -6.1], [-76.9, -6.1], [-76.9, -6.0], [-77, -6.0], [-77, -6.1]]],
}


@pytest.fixture
def territory(world: Any) -> Any:
    funding_sources_load()
    province = UnitFactory(country="PE", code="2201", name="Moyobamba", kind="province", geometry=SQUARE)
    province.path = f"/{province.pk}/"
    province.save()
    district = UnitFactory(country="PE", code="220101", name="Moyobamba", parent=province)
    district.path = f"{province.path}{district.pk}/"
    district.save()
    elsewhere = UnitFactory(country="PE", code="150101", name="Lima")
    elsewhere.path = f"/{elsewhere.pk}/"
    elsewhere.save()
    Jurisdiction.objects.create(entity=world.entity, unit=province)
    return world


def _create(world: Any, **overrides: Any) -> Project:
    params: dict[str, Any] = {
        "actor": world.users["planner"],
        "entity": world.entity,
        "code": "P-001",
        "title": "Mejoramiento del camino vecinal Moyobamba – Jepelacio",
        "cost_total": "1.500.000,00",
        "year_costs": [(2026, "500.000", "own"), (2027, "1.000.000", "canon")],
        "unit_codes": ["220101"],
        "location": {"type": "Point", "coordinates": [-76.95, -6.05]},
    }
    params.update(overrides)
    return project_create(**params)


def test_a_valid_project_is_saved_with_its_year_breakdown(territory: Any) -> None:
    project = _create(territory)
    assert project.cost_total == Decimal("1500000.00")
    assert list(
        ProjectYearCost.objects.filter(project=project).values_list("year", "amount", "source__code")
    ) == [(2026, Decimal("500000.00"), "own"), (2027, Decimal("1000000.00"), "canon")]


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"cost_total": "-5"}, "cost_total", "cero o positivos"),
        ({"cost_total": "mucho"}, "cost_total", "no es un monto"),
        ({"year_costs": [(2026, "500.000", "own"), (2027, "900.000", "own")]}, "year_costs", "suman"),
        ({"year_costs": [(2026, "1.500.000", "oro")]}, "year_costs", "oro"),
        ({"unit_codes": ["999999"]}, "units", "999999"),
        ({"unit_codes": ["150101"]}, "units", "150101"),
        ({"location": {"type": "Point", "coordinates": [-71.5, -16.4]}}, "location", "fuera"),
        ({"location": {"type": "Point", "coordinates": "x"}}, "location", "GeoJSON"),
    ],
)
def test_bad_input_is_refused_in_spanish_and_nothing_is_saved(
    territory: Any, overrides: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(territory, **overrides)
    messages = " ".join(exc.value.message_dict[field])
    assert words.lower() in messages.lower(), messages
    assert not Project.objects.exists() and not ProjectYearCost.objects.exists()


def test_every_problem_is_reported_at_once(territory: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        _create(territory, code="", cost_total="-1", unit_codes=["999999"])
    assert {"code", "cost_total", "units"} <= set(exc.value.message_dict)


def test_a_duplicate_code_is_refused(territory: Any) -> None:
    _create(territory)
    with pytest.raises(ValidationError):
        _create(territory)
    assert Project.objects.count() == 1


def test_only_planners_and_administrators_create_projects(territory: Any) -> None:
    for role in ("reporter", "observer", "other_admin"):
        with pytest.raises(PermissionDenied):
            _create(territory, actor=territory.users[role])


@pytest.mark.parametrize(
    "raw, expected", [("1.234.567,50", "1234567.50"), ("1,234,567.50", "1234567.50"), (10, "10.00")]
)
def test_amounts_accept_spanish_and_english_separators(raw: Any, expected: str) -> None:
    assert parse_amount(raw, field="x") == Decimal(expected)


def test_scores_stay_within_the_criterion_scale(territory: Any) -> None:
    project = _create(territory)
    criterion = criterion_set(
        actor=territory.users["planner"],
        entity=territory.entity,
        key="brecha",
        name="Brecha cerrada",
        weight="3",
    )
    assert score_set(
        actor=territory.users["planner"],
        project=project,
        criterion=criterion,
        score="4,5",
        justification="Cierra la brecha de acceso vial",
    ).score == Decimal("4.50")
    with pytest.raises(ValidationError):
        score_set(actor=territory.users["planner"], project=project, criterion=criterion, score="7")


def test_the_ranking_reads_stored_criteria_and_scores(territory: Any) -> None:
    from rumbo.investments.selectors import entity_ranking

    actor = territory.users["planner"]
    road = _create(territory)
    school = _create(
        territory,
        code="P-002",
        title="Institución educativa",
        year_costs=[(2026, "1.500.000", "own")],
        location=None,
    )
    gap = criterion_set(actor=actor, entity=territory.entity, key="brecha", name="Brecha cerrada", weight="3")
    cost = criterion_set(
        actor=actor, entity=territory.entity, key="costo", name="Costo", weight="1", higher_is_better=False
    )
    score_set(actor=actor, project=road, criterion=gap, score="4")
    score_set(actor=actor, project=road, criterion=cost, score="4")
    score_set(actor=actor, project=school, criterion=gap, score="3")
    score_set(actor=actor, project=school, criterion=cost, score="1")
    ranking = entity_ranking(entity=territory.entity)
    # road: 0.75 × 4/5 + 0.25 × (1 − 4/5) = 0.65; school: 0.75 × 3/5 + 0.25 × (1 − 1/5) = 0.65 → a tie
    assert [(r.code, r.rank, round(r.total, 4)) for r in ranking] == [("P-001", 1, 0.65), ("P-002", 1, 0.65)]
    score_set(actor=actor, project=school, criterion=gap, score="3,5")
    ranking = entity_ranking(entity=territory.entity)
    assert [(r.code, r.rank) for r in ranking] == [("P-002", 1), ("P-001", 2)]
    assert abs(sum(item.contribution for item in ranking[0].breakdown) - ranking[0].total) < 1e-9
