"""Investments: the open project bank (projects of the offices and initiatives of citizens, with
their costs per year, funding, location, viability checklist and eligibility), the prioritisation
criteria and scores of each entity, investment plans (multi-year, annual, POA) with funding
ceilings, and execution (progress per period, milestones, contracts, evidence).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity
from rumbo.indicators.models import Indicator
from rumbo.plans.models import Node, Plan, Term
from rumbo.territory.models import SpatialLayer, TerritorialUnit


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


class ProjectOrigin(models.TextChoices):
    OFFICE = "office", _("Planning office")
    INSTITUTION = "institution", _("Another institution")
    CITIZEN = "citizen", _("Citizen initiative")


class ProjectStatus(models.TextChoices):
    """Where a project stands in the bank. Only accepted projects are public."""

    PROPOSED = "proposed", _("Awaiting review")  # an initiative before moderation
    ACCEPTED = "accepted", _("In the project bank")
    REJECTED = "rejected", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Sector(models.TextChoices):
    TRANSPORT = "transport", _("Transport and mobility")
    WATER = "water", _("Water and sanitation")
    HOUSING = "housing", _("Housing")
    PUBLIC_SPACE = "public_space", _("Public space and facilities")
    ENVIRONMENT = "environment", _("Environment")
    RISK = "risk", _("Disaster risk management")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    CULTURE = "culture", _("Culture and sport")
    ECONOMY = "economy", _("Economic development")
    ENERGY = "energy", _("Energy and connectivity")
    INSTITUTIONAL = "institutional", _("Institutional strengthening")
    OTHER = "other", _("Other")


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
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True, default="")
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="projects", verbose_name=_("indicators it moves")
    )
    # The bank: who proposed it, where it stands, and the proposer's way to follow it.
    origin = models.CharField(
        _("origin"), max_length=20, choices=ProjectOrigin.choices, default=ProjectOrigin.OFFICE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACCEPTED
    )
    status_note = models.TextField(
        _("note to the proposer"), blank=True, default="", help_text=_("Shown to whoever follows it.")
    )
    proposer_name = models.CharField(_("proposer"), max_length=200, blank=True, default="")
    proposer_email = models.EmailField(_("proposer's e-mail"), blank=True, default="")
    proposer_organisation = models.CharField(_("organisation"), max_length=200, blank=True, default="")
    # Random code given to the proposer to follow the initiative (never guessable, unique).
    tracking_code = models.CharField(max_length=40, null=True, blank=True, unique=True)
    # A salted hash of the submitter's address, only for the anti-spam limits of the public form.
    submitter_fingerprint = models.CharField(max_length=64, blank=True, default="", db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The last eligibility check against the plan and the zoning rules (see eligibility.py), kept
    # with the time it was made so the page can say how old it is.
    eligibility: models.JSONField[dict[str, Any] | None] = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entity", "code"]
        constraints = [models.UniqueConstraint(fields=["entity", "code"], name="project_unique_code")]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_public(self) -> bool:
        """Accepted projects are part of the public bank; the rest are seen only by the office."""
        return self.status == ProjectStatus.ACCEPTED


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


# --- The bank: viability and eligibility -------------------------------------------------------


class ViabilityItem(models.Model):
    """One item of a project's viability checklist for a stage (the checklist comes from
    data/viability.json per country), with its document."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="viability_items")
    stage = models.CharField(_("stage"), max_length=20, choices=ProjectStage.choices)
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("requirement"), max_length=300)
    done = models.BooleanField(_("met"), default=False)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    note = models.TextField(_("note"), blank=True, default="")
    document = models.FileField(_("document"), upload_to="investments/viability/%Y/", blank=True)
    document_name = models.CharField(max_length=255, blank=True, default="")
    document_sha256 = models.CharField(max_length=64, blank=True, default="")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="viabilityitem_unique")]
        verbose_name = _("viability requirement")
        verbose_name_plural = _("viability requirements")

    def __str__(self) -> str:
        return self.label


