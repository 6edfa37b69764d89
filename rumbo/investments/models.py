"""Investments: projects (from the plan or proposed as initiatives), their costs per year and
funding, and the prioritisation criteria and scores of each entity.

This is the first slice of the module: investment plans, ceilings and execution come next.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity
from rumbo.plans.models import Node, Plan, Term
from rumbo.territory.models import TerritorialUnit


class ProjectKind(models.TextChoices):
    PUBLIC = "public", _("Public investment")
    PPP = "ppp", _("Public-private partnership")
    PRIVATE = "private", _("Private")
    COOPERATION = "cooperation", _("Cooperation")


class ProjectStage(models.TextChoices):
    IDEA = "idea", _("Idea")  # an initiative, not yet studied
    PROFILE = "profile", _("Profile")  # perfil
    PREFEASIBILITY = "prefeasibility", _("Pre-feasibility")
    FEASIBILITY = "feasibility", _("Feasibility or technical file")  # factibilidad / expediente técnico
    EXECUTION = "execution", _("Execution")
    OPERATION = "operation", _("Operation or closed")


class FundingSource(models.Model):
    """A funding source of a country's catalogue (XX = any country)."""

    country = models.CharField(_("country"), max_length=2)
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["country", "code"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="fundingsource_unique")]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A project or action with its cost, funding and location; it may serve nodes of the plan."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="projects")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects")
    nodes = models.ManyToManyField(Node, blank=True, related_name="projects", verbose_name=_("plan nodes"))
    code = models.CharField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True, default="")
    kind = models.CharField(_("kind"), max_length=20, choices=ProjectKind.choices, default=ProjectKind.PUBLIC)
    stage = models.CharField(
        _("stage"), max_length=20, choices=ProjectStage.choices, default=ProjectStage.IDEA
    )
    term = models.CharField(_("term"), max_length=10, choices=Term.choices, blank=True, default="")
    national_code = models.CharField(
        _("national code"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("BPIN (CO), CUI (PE) or programme key (MX)."),
    )
    responsible = models.CharField(_("responsible office"), max_length=200, blank=True, default="")
    cost_total = models.DecimalField(_("total cost"), max_digits=18, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="PEN")
    location: models.JSONField[dict[str, Any] | None] = models.JSONField(
        _("location (GeoJSON)"), null=True, blank=True
    )
    units = models.ManyToManyField(
        TerritorialUnit, blank=True, related_name="+", verbose_name=_("territorial units")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity", "code"]
        constraints = [models.UniqueConstraint(fields=["entity", "code"], name="project_unique_code")]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ProjectYearCost(models.Model):
    """The part of the project's cost planned for one year (the breakdown must add up to the total)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="year_costs")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    source = models.ForeignKey(
        FundingSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("cost per year")
        verbose_name_plural = _("costs per year")

    def __str__(self) -> str:
        return f"{self.project.code} {self.year}: {self.amount}"


class PriorityCriterion(models.Model):
    """A criterion of the entity's prioritisation matrix with its weight."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="priority_criteria")
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=10, decimal_places=4, default=Decimal("1"))
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    scale_max = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2, default=Decimal("5"))

    class Meta:
        ordering = ["entity", "key"]
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="prioritycriterion_unique")]
        verbose_name = _("prioritisation criterion")
        verbose_name_plural = _("prioritisation criteria")

    def __str__(self) -> str:
        return self.name


class ProjectScore(models.Model):
    """A project's score on one criterion, with its justification."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(PriorityCriterion, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    justification = models.TextField(_("justification"), blank=True, default="")
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "criterion"], name="projectscore_unique")]
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self) -> str:
        return f"{self.project.code} {self.criterion.key}: {self.score}"
