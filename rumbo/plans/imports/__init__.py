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
from django.urls import reverse
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, require
from rumbo.core.models import Job
from rumbo.core.tabular import (
    FileInfo,
    ImportPreview,
    PreviewRow,
    import_job_confirm,
    import_job_keep,
    import_job_target,
    job_opener,
    job_table_preview,
)
from rumbo.core.tabular.flow import PREVIEW_ROWS
from rumbo.core.uploads import upload_check
from rumbo.plans.exports import NODES_SHEET
from rumbo.plans.imports.checking import plan_import_validate
from rumbo.plans.imports.messages import plan_import_summary
from rumbo.plans.imports.reading import is_json, plan_import_parse
from rumbo.plans.imports.results import (
    COLUMNS,
    JOB_KIND,
    ImportPlan,
    ImportResult,
    ParsedFile,
    ParsedLevel,
    ParsedRow,
    PlanImportError,
    _cell_text,
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
    "plan_import_confirm",
    "plan_import_job_plan",
    "plan_import_job_preview",
    "plan_import_parse",
    "plan_import_start",
    "plan_import_summary",
    "plan_import_upload",
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


def plan_import_upload(*, actor: Any, plan: Plan, uploaded_file: UploadedFile[Any]) -> Job:
    """Keep an uploaded file as an import job not started yet (params.confirmed false), for the
    preview. Checks permission and the upload policy (UploadRefused, a ValidationError)."""
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    upload_check(uploaded_file)
    return import_job_keep(
        kind=JOB_KIND,
        actor=actor,
        target=plan,
        uploaded_file=uploaded_file,
        title=lambda name: _("Import of %(file)s into %(plan)s") % {"file": name, "plan": plan.name},
        return_url=reverse("plans:detail", kwargs={"plan_id": plan.pk}),
    )


def plan_import_job_plan(*, actor: Any, job: Job) -> Plan:
    """The plan of an import job the actor started and whose tree the actor may still edit."""
    plan: Plan = import_job_target(
        actor=actor, job=job, kind=JOB_KIND, queryset=Plan.objects.select_related("entity"), param="plan_id"
    )
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    return plan


def plan_import_job_preview(*, actor: Any, job: Job, mapping: dict[str, str] | None = None) -> ImportPreview:
    """What the import would read: a table's settings, its column mapping (`mapping`, or the one
    suggested from the entity's last file and the usual names) and first rows; a JSON file's
    nodes (their names are fixed: no mapping). Rows are checked against the tree by the job."""
    plan_import_job_plan(actor=actor, job=job)
    filename, size = str(job.params.get("filename") or "import"), job.input_file.size
    opener = job_opener(job)
    with opener() as handle:
        head = handle.read(4096)
    if is_json(head, filename):
        with opener() as handle:
            parsed = plan_import_parse(data=handle.read(), filename=filename)
        columns = [(c, parsed.headers.get(c.name, "")) for c in COLUMNS.columns]
        names = [c.name for c, header in columns if header]
        return ImportPreview(
            info=FileInfo(format="json", filename=filename, size=size, estimated_rows=len(parsed.rows)),
            headers=list(parsed.headers.values()),
            columns=columns,
            ignored=parsed.ignored_columns,
            rows=[
                PreviewRow(r.row, [_cell_text(r.values.get(n)) for n in names], [])
                for r in parsed.rows[:PREVIEW_ROWS]
            ],
            errors=parsed.errors,
            mappable=False,
        )
    return job_table_preview(
        job, columns=COLUMNS, error_class=PlanImportError, chosen=mapping, sheets=(NODES_SHEET,)
    )


def plan_import_confirm(*, actor: Any, job: Job, mapping: dict[str, str] | None = None) -> Job:
    """Start an uploaded import (with the person's column mapping, remembered for the entity);
    the task is queued when the transaction commits."""
    plan_import_job_plan(actor=actor, job=job)
    return import_job_confirm(
        actor=actor,
        job=job,
        task="rumbo.plans.tasks.plan_import_task",
        columns=COLUMNS if mapping is not None else None,
        mapping=mapping,
    )


def plan_import_start(*, actor: Any, plan: Plan, uploaded_file: UploadedFile[Any]) -> Job:
    """Upload and start at once (no preview; columns by their names), e.g. from the API.
    Checks permission and size now; the task runs after the commit and reports row errors on
    the job."""
    job = plan_import_upload(actor=actor, plan=plan, uploaded_file=uploaded_file)
    return plan_import_confirm(actor=actor, job=job)
