"""The governance pages through the test client: a plan's bodies, a body with its private contacts,
convening a meeting, attendance, minutes up to their approval and lock, agreements, the register
and the overdue panel on the plan dashboard."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rumbo.governance import services
from rumbo.governance.models import (
    Agreement,
    AgreementStatus,
    Attendance,
    AttendanceStatus,
    Body,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from rumbo.investments.models import Project
from tests.governance.conftest import Gov, at

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 10)


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _convene(
    gov: Gov, body: Body | None = None, day: datetime.date = DAY, title: str = "Sesión ordinaria"
) -> Meeting:
    return services.meeting_convene(
        actor=gov.world.users["planner"],
        body=body or gov.body,
        title=title,
        starts_at=at(day, 10),
        ends_at=at(day, 12),
    )


def _hidden_body(gov: Gov) -> Body:
    return services.body_create(
        actor=gov.world.users["planner"],
        entity=gov.world.entity,
        plan=gov.world.public_plan,
        kind="technical_team",
        name="Equipo técnico reservado",
        is_public=False,
    )


# --- a plan's bodies and a body ----------------------------------------------------------------


def test_the_public_plan_s_bodies_page_lists_its_public_bodies_only(gov: Gov) -> None:
    # given a private body on the public plan too
    _hidden_body(gov)
    url = f"/gobernanza/planes/{gov.world.public_plan.pk}/"
    # when anyone opens the plan's bodies
    response = _client().get(url)
    # then the public body is listed, not the private one, and there is no form to add one
    page = response.content.decode()
    assert response.status_code == 200
    assert [b.name for b in response.context["bodies"]] == ["Comité de Gestión"]
    assert "Comité de Gestión" in page and "Equipo técnico reservado" not in page
    assert 'id="body-form"' not in page
    # when a planner opens it, then both bodies and the form
    planner = _client(gov.world.users["planner"]).get(url)
    assert {b.name for b in planner.context["bodies"]} == {"Comité de Gestión", "Equipo técnico reservado"}
    assert 'id="body-form"' in planner.content.decode()


def test_the_private_plan_s_bodies_page_is_not_found_for_anonymous(gov: Gov) -> None:
    url = f"/gobernanza/planes/{gov.world.plan.pk}/"
    assert _client().get(url).status_code == 404
    assert _client(gov.world.users["other_admin"]).get(url).status_code == 404
    response = _client(gov.world.users["observer"]).get(url)
    assert response.status_code == 200 and "Comisión de Gestión del Territorio" in response.content.decode()


def test_a_planner_adds_a_body_through_the_form(gov: Gov) -> None:
    # when a planner posts the form of the plan's bodies page
    response = _client(gov.world.users["planner"]).post(
        f"/gobernanza/planes/{gov.world.public_plan.pk}/organos/nuevo/",
        {
            "kind": "citizen_roundtable",
            "name": "Mesa de concertación",
            "quorum_rule": "majority",
            "is_public": "on",
        },
    )
    # then the body is created on the plan and its page opens
    body = Body.objects.get(name="Mesa de concertación")
    assert response.status_code == 302 and response["Location"] == f"/gobernanza/organos/{body.pk}/"
    assert (body.plan, body.entity, body.kind, body.is_public) == (
        gov.world.public_plan,
        gov.world.entity,
        "citizen_roundtable",
        True,
    )


def test_someone_who_may_not_edit_gets_no_form_back_from_adding_a_body(gov: Gov) -> None:
    # given a private body of the entity (listed as a possible parent in the form)
    _hidden_body(gov)
    url = f"/gobernanza/planes/{gov.world.public_plan.pk}/organos/nuevo/"
    for who in ("outsider", "observer", "other_admin"):
        # when someone without EDIT_PLAN posts an incomplete form
        response = _client(gov.world.users[who]).post(url, {"kind": "commission", "name": ""})
        # then it is refused, and the entity's private bodies are not shown in a form
        assert response.status_code == 403, who
        page = response.content.decode()
        assert "Equipo técnico reservado" not in page and "Comisión de Gestión del Territorio" not in page
    assert Body.objects.count() == 3


def test_a_body_page_shows_contacts_to_a_planner_and_not_to_the_public(gov: Gov) -> None:
    url = f"/gobernanza/organos/{gov.public_body.pk}/"
    # when anyone opens the public body
    public = _client().get(url)
    # then the member is there without her e-mail or phone, and there are no forms
    page = public.content.decode()
    assert public.status_code == 200
    assert "Rosa Vela" in page and "Junta vecinal" in page
    assert "rosa@vecinos.example" not in page and "999 111 222" not in page
    assert 'id="member-form"' not in page and 'id="meeting-form"' not in page
    assert f'href="/gobernanza/organos/{gov.public_body.pk}/reuniones.ics"' in page
    # and a signed-in person of another entity does not see them either
    assert "rosa@vecinos.example" not in _client(gov.world.users["other_admin"]).get(url).content.decode()
    # when a planner opens it, then the contact and the forms are there
    planner = _client(gov.world.users["planner"]).get(url).content.decode()
    assert "rosa@vecinos.example" in planner and "999 111 222" in planner
    assert 'id="member-form"' in planner and 'id="meeting-form"' in planner


def test_a_body_of_the_private_plan_is_not_found_for_anonymous(gov: Gov) -> None:
    url = f"/gobernanza/organos/{gov.body.pk}/"
    assert _client().get(url).status_code == 404
    assert _client(gov.world.users["outsider"]).get(url).status_code == 404
    # its president (a seat, no role in the entity) reads it with the contacts
    page = _client(gov.president).get(url).content.decode()
    assert "ana@calzada.example" in page


def test_a_planner_adds_an_external_member(gov: Gov) -> None:
    response = _client(gov.world.users["planner"]).post(
        f"/gobernanza/organos/{gov.public_body.pk}/miembros/nuevo/",
        {
            "name": "Jorge Soto",
            "organisation": "Colegio de Arquitectos",
            "sector": "professional",
            "role": "member",
            "email": "jorge@cap.example",
            "joined_on": "2026-02-01",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#miembros")
    member = gov.public_body.members.get(name="Jorge Soto")
    assert (member.email, member.sector, member.joined_on) == (
        "jorge@cap.example",
        "professional",
        datetime.date(2026, 2, 1),
    )


# --- meetings ----------------------------------------------------------------------------------


def test_a_planner_convenes_a_meeting_through_the_form(gov: Gov) -> None:
    # when a planner posts the convening form (times as a datetime-local field sends them)
    response = _client(gov.world.users["planner"]).post(
        f"/gobernanza/organos/{gov.body.pk}/reuniones/nueva/",
        {
            "title": "Primera sesión ordinaria",
            "starts_at": "2026-03-10T10:00",
            "ends_at": "2026-03-10T12:30",
            "place": "Palacio municipal",
            "agenda": "1. Instalación\n2. Plan de trabajo",
        },
    )
    # then the meeting is convened, in Lima's time, and its page opens
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/gobernanza/reuniones/{meeting.pk}/"
    assert meeting.starts_at == at(DAY, 10) and meeting.ends_at == at(DAY, 12) + datetime.timedelta(
        minutes=30
    )
    assert (meeting.title, meeting.place, meeting.status) == (
        "Primera sesión ordinaria",
        "Palacio municipal",
        MeetingStatus.CONVENED,
    )
    assert meeting.created_by == gov.world.users["planner"]


def test_a_meeting_ending_before_it_starts_comes_back_with_the_message_and_nothing_saved(gov: Gov) -> None:
    # when the end is before the start
    response = _client(gov.secretary).post(
        f"/gobernanza/organos/{gov.body.pk}/reuniones/nueva/",
        {"title": "Sesión", "starts_at": "2026-03-10T12:00", "ends_at": "2026-03-10T10:00"},
    )
    # then the form comes back (422) with the Spanish message, and no meeting exists
    assert response.status_code == 422
    page = response.content.decode()
    assert "La reunión debe terminar después de empezar." in page
    assert response.context["meeting_form"].errors["ends_at"] == [
        "La reunión debe terminar después de empezar."
    ]
    assert 'id="meeting-form" open' in page
    assert not Meeting.objects.exists()


def test_convening_is_refused_to_a_reader_and_sends_anonymous_to_sign_in(gov: Gov) -> None:
    url = f"/gobernanza/organos/{gov.public_body.pk}/reuniones/nueva/"
    data = {"title": "Sesión", "starts_at": "2026-03-10T10:00", "ends_at": "2026-03-10T12:00"}
    assert _client(gov.world.users["observer"]).post(url, data).status_code == 403
    anonymous = _client().post(url, data)
    assert anonymous.status_code == 302 and "/entrar/" in anonymous["Location"]
    assert not Meeting.objects.exists()


def test_recording_attendance_through_the_form_holds_the_meeting_with_its_quorum(gov: Gov) -> None:
    # given a convened meeting of the commission (4 voting members and a guest)
    meeting = _convene(gov)
    seats = gov.seats
    marks = {
        "president": "present",
        "secretary": "present",
        "m1": "excused",
        "m2": "present",
        "guest": "absent",
    }
    # when the secretary posts the attendance
    response = _client(gov.secretary).post(
        f"/gobernanza/reuniones/{meeting.pk}/asistencia/",
        {f"member-{seats[k].pk}": v for k, v in marks.items()},
        follow=True,
    )
    # then every mark is kept, the meeting is held and the quorum (3 of 4) is reported in Spanish
    assert response.status_code == 200
    stored = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    assert stored == {seats[k].pk: v for k, v in marks.items()}
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    page = response.content.decode()
    assert "se necesitan 3 de 4 miembros con voto; presentes: 3." in page
    assert 'id="quorum" class="text-success"' in page


def test_a_member_without_a_seat_on_the_day_is_never_marked(gov: Gov) -> None:
    # given a member who joined three days after the meeting
    meeting = _convene(gov)
    later = services.member_add(
        actor=gov.secretary, body=gov.body, name="Llegó después", joined_on=DAY + datetime.timedelta(days=3)
    )
    data = {f"member-{s.pk}": AttendanceStatus.PRESENT for s in gov.seats.values()}
    # when the form is posted with a mark for her too
    response = _client(gov.secretary).post(
        f"/gobernanza/reuniones/{meeting.pk}/asistencia/", data | {f"member-{later.pk}": "present"}
    )
    # then the seats of the day are marked and she is not
    assert response.status_code == 302
    marked = set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    assert marked == {s.pk for s in gov.seats.values()} and later.pk not in marked


def test_an_attendance_form_missing_a_seat_comes_back_and_nothing_is_saved(gov: Gov) -> None:
    meeting = _convene(gov)
    response = _client(gov.secretary).post(
        f"/gobernanza/reuniones/{meeting.pk}/asistencia/", {f"member-{gov.seats['m1'].pk}": "present"}
    )
    assert response.status_code == 422
    assert not Attendance.objects.exists()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONVENED


def test_minutes_are_saved_circulated_approved_then_locked(gov: Gov) -> None:
    # given a held meeting of the commission
    meeting = _convene(gov)
    services.meeting_attendance_record(
        actor=gov.secretary, meeting=meeting, marks={s.pk: "present" for s in gov.seats.values()}
    )
    secretary = _client(gov.secretary)
    url = f"/gobernanza/reuniones/{meeting.pk}/acta/"
    # when the secretary saves a draft, then corrects and circulates it
    first = secretary.post(url, {"text": "Se instaló la comisión."})
    second = secretary.post(url, {"text": "Se instaló la comisión con cinco miembros.", "circulate": "1"})
    assert first.status_code == 302 and second.status_code == 302 and second["Location"].endswith("#acta")
    minutes = meeting.minutes
    minutes.refresh_from_db()
    assert (minutes.version, minutes.status) == (2, MinutesStatus.CIRCULATED)
    # then a planner of the entity reads the circulated draft and may approve it
    page = _client(gov.world.users["planner"]).get(f"/gobernanza/reuniones/{meeting.pk}/").content.decode()
    assert "cinco miembros" in page and 'id="approve-form"' in page
    # when the president approves them in person
    approve = _client(gov.president).post(
        f"/gobernanza/reuniones/{meeting.pk}/acta/aprobar/", {"approval": "by_president"}
    )
    assert approve.status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED and minutes.approved_by == gov.president
    # then an edit is refused with the Spanish message, and the text stays
    refused = secretary.post(url, {"text": "Otro texto"})
    assert refused.status_code == 422
    assert "Esta acta está aprobada y cerrada; ya no se puede editar." in refused.content.decode()
    minutes.refresh_from_db()
    assert minutes.text == "Se instaló la comisión con cinco miembros." and minutes.version == 3
    # and the meeting page shows them locked, without the forms
    locked = secretary.get(f"/gobernanza/reuniones/{meeting.pk}/").content.decode()
    assert 'id="minutes-locked"' in locked
    assert 'id="minutes-form"' not in locked and 'id="approve-form"' not in locked


def test_the_public_reads_approved_minutes_only(gov: Gov) -> None:
    # given a draft of the public body's first meeting
    planner = gov.world.users["planner"]
    meeting = _convene(gov, gov.public_body)
    services.minutes_save(actor=planner, meeting=meeting, text="Borrador con observaciones reservadas")
    url = f"/gobernanza/reuniones/{meeting.pk}/"
    # then anyone sees the meeting but not the draft
    page = _client().get(url).content.decode()
    assert "Sesión ordinaria" in page and "observaciones reservadas" not in page
    # when the body approves it at a later meeting held with quorum
    later = _convene(gov, gov.public_body, DAY + datetime.timedelta(days=30), "Segunda sesión")
    rosa = gov.public_body.members.get()
    services.meeting_attendance_record(actor=planner, meeting=meeting, marks={rosa.pk: "present"})
    services.meeting_attendance_record(actor=planner, meeting=later, marks={rosa.pk: "present"})
    response = _client(planner).post(
        f"/gobernanza/reuniones/{meeting.pk}/acta/aprobar/",
        {"approval": "at_meeting", "approved_in": later.pk},
    )
    assert response.status_code == 302
    # then anyone reads it
    assert "observaciones reservadas" in _client().get(url).content.decode()


def test_a_president_s_approval_by_someone_else_is_refused_on_the_page(gov: Gov) -> None:
    meeting = _convene(gov)
    services.meeting_attendance_record(
        actor=gov.secretary, meeting=meeting, marks={gov.seats["m1"].pk: "present"}
    )
    services.minutes_save(actor=gov.secretary, meeting=meeting, text="Acta")
    response = _client(gov.secretary).post(
        f"/gobernanza/reuniones/{meeting.pk}/acta/aprobar/", {"approval": "by_president"}
    )
    assert response.status_code == 422
    assert "Solo el presidente del órgano puede aprobar el acta personalmente." in response.content.decode()
    assert Minutes.objects.get(meeting=meeting).status == MinutesStatus.DRAFT


# --- agreements --------------------------------------------------------------------------------


def test_an_agreement_tied_to_a_project_is_registered_through_the_form(gov: Gov) -> None:
    # given a held meeting and a project of the entity
    meeting = _convene(gov)
    project = Project.objects.create(entity=gov.world.entity, code="P-31", title="Mejoramiento del malecón")
    due = timezone.localdate() + datetime.timedelta(days=60)
    # when the secretary registers an agreement owned by a member, on a plan item and the project
    response = _client(gov.secretary).post(
        f"/gobernanza/reuniones/{meeting.pk}/acuerdos/nuevo/",
        {
            "text": "Elaborar el expediente técnico del malecón",
            "owner": f"member:{gov.seats['m1'].pk}",
            "due_date": due.isoformat(),
            "nodes": [gov.world.node.pk],
            "projects": [str(project.pk)],
        },
    )
    # then it is number 1 of the plan, with its owner, due date, plan item and project
    assert response.status_code == 302 and response["Location"].endswith("#acuerdos")
    agreement = Agreement.objects.get()
    assert (agreement.number, agreement.plan, agreement.meeting, agreement.due_date) == (
        1,
        gov.world.plan,
        meeting,
        due,
    )
    assert agreement.owner_member == gov.seats["m1"]
    assert list(agreement.projects.all()) == [project] and list(agreement.nodes.all()) == [gov.world.node]
    # and its page shows the project and the owner
    page = _client(gov.world.users["planner"]).get(f"/gobernanza/acuerdos/{agreement.pk}/").content.decode()
    assert "P-31" in page and "Mejoramiento del malecón" in page
    assert "Ana Ríos (Municipalidad de Calzada)" in page


def test_an_agreement_on_another_entity_s_project_is_refused_on_the_page(gov: Gov) -> None:
    meeting = _convene(gov)
    other = Project.objects.create(entity=gov.world.other_entity, code="X-9", title="Ajeno")
    response = _client(gov.secretary).post(
        f"/gobernanza/reuniones/{meeting.pk}/acuerdos/nuevo/",
        {"text": "Acuerdo", "owner_office": "OPMI", "projects": [str(other.pk)]},
    )
    # the project is not among the choices of the form: refused, nothing saved
    assert response.status_code == 422
    assert "projects" in response.context["agreement_form"].errors
    assert not Agreement.objects.exists()


def _agreements(gov: Gov, body: Body) -> dict[str, Agreement]:
    planner = gov.world.users["planner"]
    meeting = _convene(gov, body)
    today = timezone.localdate()
    made = {
        key: services.agreement_create(
            actor=planner,
            meeting=meeting,
            text=text,
            owner_office="Gerencia de Infraestructura",
            due_date=due,
        )
        for key, text, due in (
            ("overdue", "Publicar el cronograma de obras", today - datetime.timedelta(days=20)),
            ("later", "Convocar a la mesa técnica", today + datetime.timedelta(days=20)),
            ("done", "Remitir el informe al concejo", today - datetime.timedelta(days=40)),
        )
    }
    services.agreement_status_set(actor=planner, agreement=made["done"], status=AgreementStatus.DONE)
    return made


def test_the_register_filtered_by_overdue(gov: Gov) -> None:
    made = _agreements(gov, gov.public_body)
    url = f"/gobernanza/planes/{gov.world.public_plan.pk}/acuerdos/"
    # when anyone filters the register of the public plan by overdue
    response = _client().get(url, {"estado": "overdue"})
    # then only the overdue agreement, marked as such
    assert response.status_code == 200
    assert [(r.agreement.pk, r.state) for r in response.context["rows"]] == [(made["overdue"].pk, "overdue")]
    page = response.content.decode()
    assert "Publicar el cronograma de obras" in page and 'class="table-danger"' in page
    assert "Convocar a la mesa técnica" not in page and "Remitir el informe al concejo" not in page
    # and the full register has the three, with the count of overdue ones
    full = _client().get(url)
    assert full.context["total"] == 3 and full.context["overdue_count"] == 1
    assert {r.state for r in full.context["rows"]} == {"overdue", "pending", "done"}


def test_the_register_of_the_private_plan_is_not_found_for_anonymous(gov: Gov) -> None:
    _agreements(gov, gov.body)
    url = f"/gobernanza/planes/{gov.world.plan.pk}/acuerdos/?estado=overdue"
    assert _client().get(url).status_code == 404
    assert len(_client(gov.world.users["observer"]).get(url).context["rows"]) == 1


def test_an_agreement_status_change_through_the_form_leaves_a_note(gov: Gov) -> None:
    made = _agreements(gov, gov.public_body)
    agreement = made["overdue"]
    url = f"/gobernanza/acuerdos/{agreement.pk}/estado/"
    # dropping without a reason comes back with the message
    refused = _client(gov.world.users["planner"]).post(url, {"status": "dropped"})
    assert refused.status_code == 422
    assert "Indique por qué el acuerdo queda sin efecto." in refused.content.decode()
    # a reader may not change it
    assert _client(gov.world.users["observer"]).post(url, {"status": "in_progress"}).status_code == 403
    # a planner moves it forward
    response = _client(gov.world.users["planner"]).post(url, {"status": "in_progress", "note": "Se inició"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_PROGRESS
    assert list(agreement.notes.values_list("text", "status_to")) == [("Se inició", "in_progress")]


def test_an_agreement_of_a_private_plan_is_not_public_even_when_its_body_is(gov: Gov) -> None:
    # given a public body of the entity serving all its plans, and an agreement on the private plan
    planner = gov.world.users["planner"]
    council = services.body_create(
        actor=planner, entity=gov.world.entity, kind="council", name="Concejo Provincial"
    )
    meeting = _convene(gov, council, title="Sesión de concejo")
    agreement = services.agreement_create(
        actor=planner,
        meeting=meeting,
        plan=gov.world.plan,
        text="Aprobar la zonificación del eje reservado",
        owner_office="Gerencia",
        node_ids=[gov.world.node.pk],
    )
    # when anyone opens the agreement, then it is not there (its plan is private)
    response = _client().get(f"/gobernanza/acuerdos/{agreement.pk}/")
    assert response.status_code == 404
    assert "Eje uno" not in response.content.decode()
    # and the public meeting does not list it
    page = _client().get(f"/gobernanza/reuniones/{meeting.pk}/").content.decode()
    assert "zonificación del eje reservado" not in page
    # and a reader of the entity sees both
    observer = _client(gov.world.users["observer"])
    assert "Eje uno" in observer.get(f"/gobernanza/acuerdos/{agreement.pk}/").content.decode()
    assert (
        "zonificación del eje reservado"
        in observer.get(f"/gobernanza/reuniones/{meeting.pk}/").content.decode()
    )


def test_a_seat_holder_reads_the_agreements_of_her_body_on_a_private_plan(gov: Gov) -> None:
    # given an agreement of the commission (private plan) and its secretary, with no role in the entity
    meeting = _convene(gov)
    agreement = services.agreement_create(
        actor=gov.secretary, meeting=meeting, text="Acuerdo de la comisión", owner_office="OPMI"
    )
    secretary = _client(gov.secretary)
    # then she reads the agreement and the meeting lists it; anonymous gets nothing
    assert secretary.get(f"/gobernanza/acuerdos/{agreement.pk}/").status_code == 200
    assert "Acuerdo de la comisión" in secretary.get(f"/gobernanza/reuniones/{meeting.pk}/").content.decode()
    assert _client().get(f"/gobernanza/acuerdos/{agreement.pk}/").status_code == 404


# --- the plan dashboard ------------------------------------------------------------------------


def test_the_dashboard_shows_the_overdue_agreements_panel(gov: Gov) -> None:
    made = _agreements(gov, gov.public_body)
    url = reverse("indicators:dashboard", kwargs={"plan_id": gov.world.public_plan.pk})
    # when anyone opens the dashboard of the public plan
    response = _client().get(url)
    # then the panel lists the overdue agreement, and only it
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="agreements-panel"' in page and "Acuerdos vencidos" in page
    assert f'data-agreement="{made["overdue"].pk}"' in page and "Publicar el cronograma de obras" in page
    assert f'data-agreement="{made["later"].pk}"' not in page
    assert f'href="/gobernanza/acuerdos/{made["overdue"].pk}/"' in page


def test_the_dashboard_has_no_agreements_panel_without_agreements(gov: Gov) -> None:
    page = _client().get(reverse("indicators:dashboard", kwargs={"plan_id": gov.world.public_plan.pk}))
    assert page.status_code == 200 and 'id="agreements-panel"' not in page.content.decode()


def test_the_dashboard_hides_the_overdue_agreements_of_a_private_body_from_the_public(gov: Gov) -> None:
    # given an overdue agreement of a private body of the public plan
    made = _agreements(gov, _hidden_body(gov))
    url = reverse("indicators:dashboard", kwargs={"plan_id": gov.world.public_plan.pk})
    # then the public does not see it; a planner does
    assert "Publicar el cronograma de obras" not in _client().get(url).content.decode()
    page = _client(gov.world.users["planner"]).get(url).content.decode()
    assert 'id="agreements-panel"' in page and f'data-agreement="{made["overdue"].pk}"' in page


def test_the_public_sees_neither_private_parts_nor_each_member_s_attendance(gov: Gov) -> None:
    planner = gov.world.users["planner"]
    services.body_create(actor=planner, entity=gov.world.entity, plan=gov.world.public_plan, kind="technical_team",
                         name="Equipo reservado", parent=gov.public_body, is_public=False)  # fmt: skip
    page = _client().get(f"/gobernanza/organos/{gov.public_body.pk}/").content.decode()
    assert "Equipo reservado" not in page
    assert (
        "Equipo reservado"
        in _client(planner).get(f"/gobernanza/organos/{gov.public_body.pk}/").content.decode()
    )
    meeting = _convene(gov, gov.public_body)
    rosa = gov.public_body.members.get()
    services.meeting_attendance_record(actor=planner, meeting=meeting, marks={rosa.pk: "present"})
    public = _client().get(f"/gobernanza/reuniones/{meeting.pk}/").content.decode()
    assert 'id="attendance-private"' in public and 'id="quorum"' not in public
    assert 'id="quorum"' in _client(planner).get(f"/gobernanza/reuniones/{meeting.pk}/").content.decode()
