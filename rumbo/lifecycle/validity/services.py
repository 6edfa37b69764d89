"""Writes for the validity area. Each function checks EDIT_PLAN on the plan's entity, validates,
writes and records an audit event in one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record, created_changes, model_snapshot, snapshot_diff
from rumbo.lifecycle.validity.models import PlanStatusEvent, PlanStatusEventKind, PlanValidity
from rumbo.plans.models import Plan, PlanStatus
from rumbo.plans.services import plan_update

VALIDITY_FIELDS = (
    "regime",
    "adoption_date",
    "adoption_act",
    "revision_restarts_from",
    "revision_restart_note",
    "authority_fixed_end",
    "authority",
    "authority_act",
    "declared_long_term_end",
    "declared_article",
    "notes",
)
_TEXT_FIELDS = {
    "regime",
    "revision_restart_note",
    "authority",
    "authority_act",
    "declared_article",
    "notes",
}
EVENT_FIELDS = ("kind", "date", "authority", "act_reference", "in_force_result")

# Events that change what the plan's status says (the others are recorded on the timeline only).
_STATUS_FOR_EVENT = {
    PlanStatusEventKind.SUSPENDED: PlanStatus.SUSPENDED,
    PlanStatusEventKind.ANNULLED: PlanStatus.ANNULLED,
    PlanStatusEventKind.REPLACED: PlanStatus.REPLACED,
}


def plan_validity_set(*, actor: Any, plan: Plan, **fields: Any) -> PlanValidity:
    """Create or update the plan's validity facts (only the fields given change)."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    unknown = set(fields) - set(VALIDITY_FIELDS)
    if unknown:
        raise ValueError(", ".join(sorted(unknown)))
    with transaction.atomic():
        validity = PlanValidity.objects.select_for_update().filter(plan=plan).first()
        created = validity is None
        if validity is None:
            validity = PlanValidity(plan=plan)
        before = {k: None for k in VALIDITY_FIELDS} if created else model_snapshot(validity, VALIDITY_FIELDS)
        for key, value in fields.items():
            setattr(validity, key, "" if value is None and key in _TEXT_FIELDS else value)
        validity.full_clean()
        validity.save()
        changes = snapshot_diff(before, model_snapshot(validity, VALIDITY_FIELDS))
        if changes or created:
            audit_record(
                actor=actor,
                action=AuditAction.CREATED if created else AuditAction.UPDATED,
                target=validity,
                entity_id=plan.entity_id,
                scope=plan,
                changes=changes,
            )
    return validity


def plan_status_event_add(
    *,
    actor: Any,
    plan: Plan,
    kind: str,
    date: datetime.date,
    authority: str = "",
    act_reference: str = "",
    in_force_result: str = "",
) -> PlanStatusEvent:
    """Record a legal event on the plan's timeline. Suspension, annulment and replacement set
    the plan's status accordingly; a reinstatement puts it back in force (expired-in-force
    when its long-term vigencia is over)."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    if kind not in PlanStatusEventKind.values:
        raise ValidationError({"kind": _("Unknown event kind.")})
    with transaction.atomic():
        event = PlanStatusEvent(
            plan=plan,
            kind=kind,
            date=date,
            authority=authority.strip(),
            act_reference=act_reference.strip(),
            in_force_result=in_force_result.strip(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        event.full_clean()
        event.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=event,
            entity_id=plan.entity_id,
            scope=plan,
            changes=created_changes(event, EVENT_FIELDS),
        )
        new_status = _status_after(plan, kind, date)
        if new_status is not None and new_status != plan.status:
            plan_update(actor=actor, plan=plan, status=new_status)
    return event


def _status_after(plan: Plan, kind: str, date: datetime.date) -> str | None:
    if kind in _STATUS_FOR_EVENT:
        return _STATUS_FOR_EVENT[PlanStatusEventKind(kind)]
    if kind == PlanStatusEventKind.REINSTATED:
        from rumbo.lifecycle.validity.selectors import plan_vigencia

        vigencia = plan_vigencia(plan=plan)
        if vigencia is not None and vigencia.in_force_after_expiry and date > vigencia.long_term_end:
            return PlanStatus.EXPIRED_IN_FORCE
        return PlanStatus.IN_FORCE
    return None
