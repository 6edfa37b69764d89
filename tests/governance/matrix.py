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
file write it inside the URL function: each call runs in a savepoint rolled back afterwards.

The plan pages (rumbo/governance/plan_pages.py) have their rows in PLAN_PAGES, appended to WEB:
convenios, dissemination, the action plan and the general indicators are read by whoever sees
the plan; the risks and a proof's file need the entity's private data (`entity_private`). Writes
need EDIT_PLAN, the update of the general indicators REPORT_DATA. `governance_world` adds for
them a public convenio (two parties, a contribution), a private one (is_public False) and one of
the private plan; a dissemination activity, a risk and an action on each of the two plans."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rumbo.governance import activity, contributions, services
from rumbo.governance.calendar import person_calendar_token
from rumbo.governance.models import AgreementNote, AttendanceStatus, DisseminationProof, Meeting
from rumbo.indicators.sheets.services import catalogue_adopt
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
    _plan_pages_world(world)
    return world


def _plan_pages_world(world: Any) -> None:
    planner = world.users["planner"]

    def convenio(plan: Any, title: str, **kw: Any) -> Any:
        signed = datetime.date(2026, 1, 15)
        parties = [{"name": "Municipalidad Provincial"}, {"name": "Municipalidad Distrital de Calzada"}]
        return contributions.convenio_create(
            actor=planner, entity=world.entity, plan=plan, title=title, signed_on=signed, starts_on=signed,
            ends_on=datetime.date(2028, 12, 31), parties=parties, **kw,
        )  # fmt: skip

    world.gov_convenio = convenio(world.public_plan, "Convenio de financiamiento")
    world.gov_party = world.gov_convenio.parties.order_by("pk").first()
    contributions.contribution_year_set(
        actor=planner, party=world.gov_party, year=2026, fixed="1000", variable="500", fixed_paid="1000"
    )
    world.gov_hidden_convenio = convenio(world.public_plan, "Convenio reservado", is_public=False)
    world.gov_hidden_party = world.gov_hidden_convenio.parties.order_by("pk").first()
    world.gov_private_convenio = convenio(world.plan, "Convenio del plan privado")
    world.gov_private_party = world.gov_private_convenio.parties.order_by("pk").first()
    for attr, plan in (("gov_activity", world.public_plan), ("gov_private_activity", world.plan)):
        setattr(world, attr, activity.activity_create(
            actor=planner, plan=plan, kind="workshop", title="Taller en el colegio", held_on=DAY,
            attendees=30,
        ))  # fmt: skip
    for attr, plan in (("gov_risk", world.public_plan), ("gov_private_risk", world.plan)):
        setattr(world, attr, activity.risk_create(actor=planner, plan=plan, description="Cambio de gestión"))
    for attr, plan in (("gov_action", world.public_plan), ("gov_private_action", world.plan)):
        setattr(world, attr, activity.action_create(
            actor=planner, plan=plan, title="Publicar el plan", responsible="Gerencia", starts_on=DAY,
            ends_on=DAY + datetime.timedelta(days=60),
        ))  # fmt: skip


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
    Case(
        "remark on draft minutes (refused: not circulated)",
        "post",
        _meeting_url("gov_meeting", "acta/observaciones/"),
        "public_plan",
        C.COMMENT,
        422,
        data=lambda w: {"text": "Observación"},
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
    _api(
        "api convenios of the public plan",
        lambda w: f"/api/v1/governance/convenios?plan={w.public_plan.pk}",
        "public_plan",
    ),
    _api(
        "api convenios of the private plan",
        lambda w: f"/api/v1/governance/convenios?plan={w.plan.pk}",
        "plan",
    ),
    _api(
        "api dissemination of the public plan",
        lambda w: f"/api/v1/governance/dissemination?plan={w.public_plan.pk}",
        "public_plan",
    ),
    _api(
        "api dissemination of the private plan",
        lambda w: f"/api/v1/governance/dissemination?plan={w.plan.pk}",
        "plan",
    ),
    _api(
        "api action plan of the public plan",
        lambda w: f"/api/v1/governance/actions?plan={w.public_plan.pk}",
        "public_plan",
    ),
    Case(
        "api risks of the public plan (internal)",
        "get",
        lambda w: f"/api/v1/governance/risks?plan={w.public_plan.pk}",
        "public_plan",
        None,
        200,
        api=True,
        login_required=False,
        entity_private=True,
    ),
    Case(
        "api risks of the private plan",
        "get",
        lambda w: f"/api/v1/governance/risks?plan={w.plan.pk}",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
        entity_private=True,
    ),
    Case(
        "api move an agreement along",
        "post",
        lambda w: f"/api/v1/governance/agreements/{w.gov_agreement.pk}/status",
        "public_plan",
        C.EDIT_PLAN,
        200,
        api=True,
        data=lambda w: {"status": "in_progress", "note": "Se inició"},
    ),
    Case(
        "api move an agreement of the private plan along",
        "post",
        lambda w: f"/api/v1/governance/agreements/{w.gov_private_agreement.pk}/status",
        "plan",
        C.EDIT_PLAN,
        200,
        api=True,
        data=lambda w: {"status": "in_progress", "note": "Se inició"},
    ),
]


