"""Reads of the execution of projects: a project's series with every figure explained, its chart,
milestones, contracts and evidence, and the projects of an entity as GeoJSON for the map."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import shapely
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.investments.execution.services import IMAGE_TYPES
from rumbo.investments.models import (
    Contract,
    ExecutionRecord,
    Project,
    ProjectEvidence,
    ProjectMilestone,
    ProjectStage,
    ProjectStatus,
)
from rumbo.plans.models import Plan
from rumbo.territory.selectors import entity_boundaries_geojson

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
HUNDRED = Decimal(100)


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percentage with one decimal; None when the whole is zero."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class ExecutionRow:
    """One period of a project's execution with its derived figures."""

    record: ExecutionRecord
    financial: Decimal | None  # paid / programmed of the period
    commitment: Decimal | None  # committed / programmed of the period
    gap: Decimal | None  # achieved − planned (percentage points)
    cum_programmed: Decimal
    cum_committed: Decimal
    cum_paid: Decimal
    cum_financial: Decimal | None  # Σ paid / Σ programmed up to this period
    over_committed: bool


@dataclass(slots=True)
class ProjectExecution:
    project: Project
    rows: list[ExecutionRow]
    milestones: list[tuple[ProjectMilestone, bool]]  # (milestone, overdue)
    contracts: list[Contract]
    photos: list[ProjectEvidence]
    documents: list[ProjectEvidence]
    today: datetime.date
    latest: ExecutionRow | None = None
    contracted: Decimal = Decimal(0)
    chart: dict[str, Any] = field(default_factory=dict)


def project_execution(*, project: Project, today: datetime.date | None = None) -> ProjectExecution:
    """The project's execution: every period in order with its ratios and running totals, the
    milestones (overdue ones flagged), the contracts and the evidence split into photos and documents."""
    today = today or datetime.date.today()
    rows: list[ExecutionRow] = []
    cum_prog = cum_comm = cum_paid = Decimal(0)
    for record in ExecutionRecord.objects.filter(project=project).order_by("period_end", "period"):
        cum_prog += record.programmed
        cum_comm += record.committed
        cum_paid += record.paid
        gap = None
        if record.physical_actual is not None and record.physical_planned is not None:
            gap = record.physical_actual - record.physical_planned
        rows.append(
            ExecutionRow(
                record=record,
                financial=percent_of(record.paid, record.programmed),
                commitment=percent_of(record.committed, record.programmed),
                gap=gap,
                cum_programmed=cum_prog,
                cum_committed=cum_comm,
                cum_paid=cum_paid,
                cum_financial=percent_of(cum_paid, cum_prog),
                over_committed=record.committed > record.programmed,
            )
        )
    milestones = [
        (m, m.done_on is None and m.due_on < today) for m in ProjectMilestone.objects.filter(project=project)
    ]
    contracts = list(Contract.objects.filter(project=project))
    evidence = list(ProjectEvidence.objects.filter(project=project))
    result = ProjectExecution(
        project=project,
        rows=rows,
        milestones=milestones,
        contracts=contracts,
        photos=[e for e in evidence if e.content_type in IMAGE_TYPES],
        documents=[e for e in evidence if e.content_type not in IMAGE_TYPES],
        today=today,
        latest=rows[-1] if rows else None,
        contracted=sum((c.amount for c in contracts), Decimal(0)),
    )
    result.chart = execution_chart_spec(rows=rows)
    return result


def execution_chart_spec(*, rows: list[ExecutionRow]) -> dict[str, Any]:
    """Two charts over the periods' ends: cumulative money programmed, committed and paid; and
    physical progress planned and achieved (%)."""
    money: list[dict[str, Any]] = []
    physical: list[dict[str, Any]] = []
    names = {"programmed": _("Programmed"), "committed": _("Committed"), "paid": _("Paid")}
    for row in rows:
        r = row.record
        end = r.period_end.isoformat()
        for key, value in (
            ("programmed", row.cum_programmed),
            ("committed", row.cum_committed),
            ("paid", row.cum_paid),
        ):
            money.append({"date": end, "period": r.period, "series": names[key], "amount": float(value)})
        if r.physical_planned is not None:
            physical.append(
                {
                    "date": end,
                    "period": r.period,
                    "series": _("Planned"),
                    "percent": float(r.physical_planned),
                }
            )
        if r.physical_actual is not None:
            physical.append(
                {
                    "date": end,
                    "period": r.period,
                    "series": _("Achieved"),
                    "percent": float(r.physical_actual),
                }
            )
    x = {"field": "date", "type": "temporal", "title": _("End of period")}
    return {
        "$schema": _SCHEMA,
        "vconcat": [
            {
                "title": _("Money, cumulative"),
                "width": "container",
                "height": 200,
                "data": {"values": money},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {"field": "amount", "type": "quantitative", "title": _("Amount")},
                    "color": {"field": "series", "type": "nominal", "title": None},
                    "tooltip": [
                        {"field": "period", "title": _("Period")},
                        {"field": "series", "title": _("Series")},
                        {"field": "amount", "title": _("Amount"), "format": ",.2f"},
                    ],
                },
            },
            {
                "title": _("Physical progress (%)"),
                "width": "container",
                "height": 200,
                "data": {"values": physical},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "percent",
                        "type": "quantitative",
                        "title": "%",
                        "scale": {"domain": [0, 100]},
                    },
                    "color": {"field": "series", "type": "nominal", "title": None},
                    "tooltip": [
                        {"field": "period", "title": _("Period")},
                        {"field": "series", "title": _("Series")},
                        {"field": "percent", "title": "%"},
                    ],
                },
            },
        ],
    }


