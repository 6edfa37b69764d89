"""Issue 12's journey: a technical secretary convenes a meeting, records attendance, drafts the
minutes, which the president approves; she registers an agreement tied to a project; it is
overdue, and shows on the dashboard and in the axis report; a general indicator updates."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from rumbo.accounts.models import Role
from rumbo.governance import services
from rumbo.governance.models import Agreement, Meeting, MemberRole, MemberSector
from rumbo.indicators.models import Measurement
from rumbo.indicators.sheets.services import catalogue_adopt
from rumbo.investments.models import Project
from rumbo.plans.services import node_create, plan_create
from tests.browser.conftest import login
from tests.factories import EntityFactory, MembershipFactory, PlanTypeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def roundtable() -> dict[str, Any]:
    entity = EntityFactory(name="Municipalidad Provincial de Moyobamba")
    admin = UserFactory(username="jefa", is_superuser=True)
    secretary = MembershipFactory(user=UserFactory(username="sofia"), entity=entity, role=Role.PLANNER).user
    president = UserFactory(username="ramon", first_name="Ramón", last_name="Alcalde")
    plan = plan_create(actor=admin, entity=entity, plan_type=PlanTypeFactory(), name="PAT de Moyobamba")
    axis = node_create(actor=admin, plan=plan, parent=None, code="E1", title="Gestión territorial concertada")
    project = Project.objects.create(entity=entity, code="PI-001", title="Mejoramiento de la vía vecinal")
    body = services.body_create(
        actor=admin,
        entity=entity,
        plan=plan,
        kind="citizen_roundtable",
        name="Mesa de Concertación Ciudadana",
    )
    joined = datetime.date(2025, 1, 1)
    services.member_add(actor=admin, body=body, user=secretary, name="Sofía Ríos", role=MemberRole.TECHNICAL_SECRETARY,
                        joined_on=joined)  # fmt: skip
    services.member_add(actor=admin, body=body, user=president, name="Ramón Alcalde", role=MemberRole.PRESIDENT,
                        joined_on=joined)  # fmt: skip
    for name, org in (("Ana Paz", "Frente de Defensa"), ("Eva Luna", "Club de Madres")):
        services.member_add(actor=admin, body=body, name=name, organisation=org, sector=MemberSector.CIVIL_SOCIETY,
                            joined_on=joined)  # fmt: skip
    catalogue_adopt(actor=admin, plan=plan, keys=["CON-01"])
    return {"plan": plan, "axis": axis, "project": project, "body": body}


def test_a_meeting_its_minutes_and_an_overdue_agreement_reach_the_dashboard_report_and_indicator(
    page: Any, roundtable: dict[str, Any], tmp_path: Any
) -> None:
    plan, axis, project, body = (roundtable[k] for k in ("plan", "axis", "project", "body"))
    today = timezone.localdate()
    day = max(today - datetime.timedelta(days=1), datetime.date(today.year, 1, 1))
    yesterday = today - datetime.timedelta(days=1)
    signed = tmp_path / "lista-firmada.pdf"
    signed.write_bytes(PDF)

    # given the technical secretary signed in, when she convenes a meeting of the roundtable
    login(page, "sofia")
    page.goto(f"{page.base_url}/gobernanza/organos/{body.pk}/")
    page.click("#meeting-form summary")
    page.fill("#meeting-form [name=title]", "Sesión ordinaria de la mesa")
    hours = ("10:00", "12:00") if day < today else ("00:00", "00:30")  # on 1 January: early today
    page.fill("#meeting-form [name=starts_at]", f"{day.isoformat()}T{hours[0]}")
    page.fill("#meeting-form [name=ends_at]", f"{day.isoformat()}T{hours[1]}")
    page.fill("#meeting-form [name=place]", "Auditorio municipal")
    page.click("#convene")
    page.wait_for_selector("#attendance-form")
    meeting = Meeting.objects.get(body=body)

    # and records who attended (three of four voting members) with the signed list
    seats = {m.name: m.pk for m in body.members.all()}
    for name in ("Sofía Ríos", "Ramón Alcalde", "Ana Paz"):
        page.select_option(f"#attendance-form [name=member-{seats[name]}]", "present")
    page.set_input_files("#attendance-form [name=attendance_list]", str(signed))
    page.click("#save-attendance")
    page.wait_for_selector("#quorum.text-success")
    assert "3" in page.locator("#quorum").inner_text()

    # and drafts the minutes
    page.fill(
        "#minutes-form [name=text]",
        "Se instaló la mesa. Se acordó gestionar el expediente técnico de la vía.",
    )
    page.click("#save-minutes")
    page.wait_for_selector("#minutes")

    # and registers an agreement tied to the project, due yesterday
    page.click("#agreement-form summary")
    page.fill("#agreement-form [name=text]", "Gestionar el expediente técnico de la vía vecinal")
    page.select_option("#agreement-form [name=owner]", label="Ana Paz · Miembro")
    page.fill("#agreement-form [name=due_date]", yesterday.isoformat())
    page.select_option("#agreement-form [name=projects]", str(project.pk))
    page.select_option("#agreement-form [name=nodes]", str(axis.pk))
    page.click("#save-agreement")
    page.wait_for_selector("#meeting-agreements")
    agreement = Agreement.objects.get(meeting=meeting)
    assert list(agreement.projects.all()) == [project]
    page.click("form[action$='/salir/'] button")

    # then the president approves the minutes, which lock
    login(page, "ramon")
    page.goto(f"{page.base_url}/gobernanza/reuniones/{meeting.pk}/")
    page.click("#approve-form summary")
    page.select_option("#approve-form [name=approval]", "by_president")
    page.click("#approve-minutes")
    page.wait_for_selector("#minutes-locked")
    assert page.locator("#minutes-form").count() == 0
    page.click("form[action$='/salir/'] button")

    # and the overdue agreement is on the plan's dashboard
    login(page, "sofia")
    page.goto(f"{page.base_url}/seguimiento/planes/{plan.pk}/tablero/")
    panel = page.locator("#agreements-panel")
    assert "Gestionar el expediente técnico" in panel.inner_text()

    # and in the axis report's PDF, marked overdue
    page.goto(f"{page.base_url}/informes/planes/{plan.pk}/")
    page.select_option("#report-form [name=node]", str(axis.pk))
    page.fill("#report-form [name=period_from]", str(today.year))
    page.fill("#report-form [name=period_to]", str(today.year))
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#generate")
    page.click("#generate")
    page.wait_for_selector("[data-status=succeeded]", timeout=60_000)
    from rumbo.reports.models import ReportVersion

    version = ReportVersion.objects.latest("pk")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(version.pdf.read())).pages)
    assert "Gestionar el expediente" in " ".join(text.split()) and "Vencido" in text

    # and the general indicator of roundtable meetings takes the meeting from the record
    page.goto(f"{page.base_url}/gobernanza/planes/{plan.pk}/indicadores-generales/")
    row = page.locator("#general-indicators tr[data-key='CON-01']")
    assert row.locator(".figure").inner_text().strip() == "1"
    page.click("#update-general")
    page.wait_for_selector("#general-indicators")
    m = Measurement.objects.get(indicator__plan=plan, indicator__catalogue_key="CON-01", is_current=True)
    assert m.value == 1 and m.status == "submitted" and m.evidence.count() == 1
