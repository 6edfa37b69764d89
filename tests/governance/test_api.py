"""The governance API: the public bodies of a published plan without a token, private contacts and
draft minutes only for private readers, the agreements register and the meetings of a body."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rumbo.accounts.services import api_token_create
from rumbo.governance import services
from rumbo.governance.models import AgreementStatus, AttendanceStatus, Body, Meeting, MinutesApproval
from rumbo.investments.models import Project
from tests.governance.conftest import Gov, at

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)
APPROVED_TEXT = "Se instaló el comité y se eligió a su coordinadora."
DRAFT_TEXT = "Borrador reservado: se discutió el presupuesto participativo."


def _held(gov: Gov, body: Body, day: datetime.date, title: str = "Sesión ordinaria") -> Meeting:
    planner = gov.world.users["planner"]
    meeting = services.meeting_convene(
        actor=planner, body=body, title=title, starts_at=at(day, 10), ends_at=at(day, 12), place="Auditorio"
    )
    marks = {m.pk: AttendanceStatus.PRESENT for m in body.members.all()}
    services.meeting_attendance_record(actor=planner, meeting=meeting, marks=marks)
    return meeting


@pytest.fixture
def minutes(gov: Gov) -> tuple[Meeting, Meeting]:
    """Two held meetings of the public body: the first with approved minutes, the second a draft."""
    planner = gov.world.users["planner"]
    first = _held(gov, gov.public_body, DAY, "Instalación")
    second = _held(gov, gov.public_body, DAY + datetime.timedelta(days=30), "Segunda sesión")
    approved = services.minutes_save(actor=planner, meeting=first, text=APPROVED_TEXT)
    services.minutes_approve(
        actor=planner, minutes=approved, approval=MinutesApproval.AT_MEETING, approved_in=second
    )
    services.minutes_save(actor=planner, meeting=second, text=DRAFT_TEXT)
    return first, second


def _bearer(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, name="prueba")
    return {"Authorization": f"Bearer {raw}"}


# --- bodies ------------------------------------------------------------------------------------


def test_anyone_reads_the_public_bodies_without_contacts_or_draft_minutes(
    gov: Gov, minutes: tuple[Meeting, Meeting]
) -> None:
    # given a private body on the public plan as well
    services.body_create(
        actor=gov.world.users["planner"],
        entity=gov.world.entity,
        plan=gov.world.public_plan,
        kind="technical_team",
        name="Equipo técnico reservado",
        is_public=False,
    )
    # when anyone asks for the bodies of the public plan, without a token
    response = Client().get(f"/api/v1/governance/bodies?plan={gov.world.public_plan.pk}")
    # then only the public body comes, with its members' public fields
    assert response.status_code == 200
    bodies = response.json()
    assert [b["name"] for b in bodies] == ["Comité de Gestión"]
    (member,) = bodies[0]["members"]
    assert (member["name"], member["organisation"], member["sector"], member["role"]) == (
        "Rosa Vela",
        "Junta vecinal",
        "civil_society",
        "member",
    )
    # and never the external member's e-mail or phone
    assert member.get("email") is None and member.get("phone") is None
    content = response.content.decode()
    assert "rosa@vecinos.example" not in content and "999 111 222" not in content
    # and only the approved minutes
    assert [(m["meeting_title"], m["status"], m["text"]) for m in bodies[0]["minutes"]] == [
        ("Instalación", "approved", APPROVED_TEXT)
    ]
    assert DRAFT_TEXT not in content and "Equipo técnico reservado" not in content


def test_a_private_reader_gets_contacts_and_draft_minutes(gov: Gov, minutes: tuple[Meeting, Meeting]) -> None:
    url = f"/api/v1/governance/bodies?plan={gov.world.public_plan.pk}"
    # given a planner of the entity signed in, and an observer with a token
    planner = Client()
    planner.force_login(gov.world.users["planner"])
    for response in (planner.get(url), Client().get(url, headers=_bearer(gov.world.users["observer"]))):
        # then both read the contacts and the draft minutes, newest first
        assert response.status_code == 200
        (body,) = response.json()
        (member,) = body["members"]
        assert (member["email"], member["phone"]) == ("rosa@vecinos.example", "999 111 222")
        assert [(m["status"], m["text"]) for m in body["minutes"]] == [
            ("draft", DRAFT_TEXT),
            ("approved", APPROVED_TEXT),
        ]


def test_a_signed_in_person_of_another_entity_gets_no_contacts(
    gov: Gov, minutes: tuple[Meeting, Meeting]
) -> None:
    # when the administrator of another entity asks with a token
    response = Client().get(
        f"/api/v1/governance/bodies?plan={gov.world.public_plan.pk}",
        headers=_bearer(gov.world.users["other_admin"]),
    )
    # then the body comes as it comes to the public
    assert response.status_code == 200
    assert "rosa@vecinos.example" not in response.content.decode()
    assert DRAFT_TEXT not in response.content.decode()


def test_the_private_plan_is_not_found_for_anonymous_with_a_spanish_message(gov: Gov) -> None:
    client = Client()
    # when anyone asks for the bodies of the private plan, or the private plan's body by id
    by_plan = client.get(f"/api/v1/governance/bodies?plan={gov.world.plan.pk}")
    by_id = client.get(f"/api/v1/governance/bodies/{gov.body.pk}")
    # then 404 with the reason in Spanish, and nothing of the body
    assert by_plan.status_code == 404 and by_plan["Content-Type"].startswith("application/json")
    assert by_plan.json() == {"detail": "No hay un plan con ese id, o no es público."}
    assert by_id.status_code == 404
    assert by_id.json() == {"detail": "No hay un órgano con ese id, o no es público."}
    assert "Comisión" not in by_plan.content.decode() + by_id.content.decode()
    # when a reader of the entity asks, then the body and its external member's e-mail come
    response = client.get(
        f"/api/v1/governance/bodies?plan={gov.world.plan.pk}", headers=_bearer(gov.world.users["observer"])
    )
    assert [b["name"] for b in response.json()] == ["Comisión de Gestión del Territorio"]
    assert "ana@calzada.example" in response.content.decode()


def test_a_seat_holder_reads_the_body_of_a_private_plan_by_id(gov: Gov) -> None:
    # given the president (no role in the entity, a seat in the body)
    response = Client().get(f"/api/v1/governance/bodies/{gov.body.pk}", headers=_bearer(gov.president))
    # then the body comes, with the members' contacts
    assert response.status_code == 200
    assert {m["name"]: m["email"] for m in response.json()["members"]}["Ana Ríos"] == "ana@calzada.example"


# --- agreements --------------------------------------------------------------------------------


def test_the_register_filtered_by_overdue_returns_only_overdue_agreements(gov: Gov) -> None:
    # given agreements of the public body: overdue pending, overdue in progress, due later,
    # done after their due date, and one without a due date
    planner = gov.world.users["planner"]
    meeting = _held(gov, gov.public_body, DAY)
    today = timezone.localdate()
    project = Project.objects.create(entity=gov.world.entity, code="P-7", title="Parque lineal")
    made = {}
    for key, due in (
        ("late", today - datetime.timedelta(days=10)),
        ("late_in_progress", today - datetime.timedelta(days=1)),
        ("later", today + datetime.timedelta(days=30)),
        ("due_today", today),
        ("done", today - datetime.timedelta(days=5)),
        ("undated", None),
    ):
        made[key] = services.agreement_create(
            actor=planner,
            meeting=meeting,
            text=f"Acuerdo {key}",
            owner_office="Gerencia de Desarrollo Urbano",
            due_date=due,
            project_ids=[project.pk] if key == "late" else [],
        )
    services.agreement_status_set(
        actor=planner, agreement=made["late_in_progress"], status=AgreementStatus.IN_PROGRESS
    )
    services.agreement_status_set(actor=planner, agreement=made["done"], status=AgreementStatus.DONE)
    url = f"/api/v1/governance/agreements?plan={gov.world.public_plan.pk}"
    # when anyone asks for the overdue ones
    response = Client().get(url + "&state=overdue")
    # then only the two open agreements past their due date, each with state "overdue"
    assert response.status_code == 200
    rows = response.json()
    assert sorted(r["id"] for r in rows) == sorted([made["late"].pk, made["late_in_progress"].pk])
    assert {r["state"] for r in rows} == {"overdue"}
    assert {r["status"] for r in rows} == {"pending", "in_progress"}
    late = next(r for r in rows if r["id"] == made["late"].pk)
    assert late["owner"] == "Gerencia de Desarrollo Urbano" and late["project_ids"] == [project.pk]
    assert late["meeting_id"] == meeting.pk and late["body_id"] == gov.public_body.pk
    # and without a filter every agreement comes, newest first, with its state
    states = {r["id"]: r["state"] for r in Client().get(url).json()}
    assert states == {
        made["late"].pk: "overdue",
        made["late_in_progress"].pk: "overdue",
        made["later"].pk: "pending",
        made["due_today"].pk: "pending",
        made["done"].pk: "done",
        made["undated"].pk: "pending",
    }
    # and "pending" leaves out the overdue ones
    pending = Client().get(url + "&state=pending").json()
    assert sorted(r["id"] for r in pending) == sorted(
        [made["later"].pk, made["due_today"].pk, made["undated"].pk]
    )


def test_the_agreements_of_the_private_plan_are_not_found_for_anonymous(gov: Gov) -> None:
    meeting = _held(gov, gov.body, DAY)
    services.agreement_create(
        actor=gov.secretary, meeting=meeting, text="Acuerdo reservado", owner_office="OPMI"
    )
    response = Client().get(f"/api/v1/governance/agreements?plan={gov.world.plan.pk}&state=overdue")
    assert response.status_code == 404
    assert response.json() == {"detail": "No hay un plan con ese id, o no es público."}
    # and a planner reads it
    client = Client()
    client.force_login(gov.world.users["planner"])
    rows = client.get(f"/api/v1/governance/agreements?plan={gov.world.plan.pk}").json()
    assert [r["text"] for r in rows] == ["Acuerdo reservado"]


# --- meetings ----------------------------------------------------------------------------------


def test_the_meetings_of_a_public_body_newest_first_with_quorum_only_for_private_readers(gov: Gov) -> None:
    # given a held meeting and a later convened one
    planner = gov.world.users["planner"]
    held = _held(gov, gov.public_body, DAY, "Instalación")
    later = services.meeting_convene(
        actor=planner,
        body=gov.public_body,
        title="Segunda sesión",
        starts_at=at(DAY + datetime.timedelta(7)),
        ends_at=at(DAY + datetime.timedelta(7), 13),
        agenda="1. Informe de avance",
        place="Sala de regidores",
    )
    url = f"/api/v1/governance/meetings?body={gov.public_body.pk}"
    # when anyone asks
    response = Client().get(url)
    # then both come, newest first, with their times and no quorum
    assert response.status_code == 200
    rows = response.json()
    assert [(r["id"], r["title"], r["status"]) for r in rows] == [
        (later.pk, "Segunda sesión", "convened"),
        (held.pk, "Instalación", "held"),
    ]
    assert datetime.datetime.fromisoformat(rows[0]["starts_at"]) == later.starts_at
    assert datetime.datetime.fromisoformat(rows[0]["ends_at"]) == later.ends_at
    assert (rows[0]["agenda"], rows[0]["place"]) == ("1. Informe de avance", "Sala de regidores")
    assert all(r["quorum"] is None for r in rows)
    # when a planner asks, then the quorum of the held meeting comes too
    client = Client()
    client.force_login(planner)
    quorum = {r["id"]: r["quorum"] for r in client.get(url).json()}
    assert quorum[held.pk] == {"rule": "majority", "voting": 1, "present": 1, "required": 1, "met": True}
    assert quorum[later.pk]["met"] is False


def test_the_meetings_of_a_private_plans_body_are_not_found_for_anonymous(gov: Gov) -> None:
    _held(gov, gov.body, DAY)
    response = Client().get(f"/api/v1/governance/meetings?body={gov.body.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No hay un órgano con ese id, o no es público."}
    # a seat holder with no role in the entity reads them
    seat = Client().get(f"/api/v1/governance/meetings?body={gov.body.pk}", headers=_bearer(gov.secretary))
    assert [r["title"] for r in seat.json()] == ["Sesión ordinaria"]
