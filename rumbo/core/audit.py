"""Writing and reading the audit trail. Every service that changes data calls `audit_record`."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from rumbo.core.models import AuditAction, AuditEvent


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value, stable enough to compare before/after."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def model_snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field name → JSON-safe value for the given fields (foreign keys as their id)."""
    snapshot: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        snapshot[name] = _plain(getattr(obj, attname))
    return snapshot


def created_changes(obj: models.Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    """The audit changes of a new object: every field from nothing to its value."""
    return {k: [None, v] for k, v in model_snapshot(obj, fields).items()}


def deleted_changes(obj: models.Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    """The audit changes of a deleted object: every field from its last value to nothing."""
    return {k: [v, None] for k, v in model_snapshot(obj, fields).items()}


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Only the fields that changed, as {field: [before, after]}."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    entity_id: int | None,
    changes: dict[str, Any] | None = None,
    message: str = "",
    scope: models.Model | None = None,
) -> AuditEvent:
    """Record one change. Call inside the transaction that makes the change."""
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        entity_id=entity_id,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        scope_type=scope._meta.label_lower if scope is not None else "",
        scope_id=scope.pk if scope is not None else None,
        action=action,
        changes=changes or {},
        message=message,
    )


def audit_events_for(obj: models.Model, *, include_scope: bool = True) -> models.QuerySet[AuditEvent]:
    """Events about an object and, when it is a scope (a plan), about everything inside it."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    condition = models.Q(target_type=ct, target_id=str(obj.pk))
    if include_scope:
        condition |= models.Q(scope_type=obj._meta.label_lower, scope_id=obj.pk)
    return AuditEvent.objects.filter(condition).select_related("actor", "target_type")


__all__ = ["AuditAction", "audit_events_for", "audit_record", "model_snapshot", "snapshot_diff"]
