"""Pages and API of execution: the project page, evidence, the map, the dashboard panel."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.investments.execution.services import project_evidence_add
from rumbo.investments.models import ExecutionRecord, Project, ProjectMilestone, ProjectStatus
from rumbo.territory.models import Jurisdiction
from tests.factories import UnitFactory

SQUARE = {"type": "Polygon", "coordinates": [[[-77, -7], [-76, -7], [-76, -6], [-77, -6], [-77, -7]]]}


@pytest.fixture
def project(world: Any) -> Project:
    project = Project.objects.create(
        entity=world.entity,
        plan=world.public_plan,
        code="P-10",
        title="Pistas y veredas",
        status=ProjectStatus.ACCEPTED,
        cost_total=1000,
        stage="execution",
    )
    project.nodes.set([world.public_plan.nodes.get()])
    ExecutionRecord.objects.create(
        project=project,
        period="2026T1",
        period_end="2026-03-31",
        programmed=200,
        committed=150,
        paid=50,
        physical_planned=30,
        physical_actual=20,
    )
    return project


def test_the_public_sees_the_execution_of_an_accepted_project_with_its_breakdowns(
    world: Any, project: Project
) -> None:
    # given an overdue milestone
    ProjectMilestone.objects.create(project=project, name="Expediente", due_on=datetime.date(2020, 1, 1))
    # when anyone opens the page
    response = Client().get(f"/inversiones/proyectos/{project.pk}/ejecucion/")
    # then financial execution 50 / 200 = 25 %, gap 20 − 30 = −10, the milestone is flagged, no forms
    page = response.content.decode()
    assert response.status_code == 200
    row = response.context["execution"].rows[0]
    assert str(row.financial) == "25.0" and str(row.commitment) == "75.0" and row.gap == -10
    assert 'class="table-danger overdue"' in page and 'id="record-form"' not in page
    assert 'data-vega-spec="execution-chart-spec"' in page and 'id="chart-data"' in page


def test_a_private_project_is_not_found_for_the_public(world: Any) -> None:
    private = Project.objects.create(entity=world.entity, code="I-1", title="Iniciativa", status="proposed")
    assert Client().get(f"/inversiones/proyectos/{private.pk}/ejecucion/").status_code == 404


def test_a_reporter_records_a_period_and_sees_the_warning(world: Any, project: Project) -> None:
    client = Client()
    client.force_login(world.users["reporter"])
    url = f"/inversiones/proyectos/{project.pk}/ejecucion/registrar/"
    # when paid exceeds committed: the form comes back with the message, nothing saved
    bad = client.post(url, {"period": "2026T2", "programmed": "100", "committed": "10", "paid": "20"})
    assert bad.status_code == 200 and bad.context["record_form"].errors["paid"]
    assert not ExecutionRecord.objects.filter(period="2026T2").exists()
    # when committed exceeds programmed: saved, with a warning
    good = client.post(
        url,
        {"period": "2026T2", "programmed": "100", "committed": "120", "paid": "20", "physical_actual": "25"},
        follow=True,
    )
    assert ExecutionRecord.objects.filter(period="2026T2").exists()
    assert any(m.level_tag == "warning" for m in good.context["messages"])


def test_evidence_files_follow_the_project_visibility(world: Any, project: Project) -> None:
    # given a photo of a private project
    private = Project.objects.create(entity=world.entity, code="I-1", title="Iniciativa", status="proposed")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    hidden = project_evidence_add(
        actor=world.users["reporter"], project=private, upload=SimpleUploadedFile("f.png", png)
    )
    shown = project_evidence_add(
        actor=world.users["reporter"], project=project, upload=SimpleUploadedFile("f.png", png)
    )
    # then the public gets the accepted project's photo only, served with its sniffed type
    response = Client().get(f"/inversiones/evidencias-ejecucion/{shown.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Client().get(f"/inversiones/evidencias-ejecucion/{hidden.pk}/").status_code == 404
    member = Client()
    member.force_login(world.users["observer"])
    assert member.get(f"/inversiones/evidencias-ejecucion/{hidden.pk}/").status_code == 200


def test_the_plan_dashboard_shows_the_execution_panel(world: Any, project: Project) -> None:
    response = Client().get(f"/seguimiento/planes/{world.public_plan.pk}/tablero/?periodo=2026T2")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="execution-panel"' in page
    assert f"/inversiones/proyectos/{project.pk}/ejecucion/" in page
    assert f"/inversiones/entidades/{world.entity.pk}/mapa/?plan={world.public_plan.pk}" in page


def test_the_map_places_projects_and_marks_approximate_ones(world: Any, project: Project) -> None:
    # given the entity's boundary, a project with a point and one known only by its unit
    unit = UnitFactory(country="PE", code="220101", name="Moyobamba", geometry=SQUARE)
    Jurisdiction.objects.create(entity=world.entity, unit=unit)
    project.location = {"type": "Point", "coordinates": [-76.5, -6.5]}
    project.save()
    by_unit = Project.objects.create(entity=world.entity, code="P-11", title="Posta", status="accepted")
    by_unit.units.set([unit])
    Project.objects.create(entity=world.entity, code="P-12", title="Sin lugar", status="accepted")
    Project.objects.create(
        entity=world.entity, code="I-9", title="Privado", status="proposed", location=SQUARE
    )
    # when
    data = Client().get(f"/inversiones/entidades/{world.entity.pk}/mapa.geojson").json()
    # then
    features = {f["properties"]["code"]: f for f in data["projects"]["features"]}
    assert set(features) == {"P-10", "P-11"}
    assert features["P-10"]["properties"]["physical"] == 20.0
    assert features["P-11"]["properties"]["approximate"] is True
    assert features["P-11"]["geometry"]["coordinates"] == [-76.5, -6.5]
    assert len(data["boundaries"]["features"]) == 1
    page = Client().get(f"/inversiones/entidades/{world.entity.pk}/mapa/").content.decode()
    assert "Sin lugar" in page and "Privado" not in page


def test_the_api_reads_and_writes_execution(world: Any, project: Project) -> None:
    _token, raw = api_token_create(actor=world.users["reporter"], name="t")
    headers = {"Authorization": f"Bearer {raw}"}
    client = Client()
    # when a period is written with a token
    response = client.put(
        f"/api/v1/investments/projects/{project.pk}/execution/2026T2",
        data={"programmed": "1.000,50", "committed": "900", "paid": "950"},
        content_type="application/json",
        headers=headers,
    )
    # then paid above committed is refused
    assert response.status_code == 422
    response = client.put(
        f"/api/v1/investments/projects/{project.pk}/execution/2026T2",
        data={"programmed": "1.000,50", "committed": "900", "paid": "450", "physical_actual": 40},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200
    records = response.json()["records"]
    assert [r["period"] for r in records] == ["2026T1", "2026T2"]
    assert records[1]["programmed"] == "1000.50"
    # and the plan's roll-up as of T2: physical 40 %, financial (50 + 450) / (200 + 1000.50) = 41.6 %
    rollup = client.get(f"/api/v1/investments/plans/{world.public_plan.pk}/execution?period=2026T2").json()
    axis = next(n for n in rollup["nodes"] if n["is_axis"])
    assert axis["physical_percent"] == "40.0" and axis["financial_percent"] == "41.6"
    assert axis["breakdown"][0]["code"] == "P-10"
    assert (
        client.get(f"/api/v1/investments/plans/{world.public_plan.pk}/execution?period=2026T9").status_code
        == 422
    )
