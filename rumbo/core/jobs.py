"""Background jobs with progress: create the row, report progress, finish.

Each app defines its own django-tasks task that receives a job id and uses these functions.
Progress writes are throttled and are plain autocommit updates, so a page polling the job
sees them while the work runs.

Dependencies run one way (ADR 0013): a task module imports its services; a service never
imports a task module, it enqueues the task by its dotted name with `job_enqueue`. An
import-linter contract in `make lint` forbids the other direction.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from rumbo.core.models import Job, JobStatus


def job_enqueue(task_name: str, job_id: int) -> None:
    """Queue the task named `task_name` (e.g. "rumbo.plans.tasks.plan_import_task") for a job once
    the current transaction commits, so that the worker never reads a job that is not there yet.
    Outside a transaction it is queued at once."""

    def enqueue() -> None:
        import_string(task_name).enqueue(job_id)

    transaction.on_commit(enqueue)


# set by `manage.py rumbo_worker` for the tasks it runs (rumbo.core.worker)
WORKER_ID_ENV = "RUMBO_WORKER_ID"


def job_create(
    *,
    kind: str,
    title: str,
    created_by: Any,
    entity_id: int | None,
    params: dict[str, Any] | None = None,
) -> Job:
    """A queued job row; the caller enqueues the task that runs it after the commit."""
    return Job.objects.create(
        kind=kind,
        title=title,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        entity_id=entity_id,
        params=params or {},
    )


class JobProgress:
    """Reports progress of a running job at most every `interval` seconds."""

    def __init__(self, job: Job, *, interval: float = 0.5) -> None:
        self.job = job
        self.interval = interval
        self._last = 0.0

    def start(self, *, total: int = 0, message: str = "") -> None:
        Job.objects.filter(pk=self.job.pk).update(
            status=JobStatus.RUNNING,
            started_at=timezone.now(),
            progress_total=total,
            progress_done=0,
            message=message,
            worker_id=os.environ.get(WORKER_ID_ENV, ""),
        )

    def update(
        self, *, done: int, total: int | None = None, message: str | None = None, force: bool = False
    ) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        if transaction.get_connection().in_atomic_block and not force:
            # Inside the work's transaction an update would stay invisible until commit
            # (and on SQLite would hold the write lock): skip, the next one outside counts.
            return
        self._last = now
        fields: dict[str, Any] = {"progress_done": done}
        if total is not None:
            fields["progress_total"] = total
        if message is not None:
            fields["message"] = message
        Job.objects.filter(pk=self.job.pk).update(**fields)

    def succeed(self, *, result: dict[str, Any], message: str = "") -> None:
        Job.objects.filter(pk=self.job.pk).update(
            status=JobStatus.SUCCEEDED,
            finished_at=timezone.now(),
            result=result,
            message=message,
        )

    def fail(self, *, errors: list[dict[str, Any]], message: str) -> None:
        Job.objects.filter(pk=self.job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            errors=errors,
            message=message,
        )


def job_get_for_user(*, job_id: int, user: Any) -> Job | None:
    """The job if this user started it (or is a superuser); None for missing and forbidden alike."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return None
    if getattr(user, "is_superuser", False) or (user.is_authenticated and job.created_by_id == user.pk):
        return job
    return None
