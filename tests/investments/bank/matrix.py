"""Permission-matrix rows of the investments bank pages and endpoints (see
tests/test_permission_matrix.py for the rule each row is checked against)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from rumbo.investments.models import ViabilityItem, ZoningRule
from tests.matrix_support import C, Case

WEB_ROOT = "/inversiones"
A = "/api/v1/investments"


def _rule_url(world: Any) -> str:
    rule = ZoningRule.objects.create(
        entity=world.entity, layer=world.layer, attribute="nivel", value="alto", verdict="forbidden"
    )
    return f"{WEB_ROOT}/zonificacion/reglas/{rule.pk}/eliminar/"


def _project_form(world: Any) -> dict[str, Any]:
    return {
        "title": "Nuevo",
        "code": "NEW-1",
        "kind": "public",
        "stage": "idea",
        "cost_total": "100",
        "costs-TOTAL_FORMS": "0",
        "costs-INITIAL_FORMS": "0",
    }


def _viability_document_url(project_attr: str) -> Any:
    def url(world: Any) -> str:
        project = getattr(world, project_attr)
        item = ViabilityItem(project=project, stage="idea", key="perfil", label="Perfil", done=True)
        item.document.save("perfil.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        item.save()
        return f"/inversiones/proyectos/{project.pk}/viabilidad/perfil/documento/"

    return url


WEB: list[Case] = [
    Case(
        "viability document of a bank project",
        "get",
        _viability_document_url("bank_project"),
        "bank_project",
        None,
        200,
        login_required=False,
    ),
    Case(
        "viability document of a private initiative",
        "get",
        _viability_document_url("project"),
        "project",
        None,
        200,
        login_required=False,
    ),
    Case("bank page", "get", lambda w: f"{WEB_ROOT}/banco/", None, None, 200, login_required=False),
    Case(
        "bank project page",
        "get",
        lambda w: f"{WEB_ROOT}/proyectos/{w.bank_project.pk}/",
        "bank_project",
        None,
        200,
        login_required=False,
    ),
    Case(
        "proposed project page",
        "get",
        lambda w: f"{WEB_ROOT}/proyectos/{w.project.pk}/",
        "project",
        None,
        200,
        login_required=False,
    ),
    Case(
        "other entity's proposed project page",
        "get",
        lambda w: f"{WEB_ROOT}/proyectos/{w.other_project.pk}/",
        "other_project",
        None,
        200,
        login_required=False,
    ),
    Case(
        "investments entity home",
        "get",
        lambda w: f"{WEB_ROOT}/entidades/{w.entity.pk}/",
        "entity",
        None,
        200,
        login_required=False,
    ),
    Case(
        "new project form",
        "get",
        lambda w: f"{WEB_ROOT}/entidades/{w.entity.pk}/proyectos/nuevo/",
        "entity",
        C.EDIT_PLAN,
        200,
        entity_private=True,
    ),
    Case(
        "new project post",
        "post",
        lambda w: f"{WEB_ROOT}/entidades/{w.entity.pk}/proyectos/nuevo/",
        "entity",
        C.EDIT_PLAN,
        302,
        entity_private=True,
        data=_project_form,
    ),
    Case(
        "edit bank project form",
        "get",
        lambda w: f"{WEB_ROOT}/proyectos/{w.bank_project.pk}/editar/",
        "bank_project",
        C.EDIT_PLAN,
        200,
    ),
    Case(
        "edit proposed project form",
        "get",
        lambda w: f"{WEB_ROOT}/proyectos/{w.project.pk}/editar/",
        "project",
        C.EDIT_PLAN,
        200,
    ),
    Case("initiative form", "get", lambda w: f"{WEB_ROOT}/proponer/", None, None, 200, login_required=False),
    Case(
        "initiative form of an entity",
        "get",
        lambda w: f"{WEB_ROOT}/entidades/{w.entity.pk}/proponer/",
        "entity",
        None,
        200,
        login_required=False,
    ),
    Case(
        "initiative tracking page",
        "get",
        lambda w: f"{WEB_ROOT}/seguimiento/seguimiento-secreto-1/",
        None,
        None,
        200,
        login_required=False,
    ),
    Case(
        "moderation queue",
        "get",
        lambda w: f"{WEB_ROOT}/entidades/{w.entity.pk}/moderacion/",
        "entity",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "other entity's moderation queue",
        "get",
        lambda w: f"{WEB_ROOT}/entidades/{w.other_entity.pk}/moderacion/",
        "other_entity",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "review initiative",
        "post",
        lambda w: f"{WEB_ROOT}/proyectos/{w.project.pk}/revisar/",
        "project",
        C.EDIT_PLAN,
        302,
        data=lambda w: {"decision": "accept"},
    ),
    Case(
        "review other entity's initiative",
        "post",
        lambda w: f"{WEB_ROOT}/proyectos/{w.other_project.pk}/revisar/",
        "other_project",
        C.EDIT_PLAN,
        302,
        data=lambda w: {"decision": "reject", "note": "No"},
    ),
    Case(
        "zoning rules page",
        "get",
        lambda w: f"{WEB_ROOT}/entidades/{w.entity.pk}/zonificacion/",
        "entity",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "add zoning rule",
        "post",
        lambda w: f"{WEB_ROOT}/entidades/{w.entity.pk}/zonificacion/",
        "entity",
        C.EDIT_PLAN,
        302,
        entity_private=True,
        data=lambda w: {"layer": w.layer.pk, "attribute": "nivel", "value": "alto", "verdict": "forbidden"},
    ),
    Case("delete zoning rule", "post", _rule_url, "entity", C.EDIT_PLAN, 302, entity_private=True),
    Case(
        "recheck eligibility of all",
        "post",
        lambda w: f"{WEB_ROOT}/entidades/{w.entity.pk}/zonificacion/reverificar/",
        "entity",
        C.EDIT_PLAN,
        302,
        entity_private=True,
    ),
    Case(
        "recheck eligibility",
        "post",
        lambda w: f"{WEB_ROOT}/proyectos/{w.bank_project.pk}/elegibilidad/",
        "bank_project",
        C.EDIT_PLAN,
        302,
    ),
    Case(
        "tick viability item",
        "post",
        lambda w: f"{WEB_ROOT}/proyectos/{w.bank_project.pk}/viabilidad/problem/",
        "bank_project",
        C.EDIT_PLAN,
        302,
        data=lambda w: {"done": "on"},
    ),
    Case(
        "tick viability item of proposed",
        "post",
        lambda w: f"{WEB_ROOT}/proyectos/{w.project.pk}/viabilidad/problem/",
        "project",
        C.EDIT_PLAN,
        302,
        data=lambda w: {"done": "on"},
    ),
    # The checklist documents are served as streaming FileResponses, which the matrix's _call
    # cannot read (response.content): test_viability.py runs the same 11 callers against them.
    Case(
        "advance stage",
        "post",
        lambda w: f"{WEB_ROOT}/proyectos/{w.bank_project.pk}/etapa/",
        "bank_project",
        C.EDIT_PLAN,
        302,
    ),
]

API: list[Case] = [
    Case(
        "api bank projects", "get", lambda w: f"{A}/projects", None, None, 200, api=True, login_required=False
    ),
    Case(
        "api bank project",
        "get",
        lambda w: f"{A}/projects/{w.bank_project.pk}",
        "bank_project",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api proposed project",
        "get",
        lambda w: f"{A}/projects/{w.project.pk}",
        "project",
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api create project",
        "post",
        lambda w: f"{A}/projects",
        "entity",
        C.EDIT_PLAN,
        201,
        api=True,
        data=lambda w: {"entity_id": w.entity.pk, "code": "API-1", "title": "Por API", "cost_total": "1.000"},
    ),
    Case(
        "api create project in other entity",
        "post",
        lambda w: f"{A}/projects",
        "other_entity",
        C.EDIT_PLAN,
        201,
        api=True,
        data=lambda w: {
            "entity_id": w.other_entity.pk,
            "code": "API-1",
            "title": "Por API",
            "cost_total": "1",
        },
    ),
    Case(
        "api update project",
        "patch",
        lambda w: f"{A}/projects/{w.bank_project.pk}",
        "bank_project",
        C.EDIT_PLAN,
        200,
        api=True,
        data=lambda w: {"title": "Nuevo título"},
    ),
    Case(
        "api update proposed project",
        "patch",
        lambda w: f"{A}/projects/{w.project.pk}",
        "project",
        C.EDIT_PLAN,
        200,
        api=True,
        data=lambda w: {"title": "Nuevo título"},
    ),
    Case(
        "api submit initiative",
        "post",
        lambda w: f"{A}/initiatives",
        "entity",
        None,
        201,
        api=True,
        login_required=False,
        data=lambda w: {
            "entity_id": w.entity.pk,
            "title": "Un parque",
            "description": "Un parque en el barrio",
            "proposer_name": "Ana",
        },
    ),
    Case(
        "api initiative status",
        "get",
        lambda w: f"{A}/initiatives/seguimiento-secreto-1",
        None,
        None,
        200,
        api=True,
        login_required=False,
    ),
    Case(
        "api review initiative",
        "post",
        lambda w: f"{A}/projects/{w.project.pk}/review",
        "project",
        C.EDIT_PLAN,
        200,
        api=True,
        data=lambda w: {"decision": "accept"},
    ),
    Case(
        "api review other entity's initiative",
        "post",
        lambda w: f"{A}/projects/{w.other_project.pk}/review",
        "other_project",
        C.EDIT_PLAN,
        200,
        api=True,
        data=lambda w: {"decision": "accept"},
    ),
    Case(
        "api recheck eligibility",
        "post",
        lambda w: f"{A}/projects/{w.bank_project.pk}/eligibility",
        "bank_project",
        C.EDIT_PLAN,
        200,
        api=True,
    ),
]
