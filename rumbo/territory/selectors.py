"""Reads on territory: search, children, ancestors, entity jurisdictions."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from rumbo.accounts.models import Entity
from rumbo.territory.models import Jurisdiction, TerritorialUnit
from rumbo.territory.names import search_key

LIST_FIELDS = (
    "id",
    "country",
    "code",
    "name",
    "kind",
    "parent_id",
    "depth",
    "population",
    "population_year",
    "valid_from",
    "valid_to",
    "bbox_west",
    "bbox_south",
    "bbox_east",
    "bbox_north",
    "owner_entity_id",
)


def units_search(
    *,
    q: str = "",
    country: str | None = None,
    kind: str | None = None,
    parent_code: str | None = None,
    parent_id: int | None = None,
    code: str | None = None,
) -> QuerySet[TerritorialUnit]:
    """Units filtered by name (accent- and case-insensitive), code prefix, country, kind or parent."""
    qs = TerritorialUnit.objects.all().only(*LIST_FIELDS)
    if country:
        qs = qs.filter(country=country.upper())
    if kind:
        qs = qs.filter(kind=kind)
    if code:
        qs = qs.filter(code__startswith=code.strip())
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if parent_code:
        parent_filter = Q(parent__code=parent_code.strip())
        if country:
            parent_filter &= Q(parent__country=country.upper())
        qs = qs.filter(parent_filter)
    if q:
        key = search_key(q)
        qs = qs.filter(Q(name_search__contains=key) | Q(code__startswith=q.strip()))
    return qs.order_by("country", "code")


def unit_get(*, unit_id: int) -> TerritorialUnit | None:
    """Territorial units are public information; any unit can be read by anyone."""
    return TerritorialUnit.objects.filter(pk=unit_id).first()


def unit_get_by_code(*, country: str, code: str) -> TerritorialUnit | None:
    return TerritorialUnit.objects.filter(country=country.upper(), code=code).first()


def units_by_codes(*, country: str, codes: list[str]) -> tuple[list[TerritorialUnit], list[str]]:
    """The units with these codes in the country (in the given order) and the codes not found."""
    found = {u.code: u for u in TerritorialUnit.objects.filter(country=country.upper(), code__in=codes)}
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def unit_ancestors(*, unit: TerritorialUnit) -> list[TerritorialUnit]:
    """From the root down to the unit's parent (one query)."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part][:-1]
    found = {u.pk: u for u in TerritorialUnit.objects.filter(pk__in=ids).only(*LIST_FIELDS)}
    return [found[i] for i in ids if i in found]


def unit_children(*, unit: TerritorialUnit) -> QuerySet[TerritorialUnit]:
    return TerritorialUnit.objects.filter(parent=unit).only(*LIST_FIELDS).order_by("code")


def countries() -> QuerySet[TerritorialUnit]:
    return TerritorialUnit.objects.filter(parent__isnull=True, kind="country").only(*LIST_FIELDS)


def entity_jurisdiction(*, entity: Entity) -> list[TerritorialUnit]:
    return [
        j.unit
        for j in Jurisdiction.objects.filter(entity=entity).select_related("unit").order_by("unit__code")
    ]


def unit_feature(*, unit: TerritorialUnit) -> dict[str, Any]:
    """The unit as a GeoJSON Feature (geometry may be null)."""
    return {
        "type": "Feature",
        "id": unit.pk,
        "geometry": unit.geometry,
        "bbox": unit.bbox,
        "properties": {
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "country": unit.country,
            "population": unit.population,
            "population_year": unit.population_year,
        },
    }


def entity_boundaries_geojson(*, entity_id: int) -> dict[str, Any]:
    """The entity's jurisdiction as a FeatureCollection, the background of its maps. A unit with
    no boundary loaded (most Peruvian provinces and districts: docs/data-sources.md) is stood in
    for by its nearest ancestor that has one, flagged `approximate` and named in `stands_for`."""
    units = [j.unit for j in Jurisdiction.objects.filter(entity_id=entity_id).select_related("unit")]
    missing = [u for u in units if not u.geometry]
    ancestor_ids = {int(p) for u in missing for p in u.path.strip("/").split("/")[:-1] if p}
    with_geometry = {
        u.pk: u for u in TerritorialUnit.objects.filter(pk__in=ancestor_ids).exclude(geometry=None)
    }
    features: dict[int, dict[str, Any]] = {}
    for unit in units:
        if unit.geometry:
            shown, approximate = unit, False
        else:
            ids = [int(p) for p in unit.path.strip("/").split("/")[:-1] if p]
            nearest = next((with_geometry[i] for i in reversed(ids) if i in with_geometry), None)
            if nearest is None:
                continue
            shown, approximate = nearest, True
        feature = features.setdefault(
            shown.pk,
            {
                "type": "Feature",
                "id": shown.pk,
                "geometry": shown.geometry,
                "properties": {
                    "code": shown.code,
                    "name": shown.name,
                    "approximate": approximate,
                    "stands_for": [],
                },
            },
        )
        if approximate:
            feature["properties"]["stands_for"].append(unit.name)
    return {"type": "FeatureCollection", "features": list(features.values())}
