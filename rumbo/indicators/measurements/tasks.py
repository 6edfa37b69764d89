"""Background task of the measurements area: the bulk import, reported on its Job."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from rumbo.core.jobs import JobProgress
from rumbo.core.models import Job
from rumbo.core.tabular import import_job_run, phase_reporter
from rumbo.indicators.measurements.imports import (
    ImportResult,
    measurement_import_run_job,
    measurement_import_summary,
)


def _run(job: Job, progress: JobProgress) -> ImportResult:
    return measurement_import_run_job(job=job, progress=phase_reporter(progress))


@task()
def measurement_import_task(job_id: int) -> None:
    """Run a confirmed measurement import: the job ends succeeded with the counts, or failed with
    the row errors and nothing written."""
    import_job_run(
        job_id,
        run=_run,
        result_dict=ImportResult.as_dict,
        summary=measurement_import_summary,
        denied_message=_("You may not enter data in this plan; nothing was imported."),
    )
