"""Permission-matrix rows of the investments execution pages and endpoints (see
tests/test_permission_matrix.py for the rule each row is checked against).

world.bank_project is accepted (public), world.project is a proposed initiative (private). The row
that needs a milestone creates it inside the URL function: each call runs in a
savepoint rolled back afterwards, so it never leaks into the next call; so do the evidence rows
(a small file is written to the test media folder each time)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from rumbo.investments.models import ProjectEvidence, ProjectMilestone
from tests.matrix_support import C, Case


def _record(world: Any) -> dict[str, Any]:
    return {"period": "2026T1", "programmed": "1.000,00", "committed": "500", "paid": "200"}


def _milestone_done_url(world: Any) -> str:
    milestone = ProjectMilestone.objects.create(project=world.bank_project, name="Hito", due_on="2026-01-31")
    return f"/inversiones/proyectos/{world.bank_project.pk}/ejecucion/hitos/{milestone.pk}/cumplido/"


def _evidence_url(project_attr: str) -> Any:
    def url(world: Any) -> str:
        evidence = ProjectEvidence(
            project=getattr(world, project_attr),
            original_name="foto.pdf",
            content_type="application/pdf",
            size=9,
            sha256="0" * 64,
        )
        evidence.file.save("foto.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
        return f"/inversiones/evidencias-ejecucion/{evidence.pk}/"

    return url


def _page(project_attr: str) -> Any:
    return lambda w: f"/inversiones/proyectos/{getattr(w, project_attr).pk}/ejecucion/"


WEB: list[Case] = [
    Case(
        "execution evidence of a bank project",
        "get",
        _evidence_url("bank_project"),
        "bank_project",
        None,
        200,
        login_required=False,
    ),
    Case(
        "execution evidence of a private initiative",
        "get",
        _evidence_url("project"),
        "project",
        None,
        200,
        login_required=False,
    ),
    Case(
        "execution page of a bank project",
        "get",
        _page("bank_project"),
        "bank_project",
        None,
        200,
        login_required=False,
    ),
    Case(
        "execution page of a private initiative",
        "get",
        _page("project"),
        "project",
        None,
        200,
        login_required=False,
    ),
    Case(
        "execution page of another entity's initiative",
        "get",
        _page("other_project"),
        "other_project",
        None,
        200,
        login_required=False,
    ),
    Case(
        "record execution",
        "post",
        lambda w: f"/inversiones/proyectos/{w.bank_project.pk}/ejecucion/registrar/",
        "bank_project",
        C.REPORT_DATA,
        302,
        data=_record,
    ),
    Case(
        "record execution of a private initiative",
        "post",
        lambda w: f"/inversiones/proyectos/{w.project.pk}/ejecucion/registrar/",
        "project",
        C.REPORT_DATA,
        302,
        data=_record,
    ),
    Case(
        "record execution (invalid)",
        "post",
        lambda w: f"/inversiones/proyectos/{w.bank_project.pk}/ejecucion/registrar/",
        "bank_project",
        C.REPORT_DATA,
        200,
        data=lambda w: {"period": "2026T9", "programmed": "-1", "committed": "x", "paid": "1"},
    ),
    Case(
        "add execution milestone",
        "post",
        lambda w: f"/inversiones/proyectos/{w.bank_project.pk}/ejecucion/hitos/",
        "bank_project",
        C.REPORT_DATA,
        302,
        data=lambda w: {"name": "Expediente técnico", "due_on": "2026-06-30"},
    ),
    Case(
        "mark execution milestone done",
        "post",
        _milestone_done_url,
        "bank_project",
        C.REPORT_DATA,
        302,
        data=lambda w: {"done_on": "2026-01-15"},
    ),
    Case(
        "add contract (invalid)",
        "post",
        lambda w: f"/inversiones/proyectos/{w.project.pk}/ejecucion/contratos/",
        "project",
        C.REPORT_DATA,
        200,
        data=lambda w: {"number": "C-1"},
    ),
    Case(
        "upload execution evidence (invalid)",
        "post",
        lambda w: f"/inversiones/proyectos/{w.bank_project.pk}/ejecucion/evidencias/",
        "bank_project",
        C.REPORT_DATA,
        200,
    ),
    Case(
        "execution import page",
        "get",
        lambda w: f"/inversiones/entidades/{w.entity.pk}/ejecucion/importar/",
        "entity",
        C.REPORT_DATA,
        200,
        entity_private=True,
    ),
    Case(
        "execution import of other entity",
        "get",
        lambda w: f"/inversiones/entidades/{w.other_entity.pk}/ejecucion/importar/",
        "other_entity",
        C.REPORT_DATA,
        200,
        entity_private=True,
    ),
    Case(
        "execution import upload (invalid)",
        "post",
        lambda w: f"/inversiones/entidades/{w.entity.pk}/ejecucion/importar/",
        "entity",
        C.REPORT_DATA,
        200,
        entity_private=True,
    ),
    Case(
        "projects map",
        "get",
        lambda w: f"/inversiones/entidades/{w.entity.pk}/mapa/",
        "entity",
        None,
        200,
        login_required=False,
    ),
    Case(
        "projects map geojson",
        "get",
        lambda w: f"/inversiones/entidades/{w.entity.pk}/mapa.geojson",
        "entity",
        None,
        200,
        login_required=False,
    ),
    Case(
        "projects map of a private plan",
        "get",
        lambda w: f"/inversiones/entidades/{w.entity.pk}/mapa/?plan={w.plan.pk}",
        "plan",
        None,
        200,
        login_required=False,
    ),
]

API: list[Case] = [
    Case(
        "api bank project execution",
        "get",
        lambda w: f"/api/v1/investments/projects/{w.bank_project.pk}/execution",
        "bank_project",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api private initiative execution",
        "get",
        lambda w: f"/api/v1/investments/projects/{w.project.pk}/execution",
        "project",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api put execution",
        "put",
        lambda w: f"/api/v1/investments/projects/{w.bank_project.pk}/execution/2026T1",
        "bank_project",
        C.REPORT_DATA,
        200,
        api=True,
        data=_record,
    ),
    Case(
        "api put execution of a private initiative",
        "put",
        lambda w: f"/api/v1/investments/projects/{w.project.pk}/execution/2026T1",
        "project",
        C.REPORT_DATA,
        200,
        api=True,
        data=_record,
    ),
    Case(
        "api put execution of another entity's initiative",
        "put",
        lambda w: f"/api/v1/investments/projects/{w.other_project.pk}/execution/2026T1",
        "other_project",
        C.REPORT_DATA,
        200,
        api=True,
        data=_record,
    ),
    Case(
        "api entity projects geojson",
        "get",
        lambda w: f"/api/v1/investments/entities/{w.entity.pk}/projects.geojson",
        "entity",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api entity projects geojson of a private plan",
        "get",
        lambda w: f"/api/v1/investments/entities/{w.entity.pk}/projects.geojson?plan={w.plan.pk}",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api public plan execution",
        "get",
        lambda w: f"/api/v1/investments/plans/{w.public_plan.pk}/execution?period=2026T1",
        "public_plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api private plan execution",
        "get",
        lambda w: f"/api/v1/investments/plans/{w.plan.pk}/execution?period=2026T1",
        "plan",
        None,
        200,
        api=True,
        login_required=False,
    ),
]