# --- the plan pages ----------------------------------------------------------------------------


def _page(attr: str, tail: str = "") -> Any:
    return lambda w: f"/gobernanza/planes/{getattr(w, attr).pk}/{tail}"


def _statement_url(plan: str, party: str, fmt: str) -> Any:
    def url(world: Any) -> str:
        p = getattr(world, party)
        tail = f"convenios/{p.convenio_id}/partes/{p.pk}/estado.{fmt}"
        return f"/gobernanza/planes/{getattr(world, plan).pk}/{tail}"

    return url


def _proof_url(plan: str, attr: str) -> Any:
    def url(world: Any) -> str:
        proof = DisseminationProof(
            activity=getattr(world, attr), kind="photo", name="foto.pdf", sha256="0" * 64
        )
        proof.file.save("foto.pdf", ContentFile(b"%PDF-1.4\nfoto\n"), save=True)
        return f"/gobernanza/planes/{getattr(world, plan).pk}/difusion/pruebas/{proof.pk}/"

    return url


def _adopted(attr: str, tail: str) -> Any:
    """The general-indicators page of a plan that adopted catalogue indicators computed here."""

    def url(world: Any) -> str:
        plan = getattr(world, attr)
        catalogue_adopt(
            actor=world.users["planner"], plan=plan, keys=["INS-04", "CON-01", "DIF-05", "CON-03"]
        )
        return f"/gobernanza/planes/{plan.pk}/indicadores-generales/{tail}"

    return url


def _convenio_data(world: Any) -> dict[str, Any]:
    return {
        "title": "Convenio nuevo", "signed_on": "2026-02-01", "starts_on": "2026-02-01",
        "parties": "Municipalidad Provincial; coordinadora\nMunicipalidad Distrital de Soritor; aportante",
    }  # fmt: skip


def _contribution_data(party: str) -> Any:
    return lambda w: {"party": str(getattr(w, party).pk), "year": "2027", "fixed": "2000", "variable": "800"}


def _activity_data(world: Any) -> dict[str, Any]:
    return {
        "kind": "presentation",
        "title": "Presentación pública",
        "held_on": "2026-04-02",
        "audience": "general",
    }


def _proof_data(world: Any) -> dict[str, Any]:
    upload = SimpleUploadedFile("lista.pdf", b"%PDF-1.4\nlista de asistencia\n", "application/pdf")
    return {"kind": "attendance_list", "file": upload}


def _risk_data(world: Any) -> dict[str, Any]:
    return {"kind": "risk", "description": "Recorte del presupuesto", "likelihood": "4", "impact": "5"}


def _review_data(world: Any) -> dict[str, Any]:
    return {"state": "mitigated", "likelihood": "2", "impact": "3", "note": "Se firmó el convenio"}


def _action_data(world: Any) -> dict[str, Any]:
    return {
        "title": "Taller de validación",
        "responsible": "OPMI",
        "starts_on": "2026-05-01",
        "ends_on": "2026-06-30",
    }


def _private(name: str, method: str, url: Any, plan: str, ok: int = 200, **kw: Any) -> Case:
    """A page or file of the entity's private data: 404 for whoever may not read it."""
    capability = C.EDIT_PLAN if method == "post" else None
    login = method == "post" or kw.pop("login_required", False)
    return Case(name, method, url, plan, capability, ok, entity_private=True, login_required=login, **kw)


