"""Background tasks of the plans app. Each one loads its Job, calls services and reports on the job."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tasks import task

from rumbo.core.jobs import JobProgress
from rumbo.core.models import Job
from rumbo.plans.imports import (
    PlanImportError,
    plan_import_apply,
    plan_import_errors_message,
    plan_import_parse,
    plan_import_summary,
    plan_import_validate,
)
from rumbo.plans.models import Plan

logger = logging.getLogger(__name__)


@task()
def plan_import_task(job_id: int) -> None:
    """Run a queued plan import: parse, validate, apply; the job ends succeeded with the counts
    or failed with every row error (and nothing written)."""
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job)
    progress.start(message=_("Reading the file…"))
    params = job.params
    plan = Plan.objects.select_related("entity").filter(pk=params.get("plan_id")).first()
    actor = get_user_model().objects.filter(pk=params.get("actor_id")).first()
    filename = str(params.get("filename") or job.input_file.name or "import")
    try:
        if plan is None:
            raise PermissionDenied("plan")
        with job.input_file.open("rb") as handle:
            data = handle.read()
        parsed = plan_import_parse(data=data, filename=filename)
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

        result = plan_import_apply(actor=actor, plan=plan, import_plan=import_plan, progress=report)
    except PlanImportError as exc:
        progress.fail(
            errors=[e.as_dict() for e in exc.errors], message=plan_import_errors_message(exc.errors)
        )
        return
    except PermissionDenied:
        progress.fail(errors=[], message=_("You may not edit this plan's tree; nothing was imported."))
        return
    except Exception:
        logger.exception("plan import job %s failed", job_id)
        progress.fail(
            errors=[], message=_("The import stopped because of an unexpected error; nothing was imported.")
        )
        raise
    progress.succeed(result=result.as_dict(), message=plan_import_summary(result, filename=filename))
