"""Issue 3's journey: a value is reported with evidence, returned, approved; the axis progress
changes and explains itself; the axis report's PDF carries the new value."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from rumbo.accounts.models import Role
from rumbo.indicators.models import Indicator, Measurement, Target
from rumbo.indicators.periods import period_get_or_create
from rumbo.plans.services import node_create, plan_create
from tests.browser.conftest import login
from tests.factories import EntityFactory, MembershipFactory, PlanTypeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def plan_with_indicator() -> Any:
    entity = EntityFactory(name="Municipalidad Provincial de Moyobamba")
    admin = UserFactory(username="jefa", is_superuser=True)
    reporter = MembershipFactory(user=UserFactory(username="rosa"), entity=entity, role=Role.REPORTER).user
    MembershipFactory(user=UserFactory(username="aldo"), entity=entity, role=Role.APPROVER)
    plan = plan_create(actor=admin, entity=entity, plan_type=PlanTypeFactory(), name="PAT de Moyobamba")
    axis = node_create(actor=admin, plan=plan, parent=None, code="E1", title="Gestión territorial concertada")
    objective = node_create(
        actor=admin, plan=plan, parent=axis, code="E1.1", title="Institucionalizar la gestión"
    )
    indicator = Indicator.objects.create(
        plan=plan,
        node=objective,
        code="IND-01",
        name="Municipalidades con oficina de ordenamiento territorial",
        unit="number",
        periodicity="quarterly",
        direction="increasing",
        baseline_value=Decimal("1"),
    )
    Target.objects.create(indicator=indicator, period=period_get_or_create("2025T3"), value=Decimal("5"))
    return {"plan": plan, "axis": axis, "indicator": indicator, "reporter": reporter}


def test_a_value_goes_from_report_to_approval_to_progress_to_the_axis_report(
    page: Any, plan_with_indicator: dict[str, Any], tmp_path: Any
) -> None:
    plan, axis, indicator = (
        plan_with_indicator["plan"],
        plan_with_indicator["axis"],
        plan_with_indicator["indicator"],
    )
    dashboard = f"{page.base_url}/seguimiento/planes/{plan.pk}/tablero/?periodo=2025T3"
    evidence = tmp_path / "acta-de-instalacion.pdf"
    evidence.write_bytes(PDF)

    # given the axis has no data yet
    login(page, "aldo")
    page.goto(dashboard)
    assert page.locator(f"#axis-{axis.pk} .figure").inner_text().strip() == "sin datos"
    page.click("nav form[action*='salir'] button, form[action$='/salir/'] button")

    # when a reporter enters 4 municipalities with a PDF as evidence and submits it
    login(page, "rosa")
    page.goto(f"{page.base_url}/seguimiento/indicadores/{indicator.pk}/mediciones/nueva/")
    page.fill("#measurement-form [name=period]", "2025T3")
    page.fill("#measurement-form [name=value]", "4")
    page.set_input_files("#measurement-form [name=evidence_file]", str(evidence))
    page.click("#save-submit")
    page.wait_for_selector("#measurement-value")
    measurement = Measurement.objects.get(indicator=indicator, is_current=True)
    assert measurement.status == "submitted" and measurement.evidence.count() == 1
    page.click("form[action$='/salir/'] button")

    # and an approver returns it with a comment
    login(page, "aldo")
    page.goto(f"{page.base_url}/seguimiento/mediciones/{measurement.pk}/")
    page.fill("#return-form textarea", "Adjunte el acta firmada por los alcaldes.")
    page.click("#return-form button[type=submit]")
    page.wait_for_selector("#return-comment")
    measurement.refresh_from_db()
    assert measurement.status == "returned"
    page.click("form[action$='/salir/'] button")

    # and the reporter submits it again
    login(page, "rosa")
    page.goto(f"{page.base_url}/seguimiento/mediciones/{measurement.pk}/")
    page.click("#submit-form button")
    page.wait_for_selector("#measurement-value")
    page.click("form[action$='/salir/'] button")

    # and the approver approves it
    login(page, "aldo")
    page.goto(f"{page.base_url}/seguimiento/mediciones/{measurement.pk}/")
    page.click("#approve-form button")
    page.wait_for_selector("#measurement-value")
    measurement.refresh_from_db()
    assert measurement.status == "approved"

    # then the axis progress is 4 of 5 = 80 %, and its breakdown says why
    page.goto(dashboard)
    figure = page.locator(f"#axis-{axis.pk} .figure")
    assert figure.inner_text().strip().replace("\xa0", " ") in ("80,0 %", "80.0 %")
    page.locator(f"#axis-{axis.pk} details summary").click()
    breakdown = page.locator(f"#axis-{axis.pk} details").inner_text()
    assert "E1.1" in breakdown and "80" in breakdown

    # and the quarterly report of the axis, written by the reporting office and generated from the
    # data, carries the value in its PDF
    page.click("form[action$='/salir/'] button")
    login(page, "rosa")
    page.goto(f"{page.base_url}/informes/planes/{plan.pk}/")
    page.select_option("#report-form [name=node]", str(axis.pk))
    page.fill("#report-form [name=period_from]", "2025T3")
    page.fill("#report-form [name=period_to]", "2025T3")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#generate")
    page.click("#generate")
    page.wait_for_selector("[data-status=succeeded]", timeout=60_000)
    from rumbo.reports.models import ReportVersion

    version = ReportVersion.objects.latest("pk")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(version.pdf.read())).pages)
    assert "IND-01" in text
    assert "80" in text and "4" in text