def project_evidence_get_for_user(*, evidence_id: int, user: Any) -> ProjectEvidence | None:
    """The evidence if the user may see its project (accepted projects are public); else None."""
    evidence = ProjectEvidence.objects.select_related("project").filter(pk=evidence_id).first()
    if evidence is None:
        return None
    project = evidence.project
    if project.status != ProjectStatus.ACCEPTED and not user_access(user).can(
        project.entity_id, Capability.VIEW_PRIVATE
    ):
        return None
    return evidence


def projects_visible(*, user: Any, entity_id: int) -> QuerySet[Project]:
    """The entity's projects the user may see: accepted ones, all of them for readers of its private data."""
    qs = Project.objects.filter(entity_id=entity_id)
    if not user_access(user).can(entity_id, Capability.VIEW_PRIVATE):
        qs = qs.filter(status=ProjectStatus.ACCEPTED)
    return qs


# --- the map ----------------------------------------------------------------------------------------

STAGE_COLOURS = {
    ProjectStage.IDEA: "#9e9e9e",
    ProjectStage.PROFILE: "#8e7cc3",
    ProjectStage.PREFEASIBILITY: "#6fa8dc",
    ProjectStage.FEASIBILITY: "#3d85c6",
    ProjectStage.EXECUTION: "#e69138",
    ProjectStage.OPERATION: "#38761d",
}


@dataclass(slots=True)
class ProjectMap:
    boundaries: dict[str, Any]  # FeatureCollection of the entity's units
    projects: dict[str, Any]  # FeatureCollection of the projects that could be placed
    unplaced: list[Project]  # projects without location nor units with a geometry
    stages: list[tuple[str, str, str]]  # (value, label, colour) for the legend


def entity_project_map(*, user: Any, entity: Entity, plan: Plan | None = None) -> ProjectMap:
    """The entity's boundaries and its visible projects (of `plan` only, when given) as GeoJSON.
    A project without its own location is placed at the centroid of its territorial units and
    marked approximate; physical progress is the latest achieved value recorded."""
    boundaries = entity_boundaries_geojson(entity_id=entity.pk)
    qs = projects_visible(user=user, entity_id=entity.pk)
    if plan is not None:
        qs = qs.filter(Q(plan=plan) | Q(nodes__plan=plan)).distinct()
    projects = list(qs.prefetch_related("units").order_by("code"))
    latest: dict[int, tuple[str, Decimal | None]] = {}
    for project_id, period, actual in (
        ExecutionRecord.objects.filter(project__in=[p.pk for p in projects], physical_actual__isnull=False)
        .order_by("project_id", "period_end")
        .values_list("project_id", "period", "physical_actual")
    ):
        latest[project_id] = (period, actual)
    features = []
    unplaced = []
    for project in projects:
        geometry = project.location
        approximate = False
        if not geometry:
            shapes = [shape(u.geometry) for u in project.units.all() if u.geometry]
            if shapes:
                geometry = mapping(shapely.union_all(shapes).centroid)
                approximate = True
        if not geometry:
            unplaced.append(project)
            continue
        progress = latest.get(project.pk)
        features.append(
            {
                "type": "Feature",
                "id": project.pk,
                "geometry": geometry,
                "properties": {
                    "code": project.code,
                    "title": project.title,
                    "stage": project.stage,
                    "stage_label": str(ProjectStage(project.stage).label),
                    "colour": STAGE_COLOURS.get(ProjectStage(project.stage), "#666666"),
                    "cost": str(project.cost_total),
                    "currency": project.currency,
                    "physical": float(progress[1]) if progress and progress[1] is not None else None,
                    "physical_period": progress[0] if progress else None,
                    "approximate": approximate,
                    "public": project.status == ProjectStatus.ACCEPTED,
                    "url": reverse("investments:project_execution", kwargs={"project_id": project.pk}),
                },
            }
        )
    return ProjectMap(
        boundaries=boundaries,
        projects={"type": "FeatureCollection", "features": features},
        unplaced=unplaced,
        stages=[(s.value, str(s.label), STAGE_COLOURS[s]) for s in ProjectStage],
    )
