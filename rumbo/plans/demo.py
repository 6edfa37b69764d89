"""The demonstration entity and plan, modelled on chapter VI of the Moyobamba PAT (seed 001).

The Provincia de Moyobamba (San Martín, Peru) with its six districts (INEI ubigeo), a
provincial municipality that owns a PAT, five district municipalities that let the province
read their data, and a strategic tree of thematic axes, objectives, programmes and projects.
Everything created here is flagged `is_demo` and labelled as demonstration data on screen.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from rumbo.accounts.models import Entity, EntityKind
from rumbo.accounts.services import entity_create, oversight_grant
from rumbo.plans.models import LegalActType, Plan, PlanStatus, PlanType
from rumbo.plans.services import legal_act_add, node_create, plan_create
from rumbo.territory.models import TerritorialUnit
from rumbo.territory.services import jurisdiction_set

PROVINCE_CODE = "2201"
DISTRICTS = {
    "220101": "Moyobamba",
    "220102": "Calzada",
    "220103": "Habana",
    "220104": "Jepelacio",
    "220105": "Soritor",
    "220106": "Yantaló",
}
DEMO_PLAN_NAME = "Plan de Acondicionamiento Territorial de la Provincia de Moyobamba (demostración)"

# (code, title, responsible, term, weight, children)
Tree = list[tuple[str, str, str, str, str, "Tree"]]
DEMO_TREE: Tree = [
    (
        "E1",
        "Gestión territorial concertada y fortalecimiento institucional",
        "Gerencia de Planeamiento",
        "",
        "0,30",
        [
            (
                "E1.1",
                "Institucionalizar la gestión del PAT en la provincia",
                "Gerencia de Planeamiento",
                "",
                "0,6",
                [
                    (
                        "E1.1.1",
                        "Programa de gobernanza territorial",
                        "Gerencia de Planeamiento",
                        "short",
                        "1",
                        [
                            (
                                "E1.1.1.1",
                                "Conformación de la Comisión Provincial de Gestión del Territorio",
                                "Alcaldía provincial",
                                "short",
                                "0,3",
                                [],
                            ),
                            (
                                "E1.1.1.2",
                                "Creación del Instituto de Planificación Urbana Provincial",
                                "Gerencia de Planeamiento",
                                "short",
                                "0,4",
                                [],
                            ),
                            (
                                "E1.1.1.3",
                                "Conformación del Comité de Gestión para la vigilancia ciudadana del plan",
                                "Gerencia de Participación Vecinal",
                                "short",
                                "0,3",
                                [],
                            ),
                        ],
                    ),
                ],
            ),
            (
                "E1.2",
                "Fortalecer las capacidades técnicas de los gobiernos locales",
                "Instituto de Planificación Urbana Provincial",
                "",
                "0,4",
                [
                    (
                        "E1.2.1",
                        "Programa de asistencia técnica a las municipalidades distritales",
                        "Instituto de Planificación Urbana Provincial",
                        "medium",
                        "1",
                        [
                            (
                                "E1.2.1.1",
                                "Creación del Sistema de información provincial",
                                "Instituto de Planificación Urbana Provincial",
                                "short",
                                "0,4",
                                [],
                            ),
                            (
                                "E1.2.1.2",
                                "Mejoramiento de los procesos de control urbano",
                                "Subgerencia de Control Urbano",
                                "medium",
                                "0,3",
                                [],
                            ),
                            (
                                "E1.2.1.3",
                                "Fortalecimiento de la gestión de la información catastral",
                                "Subgerencia de Catastro",
                                "medium",
                                "0,3",
                                [],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "E2",
        "Articulación vial y conectividad provincial",
        "Gerencia de Infraestructura",
        "",
        "0,25",
        [
            (
                "E2.1",
                "Integrar vialmente los distritos con la capital provincial",
                "Gerencia de Infraestructura",
                "",
                "1",
                [
                    (
                        "E2.1.1",
                        "Programa de vías vecinales estructurantes",
                        "Gerencia de Infraestructura",
                        "medium",
                        "1",
                        [
                            (
                                "E2.1.1.1",
                                "Mejoramiento del camino vecinal Moyobamba – Jepelacio",
                                "Gerencia de Infraestructura",
                                "medium",
                                "0,5",
                                [],
                            ),
                            (
                                "E2.1.1.2",
                                "Mejoramiento del camino vecinal Calzada – Habana – Soritor",
                                "Gerencia de Infraestructura",
                                "long",
                                "0,5",
                                [],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "E3",
        "Ambiente, cuenca del Alto Mayo y gestión del riesgo",
        "Gerencia de Gestión Ambiental",
        "",
        "0,25",
        [
            (
                "E3.1",
                "Conservar los ecosistemas de la cuenca del Alto Mayo",
                "Gerencia de Gestión Ambiental",
                "",
                "0,5",
                [
                    (
                        "E3.1.1",
                        "Programa de articulación con el POT de la cuenca del Alto Mayo",
                        "Gerencia de Gestión Ambiental",
                        "long",
                        "1",
                        [
                            (
                                "E3.1.1.1",
                                "Mesa técnica con Rioja para el ordenamiento de la cuenca",
                                "Gerencia de Gestión Ambiental",
                                "short",
                                "1",
                                [],
                            ),
                        ],
                    ),
                ],
            ),
            (
                "E3.2",
                "Reducir la exposición de la población a peligros naturales",
                "Oficina de Gestión del Riesgo de Desastres",
                "",
                "0,5",
                [
                    (
                        "E3.2.1",
                        "Programa de prevención y reducción del riesgo",
                        "Oficina de Gestión del Riesgo de Desastres",
                        "medium",
                        "1",
                        [
                            (
                                "E3.2.1.1",
                                "Estudio de peligros y vulnerabilidad de los centros urbanos",
                                "Oficina de Gestión del Riesgo de Desastres",
                                "short",
                                "1",
                                [],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "E4",
        "Equipamiento urbano desconcentrado y servicios",
        "Gerencia de Desarrollo Urbano",
        "",
        "0,20",
        [
            (
                "E4.1",
                "Acercar los servicios públicos a los centros poblados",
                "Gerencia de Desarrollo Urbano",
                "",
                "1",
                [
                    (
                        "E4.1.1",
                        "Programa de equipamiento urbano desconcentrado",
                        "Gerencia de Desarrollo Urbano",
                        "long",
                        "1",
                        [
                            (
                                "E4.1.1.1",
                                "Esquemas de Ordenamiento Urbano de Calzada, Habana, Jepelacio, Soritor y Yantaló",
                                "Instituto de Planificación Urbana Provincial",
                                "short",
                                "0,5",
                                [],
                            ),
                            (
                                "E4.1.1.2",
                                "Observatorio territorial con universidades, colegios profesionales y ONG",
                                "Instituto de Planificación Urbana Provincial",
                                "medium",
                                "0,5",
                                [],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    ),
]
TERM_YEARS = {"short": (2025, 2027), "medium": (2025, 2030), "long": (2025, 2035)}


def demo_plan_exists() -> bool:
    return Plan.objects.filter(is_demo=True, name=DEMO_PLAN_NAME).exists()


def demo_load(*, actor: Any) -> Plan | None:
    """Create the demo once (a second call does nothing and returns None).

    Needs the Peruvian reference territories; `actor` must be a superuser.
    """
    if demo_plan_exists():
        return None
    units = {
        u.code: u for u in TerritorialUnit.objects.filter(country="PE", code__in=[PROVINCE_CODE, *DISTRICTS])
    }
    with transaction.atomic():
        province = entity_create(
            actor=actor,
            name="Municipalidad Provincial de Moyobamba (demostración)",
            short_name="MPM",
            kind=EntityKind.PROVINCIAL_MUNICIPALITY,
            country="PE",
            is_demo=True,
        )
        if PROVINCE_CODE in units:
            jurisdiction_set(actor=actor, entity=province, units=[units[PROVINCE_CODE]])
        for code, name in DISTRICTS.items():
            if code == "220101":
                continue  # the provincial municipality also governs the capital district
            district: Entity = entity_create(
                actor=actor,
                name=f"Municipalidad Distrital de {name} (demostración)",
                kind=EntityKind.MUNICIPALITY,
                country="PE",
                parent=province,
                is_demo=True,
            )
            if code in units:
                jurisdiction_set(actor=actor, entity=district, units=[units[code]])
            oversight_grant(actor=actor, overseer=province, overseen=district)
        plan_type = PlanType.objects.get(country="PE", code="PAT")
        plan = plan_create(
            actor=actor,
            entity=province,
            plan_type=plan_type,
            name=DEMO_PLAN_NAME,
            code="PAT-MOY",
            horizon_start=2025,
            horizon_end=2035,
            status=PlanStatus.IN_FORCE,
            is_demo=True,
            units=[units[c] for c in DISTRICTS if c in units],
            vision=(
                "Moyobamba, provincia articulada e integrada, que gestiona su territorio de manera "
                "concertada y sostenible, con gobiernos locales fortalecidos y una ciudadanía que "
                "vigila el cumplimiento de sus planes."
            ),
            target_image=(
                "Un sistema de centros poblados conectado por vías vecinales, con la cuenca del "
                "Alto Mayo conservada y equipamientos desconcentrados en las capitales distritales."
            ),
            description=(
                "Datos de demostración basados en el capítulo VI (Gestión territorial) del PAT de la "
                "Provincia de Moyobamba. No es el plan oficial."
            ),
        )
        _add_nodes(actor=actor, plan=plan, parent=None, items=DEMO_TREE)
        legal_act_add(
            actor=actor,
            plan=plan,
            act_type=LegalActType.ORDINANCE,
            number="000-2025-MPM (demostración)",
            date=datetime.date(2025, 3, 14),
            issuer="Concejo Municipal Provincial de Moyobamba",
            summary="Ordenanza ficticia de aprobación, para mostrar cómo se registran los actos legales.",
        )
        plan.is_published = True
        plan.save(update_fields=["is_published"])
    return plan


def _add_nodes(*, actor: Any, plan: Plan, parent: Any, items: Tree) -> None:
    for code, title, responsible, term, weight, children in items:
        start, end = TERM_YEARS.get(term, (None, None))
        node = node_create(
            actor=actor,
            plan=plan,
            parent=parent,
            code=code,
            title=title,
            responsible=responsible,
            term=term,
            weight=weight,
            term_start=start,
            term_end=end,
        )
        _add_nodes(actor=actor, plan=plan, parent=node, items=children)
