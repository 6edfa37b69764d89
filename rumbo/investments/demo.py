"""Investment demonstration data for the Moyobamba PAT: a small project bank (office projects and
two citizen initiatives, one awaiting review), the suggested prioritisation matrix with scores,
funding ceilings, the 2025 annual plan (approved) with its execution in three quarters, the
multi-year programme 2025–2028 (a draft over one ceiling, so the flag shows), and 2026's plan.

Everything goes through the services, so it is validated and audited like real work. The figures
are invented for the demonstration, on an entity and a plan labelled as such.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from rumbo.investments.bank.services import (
    entity_eligibility_recheck,
    initiative_review,
    initiative_submit,
    zoning_rule_create,
)
from rumbo.investments.execution.services import execution_record_set, milestone_add
from rumbo.investments.models import Project
from rumbo.investments.priorities.services import ScoreInput, criteria_suggested_adopt, project_scores_set
from rumbo.investments.programming.services import (
    ceilings_set,
    investment_plan_approve,
    investment_plan_create,
    line_add,
)
from rumbo.investments.services import project_create
from rumbo.plans.models import Node, Plan
from rumbo.territory.models import LayerFeature, SpatialLayer

# code, title, sector, stage, node code, [(year, amount, source)], point (lon, lat), scores
# (gap, alignment, population, cost-effectiveness, readiness, risk) on 0–5
DEMO_PROJECTS: list[
    tuple[str, str, str, str, str, list[tuple[int, str, str]], tuple[float, float], tuple[str, ...]]
] = [
    (
        "PI-001",
        "Mejoramiento del camino vecinal Moyobamba – Jepelacio",
        "transport",
        "execution",
        "E2.1.1",
        [(2025, "1800000", "canon"), (2026, "3000000", "foncomun")],
        (-76.93, -6.08),
        ("4", "5", "4", "3", "5", "2"),
    ),
    (
        "PI-002",
        "Mejoramiento del camino vecinal Calzada – Habana – Soritor",
        "transport",
        "feasibility",
        "E2.1.1",
        [(2026, "2500000", "canon"), (2027, "2500000", "canon")],
        (-77.05, -6.10),
        ("4", "5", "3", "3", "3", "3"),
    ),
    (
        "PI-003",
        "Sistema de información territorial provincial",
        "institutional",
        "execution",
        "E1.2.1",
        [(2025, "450000", "own")],
        (-76.972, -6.034),
        ("3", "4", "2", "4", "5", "1"),
    ),
    (
        "PI-004",
        "Estudio de peligros y vulnerabilidad de los centros urbanos",
        "risk",
        "execution",
        "E3.2.1",
        [(2025, "380000", "transfers")],
        (-76.97, -6.04),
        ("5", "5", "4", "4", "4", "2"),
    ),
    (
        "PI-005",
        "Defensa ribereña del río Mayo en el sector Tahuishco",
        "risk",
        "profile",
        "E3.2.1",
        [(2027, "1200000", "transfers"), (2028, "800000", "own")],
        (-76.985, -6.025),
        ("5", "4", "3", "3", "2", "3"),
    ),
    (
        "PI-006",
        "Centro de servicios desconcentrados de Soritor",
        "public_space",
        "prefeasibility",
        "E4.1.1",
        [(2026, "900000", "foncomun"), (2027, "600000", "own")],
        (-77.10, -6.14),
        ("3", "4", "3", "3", "2", "2"),
    ),
]
CEILINGS = {
    2025: {"canon": "2000000", "foncomun": "1500000", "own": "600000", "transfers": "500000"},
    2026: {"canon": "2000000", "foncomun": "3500000", "own": "600000", "transfers": "500000"},
    2027: {"canon": "2500000", "foncomun": "1500000", "own": "700000", "transfers": "1000000"},
    2028: {"canon": "2500000", "foncomun": "1500000", "own": "700000", "transfers": "1000000"},
}
# A small land-use layer around the city (west, south, east, north; use), and what each use allows
ZONES = [
    ((-77.00, -6.06, -76.95, -6.02), "Urbano"),
    ((-76.995, -6.03, -76.975, -6.015), "Protección ribereña"),
    ((-76.95, -6.12, -76.88, -6.05), "Agrícola"),
    ((-77.12, -6.16, -77.02, -6.08), "Expansión urbana"),
]
ZONING_RULES = [
    ("Urbano", "", "allowed", ""),
    ("Protección ribereña", "", "forbidden", "Faja marginal del río Mayo: no se edifica."),
    ("Protección ribereña", "risk", "conditional", "Obras de defensa con opinión de la ANA."),
    ("Agrícola", "transport", "allowed", "Vías vecinales compatibles con el uso agrícola."),
    ("Agrícola", "", "conditional", "Requiere cambio de uso."),
    ("Expansión urbana", "", "allowed", ""),
]
# project code → [(period, programmed, committed, paid, planned %, achieved %)]
EXECUTION = {
    "PI-001": [
        ("2025T1", "300000", "300000", "150000", "10", "8"),
        ("2025T2", "600000", "550000", "480000", "30", "25"),
        ("2025T3", "600000", "600000", "520000", "55", "47"),
    ],
    "PI-003": [
        ("2025T1", "100000", "100000", "100000", "20", "20"),
        ("2025T2", "150000", "150000", "140000", "50", "55"),
        ("2025T3", "150000", "120000", "90000", "80", "70"),
    ],
    "PI-004": [
        ("2025T2", "190000", "190000", "95000", "40", "35"),
        ("2025T3", "190000", "190000", "190000", "90", "90"),
    ],
}


def investments_demo_load(*, actor: Any, plan: Plan | None) -> bool:
    """Create the investment demo on the demo PAT once (False when it exists or the plan is missing)."""
    if plan is None or Project.objects.filter(entity=plan.entity, code="PI-001").exists():
        return False
    entity = plan.entity
    nodes = {n.code: n for n in Node.objects.filter(plan=plan)}
    with transaction.atomic():
        criteria_suggested_adopt(actor=actor, entity=entity)
        keys = ["gap", "alignment", "population", "cost_effectiveness", "readiness", "risk"]
        projects: dict[str, Project] = {}
        for code, title, sector, stage, node_code, years, (lon, lat), scores in DEMO_PROJECTS:
            total = sum((Decimal(amount) for _y, amount, _s in years), Decimal(0))
            project = project_create(
                actor=actor,
                entity=entity,
                code=code,
                title=title,
                cost_total=total,
                year_costs=years,
                location={"type": "Point", "coordinates": [lon, lat]},
                plan=plan,
                nodes=[nodes[node_code]] if node_code in nodes else [],
                sector=sector,
                stage=stage,
                currency="PEN",
                responsible="Gerencia de Infraestructura",
            )
            project_scores_set(
                actor=actor,
                project=project,
                rows=[
                    ScoreInput(criterion=key, score=value, justification="Valoración de demostración.")
                    for key, value in zip(keys, scores, strict=True)
                ],
            )
            projects[code] = project
        proposed = initiative_submit(
            entity=entity,
            title="Parque infantil en el barrio Lluyllucucha",
            description="Los vecinos proponen recuperar el terreno baldío junto al colegio como parque.",
            sector="public_space",
            proposer_name="Junta vecinal Lluyllucucha (demostración)",
            fingerprint="demo",
            location={"type": "Point", "coordinates": [-76.965, -6.038]},
            cost_estimate="250000",
        )
        accepted = initiative_review(
            actor=actor, project=proposed, decision="accept", plan=plan, nodes=[nodes["E4.1.1"]]
        )
        project_scores_set(
            actor=actor,
            project=accepted,
            rows=[
                ScoreInput(criterion=key, score=value, justification="Valoración de demostración.")
                for key, value in zip(keys, ("3", "4", "3", "4", "3", "1"), strict=True)
            ],
        )
        initiative_submit(
            entity=entity,
            title="Iluminación del malecón San Juan",
            description="Alumbrado público para el malecón, hoy oscuro e inseguro por las noches.",
            sector="public_space",
            proposer_name="Vecina de Moyobamba (demostración)",
            fingerprint="demo",
            cost_estimate="120000",
        )
        ceilings_set(
            actor=actor,
            entity=entity,
            cells=[(year, code, amount) for year, row in CEILINGS.items() for code, amount in row.items()],
        )
        annual = investment_plan_create(
            actor=actor,
            entity=entity,
            kind="annual",
            title="Plan anual de inversiones 2025 (demostración)",
            year_start=2025,
            year_end=2025,
            plan=plan,
        )
        multiyear = investment_plan_create(
            actor=actor,
            entity=entity,
            kind="multiyear",
            title="Programación multianual de inversiones 2025–2028 (demostración)",
            year_start=2025,
            year_end=2028,
            plan=plan,
        )
        for code, _title, _sector, _stage, _node, years, _point, _scores in DEMO_PROJECTS:
            for year, amount, source in years:
                line_add(
                    actor=actor,
                    investment_plan=multiyear,
                    project=projects[code],
                    year=year,
                    source_code=source,
                    amount=amount,
                )
                if year == 2025:
                    line_add(
                        actor=actor,
                        investment_plan=annual,
                        project=projects[code],
                        year=year,
                        source_code=source,
                        amount=amount,
                    )
        # the citizens' park, programmed in 2026 on top of the canon roads: canon goes over its
        # 2026 ceiling in the multi-year draft, which the programme page flags
        line_add(
            actor=actor,
            investment_plan=multiyear,
            project=accepted,
            year=2026,
            source_code="canon",
            amount="250000",
        )
        investment_plan_approve(actor=actor, investment_plan=annual, note="Aprobado (demostración).")
        for code, rows in EXECUTION.items():
            for period, programmed, committed, paid, planned, achieved in rows:
                execution_record_set(
                    actor=actor,
                    project=projects[code],
                    period=period,
                    programmed=programmed,
                    committed=committed,
                    paid=paid,
                    physical_planned=planned,
                    physical_actual=achieved,
                )
        milestone_add(
            actor=actor,
            project=projects["PI-001"],
            name="Entrega del tramo Moyobamba – Calzada",
            due_on=datetime.date(2025, 10, 31),
        )
        _zoning_load(actor=actor, plan=plan)
        entity_eligibility_recheck(actor=actor, entity=entity)
    return True


def _zoning_load(*, actor: Any, plan: Plan) -> None:
    """A demonstration land-use layer with its rules, so eligibility has something to check."""
    layer = SpatialLayer.objects.create(
        entity=plan.entity,
        name="Zonificación de usos del suelo (demostración)",
        kind="zoning",
        is_public=True,
        feature_count=len(ZONES),
    )
    LayerFeature.objects.bulk_create(
        LayerFeature(
            layer=layer,
            properties={"uso": use},
            geometry={
                "type": "Polygon",
                "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
            },
            bbox_west=w,
            bbox_south=s,
            bbox_east=e,
            bbox_north=n,
        )
        for (w, s, e, n), use in ZONES
    )
    for value, sector, verdict, note in ZONING_RULES:
        zoning_rule_create(
            actor=actor,
            entity=plan.entity,
            layer=layer,
            attribute="uso",
            value=value,
            verdict=verdict,
            sector=sector,
            note=note,
        )
