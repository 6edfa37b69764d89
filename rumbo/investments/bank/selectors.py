"""Reads of the project bank: the public bank with its filters, an entity's counts and moderation
queue, a project's page data (costs per year, nodes, viability checklist), the zoning layers the
eligibility engine needs, and the entity's boundaries for the maps."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Count, Q, QuerySet

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.investments.eligibility import Rule as ZoningEngineRule
from rumbo.investments.eligibility import ServedNode, ZoningLayer, geometry_from_geojson
from rumbo.investments.models import (
    Project,
    ProjectStage,
    ProjectStatus,
    ViabilityItem,
    ZoningRule,
)
from rumbo.plans.models import Node, Plan
from rumbo.territory.models import LayerFeature, SpatialLayer
from rumbo.territory.selectors import entity_boundaries_geojson as territory_boundaries

VIABILITY_FILE = Path(__file__).resolve().parent.parent / "data" / "viability.json"
STAGE_ORDER: list[str] = [s.value for s in ProjectStage]
NATIONAL_CODE_LABELS = {"CO": "BPIN", "PE": "CUI", "MX": "Clave de cartera"}
CURRENCIES = {"CO": "COP", "PE": "PEN", "MX": "MXN"}


def national_code_label(*, country: str) -> str:
    """What the national project code is called in the country (BPIN, CUI, programme key)."""
    return NATIONAL_CODE_LABELS.get(country, "")


def bank_projects(
    *,
    user: Any,
    entity_id: int | None = None,
    sector: str = "",
    stage: str = "",
    origin: str = "",
    text: str = "",
    include_private: bool = False,
) -> QuerySet[Project]:
    """Projects of the public bank (accepted) with the filters; with `include_private` and an
    entity whose private data the user may read, that entity's other projects too."""
    qs = Project.objects.select_related("entity")
    visible = Q(status=ProjectStatus.ACCEPTED)
    if include_private and entity_id and user_access(user).can(entity_id, Capability.VIEW_PRIVATE):
        visible |= Q(entity_id=entity_id)
    qs = qs.filter(visible)
    if entity_id:
        qs = qs.filter(entity_id=entity_id)
    if sector:
        qs = qs.filter(sector=sector)
    if stage:
        qs = qs.filter(stage=stage)
    if origin:
        qs = qs.filter(origin=origin)
    if text.strip():
        words = text.strip()
        qs = qs.filter(Q(title__icontains=words) | Q(code__icontains=words) | Q(description__icontains=words))
    return qs.order_by("entity__name", "code")


def bank_entities() -> QuerySet[Entity]:
    """Entities with at least one project in the public bank (for the filter)."""
    return Entity.objects.filter(projects__status=ProjectStatus.ACCEPTED).distinct().order_by("name")


@dataclass
class EntityBankSummary:
    proposed: int
    accepted: int
    rejected: int
    by_stage: list[tuple[str, str, int]]  # (stage, label, accepted projects at that stage)
    zoning_rules: int


def entity_bank_summary(*, entity: Entity) -> EntityBankSummary:
    """The counts of the entity's hub page (two queries)."""
    statuses = Counter(dict(_counts(Project.objects.filter(entity=entity), "status")))
    stages = dict(_counts(Project.objects.filter(entity=entity, status=ProjectStatus.ACCEPTED), "stage"))
    return EntityBankSummary(
        proposed=statuses.get(ProjectStatus.PROPOSED, 0),
        accepted=statuses.get(ProjectStatus.ACCEPTED, 0),
        rejected=statuses.get(ProjectStatus.REJECTED, 0),
        by_stage=[(s.value, str(s.label), stages.get(s.value, 0)) for s in ProjectStage],
        zoning_rules=ZoningRule.objects.filter(entity=entity).count(),
    )


def _counts(qs: QuerySet[Project], field_name: str) -> list[tuple[str, int]]:
    return list(qs.values_list(field_name).annotate(n=Count("pk")).values_list(field_name, "n"))


def moderation_queue(*, entity: Entity) -> QuerySet[Project]:
    """The entity's initiatives awaiting review, oldest first."""
    return (
        Project.objects.filter(entity=entity, status=ProjectStatus.PROPOSED)
        .prefetch_related("units")
        .order_by("submitted_at", "pk")
    )


def initiative_by_tracking(*, tracking_code: str) -> Project | None:
    """The initiative followed with this code (the code is the proposer's only key)."""
    if not tracking_code:
        return None
    return Project.objects.select_related("entity").filter(tracking_code=tracking_code).first()


def project_nodes(*, project: Project) -> list[Node]:
    return list(project.nodes.select_related("plan", "level").order_by("plan_id", "path"))


def served_nodes(*, project: Project) -> list[ServedNode]:
    """The project's nodes as the eligibility engine reads them."""
    return [
        ServedNode(
            node_id=n.pk,
            plan_id=n.plan_id,
            plan_name=n.plan.name,
            code=n.code,
            title=n.title,
            level=n.level.name if n.level_id else "",
        )
        for n in project_nodes(project=project)
    ]


