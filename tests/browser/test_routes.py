"""A planner walks a Colombian plan along the FCM route in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rumbo.accounts.models import Role
from rumbo.lifecycle.routes.models import PlanStepState, StepFile
from rumbo.lifecycle.routes.reference import routes_load
from rumbo.plans.services import plan_create
from tests.browser.conftest import login
from tests.factories import EntityFactory, MembershipFactory, PlanTypeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def co_plan() -> Any:
    routes_load()
    entity = EntityFactory(name="Alcaldía de Villa de Leyva", country="CO")
    planner = MembershipFactory(user=UserFactory(username="camila"), entity=entity, role=Role.PLANNER).user
    plan_type = PlanTypeFactory(country="CO", code="EOT", name="Esquema de Ordenamiento Territorial")
    return plan_create(actor=planner, entity=entity, plan_type=plan_type, name="EOT de Villa de Leyva")


def _walk_step(page: Any, code: str, pdf: Path) -> None:
    """Open a step from the route page, set it in progress, upload a PDF and mark it done."""
    href = page.locator(f"details.phase[data-code='{code}'] a[href*='/ciclo/pasos/']").first.get_attribute(
        "href"
    )
    page.goto(page.base_url + href)
    page.select_option("#id_status", "in_progress")
    page.click("#step-form button[type=submit]")
    page.wait_for_selector("h1 + span.badge[data-status='in_progress']")
    page.set_input_files("#step-file-form input[type=file]", str(pdf))
    page.click("#step-file-form button[type=submit]")
    page.wait_for_selector(f"#step-files a:has-text('{pdf.name}')")
    page.select_option("#id_status", "done")
    page.click("#step-form button[type=submit]")
    page.wait_for_selector("h1 + span.badge[data-status='done']")
    page.click("#back-to-route")
    page.wait_for_selector("#route-progress")


def test_a_planner_walks_two_steps_of_the_fcm_route(page: Any, co_plan: Any, tmp_path: Path) -> None:
    pdf = tmp_path / "vigencia-del-eot.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n")
    # given a planner signed in, on her plan
    login(page, "camila")
    page.goto(page.base_url + f"/planes/{co_plan.pk}/")
    page.wait_for_selector("h1:has-text('EOT de Villa de Leyva')")
    # when she starts the FCM route
    page.goto(page.base_url + f"/ciclo/planes/{co_plan.pk}/ruta/")
    page.select_option(
        "#id_route",
        label="Ruta para la revisión, ajuste e implementación de los POT — Federación Colombiana de Municipios (2019)",
    )
    page.click("main button[type=submit]")
    page.wait_for_selector("#route-progress")
    assert page.inner_text("#route-progress") == "0%"
    # the guidance of the current phase shows the FCM's difficulties and challenge
    assert "Apropiarse del POT" in page.inner_text("details.phase[data-code='C1']")
    # and walks the municipal context: 1 of 14 steps
    _walk_step(page, "C1", pdf)
    assert page.inner_text("#route-progress") == "7%"
    # and the decision to revise: 2 of 14 steps
    _walk_step(page, "C2", pdf)
    assert page.inner_text("#route-progress") == "14%"
    # then both are done in the database, each with its deliverable
    done = PlanStepState.objects.filter(plan_route__plan=co_plan, status="done")
    assert sorted(done.values_list("step__code", flat=True)) == ["C1", "C2"]
    assert StepFile.objects.filter(state__in=done).count() == 2
