"""In Chromium: a citizen opens an accepted project's execution (chart drawn by the vendored
Vega-Lite) and the map of projects (vendored Leaflet, boundaries as background, colour toggle)."""

from __future__ import annotations

from typing import Any

import pytest

from rumbo.investments.models import ExecutionRecord, Project, ProjectStatus
from rumbo.territory.models import Jurisdiction
from tests.factories import UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SQUARE = {"type": "Polygon", "coordinates": [[[-77, -7], [-76, -7], [-76, -6], [-77, -6], [-77, -7]]]}


def test_citizen_sees_the_execution_chart_and_the_map(world: Any, page: Any) -> None:
    # given an accepted project with two quarters of execution, placed in the entity's territory
    unit = UnitFactory(country="PE", code="220101", name="Moyobamba", geometry=SQUARE)
    Jurisdiction.objects.create(entity=world.entity, unit=unit)
    project = Project.objects.create(
        entity=world.entity,
        code="P-10",
        title="Pistas",
        status=ProjectStatus.ACCEPTED,
        cost_total=1000,
        location={"type": "Point", "coordinates": [-76.5, -6.5]},
    )
    for period, end, paid, actual in (("2026T1", "2026-03-31", 50, 20), ("2026T2", "2026-06-30", 100, 45)):
        ExecutionRecord.objects.create(
            project=project,
            period=period,
            period_end=end,
            programmed=200,
            committed=150,
            paid=paid,
            physical_planned=30,
            physical_actual=actual,
        )
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    # when the citizen opens the project's execution
    page.goto(f"{page.base_url}/inversiones/proyectos/{project.pk}/ejecucion/")
    # then the chart is drawn and the financial figure opens its breakdown (150 ÷ 400 = 37,5 %)
    page.wait_for_selector("[data-vega-spec] svg")
    page.locator("#how-financial > summary").click()
    assert "37,5" in page.locator("#how-financial .how-body").inner_text()
    # when the citizen opens the map
    page.goto(f"{page.base_url}/inversiones/entidades/{world.entity.pk}/mapa/")
    page.wait_for_selector("#project-map[data-loaded='1']")
    # then the boundary and the project are drawn, and the toggle switches the legend
    assert page.locator("#project-map path.leaflet-interactive").count() >= 1
    page.locator("#colour-physical").check()
    assert page.locator("#legend-physical").is_visible() and not page.locator("#legend-stage").is_visible()
    page.locator("#project-map path.leaflet-interactive").last.click(force=True)
    assert "P-10" in page.locator(".leaflet-popup-content").inner_text()
    assert errors == []
