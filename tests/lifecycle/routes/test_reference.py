"""Routes and procedures load from their JSON files, idempotently."""

from __future__ import annotations

from typing import Any

from rumbo.core.models import AuditEvent
from rumbo.lifecycle.routes.models import PlanStepState, Procedure, Route, RouteStep
from rumbo.lifecycle.routes.reference import routes_load
from rumbo.lifecycle.routes.services import plan_route_start


def _top(code: str) -> list[str]:
    return list(
        RouteStep.objects.filter(route__code=code, depth=1).order_by("path").values_list("code", flat=True)
    )


def test_every_route_file_loads_with_its_phases(loaded: Any) -> None:
    # then each route has its top-level phases or stages
    assert _top("pe_minam_rm173_2016") == ["F1", "F2", "F3", "F4"]
    assert _top("co_fcm_2019") == ["C1", "C2", "E1", "E2", "E3", "E4", "E5", "E6", "E7"]
    assert list(
        RouteStep.objects.filter(route__code="co_fcm_2019", depth=1, kind="context").values_list(
            "code", flat=True
        )
    ) == ["C1", "C2"]
    assert RouteStep.objects.filter(route__code="co_fcm_2019", depth=1, kind="stage").count() == 7
    assert _top("co_decreto_1232_2020") == ["D1", "D2", "D3", "D4"]
    assert _top("mx_pmot") == ["F1", "F2", "F3", "F4", "F5"]
    # and the counts reported match the database
    for code, count in loaded.routes.items():
        assert RouteStep.objects.filter(route__code=code).count() == count
    assert Procedure.objects.count() == loaded.procedures == 5


def test_peru_route_holds_every_pauta_paso_and_activity(loaded: Any) -> None:
    steps = RouteStep.objects.filter(route__code="pe_minam_rm173_2016")
    assert steps.filter(kind="pauta").count() == 4
    assert steps.filter(kind="activity").count() == 21
    assert steps.filter(kind="paso", parent__code="F1.P1").count() == 4
    approval = steps.get(code="F4.P4.S4")
    assert approval.kind == "procedure_step" and approval.gate
    assert any("Ordenanza" in d for d in approval.deliverables)


def test_colombia_stages_carry_difficulties_and_challenge(loaded: Any) -> None:
    diagnosis = RouteStep.objects.get(route__code="co_fcm_2019", code="E3")
    assert len(diagnosis.guidance["difficulties"]) >= 5
    assert diagnosis.guidance["reto"].startswith("Contar con la mejor información")
    assert "Cartografía de diagnóstico rural a escala 1:25.000" in diagnosis.deliverables


def test_mexico_route_offers_the_coordinating_body_choice(loaded: Any) -> None:
    route = Route.objects.get(code="mx_pmot")
    assert [c["value"] for c in route.options[0]["choices"]] == ["municipal_committee", "implan", "copladem"]
    subsystems = RouteStep.objects.filter(route=route, parent__code="F1.5").values_list("title", flat=True)
    assert len(subsystems) == 4 and "Sistema de Programación-Presupuesto (POA)" in subsystems


def test_loading_again_updates_in_place_and_keeps_plan_states(
    loaded: Any, world: Any, superuser: Any
) -> None:
    # given a plan on the Peruvian route
    plan_route = plan_route_start(
        actor=superuser, plan=world.plan, route=Route.objects.get(code="pe_minam_rm173_2016")
    )
    step = RouteStep.objects.get(route__code="pe_minam_rm173_2016", code="F1")
    step.title = "cambiado a mano"
    step.save()
    ids = set(RouteStep.objects.values_list("pk", flat=True))
    states = PlanStepState.objects.filter(plan_route=plan_route).count()
    # when the files load again
    again = routes_load()
    # then nothing is duplicated, titles come back from the file, and states are kept
    assert again == loaded
    assert set(RouteStep.objects.values_list("pk", flat=True)) == ids
    assert RouteStep.objects.get(pk=step.pk).title.startswith("Fase I")
    assert PlanStepState.objects.filter(plan_route=plan_route).count() == states
    assert AuditEvent.objects.filter(scope_id=world.plan.pk, scope_type="plans.plan").exists()


def test_unverified_rules_are_marked(loaded: Any) -> None:
    co = Procedure.objects.get(code="co_pot_adopcion")
    by_code = {s["code"]: s for s in co.steps}
    assert by_code["car_concertacion"]["verified"] is False
    assert by_code["radicacion_concejo"]["verified"] is False
    assert by_code["ctp_concepto"]["verified"] is True
    assert by_code["concejo_decision"]["amount"] == 90
    assert "decreto" in by_code["concejo_decision"]["consequences"]
