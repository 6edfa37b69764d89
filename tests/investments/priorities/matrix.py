"""Permission-matrix rows of the investments priorities pages and endpoints (see
tests/test_permission_matrix.py for the rule each row is checked against).

The prioritisation is internal deliberation: every page is `entity_private` (404 without
VIEW_PRIVATE, then 403 without the capability), including a public project's score breakdown.
Rows that need a criterion create one while building the URL; each call runs in a savepoint
that is rolled back, so every caller finds the same world."""

from __future__ import annotations

from typing import Any

from rumbo.investments.models import PriorityCriterion
from tests.matrix_support import C, Case


def _criterion(w: Any) -> PriorityCriterion:
    return PriorityCriterion.objects.get_or_create(
        entity=w.entity, key="gap", defaults={"name": "Brecha", "weight": 1}
    )[0]


def _entity_url(path: str) -> Any:
    return lambda w: f"/inversiones/entidades/{w.entity.pk}/{path}"


def _scores_body(w: Any) -> Any:
    _criterion(w)
    return [{"criterion": "gap", "score": "3,5", "justification": "Cierra la brecha"}]


WEB: list[Case] = [
    Case("priorities criteria", "get", _entity_url("criterios/"), "entity", None, 200, entity_private=True),
    Case(
        "priorities add criterion (invalid)",
        "post",
        _entity_url("criterios/nuevo/"),
        "entity",
        C.EDIT_PLAN,
        200,
        data=lambda w: {"key": "", "weight": "-1"},
        entity_private=True,
    ),
    Case(
        "priorities edit criterion",
        "get",
        lambda w: f"/inversiones/entidades/{w.entity.pk}/criterios/{_criterion(w).pk}/editar/",
        "entity",
        C.EDIT_PLAN,
        200,
        entity_private=True,
    ),
    Case(
        "priorities delete criterion",
        "post",
        lambda w: f"/inversiones/entidades/{w.entity.pk}/criterios/{_criterion(w).pk}/eliminar/",
        "entity",
        C.EDIT_PLAN,
        302,
        entity_private=True,
    ),
    Case(
        "priorities adopt suggested matrix",
        "post",
        _entity_url("criterios/sugeridos/"),
        "entity",
        C.EDIT_PLAN,
        302,
        entity_private=True,
    ),
    Case("priorities ranking", "get", _entity_url("priorizacion/"), "entity", None, 200, entity_private=True),
    Case(
        "priorities ranking csv",
        "get",
        _entity_url("priorizacion.csv"),
        "entity",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "priorities other entity's ranking",
        "get",
        lambda w: f"/inversiones/entidades/{w.other_entity.pk}/priorizacion/",
        "other_entity",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "priorities sensitivity",
        "get",
        lambda w: (
            f"/inversiones/entidades/{w.entity.pk}/sensibilidad/?criterion={_criterion(w).key}&change=50"
        ),
        "entity",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "priorities score of a bank project",
        "get",
        lambda w: f"/inversiones/proyectos/{w.bank_project.pk}/puntaje/",
        "bank_project",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "priorities score of an initiative",
        "get",
        lambda w: f"/inversiones/proyectos/{w.project.pk}/puntaje/",
        "project",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "priorities score another entity's project",
        "get",
        lambda w: f"/inversiones/proyectos/{w.other_project.pk}/puntaje/",
        "other_project",
        None,
        200,
        entity_private=True,
    ),
    Case(
        "priorities save scores",
        "post",
        lambda w: f"/inversiones/proyectos/{w.bank_project.pk}/puntaje/",
        "bank_project",
        C.EDIT_PLAN,
        302,
        data=lambda w: {"score_gap": "3,5", "justification_gap": "Cierra la brecha"},
        entity_private=True,
    ),
]
API: list[Case] = [
    Case(
        "api priorities criteria",
        "get",
        lambda w: f"/api/v1/investments/entities/{w.entity.pk}/criteria",
        "entity",
        None,
        200,
        api=True,
        login_required=False,
        entity_private=True,
    ),
    Case(
        "api priorities put criterion",
        "put",
        lambda w: f"/api/v1/investments/entities/{w.entity.pk}/criteria/gap",
        "entity",
        C.EDIT_PLAN,
        200,
        api=True,
        data=lambda w: {"name": "Brecha que cierra", "weight": "2,5"},
        entity_private=True,
    ),
    Case(
        "api priorities delete criterion",
        "delete",
        lambda w: f"/api/v1/investments/entities/{w.entity.pk}/criteria/{_criterion(w).key}",
        "entity",
        C.EDIT_PLAN,
        200,
        api=True,
        entity_private=True,
    ),
    Case(
        "api priorities ranking",
        "get",
        lambda w: f"/api/v1/investments/entities/{w.entity.pk}/ranking",
        "entity",
        None,
        200,
        api=True,
        login_required=False,
        entity_private=True,
    ),
    Case(
        "api priorities other entity's ranking",
        "get",
        lambda w: f"/api/v1/investments/entities/{w.other_entity.pk}/ranking",
        "other_entity",
        None,
        200,
        api=True,
        login_required=False,
        entity_private=True,
    ),
    Case(
        "api priorities sensitivity",
        "get",
        lambda w: (
            f"/api/v1/investments/entities/{w.entity.pk}/sensitivity?criterion={_criterion(w).key}&factor=1.5"
        ),
        "entity",
        None,
        200,
        api=True,
        login_required=False,
        entity_private=True,
    ),
    Case(
        "api priorities put scores of a bank project",
        "put",
        lambda w: f"/api/v1/investments/projects/{w.bank_project.pk}/scores",
        "bank_project",
        C.EDIT_PLAN,
        200,
        api=True,
        data=_scores_body,
    ),
    Case(
        "api priorities put scores of an initiative",
        "put",
        lambda w: f"/api/v1/investments/projects/{w.project.pk}/scores",
        "project",
        C.EDIT_PLAN,
        200,
        api=True,
        data=_scores_body,
    ),
]
