"""Plans, their legal acts and links, and the strategic tree.

The tree is an adjacency list with a materialised path of ids ("/12/40/311/"): a subtree is
one query, and every tree write takes the plan's row lock first (see services).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity
from rumbo.territory.models import TerritorialUnit


class PlanType(models.Model):
    """A kind of plan in one country's law (POT, PAT, PMDU…), loaded as reference data."""

    country = models.CharField(_("country"), max_length=2, help_text=_("ISO code, or XX for any country."))
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True, default="")
    default_levels = models.JSONField(_("default tree levels"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["country", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="plantype_unique")]
        verbose_name = _("plan type")
        verbose_name_plural = _("plan types")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class PlanStatus(models.TextChoices):
    FORMULATION = "formulation", _("In formulation")  # being drafted by the technical team
    APPROVAL = "approval", _("In approval")  # in concertation, consultation or before the council
    IN_FORCE = "in_force", _("In force")  # adopted and within its validity
    SUSPENDED = "suspended", _("Suspended")  # effects suspended by an authority or a court
    ANNULLED = "annulled", _("Annulled")  # declared void; another instrument governs
    EXPIRED_IN_FORCE = "expired_in_force", _("Expired, still in force")  # term over, no new plan adopted yet
    REPLACED = "replaced", _("Replaced")  # a newer plan was adopted in its place


class Plan(models.Model):
    entity = models.ForeignKey(
        Entity, verbose_name=_("owner entity"), on_delete=models.PROTECT, related_name="plans"
    )
    plan_type = models.ForeignKey(
        PlanType, verbose_name=_("plan type"), on_delete=models.PROTECT, related_name="plans"
    )
    name = models.CharField(_("name"), max_length=300)
    code = models.CharField(_("short name"), max_length=60, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=30, choices=PlanStatus.choices, default=PlanStatus.FORMULATION
    )
    horizon_start = models.PositiveSmallIntegerField(_("horizon from (year)"), null=True, blank=True)
    horizon_end = models.PositiveSmallIntegerField(_("horizon to (year)"), null=True, blank=True)
    vision = models.TextField(_("vision"), blank=True, default="")
    target_image = models.TextField(_("imagen objetivo"), blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    units = models.ManyToManyField(
        TerritorialUnit, verbose_name=_("territory"), blank=True, related_name="plans"
    )
    is_published = models.BooleanField(_("published"), default=False)
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name


class PlanLevel(models.Model):
    """A named level of a plan's tree: 1 = eje estratégico, 2 = objetivo, … (configurable)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="levels")
    depth = models.PositiveSmallIntegerField(_("depth"))
    name = models.CharField(_("name"), max_length=100)
    key = models.SlugField(_("key"), max_length=60)

    class Meta:
        ordering = ["plan", "depth"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "depth"], name="planlevel_unique_depth"),
            models.UniqueConstraint(fields=["plan", "key"], name="planlevel_unique_key"),
        ]
        verbose_name = _("tree level")
        verbose_name_plural = _("tree levels")

    def __str__(self) -> str:
        return self.name


class LegalActType(models.TextChoices):
    ORDINANCE = "ordinance", _("Ordinance")  # ordenanza municipal / regional
    AGREEMENT = "agreement", _("Council agreement")  # acuerdo del concejo
    DECREE = "decree", _("Decree")  # decreto
    RESOLUTION = "resolution", _("Resolution")  # resolución
    LAW = "law", _("Law")
    MINUTES = "minutes", _("Minutes")  # acta
    RULING = "ruling", _("Court ruling")  # sentencia, auto
    OTHER = "other", _("Other act")


class LegalAct(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="legal_acts")
    act_type = models.CharField(_("type"), max_length=20, choices=LegalActType.choices)
    number = models.CharField(_("number"), max_length=100)
    date = models.DateField(_("date"))
    issuer = models.CharField(_("issued by"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, default="")
    file = models.FileField(_("file"), upload_to="legal_acts/%Y/", blank=True)

    class Meta:
        ordering = ["plan", "date"]
        verbose_name = _("legal act")
        verbose_name_plural = _("legal acts")

    def __str__(self) -> str:
        return f"{self.get_act_type_display()} {self.number}"


class PlanLinkKind(models.TextChoices):
    ARTICULATES_WITH = "articulates_with", _("Articulates with")  # a PAT with the regional POT
    IMPLEMENTS = "implements", _("Implements")  # a POT's programme in a development plan
    REPLACES = "replaces", _("Replaces")  # a new plan replaces an older one
    DERIVES_FROM = "derives_from", _("Derives from")  # a plan específico from a PDU


class PlanLink(models.Model):
    source = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=30, choices=PlanLinkKind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="planlink_unique"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="planlink_not_self"),
        ]
        verbose_name = _("plan link")
        verbose_name_plural = _("plan links")

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class Term(models.TextChoices):
    SHORT = "short", _("Short term")  # corto plazo
    MEDIUM = "medium", _("Medium term")  # mediano plazo
    LONG = "long", _("Long term")  # largo plazo


class Node(models.Model):
    """One element of the strategic tree: an axis, objective, programme, project or action.

    `weight` is a raw weight among siblings; roll-ups normalise weights so they always add up
    to 1 (a sibling group with weights 2 and 3 counts as 0.4 and 0.6).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, default="/")
    depth = models.PositiveSmallIntegerField(default=1)
    level = models.ForeignKey(
        PlanLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="nodes"
    )
    code = models.CharField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True, default="")
    position = models.PositiveIntegerField(_("order"), default=0)
    weight = models.DecimalField(_("weight"), max_digits=12, decimal_places=6, default=Decimal("1"))
    responsible = models.CharField(_("responsible office"), max_length=200, blank=True, default="")
    term = models.CharField(_("term"), max_length=10, choices=Term.choices, blank=True, default="")
    term_start = models.PositiveSmallIntegerField(_("from (year)"), null=True, blank=True)
    term_end = models.PositiveSmallIntegerField(_("to (year)"), null=True, blank=True)
    units = models.ManyToManyField(
        TerritorialUnit, verbose_name=_("territorial scope"), blank=True, related_name="+"
    )
    aligned_to = models.ManyToManyField(
        "self", verbose_name=_("aligned to"), symmetrical=False, blank=True, related_name="aligned_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "path"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="node_unique_code_per_plan")]
        indexes = [models.Index(fields=["plan", "parent", "position"])]
        verbose_name = _("tree node")
        verbose_name_plural = _("tree nodes")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Comment(models.Model):
    """A remark on a plan or one of its nodes by someone who may comment (committee members…)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]
