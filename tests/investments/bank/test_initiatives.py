"""Citizen initiatives: the public form and its anti-spam limits, the tracking page, moderation
and tenancy."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from rumbo.core.models import AuditEvent
from rumbo.investments.bank import services
from rumbo.investments.models import Project, ProjectOrigin, ProjectStatus
from tests.investments.bank.conftest import INSIDE, OUTSIDE


def _submit(world: Any, **overrides: Any) -> Project:
    params: dict[str, Any] = {
        "entity": world.entity,
        "title": "Un parque en el barrio",
        "description": "Faltan áreas verdes.",
        "sector": "public_space",
        "proposer_name": "Ana Quispe",
        "proposer_email": "ana@example.org",
        "fingerprint": "f" * 64,
        "location": INSIDE,
    }
    params.update(overrides)
    return services.initiative_submit(**params)


def _old_token(seconds: int = 10) -> str:
    return signing.dumps({"t": timezone.now().timestamp() - seconds}, salt=services.FORM_SALT)


def _form(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "entity": world.entity.pk,
        "title": "Un parque en el barrio",
        "description": "Faltan áreas verdes.",
        "proposer_name": "Ana Quispe",
        "proposer_email": "ana@example.org",
        "latitude": "-6.05",
        "longitude": "-76.95",
        "started": _old_token(),
        "website": "",
    }
    data.update(overrides)
    return data


def test_an_initiative_is_proposed_private_with_a_code_and_a_tracking_code(territory: Any) -> None:
    project = _submit(territory)
    second = _submit(territory, title="Otra")
    year = timezone.now().year
    assert (project.code, second.code) == (f"INI-{year}-0001", f"INI-{year}-0002")
    assert project.status == ProjectStatus.PROPOSED and not project.is_public
    assert project.origin == ProjectOrigin.CITIZEN and project.stage == "idea"
    assert project.tracking_code and len(project.tracking_code) >= 20
    assert project.tracking_code != second.tracking_code
    assert project.submitted_at is not None


def test_the_limits_refuse_the_sixth_initiative_of_the_hour(territory: Any) -> None:
    for n in range(services.INITIATIVES_PER_HOUR):
        _submit(territory, title=f"Idea {n}")
    with pytest.raises(services.InitiativeLimitReached):
        _submit(territory, title="Una más")
    assert Project.objects.count() == 5
    # another submitter is not affected
    _submit(territory, fingerprint="a" * 64)


def test_the_daily_limit_counts_the_last_day(territory: Any) -> None:
    # given 20 initiatives spread over the last 20 hours (never 5 in one hour)
    for n in range(services.INITIATIVES_PER_DAY):
        p = _submit(territory, title=f"Idea {n}")
        Project.objects.filter(pk=p.pk).update(submitted_at=timezone.now() - timedelta(hours=n + 1))
    # when one more is sent, then it is refused
    with pytest.raises(services.InitiativeLimitReached):
        _submit(territory, title="Una más")


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"honeypot": "http://spam"}, None),
        ({"location": OUTSIDE}, "location"),
        ({"unit_codes": ["999999"]}, "units"),
        ({"cost_estimate": "-5"}, "cost_total"),
        ({"proposer_name": " "}, "proposer_name"),
    ],
)
def test_bad_initiatives_are_refused_and_nothing_is_saved(
    territory: Any, overrides: dict[str, Any], words: str | None
) -> None:
    with pytest.raises(ValidationError) as exc:
        _submit(territory, **overrides)
    if words:
        assert words in exc.value.message_dict
    assert not Project.objects.exists()


def test_a_form_sent_too_fast_is_refused(territory: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        _submit(territory, form_token=services.initiative_form_token())
    assert exc.value.code == "spam" or "spam" in str(exc.value.error_list[0].code)
    with pytest.raises(ValidationError):
        _submit(territory, form_token="forged")
    assert not Project.objects.exists()
    assert _submit(territory, form_token=_old_token(5)).pk


def test_the_public_form_creates_the_initiative_and_shows_the_tracking_link(territory: Any) -> None:
    # given an anonymous visitor
    client = Client()
    assert client.get("/inversiones/proponer/").status_code == 200
    # when they send the form
    response = client.post("/inversiones/proponer/", _form(territory))
    # then they land on the tracking page, which never shows their e-mail
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"/inversiones/seguimiento/{project.tracking_code}/")
    page = client.get(response["Location"]).content.decode()
    assert project.code in page and project.tracking_code in page
    assert "ana@example.org" not in page
    assert project.location == {"type": "Point", "coordinates": [-76.95, -6.05]}
    # and the tracking link was e-mailed to them
    assert len(mail.outbox) == 1 and project.tracking_code in mail.outbox[0].body


def test_the_public_form_refuses_the_honeypot_and_the_hurry(territory: Any) -> None:
    client = Client()
    bot = client.post("/inversiones/proponer/", _form(territory, website="http://spam"))
    hurried = client.post(
        "/inversiones/proponer/", _form(territory, started=services.initiative_form_token())
    )
    assert bot.status_code == 200 and hurried.status_code == 200
    assert not Project.objects.exists()


def test_the_public_form_answers_429_past_the_limit(territory: Any) -> None:
    client = Client()
    for n in range(services.INITIATIVES_PER_HOUR):
        assert client.post("/inversiones/proponer/", _form(territory, title=f"Idea {n}")).status_code == 302
    response = client.post("/inversiones/proponer/", _form(territory, title="Una más"))
    assert response.status_code == 429
    assert Project.objects.count() == 5


def test_the_public_form_shows_errors_on_the_fields(territory: Any) -> None:
    response = Client().post("/inversiones/proponer/", _form(territory, latitude="-16.4", longitude="-71.5"))
    assert response.status_code == 200
    assert 'data-error="location"' in response.content.decode() or "location" in str(
        response.context["form"].errors
    )
    assert not Project.objects.exists()


def test_the_tracking_page_of_an_accepted_initiative_links_to_the_public_page(territory: Any) -> None:
    project = _submit(territory)
    services.initiative_review(actor=territory.users["planner"], project=project, decision="accept")
    page = Client().get(f"/inversiones/seguimiento/{project.tracking_code}/").content.decode()
    assert f"/inversiones/proyectos/{project.pk}/" in page
    assert "ana@example.org" not in page
    assert Client().get("/inversiones/seguimiento/no-existe/").status_code == 404


def test_accepting_links_nodes_checks_eligibility_and_publishes(territory: Any) -> None:
    project = _submit(territory)
    reviewed = services.initiative_review(
        actor=territory.users["planner"],
        project=project,
        decision="accept",
        plan=territory.plan,
        nodes=[territory.node],
        note="Bienvenida",
    )
    assert reviewed.is_public and reviewed.reviewed_by == territory.users["planner"]
    assert list(reviewed.nodes.all()) == [territory.node]
    assert reviewed.eligibility is not None and reviewed.eligibility["plan"]["aligned"] is True
    event = AuditEvent.objects.filter(target_id=str(project.pk), action="updated").latest("pk")
    assert event.changes["status"] == ["proposed", "accepted"]


def test_rejecting_needs_a_note_and_keeps_the_initiative_private(territory: Any) -> None:
    project = _submit(territory)
    with pytest.raises(ValidationError) as exc:
        services.initiative_review(actor=territory.users["planner"], project=project, decision="reject")
    assert "note" in exc.value.message_dict
    rejected = services.initiative_review(
        actor=territory.users["planner"], project=project, decision="reject", note="Ya existe un parque."
    )
    assert rejected.status == ProjectStatus.REJECTED and not rejected.is_public
    with pytest.raises(ValidationError):  # a decision is taken once
        services.initiative_review(actor=territory.users["planner"], project=project, decision="accept")


def test_another_entitys_admin_can_neither_moderate_nor_see_the_initiative(territory: Any) -> None:
    project = _submit(territory)
    other_admin = territory.users["other_admin"]
    with pytest.raises(PermissionDenied):
        services.initiative_review(actor=other_admin, project=project, decision="accept")
    with pytest.raises(PermissionDenied):
        services.initiative_review(actor=territory.users["reporter"], project=project, decision="accept")
    client = Client()
    client.force_login(other_admin)
    assert client.get(f"/inversiones/proyectos/{project.pk}/").status_code == 404
    assert client.get(f"/inversiones/entidades/{territory.entity.pk}/moderacion/").status_code == 404
    assert project.title not in client.get("/inversiones/banco/").content.decode()
    assert (
        client.post(f"/inversiones/proyectos/{project.pk}/revisar/", {"decision": "accept"}).status_code
        == 404
    )
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.PROPOSED


def test_the_moderation_queue_lists_proposed_initiatives_and_accepts_from_the_page(territory: Any) -> None:
    project = _submit(territory)
    client = Client()
    client.force_login(territory.users["planner"])
    page = client.get(f"/inversiones/entidades/{territory.entity.pk}/moderacion/").content.decode()
    assert project.code in page
    response = client.post(
        f"/inversiones/proyectos/{project.pk}/revisar/",
        {"decision": "accept", "plan": territory.plan.pk, "nodes": [territory.node.pk]},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED and project.plan == territory.plan
    assert project.title in client.get("/inversiones/banco/").content.decode()
    assert re.search(r"INI-\d{4}-0001", client.get("/inversiones/banco/?q=parque").content.decode())