PLAN_PAGES: list[Case] = [
    # convenios and contributions
    _post(
        "record a commitment of a convenio",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/convenios/{w.gov_convenio.pk}/compromisos/",
        "public_plan",
        lambda w: {"text": "Transferir el aporte", "owner_office": "Tesorería"},
    ),
    _post(
        "record a commitment of the private plan's convenio",
        lambda w: f"/gobernanza/planes/{w.plan.pk}/convenios/{w.gov_private_convenio.pk}/compromisos/",
        "plan",
        lambda w: {"text": "Transferir el aporte", "owner_office": "Tesorería"},
    ),
    _get("convenios of the public plan", _page("public_plan", "convenios/"), "public_plan"),
    _get("convenios of the private plan", _page("plan", "convenios/"), "plan"),
    _get("convenios of another entity's plan", _page("other_plan", "convenios/"), "other_plan"),
    _get(
        "statement pdf of a public convenio", _statement_url("public_plan", "gov_party", "pdf"), "public_plan"
    ),
    _get(
        "statement xlsx of a public convenio",
        _statement_url("public_plan", "gov_party", "xlsx"),
        "public_plan",
    ),
    _get(
        "statement xlsx of a private convenio",
        _statement_url("public_plan", "gov_hidden_party", "xlsx"),
        "gov_hidden_convenio",
    ),
    _get(
        "statement pdf of a private convenio",
        _statement_url("public_plan", "gov_hidden_party", "pdf"),
        "gov_hidden_convenio",
    ),
    _get("statement xlsx of the private plan", _statement_url("plan", "gov_private_party", "xlsx"), "plan"),
    Case(
        "statement of the private plan's convenio through the public plan",
        "get",
        _statement_url("public_plan", "gov_private_party", "xlsx"),
        "public_plan",
        None,
        404,
        login_required=False,
    ),
    Case(
        "statement in an unknown format",
        "get",
        _statement_url("public_plan", "gov_party", "csv"),
        "public_plan",
        None,
        404,
        login_required=False,
    ),
    _post(
        "add a convenio to the public plan",
        _page("public_plan", "convenios/nuevo/"),
        "public_plan",
        _convenio_data,
    ),
    _post("add a convenio to the private plan", _page("plan", "convenios/nuevo/"), "plan", _convenio_data),
    _post(
        "add a convenio to another entity's plan",
        _page("other_plan", "convenios/nuevo/"),
        "other_plan",
        _convenio_data,
    ),
    _post(
        "add a convenio with one party (invalid)",
        _page("public_plan", "convenios/nuevo/"),
        "public_plan",
        lambda w: _convenio_data(w) | {"parties": "Municipalidad Provincial"},
        ok=422,
    ),
    _post(
        "record contributions to a public convenio",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/convenios/{w.gov_convenio.pk}/aportes/",
        "public_plan",
        _contribution_data("gov_party"),
    ),
    _post(
        "record contributions to the private plan's convenio",
        lambda w: f"/gobernanza/planes/{w.plan.pk}/convenios/{w.gov_private_convenio.pk}/aportes/",
        "plan",
        _contribution_data("gov_private_party"),
    ),
    _post(
        "record contributions to the private plan's convenio through the public plan",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/convenios/{w.gov_private_convenio.pk}/aportes/",
        "public_plan",
        _contribution_data("gov_private_party"),
        ok=404,
    ),
    _post(
        "record contributions that do not add up (invalid)",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/convenios/{w.gov_convenio.pk}/aportes/",
        "public_plan",
        lambda w: _contribution_data("gov_party")(w) | {"total": "9999"},
        ok=422,
    ),
    # dissemination
    _get("dissemination of the public plan", _page("public_plan", "difusion/"), "public_plan"),
    _get("dissemination of the private plan", _page("plan", "difusion/"), "plan"),
    _get("dissemination of another entity's plan", _page("other_plan", "difusion/"), "other_plan"),
    _post(
        "add an activity to the public plan",
        _page("public_plan", "difusion/nueva/"),
        "public_plan",
        _activity_data,
    ),
    _post("add an activity to the private plan", _page("plan", "difusion/nueva/"), "plan", _activity_data),
    _post(
        "add an activity without a title (invalid)",
        _page("public_plan", "difusion/nueva/"),
        "public_plan",
        lambda w: _activity_data(w) | {"title": ""},
        ok=422,
    ),
    _post(
        "add proof to an activity of the public plan",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/difusion/{w.gov_activity.pk}/prueba/",
        "public_plan",
        _proof_data,
    ),
    _post(
        "add proof to an activity of the private plan",
        lambda w: f"/gobernanza/planes/{w.plan.pk}/difusion/{w.gov_private_activity.pk}/prueba/",
        "plan",
        _proof_data,
    ),
    _post(
        "add proof to the private plan's activity through the public plan",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/difusion/{w.gov_private_activity.pk}/prueba/",
        "public_plan",
        _proof_data,
        ok=404,
    ),
    _private(
        "proof file of the public plan",
        "get",
        _proof_url("public_plan", "gov_activity"),
        "public_plan",
        login_required=True,
    ),
    _private(
        "proof file of the private plan",
        "get",
        _proof_url("plan", "gov_private_activity"),
        "plan",
        login_required=True,
    ),
    _private(
        "proof file of the private plan through the public plan",
        "get",
        _proof_url("public_plan", "gov_private_activity"),
        "public_plan",
        ok=404,
        login_required=True,
    ),
    # risks and assumptions
    _private("risks of the public plan", "get", _page("public_plan", "riesgos/"), "public_plan"),
    _private("risks of the private plan", "get", _page("plan", "riesgos/"), "plan"),
    _private("risks of another entity's plan", "get", _page("other_plan", "riesgos/"), "other_plan"),
    _private(
        "add a risk to the public plan",
        "post",
        _page("public_plan", "riesgos/nuevo/"),
        "public_plan",
        302,
        data=_risk_data,
    ),
    _private(
        "add a risk to the private plan",
        "post",
        _page("plan", "riesgos/nuevo/"),
        "plan",
        302,
        data=_risk_data,
    ),
    _private(
        "add a risk (invalid)",
        "post",
        _page("public_plan", "riesgos/nuevo/"),
        "public_plan",
        422,
        data=lambda w: _risk_data(w) | {"description": ""},
    ),
    _private(
        "review a risk of the public plan",
        "post",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/riesgos/{w.gov_risk.pk}/revision/",
        "public_plan",
        302,
        data=_review_data,
    ),
    _private(
        "review a risk of the private plan",
        "post",
        lambda w: f"/gobernanza/planes/{w.plan.pk}/riesgos/{w.gov_private_risk.pk}/revision/",
        "plan",
        302,
        data=_review_data,
    ),
    _private(
        "review a risk with a state of assumptions (invalid)",
        "post",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/riesgos/{w.gov_risk.pk}/revision/",
        "public_plan",
        422,
        data=lambda w: _review_data(w) | {"state": "holds"},
    ),
    _private(
        "review the private plan's risk through the public plan",
        "post",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/riesgos/{w.gov_private_risk.pk}/revision/",
        "public_plan",
        404,
        data=_review_data,
    ),
    # the action plan
    _get("action plan of the public plan", _page("public_plan", "plan-de-accion/"), "public_plan"),
    _get("action plan of the private plan", _page("plan", "plan-de-accion/"), "plan"),
    _get(
        "action plan xlsx of the public plan",
        _page("public_plan", "plan-de-accion/?formato=xlsx"),
        "public_plan",
    ),
    _get("action plan xlsx of the private plan", _page("plan", "plan-de-accion/?formato=xlsx"), "plan"),
    _get(
        "action plan xlsx of another entity's plan",
        _page("other_plan", "plan-de-accion/?formato=xlsx"),
        "other_plan",
    ),
    _post(
        "add an action to the public plan",
        _page("public_plan", "plan-de-accion/nueva/"),
        "public_plan",
        _action_data,
    ),
    _post("add an action to the private plan", _page("plan", "plan-de-accion/nueva/"), "plan", _action_data),
    _post(
        "add an action ending before it starts (invalid)",
        _page("public_plan", "plan-de-accion/nueva/"),
        "public_plan",
        lambda w: _action_data(w) | {"ends_on": "2026-04-01"},
        ok=422,
    ),
    _post(
        "set the status of an action of the public plan",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/plan-de-accion/{w.gov_action.pk}/estado/",
        "public_plan",
        lambda w: {"status": "in_progress"},
    ),
    _post(
        "set the status of an action of the private plan",
        lambda w: f"/gobernanza/planes/{w.plan.pk}/plan-de-accion/{w.gov_private_action.pk}/estado/",
        "plan",
        lambda w: {"status": "done"},
    ),
    _post(
        "set the status of the private plan's action through the public plan",
        lambda w: f"/gobernanza/planes/{w.public_plan.pk}/plan-de-accion/{w.gov_private_action.pk}/estado/",
        "public_plan",
        lambda w: {"status": "done"},
        ok=404,
    ),
    # general indicators computed from the governance record
    _get("general indicators of the public plan", _adopted("public_plan", ""), "public_plan"),
    _get("general indicators of the private plan", _adopted("plan", ""), "plan"),
    _get(
        "general indicators of a plan that adopted none",
        _page("public_plan", "indicadores-generales/"),
        "public_plan",
    ),
    _get(
        "general indicators of another entity's plan",
        _page("other_plan", "indicadores-generales/"),
        "other_plan",
    ),
    Case(
        "update the general indicators of the public plan",
        "post",
        _adopted("public_plan", "actualizar/"),
        "public_plan",
        C.REPORT_DATA,
        302,
    ),
    Case(
        "update the general indicators of the private plan",
        "post",
        _adopted("plan", "actualizar/"),
        "plan",
        C.REPORT_DATA,
        302,
    ),
    Case(
        "update the general indicators of another entity's plan",
        "post",
        _page("other_plan", "indicadores-generales/actualizar/"),
        "other_plan",
        C.REPORT_DATA,
        302,
    ),
]
WEB += PLAN_PAGES