def entity_plan_ids(*, entity_id: int) -> set[int]:
    return set(Plan.objects.filter(entity_id=entity_id).values_list("pk", flat=True))


# --- zoning ------------------------------------------------------------------------------------


def zoning_rules(*, entity: Entity) -> QuerySet[ZoningRule]:
    return ZoningRule.objects.filter(entity=entity).select_related("layer")


def zoning_layers(
    *, entity_id: int, bbox: tuple[float, float, float, float] | None = None
) -> list[ZoningLayer]:
    """The entity's layers that have rules, ready for the engine (one STRtree each). With `bbox`
    (west, south, east, north) only the features whose box meets it are read."""
    rules_by_layer: dict[int, list[ZoningEngineRule]] = {}
    names: dict[int, str] = {}
    for rule in ZoningRule.objects.filter(entity_id=entity_id).select_related("layer"):
        rules_by_layer.setdefault(rule.layer_id, []).append(
            ZoningEngineRule(
                attribute=rule.attribute,
                value=rule.value,
                verdict=rule.verdict,
                sector=rule.sector,
                note=rule.note,
            )
        )
        names[rule.layer_id] = rule.layer.name
    layers = []
    for layer_id, rules in rules_by_layer.items():
        features = LayerFeature.objects.filter(layer_id=layer_id)
        if bbox is not None:
            west, south, east, north = bbox
            features = features.filter(
                bbox_west__lte=east, bbox_east__gte=west, bbox_south__lte=north, bbox_north__gte=south
            )
        geometries, properties = [], []
        for geometry, props in features.values_list("geometry", "properties").iterator(chunk_size=2000):
            shape = geometry_from_geojson(geometry)
            if shape is not None:
                geometries.append(shape)
                properties.append(props or {})
        layers.append(
            ZoningLayer(
                layer_id=layer_id,
                name=names[layer_id],
                geometries=geometries,
                properties=properties,
                rules=rules,
            )
        )
    return layers


def layer_attributes(*, layer: SpatialLayer, sample: int = 500) -> dict[str, list[str]]:
    """The attributes of a layer's features and some of their values (to help write rules)."""
    values: dict[str, set[str]] = {}
    for props in LayerFeature.objects.filter(layer=layer).values_list("properties", flat=True)[:sample]:
        for key, value in (props or {}).items():
            if value not in (None, "") and not isinstance(value, (dict, list)):
                values.setdefault(key, set()).add(str(value))
    return {k: sorted(v)[:30] for k, v in sorted(values.items())}


# --- maps --------------------------------------------------------------------------------------


def entity_boundaries_geojson(*, entity_id: int) -> dict[str, Any]:
    """The map background: the entity's jurisdiction (see rumbo.territory.selectors)."""
    return territory_boundaries(entity_id=entity_id)


# --- viability ---------------------------------------------------------------------------------


@cache
def _viability_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(VIABILITY_FILE.read_text(encoding="utf-8"))
    return data


def viability_checklist(*, country: str) -> dict[str, list[dict[str, Any]]]:
    """The country's checklist (the default list when it has none): stage → [{key, label, …}]."""
    countries = _viability_data()["countries"]
    stages: dict[str, list[dict[str, Any]]] = (countries.get(country) or countries["XX"])["stages"]
    return stages


def viability_is_verified(*, country: str) -> bool:
    countries = _viability_data()["countries"]
    return bool((countries.get(country) or countries["XX"]).get("verified", True))


@dataclass
class ChecklistItem:
    key: str
    label: str
    stage: str
    verified: bool
    row: ViabilityItem | None = None

    @property
    def met(self) -> bool:
        return self.row is not None and (self.row.done or self.row.not_applicable)


@dataclass
class StageChecklist:
    stage: str
    label: str
    is_current: bool
    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def unmet(self) -> list[ChecklistItem]:
        return [i for i in self.items if not i.met]


def viability_state(*, project: Project) -> list[StageChecklist]:
    """The checklist of the project's current stage and of the earlier ones, with what is met."""
    checklist = viability_checklist(country=project.entity.country)
    rows = {r.key: r for r in ViabilityItem.objects.filter(project=project)}
    labels = dict(ProjectStage.choices)
    current = STAGE_ORDER.index(project.stage) if project.stage in STAGE_ORDER else 0
    result = []
    for stage in STAGE_ORDER[: current + 1]:
        block = StageChecklist(stage=stage, label=str(labels[stage]), is_current=stage == project.stage)
        for item in checklist.get(stage, []):
            block.items.append(
                ChecklistItem(
                    key=item["key"],
                    label=item["label"],
                    stage=stage,
                    verified=bool(item.get("verified", True)),
                    row=rows.get(item["key"]),
                )
            )
        result.append(block)
    return result


def viability_item_definition(*, project: Project, key: str) -> tuple[str, dict[str, Any]] | None:
    """(stage, item) of the project's country checklist with this key, or None."""
    for stage, items in viability_checklist(country=project.entity.country).items():
        for item in items:
            if item["key"] == key:
                return stage, item
    return None
