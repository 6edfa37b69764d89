"""In Chromium: a citizen proposes an initiative by clicking the map, follows it, and once the
office accepts it sees the public project page with its map drawn."""

from __future__ import annotations

import time
from typing import Any

import pytest

from rumbo.investments.bank import services
from rumbo.investments.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_proposes_on_the_map_and_follows_the_initiative(territory: Any, page: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    # given the entity's initiative form with its boundaries on a map
    page.goto(f"{page.base_url}/inversiones/entidades/{territory.entity.pk}/proponer/")
    page.wait_for_selector("#initiative-map path.leaflet-interactive")
    # when a citizen fills it, clicks the middle of the map and sends it (after the minimum time)
    page.fill("#id_title", "Parque lineal")
    page.fill("#id_description", "Un parque junto al río")
    page.fill("#id_proposer_name", "Ana")
    page.locator("#initiative-map").click()
    assert page.input_value("#id_latitude") != ""
    time.sleep(services.MIN_FILL_SECONDS)
    page.get_by_role("button", name="Enviar la iniciativa").or_(
        page.get_by_role("button", name="Send the initiative")
    ).click()
    # then the tracking page shows the initiative awaiting review
    page.wait_for_selector("[data-status='proposed']")
    project = Project.objects.get()
    assert project.location is not None and project.location["type"] == "Point"
    # when the office accepts it, then its public page draws the map with the location
    services.initiative_review(actor=territory.users["planner"], project=project, decision="accept")
    page.reload()
    page.locator(f"a[href='/inversiones/proyectos/{project.pk}/']").click()
    page.wait_for_selector("#project-map path.leaflet-interactive")
    assert page.locator("#project-map path.leaflet-interactive").count() >= 2  # boundary + point
    assert errors == []
