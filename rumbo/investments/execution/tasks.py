"""Background task of the execution area: the budget-execution import, reported on its Job."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tasks import task

from rumbo.core.jobs import JobProgress
from rumbo.core.models import Job
from rumbo.investments.execution.imports import (
    ExecutionImportError,
    execution_import_errors_message,
    execution_import_run_job,
)

logger = logging.getLogger(__name__)


@task()
def execution_import_task(job_id: int) -> None:
    """Run a confirmed budget-execution import: the job ends succeeded with the counts, or failed
    with the row errors and nothing written."""
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job)
    progress.start(message=_("Reading the file…"))

    def report(phase: str, done: int, total: int) -> None:
        if phase == "check":
            progress.update(
                done=done, total=total, message=_("Checking the rows: %(done)s…") % {"done": done}
            )
        else:
            progress.update(
                done=done,
                total=total,
                force=True,
                message=_("Writing %(total)s rows in one transaction…") % {"total": total},
            )

    try:
        result = execution_import_run_job(job=job, progress=report)
    except ExecutionImportError as exc:
        progress.fail(errors=[e.as_dict() for e in exc.errors], message=execution_import_errors_message(exc))
        return
    except PermissionDenied:
        progress.fail(errors=[], message=_("You may not report data for this entity; nothing was imported."))
        return
    except Exception:
        logger.exception("execution import job %s failed", job_id)
        progress.fail(
            errors=[], message=_("The import stopped because of an unexpected error; nothing was imported.")
        )
        raise
    progress.update(done=result.rows, total=result.rows, force=True)
    progress.succeed(result=result.as_dict(), message=result.as_dict()["lines"][0])
