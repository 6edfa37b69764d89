"""API: territorial units (public). Search by code, name, parent; GeoJSON output."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from rumbo.core.http import DB_INT_MAX, ObjectId, json_response
from rumbo.territory.selectors import unit_ancestors, unit_feature, unit_get, units_search

router = Router(tags=["territory"])
MAX_LIMIT = 5000


class UnitOut(Schema):
    id: int
    country: str
    code: str
    name: str
    kind: str
    parent_id: int | None
    depth: int
    population: int | None
    population_year: int | None
    bbox: list[float] | None


class UnitDetailOut(UnitOut):
    ancestors: list[UnitOut]
    population_source: str
    source: str
    valid_from: str | None
    valid_to: str | None


class UnitPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[UnitOut]


class UnitFilters(Schema):
    q: str = ""
    country: str | None = None
    kind: str | None = None
    parent_code: str | None = None
    parent_id: ObjectId | None = None
    code: str | None = None


def _unit_out(unit: Any) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "country": unit.country,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "depth": unit.depth,
        "population": unit.population,
        "population_year": unit.population_year,
        "bbox": unit.bbox,
    }


@router.get("/territories", response=UnitPage, summary="Search territorial units")
def territories_list(
    request: HttpRequest,
    filters: Query[UnitFilters],
    limit: int = 100,
    offset: int = Query(0, le=DB_INT_MAX),  # type: ignore[type-arg]
) -> dict[str, Any]:
    """Units by name (accents and case ignored), code prefix, country (PE, CO, MX), kind or parent."""
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise HttpError(
            422, _("limit must be between 1 and %(max)s, and offset zero or more.") % {"max": MAX_LIMIT}
        )
    qs = units_search(**filters.dict())
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [_unit_out(u) for u in qs[offset : offset + limit]],
    }


@router.get("/territories/geojson", summary="Territorial units as a GeoJSON FeatureCollection")
def territories_geojson(request: HttpRequest, filters: Query[UnitFilters], limit: int = 500) -> HttpResponse:
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(
            422, _("limit must be between 1 and %(max)s, and offset zero or more.") % {"max": MAX_LIMIT}
        )
    qs = units_search(**filters.dict()).defer(None)[:limit]
    return json_response(
        {"type": "FeatureCollection", "features": [unit_feature(unit=u) for u in qs]},
        content_type="application/geo+json",
    )


@router.get("/territories/{unit_id}", response=UnitDetailOut, summary="One territorial unit")
def territory_detail(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    unit = unit_get(unit_id=unit_id)
    if unit is None:
        raise HttpError(404, _("Not found."))
    data = _unit_out(unit)
    data.update(
        {
            "ancestors": [_unit_out(a) for a in unit_ancestors(unit=unit)],
            "population_source": unit.population_source,
            "source": unit.source,
            "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        }
    )
    return data


@router.get("/territories/{unit_id}/geojson", summary="One territorial unit as a GeoJSON Feature")
def territory_geojson(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = unit_get(unit_id=unit_id)
    if unit is None:
        raise HttpError(404, _("Not found."))
    return json_response(unit_feature(unit=unit), content_type="application/geo+json")
