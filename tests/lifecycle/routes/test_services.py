"""Starting a route, updating steps, progress, gates, files and procedure deadlines."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from rumbo.core.models import AuditEvent
from rumbo.lifecycle.routes import services
from rumbo.lifecycle.routes.models import (
    PlanProcedureStep,
    PlanStepState,
    Procedure,
    Route,
    StepFile,
    StepStatus,
)
from rumbo.lifecycle.routes.selectors import plan_deadlines, plan_route_progress

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _state(plan_route: Any, code: str) -> PlanStepState:
    return PlanStepState.objects.select_related("step", "plan_route__plan").get(
        plan_route=plan_route, step__code=code
    )


@pytest.fixture
def co_route(co: Any) -> Any:
    return services.plan_route_start(
        actor=co.planner, plan=co.plan, route=Route.objects.get(code="co_fcm_2019")
    )


def test_starting_a_route_creates_a_pending_state_per_step(co: Any, co_route: Any) -> None:
    # then every step of the route has one pending state, and the start is in the plan's history
    route = co_route.route
    assert co_route.states.count() == route.steps.count()
    assert set(co_route.states.values_list("status", flat=True)) == {StepStatus.PENDING}
    assert AuditEvent.objects.filter(scope_type="plans.plan", scope_id=co.plan.pk, action="created").exists()


def test_a_plan_follows_one_route_of_its_country(co: Any, co_route: Any) -> None:
    with pytest.raises(ValidationError):
        services.plan_route_start(
            actor=co.planner, plan=co.plan, route=Route.objects.get(code="co_decreto_1232_2020")
        )


def test_a_route_of_another_country_is_refused(co: Any) -> None:
    with pytest.raises(ValidationError):
        services.plan_route_start(
            actor=co.planner, plan=co.plan, route=Route.objects.get(code="pe_minam_rm173_2016")
        )


def test_only_editors_start_a_route(co: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.plan_route_start(
            actor=co.observer, plan=co.plan, route=Route.objects.get(code="co_fcm_2019")
        )


def test_mexican_options_leave_other_coordinating_bodies_not_applicable(loaded: Any, superuser: Any) -> None:
    from rumbo.plans.services import plan_create
    from tests.factories import EntityFactory, PlanTypeFactory

    entity = EntityFactory(country="MX", name="Municipio de Prueba")
    plan = plan_create(
        actor=superuser, entity=entity, plan_type=PlanTypeFactory(country="MX", code="PMDU"), name="PMOT"
    )
    route = Route.objects.get(code="mx_pmot")
    with pytest.raises(ValidationError):
        services.plan_route_start(actor=superuser, plan=plan, route=route, options={})
    plan_route = services.plan_route_start(
        actor=superuser, plan=plan, route=route, options={"coordinating_body": "implan"}
    )
    assert _state(plan_route, "F1.5.3").status == StepStatus.PENDING
    committee = _state(plan_route, "F1.4")
    assert committee.status == StepStatus.NOT_APPLICABLE and committee.not_applicable_reason
    assert _state(plan_route, "F1.6").status == StepStatus.NOT_APPLICABLE


def test_progress_leaves_not_applicable_steps_out(co: Any, co_route: Any) -> None:
    # given 9 top-level items, one of which (E5) holds 6 procedure steps: 8 + 6 = 14 leaves
    assert plan_route_progress(plan_route=co_route).total == 14
    # when one is done and one does not apply
    services.step_update(actor=co.planner, state=_state(co_route, "C1"), status=StepStatus.DONE)
    services.step_update(
        actor=co.planner,
        state=_state(co_route, "E5.2"),
        status=StepStatus.NOT_APPLICABLE,
        not_applicable_reason="Sin autoridad ambiental con jurisdicción (ejemplo).",
    )
    progress = plan_route_progress(plan_route=co_route)
    # then 1 of 13 is done: the not-applicable step left the denominator
    assert (progress.done, progress.total, progress.not_applicable) == (1, 13, 1)
    assert progress.percent == round(100 / 13)
    concertation = next(p for p in progress.phases if p.state.step.code == "E5")
    assert (concertation.done, concertation.total) == (0, 5)


def test_not_applicable_needs_a_reason(co: Any, co_route: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.step_update(actor=co.planner, state=_state(co_route, "E1"), status=StepStatus.NOT_APPLICABLE)
    assert "not_applicable_reason" in exc.value.error_dict


def test_done_gets_today_unless_a_date_is_given(co: Any, co_route: Any) -> None:
    state = services.step_update(actor=co.planner, state=_state(co_route, "C1"), status=StepStatus.DONE)
    assert state.done_date == datetime.date.today()
    state = services.step_update(
        actor=co.planner, state=state, status=StepStatus.DONE, done_date=datetime.date(2024, 2, 1)
    )
    assert state.done_date == datetime.date(2024, 2, 1)


def test_a_later_phase_cannot_be_done_while_an_earlier_gate_is_open(co: Any, co_route: Any) -> None:
    # given the decision to revise (a gate) still pending
    preliminary = _state(co_route, "E1")
    # when the preliminary stage is marked done, then it is refused and names the gate
    with pytest.raises(ValidationError) as exc:
        services.step_update(actor=co.planner, state=preliminary, status=StepStatus.DONE)
    assert "C2" in exc.value.messages[0]
    # but it may be in progress meanwhile
    services.step_update(actor=co.planner, state=preliminary, status=StepStatus.IN_PROGRESS)
    # and once the decision is taken, the preliminary stage can be done
    services.step_update(actor=co.planner, state=_state(co_route, "C2"), status=StepStatus.DONE)
    services.step_update(actor=co.planner, state=_state(co_route, "E1"), status=StepStatus.DONE)
    # and what blocks the next phase is listed for the current one
    progress = plan_route_progress(plan_route=co_route)
    assert progress.current_phase is not None and progress.current_phase.state.step.code == "C1"
    services.step_update(actor=co.planner, state=_state(co_route, "C1"), status=StepStatus.DONE)
    progress = plan_route_progress(plan_route=co_route)
    assert progress.current_phase is not None and progress.current_phase.state.step.code == "E2"
    assert [b.row.state.step.code for b in progress.blockers] == ["E2"]


def test_a_container_is_done_only_when_its_inner_steps_are(loaded: Any, world: Any, superuser: Any) -> None:
    plan_route = services.plan_route_start(
        actor=superuser, plan=world.plan, route=Route.objects.get(code="pe_minam_rm173_2016")
    )
    with pytest.raises(ValidationError):
        services.step_update(actor=superuser, state=_state(plan_route, "F1.P1.S4"), status=StepStatus.DONE)
    for code in ("F1.P1.S4.A1", "F1.P1.S4.A2"):
        services.step_update(actor=superuser, state=_state(plan_route, code), status=StepStatus.DONE)
    services.step_update(actor=superuser, state=_state(plan_route, "F1.P1.S4"), status=StepStatus.DONE)
    # the Peruvian phase II cannot be finished while phase I (a gate) has open activities
    with pytest.raises(ValidationError):
        services.step_update(actor=superuser, state=_state(plan_route, "F2.P2.S1"), status=StepStatus.DONE)
    blockers = plan_route_progress(plan_route=plan_route).blockers
    assert blockers[0].row.state.step.code == "F1" and len(blockers[0].open_steps) == 19


def test_a_pdf_deliverable_is_stored_with_its_checksum(co: Any, co_route: Any) -> None:
    state = _state(co_route, "C1")
    step_file = services.step_file_add(
        actor=co.planner, state=state, upload=SimpleUploadedFile("diagnostico.pdf", PDF, "application/pdf")
    )
    assert step_file.sha256 == hashlib.sha256(PDF).hexdigest()
    assert step_file.size == len(PDF) and step_file.content_type == "application/pdf"
    assert step_file.file.read() == PDF
    assert AuditEvent.objects.filter(scope_id=co.plan.pk, changes__sha256=step_file.sha256).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("programa.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("informe.pdf", b"MZ\x90\x00 this is an executable renamed"),
        ("basura.bin", b"\x00\x01\x02\x03garbage"),
    ],
)
def test_executables_and_garbage_are_refused(co: Any, co_route: Any, name: str, content: bytes) -> None:
    with pytest.raises(ValidationError):
        services.step_file_add(
            actor=co.planner, state=_state(co_route, "C1"), upload=SimpleUploadedFile(name, content)
        )
    assert not StepFile.objects.exists()


def test_other_accepted_types_are_sniffed(co: Any, co_route: Any) -> None:
    state = _state(co_route, "C1")
    for name, content, expected in [
        ("limites.geojson", b'{"type": "FeatureCollection", "features": []}', "application/geo+json"),
        ("mapa.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png"),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        (
            "dts.docx",
            b"PK\x03\x04" + b"\x00" * 16,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ]:
        step_file = services.step_file_add(
            actor=co.planner, state=state, upload=SimpleUploadedFile(name, content)
        )
        assert step_file.content_type == expected


def test_oversize_files_are_refused(co: Any, co_route: Any, settings: Any) -> None:
    settings.RUMBO_UPLOAD_MAX_BYTES = 1000
    upload = SimpleUploadedFile("grande.pdf", b"%PDF-1.4\n" + b"0" * 1000)
    with pytest.raises(ValidationError):
        services.step_file_add(actor=co.planner, state=_state(co_route, "C1"), upload=upload)


def test_observers_cannot_change_steps_or_attach_files(co: Any, co_route: Any) -> None:
    state = _state(co_route, "C1")
    with pytest.raises(PermissionDenied):
        services.step_update(actor=co.observer, state=state, status=StepStatus.DONE)
    with pytest.raises(PermissionDenied):
        services.step_file_add(actor=co.observer, state=state, upload=SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(PermissionDenied):
        services.step_comment_add(actor=co.observer, state=state, body="hola")
    comment = services.step_comment_add(actor=co.planner, state=state, body="Revisar la vigencia")
    assert comment.state == state


# --- procedures ---------------------------------------------------------------------------


@pytest.fixture
def co_procedure(co: Any) -> Any:
    return services.plan_procedure_start(
        actor=co.planner,
        plan=co.plan,
        procedure=Procedure.objects.get(code="co_pot_adopcion"),
        start_date=datetime.date(2025, 2, 3),
    )


def _pstep(plan_procedure: Any, code: str) -> PlanProcedureStep:
    return PlanProcedureStep.objects.select_related("plan_procedure__plan__entity").get(
        plan_procedure=plan_procedure, code=code
    )


def test_ctp_concept_then_filing_then_the_council_90_days(co: Any, co_procedure: Any) -> None:
    # when the CTP concept is completed on Monday 3 March 2025
    services.procedure_step_complete(
        actor=co.planner, step=_pstep(co_procedure, "ctp_concepto"), completed_on=datetime.date(2025, 3, 3)
    )
    # then filing with the Concejo is due 30 calendar days later, counted from the next day:
    # 4 March is day 1, so day 30 is 2 April 2025
    filing = _pstep(co_procedure, "radicacion_concejo")
    assert filing.due_date == datetime.date(2025, 4, 2)
    assert filing.due_explanation["start"] == "2025-03-03"
    # the Concejo has no due date until the project is filed
    assert _pstep(co_procedure, "concejo_decision").due_date is None
    # when it is filed on 20 March 2025
    services.procedure_step_complete(actor=co.planner, step=filing, completed_on=datetime.date(2025, 3, 20))
    # then the Concejo's 90 calendar days run 21 March (day 1) … 18 June 2025 (day 90):
    # 11 days of March + 30 of April + 31 of May = 72, plus 18 of June = 90
    council = _pstep(co_procedure, "concejo_decision")
    assert council.due_date == datetime.date(2025, 6, 18)
    assert "decreto" in council.consequences
    assert "Ley 810" in council.basis[0]["norm"]


def test_the_ctp_business_days_skip_colombian_holidays(co: Any, co_procedure: Any) -> None:
    # when the CAR concertation ends on Friday 14 March 2025
    services.procedure_step_complete(
        actor=co.planner,
        step=_pstep(co_procedure, "car_concertacion"),
        completed_on=datetime.date(2025, 3, 14),
    )
    # then the CTP's 30 business days start Monday 17 March and skip weekends and the holidays of
    # 24 March (San José), 17 and 18 April (Holy Thursday and Good Friday):
    # 17–21 Mar 5, 25–28 Mar 4 (9), 31 Mar–4 Apr 5 (14), 7–11 Apr 5 (19), 14–16 Apr 3 (22),
    # 21–25 Apr 5 (27), 28–30 Apr 3 (30) → 30 April 2025 (without holidays it would be 25 April)
    ctp = _pstep(co_procedure, "ctp_concepto")
    assert ctp.due_date == datetime.date(2025, 4, 30)
    assert ctp.unit == "business_days"


def test_the_start_date_counts_for_steps_without_a_predecessor_and_deadlines_list_them(
    co: Any, co_procedure: Any
) -> None:
    # given the Consejo de Gobierno completed on 3 Feb 2025: the CAR's 30 days end 5 March 2025
    services.procedure_step_complete(
        actor=co.planner,
        step=_pstep(co_procedure, "consejo_gobierno"),
        completed_on=datetime.date(2025, 2, 3),
    )
    car = _pstep(co_procedure, "car_concertacion")
    assert car.due_date == datetime.date(2025, 3, 5)
    assert car.verified is False
    # then the tracker lists it: overdue on 6 March, approaching on 1 March
    rows = plan_deadlines(plan=co.plan, today=datetime.date(2025, 3, 6))
    car_row = next(r for r in rows if r.title == car.title)
    assert car_row.state == "overdue" and "Ley 388" in car_row.basis and "(" in car_row.basis
    assert (
        next(
            r for r in plan_deadlines(plan=co.plan, today=datetime.date(2025, 3, 1)) if r.title == car.title
        ).state
        == "soon"
    )
    # and a completed step leaves the list
    services.procedure_step_complete(actor=co.planner, step=car, completed_on=datetime.date(2025, 3, 4))
    assert car.title not in [r.title for r in plan_deadlines(plan=co.plan)]


def test_a_rule_to_verify_can_be_configured_per_plan(world: Any, loaded: Any, superuser: Any) -> None:
    plan_procedure = services.plan_procedure_start(
        actor=superuser,
        plan=world.plan,
        procedure=Procedure.objects.get(code="pe_pot_aprobacion"),
        start_date=datetime.date(2025, 1, 6),
    )
    validation = _pstep(plan_procedure, "comision_tecnica")
    services.procedure_step_complete(
        actor=superuser, step=validation, completed_on=datetime.date(2025, 1, 10)
    )
    opinion = _pstep(plan_procedure, "minam_opinion")
    assert opinion.due_date is None  # Peru's counts are not set: to verify
    services.procedure_step_update(
        actor=superuser, step=opinion, started_on=None, completed_on=None, amount=10, unit="business_days"
    )
    # 10 Peruvian business days from Monday 13 January 2025 end Friday 24 January
    assert _pstep(plan_procedure, "minam_opinion").due_date == datetime.date(2025, 1, 24)


def test_a_procedure_of_another_country_is_refused(co: Any) -> None:
    with pytest.raises(ValidationError):
        services.plan_procedure_start(
            actor=co.planner,
            plan=co.plan,
            procedure=Procedure.objects.get(code="pe_pot_aprobacion"),
            start_date=datetime.date(2025, 1, 1),
        )
