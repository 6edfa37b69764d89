"""Writes on territory: jurisdictions and the custom units an entity creates.

Reference units (owner_entity empty) are loaded by `rumbo.territory.reference` and are never
edited through these services.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record
from rumbo.territory.models import GROUPING_KINDS, Jurisdiction, TerritorialUnit, UnitKind
from rumbo.territory.names import search_key

SUB_MUNICIPAL_KINDS = frozenset({UnitKind.SECTOR, UnitKind.COMUNA, UnitKind.BARRIO, UnitKind.CENTRO_POBLADO})


def jurisdiction_set(
    *, actor: Any, entity: Entity, units: Iterable[TerritorialUnit]
) -> list[TerritorialUnit]:
    """Replace the units the entity governs."""
    require(actor, entity.pk, Capability.MANAGE_ENTITY)
    wanted = {u.pk: u for u in units}
    with transaction.atomic():
        current = set(Jurisdiction.objects.filter(entity=entity).values_list("unit_id", flat=True))
        Jurisdiction.objects.filter(entity=entity).exclude(unit_id__in=wanted).delete()
        Jurisdiction.objects.bulk_create(
            [Jurisdiction(entity=entity, unit_id=pk) for pk in wanted if pk not in current]
        )
        if current != set(wanted):
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=entity,
                entity_id=entity.pk,
                changes={"jurisdiction": [sorted(current), sorted(wanted)]},
            )
    return list(wanted.values())


def unit_create_custom(
    *,
    actor: Any,
    entity: Entity,
    kind: str,
    code: str,
    name: str,
    parent: TerritorialUnit | None = None,
    members: Iterable[TerritorialUnit] = (),
    population: int | None = None,
    population_year: int | None = None,
    population_source: str = "",
) -> TerritorialUnit:
    """A unit that an entity defines: a grouping (mancomunidad, basin, metro area) of existing
    units, or a sub-municipal unit (sector, comuna, barrio, centro poblado) under a municipality.
    """
    require(actor, entity.pk, Capability.MANAGE_ENTITY)
    code = code.strip()
    name = name.strip()
    if not code or not name:
        raise ValidationError(_("A unit needs a code and a name."))
    member_list = list(members)
    if kind in SUB_MUNICIPAL_KINDS:
        if parent is None:
            raise ValidationError(
                _("A sub-municipal unit must be placed under a municipality or another unit.")
            )
    elif kind in GROUPING_KINDS:
        if not member_list:
            raise ValidationError(_("A grouping needs at least one member unit."))
    else:
        raise ValidationError(_("Official units come from reference data and cannot be created by hand."))
    if TerritorialUnit.objects.filter(country=entity.country, code=code).exists():
        raise ValidationError(_("The code %(code)s is already used in this country.") % {"code": code})
    with transaction.atomic():
        unit = TerritorialUnit.objects.create(
            country=entity.country,
            code=code,
            name=name,
            name_search=search_key(name),
            kind=kind,
            parent=parent,
            depth=(parent.depth + 1) if parent else 0,
            owner_entity=entity,
            population=population,
            population_year=population_year,
            population_source=population_source,
            source=entity.name[:200],
        )
        unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
        unit.save(update_fields=["path"])
        if member_list:
            unit.members.set(member_list)
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=unit,
            entity_id=entity.pk,
            changes={
                "code": [None, code],
                "name": [None, name],
                "kind": [None, kind],
                "members": [None, sorted(m.pk for m in member_list)],
            },
        )
    return unit


def unit_delete_custom(*, actor: Any, unit: TerritorialUnit) -> None:
    """Delete a unit the entity created (refused for reference units and units in use)."""
    if unit.owner_entity_id is None:
        raise ValidationError(_("Reference units cannot be deleted."))
    require(actor, unit.owner_entity_id, Capability.MANAGE_ENTITY)
    if TerritorialUnit.objects.filter(parent=unit).exists():
        raise ValidationError(_("The unit has units under it; delete them first."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETED,
            target=unit,
            entity_id=unit.owner_entity_id,
            changes={"code": [unit.code, None], "name": [unit.name, None]},
        )
        unit.delete()
