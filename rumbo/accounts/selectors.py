"""Reads about entities and memberships, filtered by what the user may see."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pyotp
from django.conf import settings
from django.db.models import QuerySet

from rumbo.accounts.models import Entity, Membership, TwoFactor
from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.models import AuditEvent


def entity_get_for_user(
    *, entity_id: int, user: Any, capability: Capability = Capability.VIEW_PRIVATE
) -> Entity | None:
    """The entity if the user holds `capability` in it; None for missing and forbidden alike."""
    if not user_access(user).can(entity_id, capability):
        return None
    return Entity.objects.filter(pk=entity_id).first()


def entities_for_user(*, user: Any) -> QuerySet[Entity]:
    """Entities the user is a member of or oversees (all of them for a superuser)."""
    access = user_access(user)
    if access.is_superuser:
        return Entity.objects.all()
    return Entity.objects.filter(pk__in=list(access.by_entity))


def entity_events(*, entity: Entity, limit: int = 300) -> list[AuditEvent]:
    """The entity's audit trail, newest first (callers check that the user may read it)."""
    return list(AuditEvent.objects.filter(entity_id=entity.pk).select_related("actor", "target_type")[:limit])


def memberships_of_entity(*, entity: Entity) -> QuerySet[Membership]:
    return Membership.objects.filter(entity=entity).select_related("user").order_by("user__username", "role")


def memberships_of_user(*, user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("entity").order_by("entity__name")


def two_factor_enabled(*, user: Any) -> bool:
    """Whether the user's sign-in asks for a second code (a confirmed authenticator app)."""
    if getattr(user, "pk", None) is None:
        return False
    return TwoFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def two_factor_of_user(*, user: Any) -> TwoFactor | None:
    """The user's confirmed two-factor set-up, or None."""
    return TwoFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=False).first()


def recovery_codes_left(*, two_factor: TwoFactor) -> int:
    return two_factor.recovery_codes.filter(used_at__isnull=True).count()


def two_factor_provisioning_uri(*, two_factor: TwoFactor) -> str:
    """The otpauth:// address an authenticator app reads from the QR code. The account is named
    with the site's host when RUMBO_URL is set, so two Rumbo sites do not look alike in the app."""
    label = two_factor.user.get_username()
    host = urlsplit(getattr(settings, "RUMBO_URL", "") or "").hostname
    if host:
        label = f"{label}@{host}"
    return pyotp.TOTP(two_factor.secret).provisioning_uri(name=label, issuer_name="Rumbo")