class ZoningVerdict(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    CONDITIONAL = "conditional", _("Allowed with conditions")
    FORBIDDEN = "forbidden", _("Not allowed")


class ZoningRule(models.Model):
    """What the land-use or zoning layer allows: features whose `attribute` equals `value` give
    `verdict` for projects of `sector` (blank = any sector). The most specific rule wins."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="zoning_rules")
    layer = models.ForeignKey(SpatialLayer, on_delete=models.CASCADE, related_name="zoning_rules")
    attribute = models.CharField(_("attribute"), max_length=100)
    value = models.CharField(_("value"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True, default="")
    verdict = models.CharField(_("verdict"), max_length=20, choices=ZoningVerdict.choices)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["entity", "layer", "attribute", "value", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["layer", "attribute", "value", "sector"], name="zoningrule_unique"
            )
        ]
        verbose_name = _("zoning rule")
        verbose_name_plural = _("zoning rules")

    def __str__(self) -> str:
        return f"{self.attribute}={self.value}: {self.verdict}"


# --- Investment plans ----------------------------------------------------------------------------


class InvestmentPlanKind(models.TextChoices):
    MULTIYEAR = "multiyear", _("Multi-year investment plan")
    ANNUAL = "annual", _("Annual investment plan")
    POA = "poa", _("Annual operating programme (POA)")


class InvestmentPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class InvestmentPlan(models.Model):
    """A multi-year programme or an annual plan (POA in Mexico): lines of projects × year × source."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="investment_plans")
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_plans",
        verbose_name=_("territorial plan"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InvestmentPlanKind.choices)
    title = models.CharField(_("title"), max_length=300)
    year_start = models.PositiveSmallIntegerField(_("first year"))
    year_end = models.PositiveSmallIntegerField(_("last year"))
    status = models.CharField(
        _("status"), max_length=20, choices=InvestmentPlanStatus.choices, default=InvestmentPlanStatus.DRAFT
    )
    is_published = models.BooleanField(_("published"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity", "-year_start", "kind"]
        verbose_name = _("investment plan")
        verbose_name_plural = _("investment plans")

    def __str__(self) -> str:
        return self.title


class InvestmentLine(models.Model):
    """An amount of a project programmed in a year from a source, with its schedule."""

    investment_plan = models.ForeignKey(InvestmentPlan, on_delete=models.CASCADE, related_name="lines")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="investment_lines")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["investment_plan", "year", "project__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["investment_plan", "project", "year", "source"], name="investmentline_unique"
            )
        ]
        verbose_name = _("investment line")
        verbose_name_plural = _("investment lines")

    def __str__(self) -> str:
        return f"{self.project_id} {self.year} {self.amount}"


class FundingCeiling(models.Model):
    """The fiscal framework: how much the entity expects from a source in a year."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="funding_ceilings")
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("ceiling"), max_digits=18, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["entity", "year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "source", "year"], name="fundingceiling_unique")
        ]
        verbose_name = _("funding ceiling")
        verbose_name_plural = _("funding ceilings")

    def __str__(self) -> str:
        return f"{self.year} {self.source_id}: {self.amount}"


# --- Execution -----------------------------------------------------------------------------------


class ExecutionOrigin(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported")


class ExecutionRecord(models.Model):
    """A project's execution in one period (a code of rumbo.indicators.periods: 2025, 2025T3,
    2025-07): money programmed, committed and paid, and physical progress planned and achieved
    (percent of the whole project, cumulative to the end of the period)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="execution")
    period = models.CharField(_("period"), max_length=10)
    period_end = models.DateField()  # for ordering and "latest up to" queries
    programmed = models.DecimalField(_("programmed"), max_digits=18, decimal_places=2, default=Decimal(0))
    committed = models.DecimalField(_("committed"), max_digits=18, decimal_places=2, default=Decimal(0))
    paid = models.DecimalField(_("paid"), max_digits=18, decimal_places=2, default=Decimal(0))
    physical_planned = models.DecimalField(
        _("physical progress planned (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    physical_actual = models.DecimalField(
        _("physical progress achieved (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True, default="")
    origin = models.CharField(max_length=10, choices=ExecutionOrigin.choices, default=ExecutionOrigin.MANUAL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "period_end"]
        constraints = [models.UniqueConstraint(fields=["project", "period"], name="executionrecord_unique")]
        verbose_name = _("execution record")
        verbose_name_plural = _("execution records")

    def __str__(self) -> str:
        return f"{self.project_id} {self.period}"


class ProjectMilestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=300)
    due_on = models.DateField(_("due date"))
    done_on = models.DateField(_("date achieved"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["project", "due_on", "id"]
        verbose_name = _("project milestone")
        verbose_name_plural = _("project milestones")

    def __str__(self) -> str:
        return self.name


class ContractStatus(models.TextChoices):
    SIGNED = "signed", _("Signed")
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")
    TERMINATED = "terminated", _("Terminated early")


class Contract(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField(_("contract number"), max_length=100)
    contractor = models.CharField(_("contractor"), max_length=300)
    purpose = models.TextField(_("purpose"), blank=True, default="")
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.SIGNED
    )
    url = models.URLField(_("link to the procurement record"), blank=True, default="")

    class Meta:
        ordering = ["project", "signed_on", "id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return self.number


class ProjectEvidence(models.Model):
    """A photo or document of the project's execution (type sniffed, size-limited, hashed)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evidence")
    period = models.CharField(_("period"), max_length=10, blank=True, default="")
    caption = models.CharField(_("caption"), max_length=300, blank=True, default="")
    file = models.FileField(upload_to="investments/evidence/%Y/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "-uploaded_at"]
        verbose_name = _("execution evidence")
        verbose_name_plural = _("execution evidence")

    def __str__(self) -> str:
        return self.original_name
