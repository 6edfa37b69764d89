"""Colombian demonstration data for the lifecycle module: a municipality whose POT was adopted
in 2000, is past its long-term vigencia and stays in force until a new one is adopted (Ley 388
art. 28), on the FCM revision route with its first steps done.

Everything is flagged `is_demo` and labelled on screen. The adoption date and acts are
invented for the demonstration; they are not the municipality's real POT.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from rumbo.accounts.models import EntityKind
from rumbo.accounts.services import entity_create
from rumbo.lifecycle.routes.models import Route
from rumbo.lifecycle.routes.services import plan_route_start, step_update
from rumbo.lifecycle.validity.models import PlanStatusEventKind, ValidityRegime
from rumbo.lifecycle.validity.services import plan_status_event_add, plan_validity_set
from rumbo.plans.models import LegalActType, Plan, PlanStatus, PlanType
from rumbo.plans.services import legal_act_add, node_create, plan_create
from rumbo.territory.models import TerritorialUnit
from rumbo.territory.services import jurisdiction_set

CO_DEMO_PLAN_NAME = "Plan de Ordenamiento Territorial de Fusagasugá (demostración)"
CO_MUNICIPALITY_CODE = "25290"
ADOPTED = datetime.date(2000, 12, 20)

CO_TREE = [
    (
        "CG",
        "Componente general",
        [
            ("CG.1", "Consolidar la red de centralidades urbanas y rurales"),
            ("CG.2", "Proteger la estructura ecológica principal y el recurso hídrico"),
        ],
    ),
    (
        "CU",
        "Componente urbano",
        [
            ("CU.1", "Programa de vivienda de interés social"),
            ("CU.2", "Programa de espacio público y equipamientos"),
        ],
    ),
    ("CR", "Componente rural", [("CR.1", "Programa de producción agropecuaria sostenible")]),
]


def co_demo_exists() -> bool:
    return Plan.objects.filter(is_demo=True, name=CO_DEMO_PLAN_NAME).exists()


def lifecycle_demo_load(*, actor: Any) -> Plan | None:
    """Create the Colombian demo once (a second call does nothing and returns None)."""
    unit = TerritorialUnit.objects.filter(country="CO", code=CO_MUNICIPALITY_CODE).first()
    plan_type = PlanType.objects.filter(country="CO", code="POT").first()
    if co_demo_exists() or unit is None or plan_type is None:
        return None
    with transaction.atomic():
        entity = entity_create(
            actor=actor,
            name="Alcaldía de Fusagasugá (demostración)",
            kind=EntityKind.MUNICIPALITY,
            country="CO",
            is_demo=True,
        )
        jurisdiction_set(actor=actor, entity=entity, units=[unit])
        plan = plan_create(
            actor=actor,
            entity=entity,
            plan_type=plan_type,
            name=CO_DEMO_PLAN_NAME,
            code="POT-FUSA",
            horizon_start=2001,
            horizon_end=2010,
            status=PlanStatus.EXPIRED_IN_FORCE,
            units=[unit],
            is_demo=True,
            description=(
                "Datos de demostración: fechas y actos ficticios para mostrar la vigencia, la revisión y "
                "la ruta de la FCM. No es el POT oficial del municipio."
            ),
        )
        parents: dict[str, Any] = {}
        for code, title, children in CO_TREE:
            parents[code] = node_create(actor=actor, plan=plan, parent=None, code=code, title=title)
            for child_code, child_title in children:
                node_create(actor=actor, plan=plan, parent=parents[code], code=child_code, title=child_title)
        act = legal_act_add(
            actor=actor,
            plan=plan,
            act_type=LegalActType.AGREEMENT,
            number="000 de 2000 (demostración)",
            date=ADOPTED,
            issuer="Concejo Municipal de Fusagasugá",
            summary="Acuerdo ficticio por el cual se adopta el POT, para la demostración.",
        )
        plan_validity_set(
            actor=actor, plan=plan, regime=ValidityRegime.CO_LEY_388, adoption_date=ADOPTED, adoption_act=act
        )
        plan_status_event_add(
            actor=actor,
            plan=plan,
            kind=PlanStatusEventKind.ADOPTED,
            date=ADOPTED,
            authority="Concejo Municipal",
            act_reference="Acuerdo 000 de 2000 (demostración)",
            in_force_result="El POT adoptado rige desde su publicación.",
        )
        route = Route.objects.filter(code="co_fcm_2019").first()
        if route is not None:
            plan_route = plan_route_start(actor=actor, plan=plan, route=route)
            states = {s.step.code: s for s in plan_route.states.select_related("step")}
            for code, done in (("C1", datetime.date(2024, 2, 15)), ("C2", datetime.date(2024, 4, 30))):
                if code in states:
                    step_update(
                        actor=actor, state=states[code], status="done", start_date=done, done_date=done
                    )
            if "E1" in states:
                step_update(
                    actor=actor,
                    state=states["E1"],
                    status="in_progress",
                    start_date=datetime.date(2024, 5, 2),
                    due_date=datetime.date(2027, 3, 31),
                )
        plan.is_published = True
        plan.save(update_fields=["is_published"])
    return plan
