"""Office intake: the project form and project_update check everything, show Spanish errors on
the form, save nothing on error, and audit every change before/after."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from rumbo.core.models import AuditEvent
from rumbo.investments.models import Project, ProjectYearCost
from rumbo.investments.services import project_create, project_update
from tests.investments.bank.conftest import INSIDE


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Mejoramiento del camino vecinal",
        "code": "P-100",
        "kind": "public",
        "stage": "profile",
        "sector": "transport",
        "national_code": "2345678",
        "cost_total": "1.500.000,50",
        "unit_codes": "220101",
        "latitude": "-6.05",
        "longitude": "-76.95",
        "costs-TOTAL_FORMS": "2",
        "costs-INITIAL_FORMS": "0",
        "costs-0-year": "2026",
        "costs-0-amount": "500.000",
        "costs-0-source": "own",
        "costs-1-year": "2027",
        "costs-1-amount": "1.000.000,50",
        "costs-1-source": "canon",
    }
    data.update(overrides)
    return data


@pytest.fixture
def planner(territory: Any) -> Client:
    client = Client()
    client.force_login(territory.users["planner"])
    return client


def test_the_form_saves_a_project_with_its_breakdown(territory: Any, planner: Client) -> None:
    url = f"/inversiones/entidades/{territory.entity.pk}/proyectos/nuevo/"
    page = planner.get(url).content.decode()
    assert "CUI" in page  # the national code is named as in Peru
    response = planner.post(url, _form(plan=territory.plan.pk, nodes=[territory.node.pk]))
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inversiones/proyectos/{project.pk}/"
    assert project.cost_total == Decimal("1500000.50") and project.currency == "PEN"
    assert project.location == INSIDE and project.stage == "profile"
    assert list(project.year_costs.values_list("year", "amount", "source__code")) == [
        (2026, Decimal("500000.00"), "own"),
        (2027, Decimal("1000000.50"), "canon"),
    ]
    assert list(project.nodes.all()) == [territory.node]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"cost_total": "-5"}, "cost_total"),
        ({"cost_total": "mucho"}, "cost_total"),
        ({"costs-1-amount": "900.000"}, None),  # the breakdown does not add up
        ({"unit_codes": "999999"}, "units"),
        ({"unit_codes": "150101"}, "units"),
        ({"latitude": "-16.4", "longitude": "-71.5"}, "location"),
        ({"location": "{no es json"}, "location"),
    ],
)
def test_bad_input_shows_errors_on_the_form_and_saves_nothing(
    territory: Any, planner: Client, overrides: dict[str, Any], field: str | None
) -> None:
    url = f"/inversiones/entidades/{territory.entity.pk}/proyectos/nuevo/"
    response = planner.post(url, _form(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors, "the form should show an error"
    if field in response.context["form"].fields:
        assert field in errors
    assert not Project.objects.exists() and not ProjectYearCost.objects.exists()


def _project(world: Any) -> Project:
    return project_create(
        actor=world.users["planner"],
        entity=world.entity,
        code="P-1",
        title="Camino",
        cost_total="1.000",
        year_costs=[(2026, "1.000", "own")],
        unit_codes=["220101"],
        location=INSIDE,
    )


def test_update_replaces_the_breakdown_and_audits_before_and_after(territory: Any) -> None:
    project = _project(territory)
    project_update(
        actor=territory.users["planner"],
        project=project,
        code="P-1",
        title="Camino vecinal",
        cost_total="3.000",
        year_costs=[(2026, "1.000", "own"), (2027, "2.000", "canon")],
        unit_codes=["220101"],
        location=INSIDE,
        sector="transport",
    )
    project.refresh_from_db()
    assert project.cost_total == Decimal("3000.00") and project.title == "Camino vecinal"
    assert project.year_costs.count() == 2
    event = AuditEvent.objects.filter(target_id=str(project.pk), action="updated").latest("pk")
    assert event.changes["title"] == ["Camino", "Camino vecinal"]
    assert event.changes["cost_total"] == ["1000.00", "3000.00"]
    assert event.changes["year_costs"][0] == [[2026, "1000.00", "own"]]
    assert "code" not in event.changes


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"cost_total": "-1"}, "cost_total"),
        ({"year_costs": [(2026, "999", "own")]}, "year_costs"),
        ({"year_costs": [(2026, "1.000", "oro")]}, "year_costs"),
        ({"unit_codes": ["150101"]}, "units"),
        ({"location": {"type": "Point", "coordinates": [-71.5, -16.4]}}, "location"),
    ],
)
def test_update_refuses_bad_input_and_changes_nothing(
    territory: Any, overrides: dict[str, Any], field: str
) -> None:
    project = _project(territory)
    params: dict[str, Any] = {
        "actor": territory.users["planner"],
        "project": project,
        "code": "P-1",
        "title": "Cambiado",
        "cost_total": "1.000",
        "year_costs": [(2026, "1.000", "own")],
        "unit_codes": ["220101"],
        "location": INSIDE,
    }
    params.update(overrides)
    with pytest.raises(ValidationError) as exc:
        project_update(**params)
    assert field in exc.value.message_dict
    project.refresh_from_db()
    assert project.title == "Camino" and project.year_costs.count() == 1


def test_update_refuses_a_code_used_by_another_project_but_keeps_its_own(territory: Any) -> None:
    project = _project(territory)
    project_create(
        actor=territory.users["planner"], entity=territory.entity, code="P-2", title="Otro", cost_total=0
    )
    with pytest.raises(ValidationError):
        project_update(
            actor=territory.users["planner"], project=project, code="P-2", title="x", cost_total="1.000"
        )
    project_update(
        actor=territory.users["planner"], project=project, code="P-1", title="x", cost_total="1.000"
    )


def test_only_editors_of_the_entity_update(territory: Any) -> None:
    project = _project(territory)
    for who in ("reporter", "other_admin"):
        with pytest.raises(PermissionDenied):
            project_update(actor=territory.users[who], project=project, code="P-1", title="x", cost_total=1)


def test_the_edit_form_shows_the_stored_values_and_saves(territory: Any, planner: Client) -> None:
    project = _project(territory)
    url = f"/inversiones/proyectos/{project.pk}/editar/"
    page = planner.get(url).content.decode()
    assert "Camino" in page and "1000,00" in page
    data = _form(code="P-1", title="Camino nuevo", cost_total="1.500.000,50")
    data.pop("stage")
    assert planner.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.title == "Camino nuevo" and project.stage == "idea"  # the stage is not edited here
