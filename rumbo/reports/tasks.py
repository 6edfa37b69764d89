"""Background tasks of the reports app: the generation of a report version."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from rumbo.core.jobs import JobProgress
from rumbo.core.models import Job
from rumbo.reports.models import Report
from rumbo.reports.services import report_generate

logger = logging.getLogger(__name__)


@task()
def report_generate_task(job_id: int) -> None:
    """Generate the PDF and the DOCX of a report as a new version; the job ends with the
    version number and the download links, or failed with the reason."""
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job)
    language = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        progress.start(total=4, message=_("Reading the data…"))
        report = (
            Report.objects.select_related("plan", "period_from", "period_to", "node")
            .filter(pk=job.params.get("report_id"))
            .first()
        )
        actor = get_user_model().objects.filter(pk=job.params.get("actor_id")).first()
        if report is None:
            progress.fail(errors=[], message=_("The report no longer exists."))
            return

        def report_progress(done: int, total: int, message: str) -> None:
            progress.update(done=done, total=total, message=message, force=True)

        try:
            version = report_generate(report=report, progress=report_progress, actor=actor, job_id=job_id)
        except Exception:
            logger.exception("report generation job %s failed", job_id)
            progress.fail(
                errors=[], message=_("The report could not be generated because of an unexpected error.")
            )
            raise
        from django.urls import reverse

        progress.succeed(
            result={
                "version_id": version.pk,
                "number": version.number,
                "pdf_url": reverse("reports:version_pdf", kwargs={"version_id": version.pk}),
                "docx_url": reverse("reports:version_docx", kwargs={"version_id": version.pk}),
            },
            message=_("Version %(number)s is ready: PDF and DOCX can be downloaded from the report's page.")
            % {"number": version.number},
        )
