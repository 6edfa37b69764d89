"""People, the entities (tenants) that own plans, and who may do what in each."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Public readers do not need an account."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class EntityKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")  # alcaldía / municipalidad distrital / municipio
    PROVINCIAL_MUNICIPALITY = "provincial_municipality", _("Provincial municipality")  # Peru
    REGIONAL_GOVERNMENT = (
        "regional_government",
        _("Regional or departmental government"),
    )  # gobierno regional, gobernación, estado
    MINISTRY = "ministry", _("Ministry or national agency")  # MINAM, Minvivienda, SEDATU
    MANCOMUNIDAD = (
        "mancomunidad",
        _("Association of municipalities"),
    )  # mancomunidad, asociación de municipios
    PLANNING_INSTITUTE = "planning_institute", _("Planning institute")  # IMPLAN, instituto de planificación
    OTHER = "other", _("Other body")  # CAR, metropolitan area, committee…


class Entity(models.Model):
    """A government or body that owns plans: the tenant boundary for private data.

    `parent` places it under a higher body (a district under its province); that alone grants
    nothing: read access downwards is given explicitly with an `OversightGrant`.
    """

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=40, choices=EntityKind.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code."))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("higher entity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    website = models.URLField(_("website"), blank=True, default="")
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("entity")
        verbose_name_plural = _("entities")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")  # manages the entity, its people and all its plans
    PLANNER = "planner", _("Planner")  # technical team: builds and edits plans and their trees
    REPORTER = "reporter", _("Reporter")  # an office that reports data and progress
    APPROVER = "approver", _("Approver")  # reviews and approves data, reports and plan changes
    COMMITTEE_MEMBER = (
        "committee_member",
        _("Committee member"),
    )  # reads everything of the entity and comments
    OBSERVER = "observer", _("Observer")  # reads everything of the entity


class Membership(models.Model):
    """A user holds a role in an entity; the role applies to every plan the entity owns."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "entity", "role"], name="membership_unique_role")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.entity} · {self.get_role_display()}"


class OversightGrant(models.Model):
    """Members of `overseer` may read the private data of `overseen` (e.g. a province over a district)."""

    overseer = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="oversees")
    overseen = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="overseen_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["overseer", "overseen"], name="oversight_unique"),
            models.CheckConstraint(
                condition=~models.Q(overseer=models.F("overseen")), name="oversight_not_self"
            ),
        ]
        verbose_name = _("oversight grant")
        verbose_name_plural = _("oversight grants")

    def __str__(self) -> str:
        return f"{self.overseer} → {self.overseen}"


class ApiToken(models.Model):
    """A personal token for the API. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TwoFactor(models.Model):
    """A user's authenticator app (TOTP, RFC 6238: six digits every 30 s). It protects the
    account only once `confirmed_at` is set, i.e. after the user typed one code from the app.

    The secret is stored as is (base32): whoever reads the database or a backup can compute the
    codes. Encrypting it at rest is out of scope; protect the database and its backups as you
    protect the password hashes.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(_("enabled on"), null=True, blank=True)
    # the 30-s time step of the last accepted code: a code of that step or an earlier one is
    # refused, so a code seen over someone's shoulder cannot be used again
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("two-factor authentication")
        verbose_name_plural = _("two-factor authentications")

    def __str__(self) -> str:
        return f"2FA · {self.user}"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the app (a lost phone). Ten are made at a time; only
    a salted SHA-256 is stored ("salt$hex"): the codes are random, so a slow hash adds nothing
    but a wait at sign-in, where every unused code is checked."""

    two_factor = models.ForeignKey(TwoFactor, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=100)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.two_factor} · {self.pk}"
