"""In Chromium, the whole investments journey of issue 5: a citizen submits an initiative; the
office accepts it, links it to an objective and scores it; it ranks first; it is moved into next
year's plan, where a ceiling is exceeded and flagged; execution is entered, and the project's
progress shows on the plan dashboard and on the map."""

from __future__ import annotations

import time
from typing import Any

import pytest

from rumbo.investments.bank import services as bank_services
from rumbo.investments.models import InvestmentLine, Project, ProjectStatus
from rumbo.investments.priorities.services import ScoreInput, criteria_suggested_adopt, project_scores_set
from rumbo.investments.programming.services import ceilings_set
from rumbo.investments.reference import funding_sources_load
from rumbo.plans.services import node_create
from rumbo.territory.models import Jurisdiction
from tests.browser.conftest import login
from tests.factories import UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SQUARE = {"type": "Polygon", "coordinates": [[[-77, -7], [-76, -7], [-76, -6], [-77, -6], [-77, -7]]]}


def _either(page: Any, role: str, spanish: str, english: str) -> Any:
    return page.get_by_role(role, name=spanish).or_(page.get_by_role(role, name=english))


def test_initiative_to_bank_to_plan_to_execution(world: Any, page: Any) -> None:
    # given an entity with its territory, a plan with an objective, the suggested prioritisation
    # matrix, another scored project in the bank, and a ceiling of 100.000 for own revenue in 2027
    planner = world.users["planner"]
    unit = UnitFactory(country="PE", code="220101", name="Moyobamba", geometry=SQUARE)
    Jurisdiction.objects.create(entity=world.entity, unit=unit)
    objective = node_create(
        actor=planner, plan=world.plan, parent=world.node, code="E1.1", title="Objetivo uno"
    )
    funding_sources_load()
    criteria_suggested_adopt(actor=planner, entity=world.entity)
    other = Project.objects.create(
        entity=world.entity,
        code="P-OTRO",
        title="Otro proyecto",
        status=ProjectStatus.ACCEPTED,
        cost_total=1000,
    )
    project_scores_set(
        actor=planner,
        project=other,
        rows=[ScoreInput(criterion=k, score="2") for k in ("gap", "alignment", "population", "readiness")],
    )
    ceilings_set(actor=planner, entity=world.entity, cells=[(2027, "own", "100000")])
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # when a citizen proposes a park, placing it on the map, and sends it after the minimum time
    page.goto(f"{page.base_url}/inversiones/entidades/{world.entity.pk}/proponer/")
    page.wait_for_selector("#initiative-map path.leaflet-interactive")
    page.fill("#id_title", "Parque del barrio")
    page.fill("#id_description", "Recuperar el terreno baldío junto al colegio")
    page.fill("#id_proposer_name", "Ana")
    page.locator("#initiative-map").click()
    time.sleep(bank_services.MIN_FILL_SECONDS)
    _either(page, "button", "Enviar la iniciativa", "Send the initiative").click()
    # then the tracking page shows it awaiting review, and it is not in the public bank yet
    page.wait_for_selector("[data-status='proposed']")
    tracking_url = page.url
    initiative = Project.objects.get(title="Parque del barrio")
    assert initiative.status == ProjectStatus.PROPOSED and initiative.location is not None

    # when the office accepts it and links it to the objective
    login(page, "planner")
    page.goto(f"{page.base_url}/inversiones/entidades/{world.entity.pk}/moderacion/")
    page.select_option(f"#decision-{initiative.pk}", "accept")
    page.select_option(f"#plan-{initiative.pk}", str(world.plan.pk))
    page.select_option(f"#nodes-{initiative.pk}", str(objective.pk))
    page.locator(f"#decision-{initiative.pk}").locator("xpath=ancestor::form").locator("button").click()
    page.wait_for_load_state()
    initiative.refresh_from_db()
    assert initiative.status == ProjectStatus.ACCEPTED
    assert list(initiative.nodes.values_list("pk", flat=True)) == [objective.pk]

    # and scores it on the six criteria (Spanish decimals accepted)
    page.goto(f"{page.base_url}/inversiones/proyectos/{initiative.pk}/puntaje/")
    for key, score in (("gap", "4,5"), ("alignment", "5"), ("population", "4"), ("cost_effectiveness", "3")):
        page.fill(f"#id_score_{key}", score)
    page.fill("#id_score_readiness", "2")
    page.fill("#id_score_risk", "1")
    _either(page, "button", "Guardar puntajes", "Save scores").click()
    page.wait_for_selector("[data-total]")
    # then its total is the weighted sum, computed by hand: shares 25/20/20/15/10/10 %,
    # values 0,9 1 0,8 0,6 0,4 and (1 − 1/5) = 0,8 → 22,5 + 20 + 16 + 9 + 4 + 8 = 79,5 %
    assert page.locator("#total [data-total]").first.get_attribute("data-total") == "79.5"

    # when the office opens the ranking, then the initiative ranks first, above the other project
    page.goto(f"{page.base_url}/inversiones/entidades/{world.entity.pk}/priorizacion/")
    row = page.locator(f"tr[data-code='{initiative.code}']")
    assert row.get_attribute("data-rank") == "1"
    assert page.locator("tr[data-code='P-OTRO']").get_attribute("data-rank") == "2"

    # when it is moved into next year's plan, created on the way, for 250.000 of own revenue
    row.get_by_role("link", name="Programar").or_(row.get_by_role("link", name="Programme")).click()
    page.check("#id_create_next")
    page.fill("#id_year", "2027")
    page.select_option("#id_source", "own")
    page.fill("#id_amount", "250.000")
    page.locator("main form button").last.click()
    # then the plan shows the new line, and the ceiling (100.000) is exceeded and flagged
    page.wait_for_selector("tr.highlighted")
    assert page.locator("#over-ceiling").is_visible()
    assert page.locator("[data-status='over']").count() == 1
    line = InvestmentLine.objects.get(project=initiative)
    assert (line.year, str(line.amount)) == (2027, "250000.00")

    # when execution is entered for a quarter
    page.goto(f"{page.base_url}/inversiones/proyectos/{initiative.pk}/ejecucion/")
    page.locator("#record-form > summary").click()
    page.fill("#id_period", "2026T3")
    page.fill("#id_programmed", "100.000")
    page.fill("#id_committed", "80.000")
    page.fill("#id_paid", "50.000")
    page.fill("#id_physical_planned", "40")
    page.fill("#id_physical_actual", "30")
    page.locator("#record-form button[type=submit]").click()
    page.wait_for_load_state()
    assert initiative.execution.count() == 1

    # then the plan dashboard shows the project's progress under its axis: 30 % physical,
    # 50.000 ÷ 100.000 = 50 % financial
    page.goto(f"{page.base_url}/seguimiento/planes/{world.plan.pk}/tablero/?periodo=2026T3")
    axis = page.locator(f"#execution-axis-{world.node.pk}")
    assert "30,0 %" in axis.locator(".figure.physical").inner_text()
    assert "50,0 %" in axis.locator(".figure.financial").inner_text()
    # and the map of the plan's projects draws it, coloured by physical progress, with its popup
    page.locator("#execution-panel a[href*='/mapa/']").click()
    page.wait_for_selector("#project-map[data-loaded='1']")
    page.locator("#colour-physical").check()
    page.locator("#project-map path.leaflet-interactive").last.click(force=True)
    assert initiative.code in page.locator(".leaflet-popup-content").inner_text()

    # and the proposer's tracking page now says it is in the bank
    page.goto(tracking_url)
    page.wait_for_selector("[data-status='accepted']")
    assert errors == []
