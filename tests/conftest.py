"""Shared fixtures: a small world with two entities (tenants), people in every role, and plans."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from rumbo.accounts.models import Entity, Role
from rumbo.plans.models import Node, Plan
from rumbo.plans.services import node_create, plan_create
from tests.factories import EntityFactory, MembershipFactory, PlanTypeFactory, UserFactory


@pytest.fixture(autouse=True)
def spanish() -> Any:
    """Tests read messages as a Spanish-speaking user does."""
    with translation.override("es"):
        yield


@pytest.fixture
def superuser(db: Any) -> Any:
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@dataclass
class World:
    entity: Entity
    other_entity: Entity
    users: dict[str, Any]  # role → user of `entity`; plus "other_admin", "outsider", "overseer"
    plan: Plan  # private plan of `entity`
    public_plan: Plan  # published plan of `entity`
    other_plan: Plan  # private plan of `other_entity`
    node: Node  # a node of `plan`
    other_node: Node  # a node of `other_plan`


@pytest.fixture
def world(db: Any, superuser: Any) -> World:
    entity = EntityFactory(name="Municipalidad Provincial de Prueba", kind="provincial_municipality")
    other = EntityFactory(name="Municipalidad Ajena")
    overseer_entity = EntityFactory(name="Gobierno Regional de Prueba", kind="regional_government")
    users: dict[str, Any] = {}
    for role in Role.values:
        users[role] = MembershipFactory(user=UserFactory(username=role), entity=entity, role=role).user
    users["other_admin"] = MembershipFactory(
        user=UserFactory(username="other_admin"), entity=other, role=Role.ADMINISTRATOR
    ).user
    users["outsider"] = UserFactory(username="outsider")
    users["overseer"] = MembershipFactory(
        user=UserFactory(username="overseer"), entity=overseer_entity, role=Role.OBSERVER
    ).user
    from rumbo.accounts.services import oversight_grant

    oversight_grant(actor=superuser, overseer=overseer_entity, overseen=entity)
    plan_type = PlanTypeFactory()
    plan = plan_create(actor=superuser, entity=entity, plan_type=plan_type, name="Plan privado")
    public_plan = plan_create(actor=superuser, entity=entity, plan_type=plan_type, name="Plan público")
    public_plan.is_published = True
    public_plan.save()
    other_plan = plan_create(actor=superuser, entity=other, plan_type=plan_type, name="Plan ajeno")
    node = node_create(actor=superuser, plan=plan, parent=None, code="E1", title="Eje uno")
    other_node = node_create(actor=superuser, plan=other_plan, parent=None, code="X1", title="Eje ajeno")
    node_create(actor=superuser, plan=public_plan, parent=None, code="P1", title="Eje público")
    return World(
        entity=entity,
        other_entity=other,
        users=users,
        plan=plan,
        public_plan=public_plan,
        other_plan=other_plan,
        node=node,
        other_node=other_node,
    )


# --- browser tests: one Chromium for the whole session, driven by Playwright -----------------

CHROMIUM = os.environ.get("RUMBO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package.")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(locale="es-PE", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url  # type: ignore[attr-defined]
    # Chromium reports every script or style the Content-Security-Policy blocked on the console:
    # a page that needs an inline script is broken in production, so the test fails.
    blocked: list[str] = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert not blocked, "blocked by the Content-Security-Policy:\n" + "\n".join(blocked)
