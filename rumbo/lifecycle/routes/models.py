"""Formulation and implementation routes as data, a plan's progress along one, and approval
procedures with statutory deadlines.

A `Route` and its `RouteStep` tree come from versioned JSON files (`data/*.json`, loaded by
`reference.routes_load`). The tree is an adjacency list with a materialised path of zero-padded
positions ("/0002/0001/"), so ordering by path gives display order and a subtree is one query.
A plan follows one route (`PlanRoute`) and keeps one `PlanStepState` per step. Procedures
(`Procedure`) hold their deadline rules as data with the legal source; a plan's copy
(`PlanProcedureStep`) keeps the rule it was computed with, so a due date is always explainable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.plans.models import Plan

__all__ = [
    "CountStart",
    "DayUnit",
    "PlanProcedure",
    "PlanProcedureStep",
    "PlanRoute",
    "PlanStepState",
    "Procedure",
    "Route",
    "RouteStep",
    "StepComment",
    "StepFile",
    "StepKind",
    "StepStatus",
]


class Route(models.Model):
    """A documented way to formulate, approve or implement a plan (one norm or guide)."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO code, or XX for any country."))
    name = models.CharField(_("name"), max_length=300)
    version = models.CharField(_("version"), max_length=40)
    description = models.TextField(_("description"), blank=True, default="")
    source = models.JSONField(_("source"), default=dict, blank=True)  # {"norm", "document", "url"}
    options = models.JSONField(_("route options"), default=list, blank=True)  # choices made at start
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("route")
        verbose_name_plural = _("routes")

    def __str__(self) -> str:
        return self.name


class StepKind(models.TextChoices):
    CONTEXT = "context", _("Context")  # a preparatory moment before the formal stages (FCM route)
    PHASE = "phase", _("Phase")  # fase (MINAM, PMOT)
    STAGE = "stage", _("Stage")  # etapa (FCM, Decreto 1232)
    PAUTA = "pauta", _("Guideline")  # pauta (MINAM RM 173-2016)
    PASO = "paso", _("Step")  # paso
    ACTIVITY = "activity", _("Activity")  # actividad inside a paso
    PROCEDURE_STEP = "procedure_step", _("Procedure step")  # a formal act: validation, opinion, approval


class RouteStep(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="steps")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, default="/")
    depth = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    code = models.CharField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True, default="")
    guidance = models.JSONField(_("guidance"), default=dict, blank=True)  # {"text", "difficulties", "reto"}
    deliverables = models.JSONField(_("deliverables"), default=list, blank=True)
    basis = models.JSONField(_("legal basis"), default=list, blank=True)  # [{"norm", "article", "verified"}]
    condition = models.JSONField(_("applies when"), default=dict, blank=True)  # {"option": ["value", …]}
    gate = models.BooleanField(
        _("gate"), default=False, help_text=_("Later phases cannot be completed until this is done.")
    )

    class Meta:
        ordering = ["route", "path"]
        constraints = [models.UniqueConstraint(fields=["route", "code"], name="routestep_unique_code")]
        verbose_name = _("route step")
        verbose_name_plural = _("route steps")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PlanRoute(models.Model):
    """The route a plan follows; a plan has at most one."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="route")
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="plan_routes")
    options = models.JSONField(_("options"), default=dict, blank=True)  # e.g. {"coordinating_body": "implan"}
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("plan route")
        verbose_name_plural = _("plan routes")

    def __str__(self) -> str:
        return f"{self.plan} · {self.route}"


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # not started
    IN_PROGRESS = "in_progress", _("In progress")  # work under way
    DONE = "done", _("Done")  # finished on `done_date`
    NOT_APPLICABLE = "not_applicable", _("Not applicable")  # skipped for a stated reason; leaves progress


class PlanStepState(models.Model):
    plan_route = models.ForeignKey(PlanRoute, on_delete=models.CASCADE, related_name="states")
    step = models.ForeignKey(RouteStep, on_delete=models.PROTECT, related_name="states")
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_date = models.DateField(_("done date"), null=True, blank=True)
    not_applicable_reason = models.TextField(_("why it does not apply"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_route", "step__path"]
        constraints = [
            models.UniqueConstraint(fields=["plan_route", "step"], name="planstepstate_unique_step")
        ]
        verbose_name = _("step state")
        verbose_name_plural = _("step states")

    def __str__(self) -> str:
        return f"{self.step.code} · {self.get_status_display()}"


class StepComment(models.Model):
    state = models.ForeignKey(PlanStepState, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("step comment")
        verbose_name_plural = _("step comments")

    def __str__(self) -> str:
        return self.body[:60]


class StepFile(models.Model):
    """A deliverable or supporting file attached to a step, with its SHA-256 checksum."""

    state = models.ForeignKey(PlanStepState, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to="route_steps/%Y/")
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    content_type = models.CharField(_("type"), max_length=100, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("step file")
        verbose_name_plural = _("step files")

    def __str__(self) -> str:
        return self.name


class DayUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("calendar days")  # días calendario / naturales
    BUSINESS_DAYS = "business_days", _("business days")  # días hábiles (weekends and holidays skipped)


class CountStart(models.TextChoices):
    SAME_DAY = "same_day", _("from the same day")  # the triggering day counts as day 1
    NEXT_DAY = "next_day", _("from the next day")  # day 1 is the day after the trigger


class Procedure(models.Model):
    """An approval procedure with its deadline rules, as loaded from `data/procedures.json`."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("state or region"), max_length=100, blank=True, default="")
    name = models.CharField(_("name"), max_length=300)
    version = models.CharField(_("version"), max_length=40, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    basis = models.JSONField(_("legal basis"), default=list, blank=True)
    steps = models.JSONField(_("steps"), default=list)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return self.name


class PlanProcedure(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="procedures")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="plan_procedures")
    start_date = models.DateField(_("start date"))
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "started_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "procedure"], name="planprocedure_unique_procedure")
        ]
        verbose_name = _("plan procedure")
        verbose_name_plural = _("plan procedures")

    def __str__(self) -> str:
        return f"{self.plan} · {self.procedure}"


class PlanProcedureStep(models.Model):
    """One step of a plan's procedure. The deadline rule is copied from the procedure so a plan
    may adjust a rule marked "to verify" without touching the reference data."""

    plan_procedure = models.ForeignKey(PlanProcedure, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    position = models.PositiveIntegerField(default=0)
    depends_on = models.CharField(_("counted from the completion of"), max_length=60, blank=True, default="")
    amount = models.PositiveIntegerField(_("days"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=DayUnit.choices, default=DayUnit.CALENDAR_DAYS)
    count_start = models.CharField(
        _("counting starts"), max_length=20, choices=CountStart.choices, default=CountStart.NEXT_DAY
    )
    roll_to_business_day = models.BooleanField(
        _("move a due date on a holiday to the next business day"), default=False
    )
    basis = models.JSONField(_("legal basis"), default=list, blank=True)
    consequences = models.TextField(_("consequences"), blank=True, default="")
    verified = models.BooleanField(_("rule verified against the official text"), default=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_explanation = models.JSONField(_("how the due date was computed"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True, default="")

    class Meta:
        ordering = ["plan_procedure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan_procedure", "code"], name="planprocedurestep_unique_code")
        ]
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")

    def __str__(self) -> str:
        return self.title
