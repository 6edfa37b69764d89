"""Writes on the information inventory. Each function checks EDIT_PLAN on the entity, validates
everything before writing, and records an audit event in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record, model_snapshot, snapshot_diff
from rumbo.core.uploads import upload_check
from rumbo.lifecycle.inventory.models import InformationItem, InformationTheme
from rumbo.territory.models import TerritorialUnit

SCALE_DENOMINATOR_MAX = 10_000_000
# Extension → accepted first bytes. GeoJSON is text: it must start with "{" (after a BOM/blanks).
INVENTORY_FILE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8",),
    ".jpeg": (b"\xff\xd8",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
    ".zip": (b"PK\x03\x04", b"PK\x05\x06"),
    ".gpkg": (b"SQLite format 3\x00",),
    ".xlsx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".geojson": (),
    ".json": (),
}
ITEM_FIELDS = (
    "theme",
    "hazard_kind",
    "title",
    "description",
    "scale_denominator",
    "reference_date",
    "source",
    "area",
    "format",
    "url",
    "notes",
)


def information_file_check(*, upload: Any) -> None:
    """Refuse a file that is too large, of a type the inventory does not take (PDF, images, ZIP
    with shapefiles, GeoPackage, GeoJSON, XLSX/DOCX, GeoTIFF), or whose content is not what its
    name says (checked by its first bytes)."""
    name = (getattr(upload, "name", "") or "").lower()
    ext = next((e for e in INVENTORY_FILE_SIGNATURES if name.endswith(e)), None)
    if ext is None:
        raise ValidationError(
            _(
                "Only PDF, images, ZIP (shapefiles), GeoPackage, GeoJSON, GeoTIFF, XLSX and DOCX files are accepted."
            )
        )
    upload_check(upload, "layer")  # shapefile ZIPs and GeoPackages: the spatial-data limit
    upload.seek(0)
    head: bytes = upload.read(512)
    upload.seek(0)
    magics = INVENTORY_FILE_SIGNATURES[ext]
    if magics:
        matches = head.startswith(magics)
    else:
        matches = head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{")
    if not matches:
        raise ValidationError(_("The file content does not match its extension."))


def _validate(
    *, item: InformationItem, units: Sequence[TerritorialUnit], file: Any, today: datetime.date
) -> None:
    """Collect every problem, then raise once: nothing is written when anything is wrong."""
    errors: dict[str, list[str]] = {}
    scale = item.scale_denominator
    if scale is not None and (
        not isinstance(scale, int) or isinstance(scale, bool) or not 0 < scale <= SCALE_DENOMINATOR_MAX
    ):
        errors.setdefault("scale_denominator", []).append(
            _("The scale must be a whole number between 1 and %(max)s (the N of 1:N).")
            % {"max": f"{SCALE_DENOMINATOR_MAX:,}".replace(",", ".")}
        )
        item.scale_denominator = None  # keep full_clean from repeating the error
    if isinstance(item.reference_date, datetime.date) and item.reference_date > today:
        errors.setdefault("reference_date", []).append(_("The reference date cannot be in the future."))
    if item.hazard_kind and item.theme != InformationTheme.HAZARD_RISK:
        errors.setdefault("hazard_kind", []).append(_("A hazard kind only applies to hazard and risk items."))
    foreign = [u.code for u in units if u.country != item.entity.country]
    if foreign:
        errors.setdefault("units", []).append(
            _("These units belong to another country: %(codes)s") % {"codes": ", ".join(foreign)}
        )
    if file is not None:
        try:
            information_file_check(upload=file)
        except ValidationError as exc:
            errors.setdefault("file", []).extend(exc.messages)
    try:
        item.full_clean(exclude=["file", "entity"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(m for m in messages if m not in errors.get(name, []))
    if errors:
        raise ValidationError(errors)


def _snapshot(item: InformationItem) -> dict[str, Any]:
    data = model_snapshot(item, (*ITEM_FIELDS, "file"))
    data["units"] = sorted(item.units.values_list("code", flat=True)) if item.pk else []
    return data


def information_item_create(
    *,
    actor: Any,
    entity: Entity,
    theme: str,
    title: str,
    reference_date: datetime.date,
    source: str,
    area: str,
    format: str,
    hazard_kind: str = "",
    description: str = "",
    scale_denominator: int | None = None,
    units: Sequence[TerritorialUnit] = (),
    file: Any = None,
    url: str = "",
    notes: str = "",
    today: datetime.date | None = None,
) -> InformationItem:
    """Add a study, map or data set to the entity's inventory (needs EDIT_PLAN on the entity)."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    item = InformationItem(
        entity=entity,
        theme=theme,
        hazard_kind=hazard_kind or "",
        title=title,
        description=description,
        scale_denominator=scale_denominator,
        reference_date=reference_date,
        source=source,
        area=area,
        format=format,
        url=url,
        notes=notes,
    )
    _validate(item=item, units=units, file=file, today=today or timezone.localdate())
    with transaction.atomic():
        if file is not None:
            item.file = file
        item.save()
        item.units.set(units)
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=item,
            entity_id=entity.pk,
            changes=snapshot_diff({}, _snapshot(item)),
        )
    return item


def information_item_update(
    *,
    actor: Any,
    item: InformationItem,
    fields: Mapping[str, Any],
    units: Sequence[TerritorialUnit] | None = None,
    file: Any = None,
    clear_file: bool = False,
    today: datetime.date | None = None,
) -> InformationItem:
    """Change an item's fields (any of ITEM_FIELDS), its units (None keeps them), and replace or
    clear its file. Records only what changed."""
    require(actor, item.entity_id, Capability.EDIT_PLAN)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    before = _snapshot(item)
    old_file = item.file.name or ""
    for name, value in fields.items():
        setattr(item, name, "" if value is None and name in ("hazard_kind", "url") else value)
    current_units = list(item.units.all()) if units is None else list(units)
    try:
        _validate(item=item, units=current_units, file=file, today=today or timezone.localdate())
    except ValidationError:
        item.refresh_from_db()
        raise
    with transaction.atomic():
        if file is not None:
            item.file = file
        elif clear_file:
            item.file = ""
        item.save()
        if units is not None:
            item.units.set(units)
        changes = snapshot_diff(before, _snapshot(item))
        if changes:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=item,
                entity_id=item.entity_id,
                changes=changes,
            )
        if old_file and old_file != (item.file.name or ""):
            storage = item.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return item


def information_item_delete(*, actor: Any, item: InformationItem) -> None:
    """Remove an item from the inventory; its file is deleted once the transaction commits."""
    require(actor, item.entity_id, Capability.EDIT_PLAN)
    old_file = item.file.name or ""
    storage = item.file.storage
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETED,
            target=item,
            entity_id=item.entity_id,
            changes=snapshot_diff(_snapshot(item), {}),
        )
        item.delete()
        if old_file:
            transaction.on_commit(lambda: storage.delete(old_file))
