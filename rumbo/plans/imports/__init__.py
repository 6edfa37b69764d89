"""Import of a whole plan structure from XLSX, CSV or JSON (the format of rumbo.plans.exports).

Three steps, so a background job can report progress between them and a page can preview:
`plan_import_parse` reads the file into rows, `plan_import_validate` checks every row against
the plan and collects every error, and `plan_import_apply` writes it all in one transaction or
nothing. Nodes are matched by code: codes already in the plan are updated, new codes created,
and nodes of the plan missing from the file are left alone. See docs/import-format.md.

The package: `results` (columns, what is read and answered), `reading` (the file into rows, through
rumbo.core.tabular), `checking` and `structure` (every row against the plan), `writing` (one
transaction), `messages` (what the result and the errors say).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, require
from rumbo.core.jobs import job_enqueue
from rumbo.core.models import Job
from rumbo.core.tabular import import_job_keep
from rumbo.core.uploads import upload_check
from rumbo.plans.imports.checking import plan_import_validate
from rumbo.plans.imports.messages import plan_import_errors_message, plan_import_summary
from rumbo.plans.imports.reading import plan_import_parse
from rumbo.plans.imports.results import (
    COLUMNS,
    JOB_KIND,
    ImportPlan,
    ImportResult,
    ParsedFile,
    ParsedLevel,
    ParsedRow,
    PlanImportError,
)
from rumbo.plans.imports.writing import plan_import_apply
from rumbo.plans.models import Plan

__all__ = [
    "COLUMNS",
    "JOB_KIND",
    "ImportPlan",
    "ImportResult",
    "ParsedFile",
    "ParsedLevel",
    "ParsedRow",
    "PlanImportError",
    "plan_import",
    "plan_import_apply",
    "plan_import_errors_message",
    "plan_import_parse",
    "plan_import_start",
    "plan_import_summary",
    "plan_import_validate",
]


def plan_import(*, actor: Any, plan: Plan, data: bytes, filename: str) -> ImportResult:
    """Parse, validate and apply in one call; raises PlanImportError with every row error."""
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    parsed = plan_import_parse(data=data, filename=filename)
    import_plan = plan_import_validate(plan=plan, parsed=parsed)
    if import_plan.errors:
        raise PlanImportError(import_plan.errors)
    return plan_import_apply(actor=actor, plan=plan, import_plan=import_plan)


def plan_import_start(*, actor: Any, plan: Plan, uploaded_file: UploadedFile[Any]) -> Job:
    """Queue an import as a background job (kind "plan_import") and return the job to poll.

    Checks permission and size now; the task runs after the commit and reports row errors on
    the job.
    """
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    upload_check(uploaded_file)  # UploadRefused (a ValidationError) for the form to show

    with transaction.atomic():
        job = import_job_keep(
            kind=JOB_KIND,
            title=lambda name: _("Import of %(file)s into %(plan)s") % {"file": name, "plan": plan.name},
            actor=actor,
            entity_id=plan.entity_id,
            uploaded_file=uploaded_file,
            default_name="import",
            params={"plan_id": plan.pk, "return_url": reverse("plans:detail", kwargs={"plan_id": plan.pk})},
        )
        job_enqueue("rumbo.plans.tasks.plan_import_task", job.pk)
    return job
