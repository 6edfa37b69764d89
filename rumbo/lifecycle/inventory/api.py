"""API: the information inventory and its gap report. Both are internal data: reading needs
VIEW_PRIVATE on the entity (a token or a session); others get 404, as for a missing entity."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import api_reader
from rumbo.accounts.models import Entity
from rumbo.lifecycle.inventory.models import InformationItem
from rumbo.lifecycle.inventory.reference import LegalBasis, requirement_plan_types
from rumbo.lifecycle.inventory.selectors import (
    GapReport,
    inventory_entity_get_for_user,
    inventory_gap_report,
    inventory_items,
)

router = Router(tags=["inventory"])


class InformationItemOut(Schema):
    id: int
    entity_id: int
    theme: str
    hazard_kind: str
    title: str
    description: str
    scale_denominator: int | None
    scale: str
    reference_date: datetime.date
    source: str
    area: str
    unit_codes: list[str]
    format: str
    file_url: str | None
    url: str
    notes: str
    updated_at: datetime.datetime


class LegalBasisOut(Schema):
    norm: str
    article: str
    verified: bool
    note: str


class GapRowOut(Schema):
    requirement_key: str
    name: str
    theme: str
    hazard_kind: str
    area: str
    max_scale_denominator: int | None
    scale_source: str
    max_age_years: int
    max_age_source: str
    required: bool
    basis: list[LegalBasisOut]
    status: str
    item_ids: list[int]
    best_item_id: int | None
    age_years: int | None
    notes: list[str]
    action: str


class GapReportOut(Schema):
    entity_id: int
    country: str
    plan_type: str
    today: datetime.date
    total: int
    counts: dict[str, int]
    required_gaps: int
    rows: list[GapRowOut]


def _readable_entity(request: HttpRequest, entity_id: int) -> Entity:
    entity = inventory_entity_get_for_user(entity_id=entity_id, user=api_reader(request))
    if entity is None:
        raise HttpError(404, _("Not found."))
    return entity


def _item_out(item: InformationItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "entity_id": item.entity_id,
        "theme": item.theme,
        "hazard_kind": item.hazard_kind,
        "title": item.title,
        "description": item.description,
        "scale_denominator": item.scale_denominator,
        "scale": item.scale_label,
        "reference_date": item.reference_date,
        "source": item.source,
        "area": item.area,
        "unit_codes": [u.code for u in item.units.all()],
        "format": item.format,
        "file_url": reverse("lifecycle:inventory_file", args=[item.entity_id, item.pk])
        if item.file
        else None,
        "url": item.url,
        "notes": item.notes,
        "updated_at": item.updated_at,
    }


def _basis_out(basis: LegalBasis) -> dict[str, Any]:
    return {"norm": basis.norm, "article": basis.article, "verified": basis.verified, "note": basis.note}


def _report_out(report: GapReport) -> dict[str, Any]:
    return {
        "entity_id": report.entity.pk,
        "country": report.country,
        "plan_type": report.plan_type_code,
        "today": report.today,
        "total": report.total,
        "counts": report.counts,
        "required_gaps": report.required_gaps,
        "rows": [
            {
                "requirement_key": row.requirement.key,
                "name": row.requirement.name,
                "theme": row.requirement.theme,
                "hazard_kind": row.requirement.hazard_kind,
                "area": row.requirement.area,
                "max_scale_denominator": row.requirement.max_scale_denominator,
                "scale_source": row.requirement.scale_source,
                "max_age_years": row.requirement.max_age_years,
                "max_age_source": row.requirement.max_age_source,
                "required": row.requirement.required,
                "basis": [_basis_out(b) for b in row.requirement.basis],
                "status": row.status.value,
                "item_ids": [i.pk for i in row.items],
                "best_item_id": row.best.pk if row.best else None,
                "age_years": row.age_years,
                "notes": row.notes,
                "action": row.action,
            }
            for row in report.rows
        ],
    }


@router.get(
    "/entities/{entity_id}/inventory",
    response=list[InformationItemOut],
    summary="The entity's information inventory (studies, maps, data sets)",
)
def inventory_list(request: HttpRequest, entity_id: int) -> list[dict[str, Any]]:
    """Internal data: needs VIEW_PRIVATE on the entity. Files are served by `file_url`, which checks
    permission again."""
    entity = _readable_entity(request, entity_id)
    return [_item_out(item) for item in inventory_items(entity=entity)]


@router.get(
    "/entities/{entity_id}/inventory/gaps",
    response=GapReportOut,
    summary="Gaps between the inventory and what a plan type's diagnosis requires",
)
def inventory_gaps(request: HttpRequest, entity_id: int, plan_type: str) -> dict[str, Any]:
    """`plan_type` is a code of the entity's country (POT, PBOT, EOT, PAT, PDU, PMDU…). Each row
    says `ok`, `missing`, `outdated` or `wrong_scale`, with the norms it rests on and whether
    they are verified. Thresholds marked `rumbo_default` are defaults, not law."""
    entity = _readable_entity(request, entity_id)
    codes = requirement_plan_types(country=entity.country)
    if plan_type.upper() not in codes:
        raise HttpError(
            422,
            _("No requirements for plan type %(code)s in %(country)s. Available: %(codes)s")
            % {"code": plan_type, "country": entity.country, "codes": ", ".join(codes) or "—"},
        )
    report = inventory_gap_report(
        entity=entity, plan_type_code=plan_type, country=entity.country, today=timezone.localdate()
    )
    return _report_out(report)
