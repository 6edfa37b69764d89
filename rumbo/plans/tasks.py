"""Background tasks of the plans app. Each one loads its Job, calls services and reports on the job."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django_tasks import task

from rumbo.core.jobs import JobProgress
from rumbo.core.models import Job
from rumbo.core.tabular import import_job_run
from rumbo.plans.imports import (
    ImportResult,
    PlanImportError,
    plan_import_apply,
    plan_import_job_plan,
    plan_import_parse,
    plan_import_summary,
    plan_import_validate,
)

logger = logging.getLogger(__name__)


def _run_import(job: Job, progress: JobProgress) -> ImportResult:
    actor = get_user_model().objects.filter(pk=job.params.get("actor_id")).first()
    plan = plan_import_job_plan(actor=actor, job=job)
    with job.input_file.open("rb") as handle:
        data = handle.read()
    parsed = plan_import_parse(data=data, filename=_filename(job), mapping=job.params.get("mapping"))
    progress.update(
        done=0,
        total=len(parsed.rows),
        force=True,
        message=_("Checking %(count)s rows…") % {"count": len(parsed.rows)},
    )
    import_plan = plan_import_validate(plan=plan, parsed=parsed)
    if import_plan.errors:
        raise PlanImportError(import_plan.errors)
    progress.update(done=0, total=len(parsed.rows), force=True, message=_("Writing the plan's tree…"))

    def report(done: int, total: int) -> None:
        progress.update(done=done, total=total)

    return plan_import_apply(actor=actor, plan=plan, import_plan=import_plan, progress=report)


def _filename(job: Job) -> str:
    return str(job.params.get("filename") or job.input_file.name or "import")


@task()
def plan_import_task(job_id: int) -> None:
    """Run a queued plan import: parse, validate, apply; the job ends succeeded with the counts
    or failed with every row error (and nothing written)."""
    job = Job.objects.get(pk=job_id)
    import_job_run(
        job_id,
        run=_run_import,
        result_dict=ImportResult.as_dict,
        summary=lambda result: plan_import_summary(result, filename=_filename(job)),
        denied_message=_("You may not edit this plan's tree; nothing was imported."),
    )
