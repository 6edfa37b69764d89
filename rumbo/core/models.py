"""Domain-free building blocks: audit events and background jobs with progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATED = "created", _("created")  # the object came into existence
    UPDATED = "updated", _("updated")  # one or more fields changed; `changes` holds before/after
    DELETED = "deleted", _("deleted")  # the object was removed; `changes` holds its last state
    MOVED = "moved", _("moved")  # a tree node changed parent or position
    IMPORTED = "imported", _("imported")  # written by a bulk import; `message` summarises it
    GRANTED = "granted", _("granted")  # an access right was given
    REVOKED = "revoked", _("revoked")  # an access right was taken away


class AuditEvent(models.Model):
    """One change to one object: who, when, what, before and after.

    Written in the same transaction as the change by `rumbo.core.audit.audit_record`.
    `entity_id` scopes the event to a tenant so histories can be filtered by permission.
    """

    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entity_id = models.BigIntegerField(_("entity"), null=True, blank=True, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300)
    # Lets a plan's history include its nodes, acts and links without a join per type.
    scope_type = models.CharField(max_length=40, blank=True, default="")
    scope_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    changes: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["scope_type", "scope_id", "occurred_at"]),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")  # waiting for the worker
    RUNNING = "running", _("running")  # the worker is on it; progress is updated
    SUCCEEDED = "succeeded", _("succeeded")  # finished; `result` holds the outcome
    FAILED = "failed", _("failed")  # finished with errors; nothing was written


class Job(models.Model):
    """A long piece of work run by the background worker, with progress a page can poll.

    The job row is written outside the work's own transaction so progress is visible while
    the work runs and survives a rollback of the work itself.
    """

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, default="")
    params: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    result: models.JSONField[dict[str, Any]] = models.JSONField(default=dict, blank=True)
    errors: models.JSONField[list[dict[str, Any]]] = models.JSONField(default=list, blank=True)
    input_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entity_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # the worker process running it (rumbo.core.worker): a job whose worker stopped beating is
    # marked failed instead of showing "running" for ever
    worker_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class ScheduledRun(models.Model):
    """When a daily piece of upkeep (backup, cleaning) was last enqueued: one row per name, so
    that several workers enqueue it once between them."""

    name = models.CharField(max_length=60, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")

    def __str__(self) -> str:
        return self.name


class ImportMapping(models.Model):
    """Which column of an entity's files holds each column an importer reads, chosen once by a
    person and offered again for the next file of the same kind:
    {"project_code": "Código BPIN", "period": "Periodo", …} (column name → header as written)."""

    entity_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(_("kind"), max_length=60)  # the import job's kind
    mapping: models.JSONField[dict[str, str]] = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity_id", "kind"], name="import_mapping_unique")]
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")

    def __str__(self) -> str:
        return f"{self.kind} · {self.entity_id}"
