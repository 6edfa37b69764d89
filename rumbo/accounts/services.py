"""Writes about entities, memberships, oversight and API tokens. Each checks permission and audits."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import time
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.accounts.models import (
    ApiToken,
    Entity,
    Membership,
    OversightGrant,
    RecoveryCode,
    Role,
    TwoFactor,
)
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


# --- two-factor authentication (TOTP) ----------------------------------------------------------

RECOVERY_CODE_COUNT = 10
# no 0/o, 1/l/i: the codes are read off paper
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10  # 31**10 ≈ 2**49.5


class CredentialsRefused(ValidationError):
    """A wrong password or code given to confirm a change: callers count it as a failed sign-in."""


class CodeCheck(enum.Enum):
    """What a code typed at sign-in (or to confirm a change) turned out to be."""

    TOTP = "totp"  # a fresh code of the authenticator app; its time step is now spent
    RECOVERY = "recovery"  # an unused recovery code; it is now spent
    REPLAYED = "replayed"  # a right app code of a time step already used: refused
    WRONG = "wrong"  # neither: refused

    @property
    def accepted(self) -> bool:
        return self in (CodeCheck.TOTP, CodeCheck.RECOVERY)


def two_factor_required_for(user: Any) -> bool:
    """Whether the settings oblige this user to use two-factor authentication (staff only)."""
    if not getattr(settings, "RUMBO_REQUIRE_2FA_FOR_STAFF", False):
        return False
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _recovery_hash(code: str, *, salt: str | None = None) -> str:
    salt = salt if salt is not None else secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def _recovery_matches(code: str, stored: str) -> bool:
    salt, _sep, _digest = stored.partition("$")
    return hmac.compare_digest(_recovery_hash(code, salt=salt), stored)


def _recovery_codes_make(two_factor: TwoFactor) -> list[str]:
    """Replace every recovery code of `two_factor` with ten new ones; the raw codes are returned."""
    two_factor.recovery_codes.all().delete()
    raw = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(two_factor=two_factor, code_hash=_recovery_hash(code)) for code in raw
    )
    return [f"{code[:5]}-{code[5:]}" for code in raw]


def _totp_step(secret: str, code: str) -> int | None:
    """The time step whose code `code` is, within one step either side of now (clock drift)."""
    if len(code) != 6 or not code.isdigit():
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=time.time(), valid_window=1)
    except pyotp.exceptions.OTPVerificationError:
        return None


def _step_spend(two_factor: TwoFactor, step: int) -> bool:
    """Mark `step` used; False when it (or a later one) was already used. One UPDATE, so two
    requests racing with the same code cannot both win."""
    spent = TwoFactor.objects.filter(pk=two_factor.pk, last_used_step__lt=step).update(last_used_step=step)
    if spent:
        two_factor.last_used_step = step
    return bool(spent)


def _two_factor_audit(*, actor: Any, user: Any, changes: dict[str, Any], message: str) -> None:
    audit_record(
        actor=actor, action=AuditAction.UPDATED, target=user, entity_id=None, changes=changes, message=message
    )


def two_factor_code_check(*, user: Any, code: str) -> CodeCheck:
    """Check a code of the user's confirmed two-factor set-up: an app code (each time step once)
    or a recovery code (each once; its use is audited). A user without it gets WRONG."""
    two_factor = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    if two_factor is None:
        return CodeCheck.WRONG
    code = _normalised(code)
    step = _totp_step(two_factor.secret, code)
    if step is not None:
        return CodeCheck.TOTP if _step_spend(two_factor, step) else CodeCheck.REPLAYED
    if len(code) != _RECOVERY_LENGTH:
        return CodeCheck.WRONG
    with transaction.atomic():
        for recovery in two_factor.recovery_codes.filter(used_at__isnull=True):
            if not _recovery_matches(code, recovery.code_hash):
                continue
            if not RecoveryCode.objects.filter(pk=recovery.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            ):
                return CodeCheck.WRONG  # spent by a concurrent request a moment ago
            left = two_factor.recovery_codes.filter(used_at__isnull=True).count()
            _two_factor_audit(
                actor=user,
                user=user,
                changes={"recovery_codes_left": [left + 1, left]},
                message=_("A recovery code was used."),
            )
            return CodeCheck.RECOVERY
    return CodeCheck.WRONG


def two_factor_enrolment_start(*, actor: Any) -> TwoFactor:
    """The acting user's set-up in progress: a new secret, or the one already shown (a reload
    must not invalidate a QR code the user has just scanned). Nothing is protected until
    `two_factor_confirm`."""
    if not getattr(actor, "is_authenticated", False):
        raise_permission()
    two_factor = TwoFactor.objects.filter(user=actor).first()
    if two_factor is not None:
        if two_factor.confirmed_at is not None:
            raise ValidationError(_("Two-factor authentication is already enabled."))
        return two_factor
    return TwoFactor.objects.create(user=actor, secret=pyotp.random_base32())


def two_factor_confirm(*, actor: Any, code: str) -> list[str]:
    """Turn on two-factor authentication once the user typed a code of the new secret; returns
    the ten recovery codes, shown once and never stored in clear."""
    two_factor = TwoFactor.objects.filter(user=actor, confirmed_at__isnull=True).first()
    if two_factor is None:
        raise ValidationError(_("Start the set-up again: there is no set-up in progress."))
    step = _totp_step(two_factor.secret, _normalised(code))
    if step is None or not _step_spend(two_factor, step):
        raise ValidationError(_("The code is not right. Check the time on your phone and try again."))
    with transaction.atomic():
        two_factor.confirmed_at = timezone.now()
        two_factor.save(update_fields=["confirmed_at"])
        codes = _recovery_codes_make(two_factor)
        _two_factor_audit(
            actor=actor,
            user=actor,
            changes={"two_factor": [False, True], "recovery_codes_left": [0, RECOVERY_CODE_COUNT]},
            message=_("Two-factor authentication enabled."),
        )
    return codes


def _confirmed_or_error(actor: Any) -> TwoFactor:
    two_factor = TwoFactor.objects.filter(user=actor, confirmed_at__isnull=False).first()
    if two_factor is None:
        raise ValidationError(_("Two-factor authentication is not enabled."))
    return two_factor


def two_factor_disable(*, actor: Any, password: str, code: str) -> None:
    """Turn off the acting user's two-factor authentication: needs the password and a current
    code (app or recovery). Refused to staff while the settings require it."""
    two_factor = _confirmed_or_error(actor)
    if two_factor_required_for(actor):
        raise ValidationError(_("Staff accounts must keep two-factor authentication."))
    if not actor.check_password(password):
        raise CredentialsRefused(_("The password is not right."))
    if not two_factor_code_check(user=actor, code=code).accepted:
        raise CredentialsRefused(_("The code is not right."))
    with transaction.atomic():
        _two_factor_audit(
            actor=actor,
            user=actor,
            changes={"two_factor": [True, False]},
            message=_("Two-factor authentication disabled by the user."),
        )
        two_factor.delete()


def two_factor_recovery_codes_regenerate(*, actor: Any, code: str) -> list[str]:
    """Ten new recovery codes for the acting user (the old ones stop working); needs a current
    code. The raw codes are returned once."""
    two_factor = _confirmed_or_error(actor)
    if not two_factor_code_check(user=actor, code=code).accepted:
        raise CredentialsRefused(_("The code is not right."))
    with transaction.atomic():
        left = two_factor.recovery_codes.filter(used_at__isnull=True).count()
        codes = _recovery_codes_make(two_factor)
        _two_factor_audit(
            actor=actor,
            user=actor,
            changes={"recovery_codes_left": [left, RECOVERY_CODE_COUNT]},
            message=_("New recovery codes made."),
        )
    return codes


def two_factor_reset(*, actor: Any | None, user: Any) -> bool:
    """Remove a user's two-factor authentication (a lost phone and no recovery codes), so the
    password alone signs in until they enrol again. Superusers only; `actor=None` is the
    command line. False when it was not enabled (a set-up in progress is dropped all the same)."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise_permission()
    with transaction.atomic():
        two_factor = TwoFactor.objects.filter(user=user).first()
        if two_factor is None:
            return False
        enabled = two_factor.confirmed_at is not None
        if enabled:
            _two_factor_audit(
                actor=actor,
                user=user,
                changes={"two_factor": [True, False]},
                message=(
                    _("Two-factor authentication reset by an administrator.")
                    if actor is not None
                    else _("Two-factor authentication reset from the command line.")
                ),
            )
        two_factor.delete()
    return enabled
