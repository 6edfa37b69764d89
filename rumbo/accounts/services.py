"""Writes about entities, memberships, oversight and API tokens. Each checks permission and audits."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.accounts.models import ApiToken, Entity, Membership, OversightGrant, Role
from rumbo.accounts.permissions import Capability, access_forget, require
from rumbo.core.audit import AuditAction, audit_record, created_changes, model_snapshot


def raise_permission() -> None:
    raise PermissionDenied("superuser")


ENTITY_FIELDS = ("name", "short_name", "kind", "country", "parent", "website", "is_demo")


def entity_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    country: str,
    parent: Entity | None = None,
    short_name: str = "",
    website: str = "",
    is_demo: bool = False,
) -> Entity:
    """A new entity. Only superusers create entities; the creator is not made a member."""
    if not getattr(actor, "is_superuser", False):
        raise_permission()
    with transaction.atomic():
        entity = Entity(
            name=name,
            kind=kind,
            country=country.upper(),
            parent=parent,
            short_name=short_name,
            website=website,
            is_demo=is_demo,
        )
        entity.full_clean()
        entity.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=entity,
            entity_id=entity.pk,
            changes=created_changes(entity, ENTITY_FIELDS),
        )
    return entity


def entity_update(*, actor: Any, entity: Entity, **fields: Any) -> Entity:
    """Change an entity's own fields (administrators of the entity)."""
    require(actor, entity.pk, Capability.MANAGE_ENTITY)
    with transaction.atomic():
        before = model_snapshot(entity, ENTITY_FIELDS)
        for key, value in fields.items():
            if key not in ENTITY_FIELDS:
                raise ValueError(key)
            setattr(entity, key, value)
        entity.full_clean()
        entity.save()
        after = model_snapshot(entity, ENTITY_FIELDS)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=entity,
            entity_id=entity.pk,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return entity


def membership_add(*, actor: Any, entity: Entity, user: Any, role: str) -> Membership:
    """Give a user a role in an entity (idempotent)."""
    require(actor, entity.pk, Capability.MANAGE_MEMBERS)
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, entity=entity, role=role)
        if created:
            audit_record(
                actor=actor,
                action=AuditAction.GRANTED,
                target=membership,
                entity_id=entity.pk,
                changes={"user": [None, user.pk], "role": [None, role]},
            )
    access_forget(user)
    return membership


def membership_remove(*, actor: Any, membership: Membership) -> None:
    """Take a role away. The last administrator of an entity cannot be removed."""
    require(actor, membership.entity_id, Capability.MANAGE_MEMBERS)
    with transaction.atomic():
        if membership.role == Role.ADMINISTRATOR:
            admins = Membership.objects.select_for_update().filter(
                entity_id=membership.entity_id, role=Role.ADMINISTRATOR
            )
            if admins.count() <= 1 and not getattr(actor, "is_superuser", False):
                raise ValidationError(_("An entity must keep at least one administrator."))
        audit_record(
            actor=actor,
            action=AuditAction.REVOKED,
            target=membership,
            entity_id=membership.entity_id,
            changes={"user": [membership.user_id, None], "role": [membership.role, None]},
        )
        membership.delete()
    access_forget(membership.user)


def oversight_grant(*, actor: Any, overseer: Entity, overseen: Entity) -> OversightGrant:
    """Let the members of `overseer` read the private data of `overseen`.

    Granted by an administrator of the overseen entity (it opens its own data).
    """
    require(actor, overseen.pk, Capability.MANAGE_ENTITY)
    if overseer.pk == overseen.pk:
        raise ValidationError(_("An entity cannot oversee itself."))
    with transaction.atomic():
        grant, created = OversightGrant.objects.get_or_create(overseer=overseer, overseen=overseen)
        if created:
            audit_record(
                actor=actor,
                action=AuditAction.GRANTED,
                target=grant,
                entity_id=overseen.pk,
                changes={"overseer": [None, overseer.pk]},
            )
    return grant


def oversight_revoke(*, actor: Any, grant: OversightGrant) -> None:
    require(actor, grant.overseen_id, Capability.MANAGE_ENTITY)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.REVOKED,
            target=grant,
            entity_id=grant.overseen_id,
            changes={"overseer": [grant.overseer_id, None]},
        )
        grant.delete()


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, actor: Any, name: str) -> tuple[ApiToken, str]:
    """A new personal API token for the acting user; the raw token is returned once, never stored."""
    if not getattr(actor, "is_authenticated", False):
        raise_permission()
    raw = "rmb_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name or _("API token"), prefix=raw[:10], key_hash=_token_hash(raw)
    )
    return token, raw


def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    if token.user_id != actor.pk and not getattr(actor, "is_superuser", False):
        raise_permission()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


def api_token_authenticate(*, raw: str) -> Any | None:
    """The active user owning this token, or None."""
    if not raw or not raw.startswith("rmb_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def administrator_ensure(*, username: str, email: str = "") -> tuple[Any, str | None]:
    """Create the first superuser with a generated password (returned once); None if it exists."""
    User = get_user_model()
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing, None
    password = secrets.token_urlsafe(12)
    user = User.objects.create_superuser(username=username, email=email, password=password)
    return user, password
