"""Permission-matrix rows of the governance pages, feeds and endpoints (see
tests/test_permission_matrix.py for the rule each row is checked against).

`governance_world` adds to the matrix's world: a body on the private plan (world.gov_body), a
public body on the public plan (world.gov_public_body, one external member with an e-mail), a
private body on the public plan (world.gov_hidden_body) and a body of the other entity. The
public body has two held meetings (the first with draft minutes, the second held with quorum, at
which the first's minutes may be approved) and an overdue agreement; the private plan's body has
a meeting and an agreement. Rows name their target so: "plan" for the private plan's body (hidden
from whoever may not read the entity's private data), "public_plan" for the public body (read by
all), "gov_hidden_body" for the private body (is_public False), "other_plan" for the other entity.

Writes need EDIT_PLAN on the entity (or the body's technical secretary, who is none of the
matrix's roles). The signed attendance list and follow-up evidence are private parts: 404 for
whoever may not read the entity's private data, hence `entity_private`. The rows that serve a
file write it inside the URL function: each call runs in a savepoint rolled back afterwards."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from rumbo.governance import services
from rumbo.governance.calendar import person_calendar_token
from rumbo.governance.models import AgreementNote, AttendanceStatus, Meeting
from tests.matrix_support import C, Case

DAY = datetime.date(2026, 3, 10)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def governance_world(world: Any) -> Any:
    planner = world.users["planner"]
    entity = world.entity

    def body(plan: Any, name: str, **kw: Any) -> Any:
        return services.body_create(
            actor=planner, entity=entity, plan=plan, kind="commission", name=name, **kw
        )

    def meeting(on: Any, day: datetime.date, title: str) -> Meeting:
        return services.meeting_convene(
            actor=planner, body=on, title=title, starts_at=_at(day, 10), ends_at=_at(day, 12)
        )

    world.gov_body = body(world.plan, "Comisión del plan privado")
    world.gov_public_body = body(world.public_plan, "Comité de Gestión")
    world.gov_hidden_body = body(world.public_plan, "Equipo técnico reservado", is_public=False)
    world.gov_other_body = services.body_create(
        actor=world.users["other_admin"],
        entity=world.other_entity,
        plan=world.other_plan,
        kind="other",
        name="Órgano ajeno",
    )
    world.gov_member = services.member_add(
        actor=planner,
        body=world.gov_public_body,
        name="Rosa Vela",
        email="rosa@vecinos.example",
        joined_on=datetime.date(2026, 1, 1),
    )
    world.gov_meeting = meeting(world.gov_public_body, DAY, "Instalación")
    world.gov_later_meeting = meeting(
        world.gov_public_body, DAY + datetime.timedelta(days=30), "Segunda sesión"
    )
    for held in (world.gov_meeting, world.gov_later_meeting):
        services.meeting_attendance_record(
            actor=planner, meeting=held, marks={world.gov_member.pk: AttendanceStatus.PRESENT}
        )
    services.minutes_save(actor=planner, meeting=world.gov_meeting, text="Borrador del acta")
    world.gov_agreement = services.agreement_create(
        actor=planner,
        meeting=world.gov_meeting,
        text="Publicar el cronograma",
        owner_office="Gerencia",
        due_date=datetime.date(2020, 1, 1),
    )
    world.gov_private_meeting = meeting(world.gov_body, DAY, "Sesión reservada")
    world.gov_private_agreement = services.agreement_create(
        actor=planner, meeting=world.gov_private_meeting, text="Acuerdo reservado", owner_office="OPMI"
    )
    return world


# --- URL and data functions --------------------------------------------------------------------


def _body_url(attr: str, tail: str = "") -> Any:
    return lambda w: f"/gobernanza/organos/{getattr(w, attr).pk}/{tail}"


def _meeting_url(attr: str, tail: str = "") -> Any:
    return lambda w: f"/gobernanza/reuniones/{getattr(w, attr).pk}/{tail}"


def _agreement_url(attr: str, tail: str = "") -> Any:
    return lambda w: f"/gobernanza/acuerdos/{getattr(w, attr).pk}/{tail}"


def _attendance_list_url(attr: str) -> Any:
    def url(world: Any) -> str:
        meeting = getattr(world, attr)
        name = default_storage.save("governance/attendance/lista.pdf", ContentFile(b"%PDF-1.4\nlista\n"))
        Meeting.objects.filter(pk=meeting.pk).update(attendance_list=name, attendance_list_name="lista.pdf")
        return f"/gobernanza/reuniones/{meeting.pk}/asistencia/lista/"

    return url


def _evidence_url(attr: str) -> Any:
    def url(world: Any) -> str:
        agreement = getattr(world, attr)
        note = AgreementNote(agreement=agreement, text="Informe", evidence_name="informe.pdf")
        note.evidence.save("informe.pdf", ContentFile(b"%PDF-1.4\ninforme\n"), save=True)
        return f"/gobernanza/acuerdos/{agreement.pk}/seguimiento/{note.pk}/evidencia/"

    return url


def _person_calendar_url(world: Any) -> str:
    return f"/gobernanza/calendario/{person_calendar_token(world.users['planner'])}.ics"


def _tampered_calendar_url(world: Any) -> str:
    token = person_calendar_token(world.users["planner"])
    return f"/gobernanza/calendario/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}.ics"


def _body_data(world: Any) -> dict[str, Any]:
    return {"kind": "commission", "name": "Órgano nuevo", "quorum_rule": "majority", "is_public": "on"}


def _member_data(world: Any) -> dict[str, Any]:
    return {"name": "Miembro nuevo", "sector": "public", "role": "member", "joined_on": "2026-02-01"}


def _meeting_data(world: Any) -> dict[str, Any]:
    return {"title": "Sesión extraordinaria", "starts_at": "2026-05-04T10:00", "ends_at": "2026-05-04T12:00"}


def _get(name: str, url: Any, plan: str | None, **kw: Any) -> Case:
    return Case(name, "get", url, plan, None, 200, login_required=False, **kw)


def _post(name: str, url: Any, plan: str, data: Any, ok: int = 302) -> Case:
    return Case(name, "post", url, plan, C.EDIT_PLAN, ok, data=data)


WEB: list[Case] = [
    # a plan's bodies and its agreements register
    _get("governance of the private plan", lambda w: f"/gobernanza/planes/{w.plan.pk}/", "plan"),
    _get("governance of the public plan", lambda w: f"/gobernanza/planes/{w.public_plan.pk}/", "public_plan"),
    _get(
        "governance of another entity's plan",
        lambda w: f"/gobernanza/planes/{w.other_plan.pk}/",
        "other_plan",
    ),
    _get(
        "agreements register of the private plan",
        lambda w: f"/gobernanza/planes/{w.plan.pk}/acuerdos/",
        "plan",
    ),
    _get(
        "overdue agreements of the public plan",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/acuerdos/?estado=overdue",
        "public_plan",
    ),
    # bodies, meetings and agreements
    _get("body of the private plan", _body_url("gov_body"), "plan"),
    _get("public body", _body_url("gov_public_body"), "public_plan"),
    _get("private body of the public plan", _body_url("gov_hidden_body"), "gov_hidden_body"),
    _get("body of another entity", _body_url("gov_other_body"), "other_plan"),
    _get("meeting of the private plan's body", _meeting_url("gov_private_meeting"), "plan"),
    _get("meeting of the public body", _meeting_url("gov_meeting"), "public_plan"),
    _get("agreement of the private plan", _agreement_url("gov_private_agreement"), "plan"),
    _get("agreement of the public body", _agreement_url("gov_agreement"), "public_plan"),
    # calendars
    _get("calendar of the private plan's body", _body_url("gov_body", "reuniones.ics"), "plan"),
    _get("calendar of the public body", _body_url("gov_public_body", "reuniones.ics"), "public_plan"),
    _get("calendar of a private body", _body_url("gov_hidden_body", "reuniones.ics"), "gov_hidden_body"),
    Case("my meetings calendar page", "get", lambda w: "/gobernanza/calendario/", None, None, 200),
    _get("a person's calendar feed", _person_calendar_url, None),  # the secret address is the key
    Case("a tampered calendar feed", "get", _tampered_calendar_url, None, None, 404, login_required=False),
    # private files
    Case(
        "signed attendance list of the public body",
        "get",
        _attendance_list_url("gov_meeting"),
        "public_plan",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "signed attendance list of the private plan's body",
        "get",
        _attendance_list_url("gov_private_meeting"),
        "plan",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "agreement evidence of the public body",
        "get",
        _evidence_url("gov_agreement"),
        "public_plan",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "agreement evidence of the private plan",
        "get",
        _evidence_url("gov_private_agreement"),
        "plan",
        None,
        200,
        entity_private=True,
    ),
    # writes
    _post(
        "add a body to the public plan",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/organos/nuevo/",
        "public_plan",
        _body_data,
    ),
    _post(
        "add a body to the private plan",
        lambda w: f"/gobernanza/planes/{w.plan.pk}/organos/nuevo/",
        "plan",
        _body_data,
    ),
    _post(
        "add a body to another entity's plan",
        lambda w: f"/gobernanza/planes/{w.other_plan.pk}/organos/nuevo/",
        "other_plan",
        _body_data,
    ),
    _post(
        "add a body (invalid)",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/organos/nuevo/",
        "public_plan",
        lambda w: {"kind": "commission", "name": ""},
        ok=422,
    ),
    _post(
        "add a member to the public body",
        _body_url("gov_public_body", "miembros/nuevo/"),
        "public_plan",
        _member_data,
    ),
    _post(
        "add a member to the private plan's body",
        _body_url("gov_body", "miembros/nuevo/"),
        "plan",
        _member_data,
    ),
    _post(
        "convene a meeting of the public body",
        _body_url("gov_public_body", "reuniones/nueva/"),
        "public_plan",
        _meeting_data,
    ),
    _post(
        "convene a meeting of the private plan's body",
        _body_url("gov_body", "reuniones/nueva/"),
        "plan",
        _meeting_data,
    ),
    _post(
        "convene a meeting of a private body",
        _body_url("gov_hidden_body", "reuniones/nueva/"),
        "gov_hidden_body",
        _meeting_data,
    ),
    _post(
        "convene a meeting of another entity's body",
        _body_url("gov_other_body", "reuniones/nueva/"),
        "other_plan",
        _meeting_data,
    ),
    _post(
        "convene a meeting (invalid)",
        _body_url("gov_public_body", "reuniones/nueva/"),
        "public_plan",
        lambda w: _meeting_data(w) | {"ends_at": "2026-05-04T09:00"},
        ok=422,
    ),
    _post(
        "record attendance",
        _meeting_url("gov_meeting", "asistencia/"),
        "public_plan",
        lambda w: {f"member-{w.gov_member.pk}": "present"},
    ),
    _post(
        "save minutes",
        _meeting_url("gov_meeting", "acta/"),
        "public_plan",
        lambda w: {"text": "Acta corregida", "circulate": "1"},
    ),
    _post(
        "save minutes of the private plan's body",
        _meeting_url("gov_private_meeting", "acta/"),
        "plan",
        lambda w: {"text": "Acta reservada"},
    ),
    _post(
        "approve minutes at a later meeting",
        _meeting_url("gov_meeting", "acta/aprobar/"),
        "public_plan",
        lambda w: {"approval": "at_meeting", "approved_in": str(w.gov_later_meeting.pk)},
    ),
    _post(
        "register an agreement",
        _meeting_url("gov_meeting", "acuerdos/nuevo/"),
        "public_plan",
        lambda w: {"text": "Acuerdo nuevo", "owner_office": "Gerencia"},
    ),
    _post(
        "register an agreement of the private plan",
        _meeting_url("gov_private_meeting", "acuerdos/nuevo/"),
        "plan",
        lambda w: {"text": "Acuerdo nuevo", "owner_office": "Gerencia"},
    ),
    _post(
        "change an agreement's status",
        _agreement_url("gov_agreement", "estado/"),
        "public_plan",
        lambda w: {"status": "in_progress", "note": "Se inició"},
    ),
    _post(
        "add an agreement follow-up",
        _agreement_url("gov_agreement", "seguimiento/"),
        "public_plan",
        lambda w: {"text": "Se publicó el cronograma"},
    ),
    _post(
        "add a follow-up to an agreement of the private plan",
        _agreement_url("gov_private_agreement", "seguimiento/"),
        "plan",
        lambda w: {"text": "Avance"},
    ),
]


def _api(name: str, url: Any, plan: str) -> Case:
    return Case(name, "get", url, plan, None, 200, api=True, login_required=False)


API: list[Case] = [
    _api(
        "api bodies of the public plan",
        lambda w: f"/api/v1/governance/bodies?plan={w.public_plan.pk}",
        "public_plan",
    ),
    _api("api bodies of the private plan", lambda w: f"/api/v1/governance/bodies?plan={w.plan.pk}", "plan"),
    _api(
        "api bodies of another entity's plan",
        lambda w: f"/api/v1/governance/bodies?plan={w.other_plan.pk}",
        "other_plan",
    ),
    _api("api public body", lambda w: f"/api/v1/governance/bodies/{w.gov_public_body.pk}", "public_plan"),
    _api("api body of the private plan", lambda w: f"/api/v1/governance/bodies/{w.gov_body.pk}", "plan"),
    _api(
        "api private body of the public plan",
        lambda w: f"/api/v1/governance/bodies/{w.gov_hidden_body.pk}",
        "gov_hidden_body",
    ),
    _api(
        "api meetings of the public body",
        lambda w: f"/api/v1/governance/meetings?body={w.gov_public_body.pk}",
        "public_plan",
    ),
    _api(
        "api meetings of the private plan's body",
        lambda w: f"/api/v1/governance/meetings?body={w.gov_body.pk}",
        "plan",
    ),
    _api(
        "api meetings of a private body",
        lambda w: f"/api/v1/governance/meetings?body={w.gov_hidden_body.pk}",
        "gov_hidden_body",
    ),
    _api(
        "api overdue agreements of the public plan",
        lambda w: f"/api/v1/governance/agreements?plan={w.public_plan.pk}&state=overdue",
        "public_plan",
    ),
    _api(
        "api agreements of the private plan",
        lambda w: f"/api/v1/governance/agreements?plan={w.plan.pk}",
        "plan",
    ),
]
