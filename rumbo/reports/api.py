"""API: reports of a plan, one report with its versions, and generation (with a token)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.plans.selectors import plan_get_for_user
from rumbo.reports.models import Report, ReportVersion
from rumbo.reports.selectors import report_get_for_user, report_versions_for_user, reports_for_plan
from rumbo.reports.services import report_generate_start

router = Router(tags=["reports"])
token_auth = ApiTokenAuth()


class ReportOut(Schema):
    id: int
    plan_id: int
    kind: str
    node_id: int | None
    node_code: str | None
    period_from: str
    period_to: str
    title: str
    status: str
    responsible_office: str


class VersionOut(Schema):
    id: int
    number: int
    status_at_generation: str
    generated_at: datetime
    is_published: bool
    published_at: datetime | None
    pdf_url: str
    docx_url: str
    pdf_sha256: str
    docx_sha256: str
    pdf_size: int
    docx_size: int


class ReportDetailOut(ReportOut):
    analysis: str
    difficulties: str
    corrective_actions_text: str
    conclusions: str
    recommendations: str
    versions: list[VersionOut]


class JobOut(Schema):
    job_id: int
    status: str
    job_url: str


def _report_out(report: Report) -> dict[str, object]:
    return {
        "id": report.pk,
        "plan_id": report.plan_id,
        "kind": report.kind,
        "node_id": report.node_id,
        "node_code": report.node.code if report.node else None,
        "period_from": report.period_from.code,
        "period_to": report.period_to.code,
        "title": report.title,
        "status": report.status,
        "responsible_office": report.responsible_office,
    }


def _version_out(request: HttpRequest, v: ReportVersion) -> dict[str, object]:
    from django.urls import reverse

    return {
        "id": v.pk,
        "number": v.number,
        "status_at_generation": v.status_at_generation,
        "generated_at": v.generated_at,
        "is_published": v.is_published,
        "published_at": v.published_at,
        "pdf_url": request.build_absolute_uri(reverse("reports:version_pdf", kwargs={"version_id": v.pk})),
        "docx_url": request.build_absolute_uri(reverse("reports:version_docx", kwargs={"version_id": v.pk})),
        "pdf_sha256": v.pdf_sha256,
        "docx_sha256": v.docx_sha256,
        "pdf_size": v.pdf_size,
        "docx_size": v.docx_size,
    }


@router.get("/plans/{plan_id}/reports", response=list[ReportOut])
def list_reports(request: HttpRequest, plan_id: int) -> list[dict[str, object]]:
    """The plan's reports (published ones only for the public), newest period first."""
    user = api_reader(request)
    plan = plan_get_for_user(plan_id=plan_id, user=user)
    if plan is None:
        raise HttpError(404, "Not found")
    return [_report_out(r) for r in reports_for_plan(plan=plan, user=user)]


@router.get("/reports/{report_id}", response=ReportDetailOut)
def get_report(request: HttpRequest, report_id: int) -> dict[str, object]:
    """One report with its narrative and its versions (download links included)."""
    user = api_reader(request)
    report = report_get_for_user(report_id=report_id, user=user)
    if report is None:
        raise HttpError(404, "Not found")
    out = _report_out(report)
    out.update(
        {
            name: getattr(report, name)
            for name in (
                "analysis",
                "difficulties",
                "corrective_actions_text",
                "conclusions",
                "recommendations",
            )
        }
    )
    out["versions"] = [_version_out(request, v) for v in report_versions_for_user(report=report, user=user)]
    return out


@router.post("/reports/{report_id}/generate", response={202: JobOut}, auth=token_auth)
def generate_report(request: HttpRequest, report_id: int) -> tuple[int, dict[str, object]]:
    """Queue the generation of a new version (PDF and DOCX); poll the job for the result."""
    from django.urls import reverse

    report = report_get_for_user(report_id=report_id, user=request.auth)  # type: ignore[attr-defined]
    if report is None:
        raise HttpError(404, "Not found")
    job = report_generate_start(actor=request.auth, report=report)  # type: ignore[attr-defined]
    job.refresh_from_db()
    return 202, {"job_id": job.pk, "status": job.status, "job_url": reverse("job", kwargs={"job_id": job.pk})}
