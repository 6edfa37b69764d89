"""The Colombian demo POT: its timeline shows the right expiries and today's revision options."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from rumbo.lifecycle.demo import lifecycle_demo_load
from rumbo.lifecycle.routes.reference import routes_load
from rumbo.lifecycle.timeline import plan_timeline
from rumbo.plans.reference import plan_types_load
from rumbo.territory.reference import reference_territories_load


@pytest.fixture
def co_demo(superuser: Any) -> Any:
    plan_types_load()
    routes_load()
    reference_territories_load(countries=["CO"])
    plan = lifecycle_demo_load(actor=superuser)
    assert plan is not None
    assert lifecycle_demo_load(actor=superuser) is None  # only once
    return plan


def test_the_demo_pot_timeline_has_the_legal_expiries_and_administrations(co_demo: Any) -> None:
    # given the demo POT adopted on 20 December 2000 (period 1998–2000)
    timeline = plan_timeline(plan=co_demo, today=datetime.date(2026, 11, 22))
    # then the content expiries follow Ley 388 art. 28 (1, 2 and 3 periods after the adoption period)
    expiries = {e.date.isoformat() for e in timeline.events if e.kind in ("expiry", "window")}
    assert {"2003-12-31", "2007-12-31", "2011-12-31", "2011-07-01"} <= expiries
    assert all(e.basis for e in timeline.events if e.kind in ("expiry", "window"))
    # and the administrations each term spans, the adoption period first
    spans = [(a.period.start.year, a.period.end.year, len(a.terms)) for a in timeline.administrations]
    assert spans == [(1998, 2000, 3), (2001, 2003, 3), (2004, 2007, 2), (2008, 2011, 1)]
    # and the plan, expired, is still in force until a new one is adopted
    assert timeline.vigencia is not None and timeline.vigencia.in_force_after_expiry
    # and today a general revision is possible, as are the other two kinds
    possible = {o.kind for o in timeline.options if o.possible_now}
    assert {"general", "exceptional_modification", "by_exception"} <= possible
    # and the events are in date order with today among them
    dates = [e.date for e in timeline.events]
    assert dates == sorted(dates) and any(e.kind == "today" for e in timeline.events)


def test_the_timeline_page_is_public_for_a_published_plan_and_shows_each_basis(co_demo: Any) -> None:
    page = Client().get(f"/ciclo/planes/{co_demo.pk}/linea-de-tiempo/").content.decode()
    assert 'data-date="2011-12-31"' in page and "Ley 388" in page
    assert "2008–2011" in page
    assert 'id="revision-options"' in page


def test_the_timeline_of_a_private_plan_is_not_found_for_outsiders(world: Any) -> None:
    assert Client().get(f"/ciclo/planes/{world.plan.pk}/linea-de-tiempo/").status_code == 404
    client = Client()
    client.force_login(world.users["observer"])
    assert client.get(f"/ciclo/planes/{world.plan.pk}/linea-de-tiempo/").status_code == 200
