"""Background task of the programming area: the investment plan's PDF and XLSX, reported on its Job.

The files are written under MEDIA_ROOT/investments/plans/<plan id>/<job id>.<ext> and served only
through the permission-checked download view."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from rumbo.core.jobs import JobProgress
from rumbo.core.models import Job
from rumbo.investments.models import InvestmentPlan
from rumbo.investments.programming.documents import (
    document_path,
    investment_plan_pdf,
    investment_plan_xlsx,
    plan_document_content,
)

logger = logging.getLogger(__name__)


@task()
def investment_plan_documents_task(job_id: int) -> None:
    """Build the XLSX then the PDF of the plan; the job ends with both files' formats."""
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job)
    progress.start(total=3, message=_("Reading the plan…"))
    try:
        plan = InvestmentPlan.objects.select_related("entity", "plan").get(
            pk=job.params["investment_plan_id"]
        )
        content = plan_document_content(investment_plan=plan)
        progress.update(done=1, message=_("Writing the spreadsheet…"), force=True)
        xlsx = document_path(investment_plan_id=plan.pk, job_id=job.pk, fmt="xlsx")
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        xlsx.write_bytes(investment_plan_xlsx(content=content))
        progress.update(done=2, message=_("Writing the PDF…"), force=True)
        document_path(investment_plan_id=plan.pk, job_id=job.pk, fmt="pdf").write_bytes(
            investment_plan_pdf(content=content)
        )
    except Exception:
        logger.exception("investment plan documents job %s failed", job_id)
        progress.fail(
            errors=[], message=_("The documents could not be generated because of an unexpected error.")
        )
        raise
    progress.succeed(
        result={"formats": ["pdf", "xlsx"], "lines": [_("PDF and spreadsheet ready to download.")]},
        message=_("Documents ready."),
    )
