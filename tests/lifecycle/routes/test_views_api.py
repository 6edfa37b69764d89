"""Pages, iCalendar export, permissions and the API contract of routes and procedures."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from rumbo.accounts.services import api_token_create
from rumbo.lifecycle.routes import services
from rumbo.lifecycle.routes.ical import ical_fold
from rumbo.lifecycle.routes.models import (
    PlanProcedureStep,
    PlanRoute,
    PlanStepState,
    Procedure,
    Route,
    StepFile,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def started(co: Any) -> PlanRoute:
    return services.plan_route_start(
        actor=co.planner, plan=co.plan, route=Route.objects.get(code="co_fcm_2019")
    )


def _state(code: str) -> PlanStepState:
    return PlanStepState.objects.get(step__route__code="co_fcm_2019", step__code=code)


def test_a_planner_starts_a_route_from_the_page(co: Any) -> None:
    client = _client(co.planner)
    page = client.get(f"/ciclo/planes/{co.plan.pk}/ruta/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Federación Colombiana de Municipios" in body and "MINAM" not in body  # only the country's routes
    response = client.post(
        f"/ciclo/planes/{co.plan.pk}/ruta/iniciar/", {"route": Route.objects.get(code="co_fcm_2019").pk}
    )
    assert response.status_code == 302
    page = client.get(f"/ciclo/planes/{co.plan.pk}/ruta/")
    assert 'id="route-progress" data-percent="0"' in page.content.decode()
    assert "Contar con la mejor información" in page.content.decode()  # the stage's challenge as help


def test_observers_see_the_route_but_cannot_change_it(co: Any, started: Any) -> None:
    client = _client(co.observer)
    state = _state("C1")
    assert client.get(f"/ciclo/planes/{co.plan.pk}/ruta/").status_code == 200
    assert client.get(f"/ciclo/pasos/{state.pk}/").status_code == 200
    assert client.get(f"/ciclo/planes/{co.plan.pk}/tramite/").status_code == 200
    assert client.post(f"/ciclo/pasos/{state.pk}/", {"status": "done"}).status_code == 403
    assert client.post(f"/ciclo/pasos/{state.pk}/archivos/", {}).status_code == 403
    assert client.post(f"/ciclo/planes/{co.plan.pk}/ruta/iniciar/", {}).status_code == 403
    assert client.post(f"/ciclo/planes/{co.plan.pk}/tramite/iniciar/", {}).status_code == 403


def test_other_entities_get_not_found(co: Any, started: Any, world: Any) -> None:
    client = _client(world.users["other_admin"])
    state = _state("C1")
    for url in (
        f"/ciclo/planes/{co.plan.pk}/ruta/",
        f"/ciclo/pasos/{state.pk}/",
        f"/ciclo/planes/{co.plan.pk}/tramite/",
        f"/ciclo/planes/{co.plan.pk}/plazos.ics",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/ciclo/pasos/{state.pk}/", {"status": "done"}).status_code == 404
    assert _client(None).get(f"/ciclo/planes/{co.plan.pk}/ruta/").status_code == 404


def test_the_step_page_updates_status_and_takes_files_and_comments(co: Any, started: Any) -> None:
    client = _client(co.planner)
    state = _state("C1")
    response = client.post(f"/ciclo/pasos/{state.pk}/", {"status": "in_progress", "start_date": "2025-01-10"})
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.status == "in_progress" and state.start_date == datetime.date(2025, 1, 10)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/ciclo/pasos/{state.pk}/archivos/", {"file": SimpleUploadedFile("acta.pdf", PDF, "application/pdf")}
    )
    assert response.status_code == 302
    step_file = StepFile.objects.get(state=state)
    download = client.get(f"/ciclo/archivos/{step_file.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    bad = client.post(
        f"/ciclo/pasos/{state.pk}/archivos/", {"file": SimpleUploadedFile("x.pdf", b"MZ\x90garbage")}
    )
    assert bad.status_code == 422
    # not applicable without a reason shows the error in place
    bad = client.post(f"/ciclo/pasos/{state.pk}/", {"status": "not_applicable"})
    assert bad.status_code == 422 and "invalid-feedback" in bad.content.decode()
    assert client.post(f"/ciclo/pasos/{state.pk}/comentarios/", {"body": "Listo"}).status_code == 302
    assert "Listo" in client.get(f"/ciclo/pasos/{state.pk}/").content.decode()


@pytest.fixture
def tracked(co: Any) -> Any:
    plan_procedure = services.plan_procedure_start(
        actor=co.planner,
        plan=co.plan,
        procedure=Procedure.objects.get(code="co_pot_adopcion"),
        start_date=datetime.date(2025, 2, 3),
    )
    ctp = PlanProcedureStep.objects.get(plan_procedure=plan_procedure, code="ctp_concepto")
    services.procedure_step_complete(actor=co.planner, step=ctp, completed_on=datetime.date(2025, 3, 3))
    consejo = PlanProcedureStep.objects.get(plan_procedure=plan_procedure, code="consejo_gobierno")
    services.procedure_step_complete(actor=co.planner, step=consejo, completed_on=datetime.date(2025, 2, 3))
    return plan_procedure


def test_the_tracker_shows_due_dates_with_their_basis(co: Any, tracked: Any) -> None:
    page = _client(co.observer).get(f"/ciclo/planes/{co.plan.pk}/tramite/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Ley 388 de 1997, art. 25" in body  # the filing rule next to its date
    assert "table-danger" in body  # 2025 dates are overdue today


def test_the_procedure_page_records_a_completion(co: Any, tracked: Any) -> None:
    filing = PlanProcedureStep.objects.get(plan_procedure=tracked, code="radicacion_concejo")
    prefix = f"s{filing.pk}"
    response = _client(co.planner).post(
        f"/ciclo/tramite/pasos/{filing.pk}/",
        {
            f"{prefix}-completed_on": "2025-03-20",
            f"{prefix}-amount": "30",
            f"{prefix}-unit": "calendar_days",
            f"{prefix}-count_start": "next_day",
        },
    )
    assert response.status_code == 302
    assert PlanProcedureStep.objects.get(
        plan_procedure=tracked, code="concejo_decision"
    ).due_date == datetime.date(2025, 6, 18)
    assert _client(co.observer).post(f"/ciclo/tramite/pasos/{filing.pk}/", {}).status_code == 403


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_the_ical_export_is_valid_rfc5545(co: Any, tracked: Any) -> None:
    response = _client(co.observer).get(f"/ciclo/planes/{co.plan.pk}/plazos.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content.decode("utf-8")
    # CRLF everywhere, no bare LF
    assert raw.endswith("\r\n") and "\n" not in raw.replace("\r\n", "")
    # no physical line longer than 75 octets; long lines are folded with a leading space
    physical = raw.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical)
    lines = _unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    # one VEVENT per open due date: the CAR and the Junta Metropolitana (both from the Consejo de
    # Gobierno) and the Concejo filing
    open_due = PlanProcedureStep.objects.filter(
        plan_procedure=tracked, due_date__isnull=False, completed_on__isnull=True
    )
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == open_due.count() == 3
    assert "DTSTART;VALUE=DATE:20250402" in lines
    assert len({line for line in lines if line.startswith("UID:")}) == 3
    assert sum(1 for line in lines if line.startswith("DTSTAMP:")) == 3
    description = next(line for line in lines if line.startswith("DESCRIPTION:") and "art. 25" in line)
    assert "Ley 388 de 1997\\, art. 25" in description  # commas escaped
    assert "\\n" in description  # newlines escaped


def test_folding_never_splits_a_character() -> None:
    line = "SUMMARY:" + "Concertación ambiental ñ" * 10
    folded = ical_fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == line


# --- API -----------------------------------------------------------------------------------


def _token(user: Any) -> dict[str, str]:
    _obj, raw = api_token_create(actor=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_route_contract(co: Any, started: Any) -> None:
    response = _client(co.observer).get(f"/api/v1/plans/{co.plan.pk}/route")
    assert response.status_code == 200
    data = response.json()
    assert data["route"] == "co_fcm_2019"
    assert data["progress"]["total"] == 14 and data["progress"]["percent"] == 0
    assert [p["code"] for p in data["progress"]["phases"]] == [
        "C1",
        "C2",
        "E1",
        "E2",
        "E3",
        "E4",
        "E5",
        "E6",
        "E7",
    ]
    e52 = next(s for s in data["steps"] if s["code"] == "E5.2")
    assert e52["parent_code"] == "E5" and e52["status"] == "pending"
    assert set(e52) >= {"id", "gate", "deliverables", "guidance", "basis", "due_date", "done", "total"}
    assert (
        _client(co.observer).get(f"/api/v1/plans/{co.plan.pk}/route", **_token(co.observer)).status_code
        == 200
    )


def test_api_route_hidden_from_other_entities(co: Any, started: Any, world: Any) -> None:
    assert Client().get(f"/api/v1/plans/{co.plan.pk}/route").status_code == 404
    assert (
        Client().get(f"/api/v1/plans/{co.plan.pk}/route", **_token(world.users["other_admin"])).status_code
        == 404
    )


def test_api_patch_a_step(co: Any, started: Any, world: Any) -> None:
    state = _state("C1")
    url = f"/api/v1/route-steps/{state.pk}"
    ok = Client().patch(
        url,
        json.dumps({"status": "done", "done_date": "2025-02-01", "assignee": "co_planner"}),
        content_type="application/json",
        **_token(co.planner),
    )
    assert ok.status_code == 200, ok.content
    assert (
        ok.json()["status"] == "done"
        and ok.json()["done_date"] == "2025-02-01"
        and ok.json()["assignee"] == "co_planner"
    )
    refused = Client().patch(
        url, json.dumps({"status": "not_applicable"}), content_type="application/json", **_token(co.planner)
    )
    assert refused.status_code in (400, 422)
    assert (
        Client()
        .patch(url, json.dumps({"status": "done"}), content_type="application/json", **_token(co.observer))
        .status_code
        == 403
    )
    assert (
        Client()
        .patch(
            url,
            json.dumps({"status": "done"}),
            content_type="application/json",
            **_token(world.users["other_admin"]),
        )
        .status_code
        == 404
    )
    assert (
        Client().patch(url, json.dumps({"status": "done"}), content_type="application/json").status_code
        == 401
    )


def test_api_deadlines(co: Any, tracked: Any) -> None:
    response = _client(co.observer).get(f"/api/v1/plans/{co.plan.pk}/deadlines")
    assert response.status_code == 200
    data = response.json()
    assert [d["due"] for d in data] == ["2025-03-05", "2025-03-05", "2025-04-02"]
    assert data[2]["state"] == "overdue" and "art. 25" in data[2]["basis"] and data[2]["verified"] is False


def test_a_deep_route_renders_as_a_tree(world: Any, loaded: Any, superuser: Any) -> None:
    services.plan_route_start(
        actor=superuser, plan=world.plan, route=Route.objects.get(code="pe_minam_rm173_2016")
    )
    page = _client(world.users["observer"]).get(f"/ciclo/planes/{world.plan.pk}/ruta/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="card mb-2 phase"') == 4
    assert body.count('class="route-step') == 39  # pautas, pasos and activities under the phases
    assert 'id="route-blockers"' in body and "F1 Fase I" in body
