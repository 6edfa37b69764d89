"""The main journeys of the foundation, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from rumbo.accounts.models import Role
from rumbo.plans.models import Node, Plan
from tests.browser.conftest import login
from tests.factories import EntityFactory, MembershipFactory, PlanTypeFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def planner() -> Any:
    entity = EntityFactory(name="Municipalidad Provincial de Moyobamba")
    PlanTypeFactory(country="PE", code="PAT", name="Plan de Acondicionamiento Territorial")
    UnitFactory(country="PE", code="220101", name="Moyobamba")
    return MembershipFactory(user=UserFactory(username="ana"), entity=entity, role=Role.PLANNER).user


def test_a_planner_creates_a_plan_and_builds_its_tree(page: Any, planner: Any) -> None:
    # given a planner signed in
    login(page, "ana")
    # when she creates a plan
    page.goto(page.base_url + "/planes/nuevo/")
    page.select_option("#id_plan_type", label="PAT — Plan de Acondicionamiento Territorial")
    page.fill("#id_name", "PAT de Moyobamba 2025-2035")
    page.fill("#id_horizon_start", "2025")
    page.fill("#id_horizon_end", "2035")
    page.fill("#id_unit_codes", "220101")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('PAT de Moyobamba 2025-2035')")
    # and adds an axis
    page.click("#tree button.btn-primary")
    page.fill("#nodeform-root [name=code]", "E1")
    page.fill("#nodeform-root [name=title]", "Gestión territorial concertada")
    page.click("#nodeform-root button[type=submit]")
    axis = page.locator(".row-node[data-code='E1']")
    axis.wait_for()
    # and an objective under the axis
    axis.click()
    page.click("#tree-toolbar [data-act=add]")
    form = page.locator("form[id^=nodeform-]")
    form.locator("[name=code]").fill("E1.O1")
    form.locator("[name=title]").fill("Institucionalizar la gestión del plan")
    form.locator("button[type=submit]").click()
    objective = page.locator(".row-node[data-code='E1.O1']")
    objective.wait_for()
    # and a project under the objective, with a Spanish decimal weight
    objective.click()
    page.keyboard.press("a")  # the keyboard shortcut for "add a child" on the selected row
    form = page.locator("form[id^=nodeform-]")
    form.locator("[name=code]").fill("E1.O1.P1")
    form.locator("[name=title]").fill("Creación del Instituto de Planificación")
    form.locator("[name=weight]").fill("0,5")
    form.locator("button[type=submit]").click()
    page.locator(".row-node[data-code='E1.O1.P1']").wait_for()
    # then the tree shows all three at their depths, and so does the database
    assert page.locator(".row-node.d1[data-code='E1']").count() == 1
    assert page.locator(".row-node.d2[data-code='E1.O1']").count() == 1
    assert (
        page.locator(".row-node.d3[data-code='E1.O1.P1']").inner_text().count("Creación del Instituto") == 1
    )
    plan = Plan.objects.get(name="PAT de Moyobamba 2025-2035")
    assert list(Node.objects.filter(plan=plan).order_by("depth").values_list("code", "depth")) == [
        ("E1", 1),
        ("E1.O1", 2),
        ("E1.O1.P1", 3),
    ]
    # and a wrong entry shows a Spanish error in place, without losing the form
    page.click("#tree button.btn-primary")
    page.fill("#nodeform-root [name=code]", "E1")
    page.fill("#nodeform-root [name=title]", "Duplicado")
    page.click("#nodeform-root button[type=submit]")
    page.wait_for_selector("#nodeform-root .invalid-feedback")
    assert "ya se usa" in page.locator("#nodeform-root").inner_text()


def test_importing_a_spanish_excel_file_with_errors_shows_row_messages_and_writes_nothing(
    page: Any, planner: Any, tmp_path: Any
) -> None:
    # given a plan and a CSV as Spanish Excel saves it: semicolons, Windows-1252, decimal commas
    from rumbo.plans.services import plan_create

    plan = plan_create(
        actor=planner,
        entity=planner.memberships.first().entity,
        plan_type=PlanTypeFactory(),
        name="Plan para importar",
    )
    content = (
        "codigo;nivel;titulo;codigo_padre;peso\n"
        "E1;Eje estratégico;Gestión del territorio;;0,4\n"
        "E1.O1;Objetivo estratégico;Fortalecer la institución;E1;uno\n"
        "E1.O2;Objetivo estratégico;Objetivo huérfano;E9;0,5\n"
        "E1;Eje estratégico;Código repetido;;0,6\n"
    )
    path = tmp_path / "plan.csv"
    path.write_bytes(content.encode("cp1252"))
    login(page, "ana")
    # when she uploads it
    page.goto(page.base_url + f"/planes/{plan.pk}/importar/")
    page.set_input_files("input[type=file]", str(path))
    page.click("main button[type=submit]")
    # then the preview shows how the columns are read and the first rows, and nothing runs yet
    page.wait_for_selector("#import-preview")
    assert page.locator("#preview-encoding").inner_text() == "Windows-1252"
    assert page.locator("#map-peso").input_value() == "peso"
    assert "Fortalecer la institución" in page.locator("#preview-rows").inner_text()
    # when she confirms
    page.click("#confirm-import button[name=confirm]")
    page.wait_for_selector("#row-errors")
    # then each bad row is listed with its number and a Spanish message, and nothing was written
    errors = page.locator("#row-errors").inner_text()
    assert "3" in errors and "4" in errors and "5" in errors
    assert "E9" in errors
    assert "no se importó nada" in page.locator("#job").inner_text().lower()
    assert Node.objects.filter(plan=plan).count() == 0
