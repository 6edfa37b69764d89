"""Reports of the monitoring module: periodic progress reports per thematic axis, the plan's
follow-up and evaluation document, their generated versions (PDF and DOCX), and the plan's
technical and historical archive (expediente).

A report is a workflow object (draft → review → approved → published) holding the narrative
written by the responsible office; every generation writes a new `ReportVersion` with both
files and their hashes. Published versions are never overwritten: a later publication adds a
version and the earlier ones stay in the archive.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rumbo.indicators.models import Period
from rumbo.plans.models import Node, Plan


class ReportKind(models.TextChoices):
    AXIS_PROGRESS = "axis_progress", _("Progress report of an axis")  # informe periódico por eje temático
    EVALUATION = (
        "evaluation",
        _("Follow-up and evaluation document"),
    )  # documento de seguimiento / informe de evaluación


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # the responsible office writes the narrative
    REVIEW = "review", _("In review")  # sent to an approver; the narrative can still be adjusted
    APPROVED = "approved", _("Approved")  # accepted by an approver; locked, waiting for publication
    PUBLISHED = "published", _("Published")  # its latest version is published (public with the plan)


class Report(models.Model):
    """A periodic report on one axis, or the whole plan's evaluation document, for a span of periods."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reports")
    node = models.ForeignKey(
        Node, verbose_name=_("axis"), null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    period_from = models.ForeignKey(
        Period, verbose_name=_("from period"), on_delete=models.PROTECT, related_name="+"
    )
    period_to = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    responsible_office = models.CharField(_("responsible office"), max_length=200, blank=True, default="")
    analysis = models.TextField(_("analysis of the results"), blank=True, default="")
    difficulties = models.TextField(_("difficulties"), blank=True, default="")
    corrective_actions_text = models.TextField(_("corrective actions"), blank=True, default="")
    conclusions = models.TextField(_("conclusions"), blank=True, default="")
    recommendations = models.TextField(_("recommendations"), blank=True, default="")
    return_comment = models.TextField(_("comment of the approver"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "-period_to__start", "kind", "node__path"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> Period:
        """The last period covered: the one whose values the report shows."""
        return self.period_to


class ReportVersion(models.Model):
    """One generation of a report: both files as they were produced, with their hashes.

    Never changed after generation except to mark it published; publishing a newer version
    keeps the earlier published ones (the archive)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status_at_generation = models.CharField(
        _("status when generated"), max_length=12, choices=ReportStatus.choices
    )
    pdf = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    docx = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, default="")
    docx_sha256 = models.CharField(max_length=64, blank=True, default="")
    pdf_size = models.PositiveBigIntegerField(default=0)
    docx_size = models.PositiveBigIntegerField(default=0)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField(auto_now_add=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    job_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reportversion_unique_number")
        ]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class ArchiveKind(models.TextChoices):
    ACT = "act", _("Act")  # acta or legal act not recorded as a plan's legal act
    REPORT = "report", _("Report")  # a report produced outside Rumbo
    STUDY = "study", _("Study")  # technical study, diagnosis, cartography
    MINUTES = "minutes", _("Minutes")  # minutes of a meeting or workshop
    OTHER = "other", _("Other document")


class ArchiveDocument(models.Model):
    """A document of the plan's technical and historical archive (expediente), with its date."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="archive_documents")
    kind = models.CharField(_("kind"), max_length=10, choices=ArchiveKind.choices, default=ArchiveKind.OTHER)
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    file = models.FileField(_("file"), upload_to="archive/%Y/", blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-date"]
        verbose_name = _("archive document")
        verbose_name_plural = _("archive documents")

    def __str__(self) -> str:
        return self.title
