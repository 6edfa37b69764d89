"""Indicators and monitoring: the variable dictionary, indicator sheets with targets, periods,
measurements with evidence and approval, project milestones and financial progress, and
corrective actions.

Measurements are keyed like DHIS2 data values: (indicator, territorial unit, period,
disaggregation) → value. A correction after approval is a new version; only one version of a
key is current. Roll-ups never store results: they are computed, with their breakdown, by
`rumbo.indicators.rollup`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity
from rumbo.plans.models import Node, Plan
from rumbo.territory.models import TerritorialUnit

# --- the variable dictionary -------------------------------------------------------------


class TerritorialLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region, department or state")
    PROVINCE = "province", _("Province")
    MUNICIPALITY = "municipality", _("Municipality or district")
    SUB_MUNICIPAL = "sub_municipal", _("Sub-municipal unit")


class Variable(models.Model):
    """A territorial variable of the entity's dictionary (diccionario de variables): indicators'
    formulas and the foresight module refer to it by code."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="variables")
    code = models.CharField(_("code"), max_length=40, help_text=_("Letters, digits and _; used in formulas."))
    name = models.CharField(_("name"), max_length=300)
    definition = models.TextField(_("definition"), blank=True, default="")
    unit = models.CharField(_("unit of measure"), max_length=60, blank=True, default="")
    source = models.CharField(_("source"), max_length=300, blank=True, default="")
    territorial_level = models.CharField(
        _("territorial level"),
        max_length=20,
        choices=TerritorialLevel.choices,
        default=TerritorialLevel.MUNICIPALITY,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity", "code"]
        constraints = [models.UniqueConstraint(fields=["entity", "code"], name="variable_unique_code")]
        verbose_name = _("variable")
        verbose_name_plural = _("variables")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


# --- periods -------------------------------------------------------------------------------


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    SEMESTER = "semester", _("Semester")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


class Period(models.Model):
    """A reporting period as an object: "2025", "2025S1", "2025T3", "2025-07". Shared by every
    tenant (periods are calendar facts). Created on demand by `period_get_or_create`."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        ordering = ["start", "-end"]
        indexes = [models.Index(fields=["kind", "start"])]
        verbose_name = _("period")
        verbose_name_plural = _("periods")

    def __str__(self) -> str:
        return self.code


# --- indicator sheets ------------------------------------------------------------------


class IndicatorLevel(models.TextChoices):
    IMPACT = "impact", _("Impact")  # impacto: long-term change in the territory
    OUTCOME = "outcome", _("Outcome")  # resultado / efecto
    OUTPUT = "output", _("Output")  # producto
    MANAGEMENT = "management", _("Management or process")  # gestión / proceso (general indicators)
    INPUT = "input", _("Input")  # insumo


class IndicatorUnit(models.TextChoices):
    QUANTITY = "quantity", _("Quantity")  # cantidad (CEPLAN)
    NUMBER = "number", _("Number")  # número
    PERCENTAGE = "percentage", _("Percentage")  # porcentaje, 0–100
    RATIO = "ratio", _("Ratio")
    RATE = "rate", _("Rate")  # tasa (per 1,000, per 100,000…)
    INDEX = "index", _("Index")  # índice
    RATE_OF_CHANGE = "rate_of_change", _("Rate of change")  # tasa de variación
    CURRENCY = "currency", _("Currency")
    AREA = "area", _("Area")
    LENGTH = "length", _("Length")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    INCREASING = "increasing", _("Increasing")  # more is better (creciente)
    DECREASING = "decreasing", _("Decreasing")  # less is better (decreciente)
    NEUTRAL = "neutral", _("Neutral")  # closer to the target is better either way


class AchievementFormula(models.TextChoices):
    # increasing: value / target; decreasing: target / value; neutral: 1 − |value − target| / |target|
    RATIO = "ratio", _("Value against target")
    # (value − baseline) / (target − baseline): the share of the gap from the baseline that was closed
    GAP_CLOSED = "gap_closed", _("Gap closed from the baseline")


class Periodicity(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SEMIANNUAL = "semiannual", _("Semi-annual")
    ANNUAL = "annual", _("Annual")
    BIENNIAL = "biennial", _("Every two years")
    OTHER = "other", _("Other")


class Indicator(models.Model):
    """An indicator sheet (ficha técnica): the union of the fields of the Colombian hoja de vida,
    CEPLAN's ficha, MEF PpR and CONEVAL's MIR (see shared/domain/rules.md §5)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    node = models.ForeignKey(
        Node,
        verbose_name=_("tree node"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=500)
    definition = models.TextField(_("definition"), blank=True, default="")
    justification = models.TextField(_("justification"), blank=True, default="")
    level = models.CharField(
        _("level"), max_length=20, choices=IndicatorLevel.choices, default=IndicatorLevel.OUTCOME
    )
    unit = models.CharField(
        _("unit"), max_length=20, choices=IndicatorUnit.choices, default=IndicatorUnit.NUMBER
    )
    unit_label = models.CharField(
        _("unit label"),
        max_length=40,
        blank=True,
        default="",
        help_text=_("How values are written: %, km, S/, ha, viviendas…"),
    )
    formula = models.CharField(
        _("formula"),
        max_length=500,
        blank=True,
        default="",
        help_text=_("Over variable codes, e.g. (A / B) * 100. Empty: values are entered directly."),
    )
    method = models.TextField(_("method of measurement"), blank=True, default="")
    direction = models.CharField(
        _("direction"),
        max_length=12,
        choices=Direction.choices,
        blank=True,
        default="",
        help_text=_("Empty: inferred from the baseline and the targets."),
    )
    achievement_formula = models.CharField(
        _("achievement formula"),
        max_length=12,
        choices=AchievementFormula.choices,
        default=AchievementFormula.RATIO,
    )
    cap_percent = models.DecimalField(
        _("cap on achievement (%)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("100"),
        help_text=_("Over-achievement above this counts as this much in roll-ups. Empty: no cap."),
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    baseline_source = models.CharField(_("baseline source"), max_length=300, blank=True, default="")
    periodicity = models.CharField(
        _("periodicity"), max_length=12, choices=Periodicity.choices, default=Periodicity.ANNUAL
    )
    source = models.CharField(_("source of data"), max_length=300, blank=True, default="")
    means_of_verification = models.TextField(_("means of verification"), blank=True, default="")
    responsible = models.CharField(_("responsible office"), max_length=200, blank=True, default="")
    territorial_disaggregation = models.CharField(
        _("territorial disaggregation"),
        max_length=30,
        choices=TerritorialLevel.choices,
        blank=True,
        default="",
    )
    population_disaggregation = models.CharField(
        _("population disaggregation"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("e.g. sex, age group, area"),
    )
    limitations = models.TextField(_("limitations"), blank=True, default="")
    assumptions = models.TextField(_("assumptions"), blank=True, default="")
    threshold_green = models.DecimalField(
        _("green from (% achieved)"), max_digits=6, decimal_places=2, default=Decimal("90")
    )
    threshold_amber = models.DecimalField(
        _("amber from (% achieved)"), max_digits=6, decimal_places=2, default=Decimal("70")
    )
    weight = models.DecimalField(
        _("weight in its node"), max_digits=12, decimal_places=6, default=Decimal("1")
    )
    catalogue_key = models.CharField(
        max_length=60,
        blank=True,
        default="",
        help_text=_("Set when adopted from the catalogue of general indicators."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code_per_plan")
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndicatorVariable(models.Model):
    """A variable used in an indicator's formula."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="variables")
    variable = models.ForeignKey(Variable, on_delete=models.PROTECT, related_name="indicators")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "variable"], name="indicatorvariable_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.variable.code}"


class Target(models.Model):
    """The expected value (meta / logro esperado) of an indicator for a period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=6)

    class Meta:
        ordering = ["indicator", "period__start"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="target_unique_period")]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}: {self.value}"


# --- measurements --------------------------------------------------------------------------


class MeasurementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # entered, not yet sent for approval; the reporter may change it
    SUBMITTED = "submitted", _("Submitted")  # waiting for an approver
    APPROVED = "approved", _("Approved")  # counts in roll-ups; locked (a correction is a new version)
    RETURNED = "returned", _("Returned")  # sent back with a comment; the reporter corrects and resubmits


class Measurement(models.Model):
    """One value of an indicator for a territorial unit, a period and a disaggregation.

    `unit` empty means the plan's whole territory. Only one row per key is `is_current`; older
    versions stay for the history, and a correction after approval records its reason.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    unit = models.ForeignKey(
        TerritorialUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    disaggregation = models.CharField(_("disaggregation"), max_length=100, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    notes = models.TextField(_("notes"), blank=True, default="")
    status = models.CharField(
        _("status"), max_length=12, choices=MeasurementStatus.choices, default=MeasurementStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    correction_reason = models.TextField(_("reason for the correction"), blank=True, default="")
    return_comment = models.TextField(_("comment of the approver"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    import_job_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["indicator", "period__start", "unit", "disaggregation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period", "disaggregation", "version"],
                name="measurement_unique_version",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period", "is_current"]),
            models.Index(fields=["status", "is_current"]),
        ]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period} = {self.value}"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class Evidence(models.Model):
    """A means of verification (medio de verificación): a file or a link, attached to a
    measurement or to a milestone's progress."""

    measurement = models.ForeignKey(
        Measurement, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    milestone_progress = models.ForeignKey(
        "MilestoneProgress", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    name = models.CharField(_("name"), max_length=255)
    file = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name


# --- physical and financial progress of projects and actions --------------------------------


class Milestone(models.Model):
    """A weighted milestone of a project or action (e.g. start 10 %, execution 80 %, closure 10 %)."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=12, decimal_places=6, default=Decimal("1"))
    position = models.PositiveIntegerField(default=0)
    planned_date = models.DateField(_("planned date"), null=True, blank=True)

    class Meta:
        ordering = ["node", "position"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.name


class MilestoneProgress(models.Model):
    """How far a milestone had got by the end of a period (0–100 %)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="progress")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    percent = models.DecimalField(_("percent done"), max_digits=6, decimal_places=2)
    notes = models.TextField(_("notes"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["milestone", "period__start"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "period"], name="milestoneprogress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.milestone} {self.period}: {self.percent} %"


class FinancialProgress(models.Model):
    """Programmed and executed amounts of a project or action in a period, entered by hand until
    the investments module feeds them."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="financial_progress")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    programmed = models.DecimalField(_("programmed"), max_digits=20, decimal_places=2)
    executed = models.DecimalField(_("executed"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="PEN")
    notes = models.TextField(_("notes"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node", "period__start"]
        constraints = [models.UniqueConstraint(fields=["node", "period"], name="financialprogress_unique")]

    def __str__(self) -> str:
        return f"{self.node} {self.period}"


# --- follow-up -------------------------------------------------------------------------------


class CorrectiveActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CorrectiveAction(models.Model):
    """Feedback (retroalimentación): what will be done about a node or indicator that is off track."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="corrective_actions")
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("action"), max_length=300)
    description = models.TextField(_("description"), blank=True, default="")
    responsible = models.CharField(_("responsible"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CorrectiveActionStatus.choices,
        default=CorrectiveActionStatus.OPEN,
    )
    follow_up: models.JSONField[list[dict[str, Any]]] = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "due_date"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self) -> str:
        return self.title


# --- reporting calendar ---------------------------------------------------------------------


class ReportingFrequency(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly")  # four reporting rounds a year (trimestral)
    SEMIANNUAL = "semiannual", _("Semi-annual")  # two rounds a year (semestral)
    ANNUAL = "annual", _("Annual")  # one round a year


class ReportingCalendar(models.Model):
    """How often a plan reports and how long after a period ends its data are due. A plan
    without one uses the defaults (quarterly, 30 days)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="reporting_calendar")
    frequency = models.CharField(
        _("reporting frequency"),
        max_length=12,
        choices=ReportingFrequency.choices,
        default=ReportingFrequency.QUARTERLY,
    )
    due_days_after_period_end = models.PositiveSmallIntegerField(
        _("days to report after the period ends"), default=30
    )
    notify_emails = models.TextField(
        _("also notify"),
        blank=True,
        default="",
        help_text=_("E-mail addresses, one per line or separated by commas."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reporting calendar")
        verbose_name_plural = _("reporting calendars")

    def __str__(self) -> str:
        return f"{self.plan}: {self.frequency}"
