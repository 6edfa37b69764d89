"""Per-plan validity: services (permission, audit, status), the selector, the wizard, the pages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from rumbo.core.audit import audit_events_for
from rumbo.core.models import AuditEvent
from rumbo.lifecycle.validity.models import PlanStatusEvent, PlanValidity
from rumbo.lifecycle.validity.revision import co_plan_type_suggest, revision_options
from rumbo.lifecycle.validity.selectors import plan_vigencia
from rumbo.lifecycle.validity.services import plan_status_event_add, plan_validity_set
from rumbo.plans.models import Plan, PlanStatus
from tests.lifecycle.validity.conftest import Colombia

D = datetime.date


# --- services and selector ---------------------------------------------------------------


def test_setting_validity_needs_edit_plan_and_is_audited(colombia: Colombia) -> None:
    with pytest.raises(PermissionDenied):
        plan_validity_set(actor=colombia.observer, plan=colombia.plan, adoption_date=D(2000, 12, 20))
    validity = plan_validity_set(actor=colombia.planner, plan=colombia.plan, adoption_date=D(2000, 12, 20))
    assert validity.adoption_date == D(2000, 12, 20)
    plan_validity_set(actor=colombia.planner, plan=colombia.plan, notes="Acuerdo 046 de 2000")
    events = audit_events_for(validity, include_scope=False)
    assert [e.action for e in events.order_by("pk")] == ["created", "updated"]
    assert events.order_by("pk").last().changes == {"notes": ["", "Acuerdo 046 de 2000"]}  # type: ignore[union-attr]


def test_an_authority_fixed_end_needs_the_authority_named(colombia: Colombia) -> None:
    with pytest.raises(ValidationError):
        plan_validity_set(
            actor=colombia.planner,
            plan=colombia.plan,
            adoption_date=D(2000, 12, 20),
            authority_fixed_end=D(2015, 6, 30),
        )
    assert not PlanValidity.objects.filter(plan=colombia.plan).exists()


def test_the_plan_vigencia_uses_the_validity_facts_and_ignores_the_title_horizon(
    colombia: Colombia, superuser: Any
) -> None:
    assert plan_vigencia(plan=colombia.plan) is None
    plan_validity_set(actor=colombia.planner, plan=colombia.plan, adoption_date=D(2004, 3, 15))
    before = plan_vigencia(plan=colombia.plan)
    Plan.objects.filter(pk=colombia.plan.pk).update(horizon_start=2004, horizon_end=2040)
    plan = Plan.objects.select_related("entity", "plan_type").get(pk=colombia.plan.pk)
    after = plan_vigencia(plan=plan)
    assert before is not None and after is not None
    assert after.long_term_end == before.long_term_end == D(2019, 12, 31)
    plan_validity_set(
        actor=colombia.planner,
        plan=plan,
        authority_fixed_end=D(2021, 12, 31),
        authority="Tribunal de Antioquia",
    )
    fixed = plan_vigencia(plan=plan)
    assert fixed is not None and fixed.long_term_end == D(2021, 12, 31)


def test_status_events_update_the_plan_status_and_are_audited(colombia: Colombia) -> None:
    plan = colombia.plan
    plan_validity_set(actor=colombia.planner, plan=plan, adoption_date=D(2000, 12, 20))
    with pytest.raises(PermissionDenied):
        plan_status_event_add(actor=colombia.observer, plan=plan, kind="suspended", date=D(2020, 1, 1))
    plan_status_event_add(
        actor=colombia.planner,
        plan=plan,
        kind="suspended",
        date=D(2020, 1, 1),
        authority="Juzgado Administrativo",
        act_reference="Auto de 2020",
        in_force_result="Rige el POT anterior",
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUSPENDED
    plan_status_event_add(actor=colombia.planner, plan=plan, kind="reinstated", date=D(2021, 5, 1))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.EXPIRED_IN_FORCE  # its long-term vigencia ended in 2011
    plan_status_event_add(actor=colombia.planner, plan=plan, kind="annulled", date=D(2022, 5, 1))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ANNULLED
    plan_status_event_add(actor=colombia.planner, plan=plan, kind="replaced", date=D(2023, 5, 1))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.REPLACED
    assert PlanStatusEvent.objects.filter(plan=plan).count() == 4
    assert PlanStatusEvent.objects.filter(plan=plan, kind="suspended").get().created_by == colombia.planner
    assert AuditEvent.objects.filter(scope_id=plan.pk, target_repr__contains="2020-01-01").exists()


# --- the wizard --------------------------------------------------------------------------


def _options(plan: Plan, today: datetime.date) -> dict[str, Any]:
    return {o.kind: o for o in revision_options(plan=plan, today=today)}


def test_a_pot_adopted_in_2000_may_undertake_every_revision_in_november_2026(colombia: Colombia) -> None:
    plan_validity_set(actor=colombia.planner, plan=colombia.plan, adoption_date=D(2000, 12, 20))
    options = _options(colombia.plan, D(2026, 11, 22))
    assert options["general"].possible_now is True
    assert [c.expired for c in options["general"].contents] == [True, True, True]
    assert options["general"].notes, "it explains whether today is at the start of a period"
    assert options["exceptional_modification"].possible_now is True
    assert options["by_exception"].possible_now is True
    for option in options.values():
        assert option.preconditions and option.documents and option.basis
    assert len(options["general"].documents) == 4


def test_a_pot_adopted_in_2024_may_not_undertake_a_general_revision_yet(colombia: Colombia) -> None:
    plan_validity_set(actor=colombia.planner, plan=colombia.plan, adoption_date=D(2024, 6, 1))
    options = _options(colombia.plan, D(2026, 11, 22))
    assert options["general"].possible_now is False
    assert "2031-12-31" in options["general"].reason
    assert options["exceptional_modification"].possible_now is True
    assert options["by_exception"].possible_now is True


def test_a_plan_without_adoption_date_has_no_possible_revision(colombia: Colombia) -> None:
    options = _options(colombia.plan, D(2026, 11, 22))
    assert not any(o.possible_now for o in options.values())


def test_a_peruvian_plan_gets_the_horizon_update_option(world: Any, superuser: Any) -> None:
    from rumbo.plans.models import PlanType

    pdu = PlanType.objects.create(country="PE", code="PDU", name="Plan de Desarrollo Urbano")
    Plan.objects.filter(pk=world.plan.pk).update(plan_type=pdu)
    plan = Plan.objects.select_related("entity", "plan_type").get(pk=world.plan.pk)
    plan_validity_set(actor=superuser, plan=plan, adoption_date=D(2017, 1, 10))
    (option,) = revision_options(plan=plan, today=D(2026, 11, 22))
    assert option.kind == "horizon_update"
    assert option.possible_now is True  # horizon ends 2027-01-09; the 12-month window opened 2026-01-10
    assert option.basis


@pytest.mark.parametrize(
    ("population", "code"),
    [(0, "EOT"), (29_999, "EOT"), (30_000, "PBOT"), (100_000, "PBOT"), (100_001, "POT"), (2_500_000, "POT")],
)
def test_the_plan_type_suggestion_follows_ley_388_article_9(population: int, code: str) -> None:
    suggestion = co_plan_type_suggest(population)
    assert suggestion.code == code
    assert suggestion.basis[0]["article"] == "art. 9"
    assert suggestion.note


def test_a_negative_population_is_refused() -> None:
    with pytest.raises(ValueError):
        co_plan_type_suggest(-1)


# --- pages -------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_observers_see_the_validity_page_without_forms_and_cannot_post(world: Any) -> None:
    url = f"/ciclo/planes/{world.plan.pk}/vigencia/"
    client = _client(world.users["observer"])
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="action"' not in response.content
    response = client.post(url, {"action": "validity", "validity-adoption_date": "2020-01-01"})
    assert response.status_code == 403
    assert not PlanValidity.objects.filter(plan=world.plan).exists()


def test_another_entity_and_anonymous_users_get_404_for_a_private_plan(world: Any) -> None:
    url = f"/ciclo/planes/{world.plan.pk}/vigencia/"
    assert _client(world.users["other_admin"]).get(url).status_code == 404
    assert _client(world.users["other_admin"]).post(url, {"action": "event"}).status_code == 404
    assert Client().get(url).status_code == 404
    assert Client().get("/ciclo/planes/999999/vigencia/").status_code == 404


def test_anonymous_users_see_a_published_plan_but_are_sent_to_sign_in_to_post(world: Any) -> None:
    url = f"/ciclo/planes/{world.public_plan.pk}/vigencia/"
    assert Client().get(url).status_code == 200
    response = Client().post(url, {"action": "validity"})
    assert response.status_code == 302 and "/entrar/" in response["Location"]


def test_a_planner_sets_validity_and_adds_an_event_and_sees_every_date_with_its_basis(
    colombia: Colombia,
) -> None:
    url = f"/ciclo/planes/{colombia.plan.pk}/vigencia/"
    client = _client(colombia.planner)
    response = client.post(url, {"action": "validity", "validity-adoption_date": "2000-12-20"})
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "action": "event",
            "event-kind": "suspended",
            "event-date": "2020-02-01",
            "event-authority": "Tribunal",
            "event-in_force_result": "Rige el acuerdo anterior",
        },
    )
    assert response.status_code == 302
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    for date in ("2003-12-31", "2007-12-31", "2011-12-31", "2011-07-01"):
        assert date in html
    assert "art. 28" in html and "art. 23" in html
    assert "Rige el acuerdo anterior" in html
    colombia.plan.refresh_from_db()
    assert colombia.plan.status == PlanStatus.SUSPENDED


def test_a_bad_date_in_the_validity_form_shows_an_error_and_writes_nothing(colombia: Colombia) -> None:
    url = f"/ciclo/planes/{colombia.plan.pk}/vigencia/"
    response = _client(colombia.planner).post(url, {"action": "validity", "validity-adoption_date": "ayer"})
    assert response.status_code == 422
    assert not PlanValidity.objects.filter(plan=colombia.plan).exists()


def test_the_public_calculator_computes_and_explains(db: Any) -> None:
    client = Client()
    assert client.get("/ciclo/calculadora/").status_code == 200
    html = client.get("/ciclo/calculadora/", {"v-adopted": "2004-03-15"}).content.decode()
    assert "2019-12-31" in html and "2019-07-01" in html and "art. 28" in html
    html = client.get(
        "/ciclo/calculadora/",
        {
            "d-country": "CO",
            "d-start": "2025-01-02",
            "d-amount": "3",
            "d-unit": "business_days",
            "d-count_start": "next_day",
        },
    ).content.decode()
    assert "2025-01-08" in html and "2025-01-06" in html
    html = client.get("/ciclo/calculadora/", {"p-population": "30000"}).content.decode()
    assert "PBOT" in html


@pytest.mark.parametrize(
    "params",
    [
        {"v-adopted": "2020-13-45"},
        {"v-adopted": "1980-01-01"},
        {
            "d-country": "CO",
            "d-start": "ayer",
            "d-amount": "3",
            "d-unit": "business_days",
            "d-count_start": "next_day",
        },
        {
            "d-country": "CO",
            "d-start": "2025-01-01",
            "d-amount": "0",
            "d-unit": "business_days",
            "d-count_start": "next_day",
        },
        {"p-population": "-3"},
    ],
)
def test_the_calculator_shows_errors_instead_of_failing(db: Any, params: dict[str, str]) -> None:
    response = Client().get("/ciclo/calculadora/", params)
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content or b"alert-danger" in response.content
