"""Background task of the execution area: the budget-execution import, reported on its Job."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from rumbo.core.jobs import JobProgress
from rumbo.core.models import Job
from rumbo.core.tabular import import_job_run, phase_reporter
from rumbo.investments.execution.imports import (
    ExecutionImportResult,
    execution_import_run_job,
)


def _run(job: Job, progress: JobProgress) -> ExecutionImportResult:
    result = execution_import_run_job(job=job, progress=phase_reporter(progress))
    progress.update(done=result.rows, total=result.rows, force=True)
    return result


@task()
def execution_import_task(job_id: int) -> None:
    """Run a confirmed budget-execution import: the job ends succeeded with the counts, or failed
    with the row errors and nothing written."""
    import_job_run(
        job_id,
        run=_run,
        result_dict=ExecutionImportResult.as_dict,
        summary=lambda result: result.as_dict()["lines"][0],
        denied_message=_("You may not report data for this entity; nothing was imported."),
    )
