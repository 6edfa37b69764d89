"""API: entities. Public facts for everyone; members see the people only through the web."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import api_reader
from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import user_access

router = Router(tags=["entities"])


class EntityOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    country: str
    parent_id: int | None
    is_demo: bool
    is_member: bool


def _entity_out(entity: Entity, member_ids: set[int]) -> dict[str, Any]:
    return {
        "id": entity.pk,
        "name": entity.name,
        "short_name": entity.short_name,
        "kind": entity.kind,
        "country": entity.country,
        "parent_id": entity.parent_id,
        "is_demo": entity.is_demo,
        "is_member": entity.pk in member_ids,
    }


@router.get("/entities", response=list[EntityOut], summary="Entities that own plans")
def entities_list(request: HttpRequest, country: str | None = None) -> list[dict[str, Any]]:
    """Entities are public bodies: their names and kinds are public. `is_member` is true where the
    caller holds a role."""
    user = api_reader(request)
    member_ids = set(user_access(user).by_entity)
    qs = Entity.objects.all()
    if country:
        qs = qs.filter(country=country.upper())
    return [_entity_out(e, member_ids) for e in qs]


@router.get("/entities/{entity_id}", response=EntityOut, summary="One entity")
def entity_detail(request: HttpRequest, entity_id: int) -> dict[str, Any]:
    user = api_reader(request)
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        raise HttpError(404, _("Not found."))
    return _entity_out(entity, set(user_access(user).by_entity))
