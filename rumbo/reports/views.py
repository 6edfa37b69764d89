"""Pages of the reports app: a plan's reports, one report (narrative, workflow, versions),
permission-checked downloads, and the plan's archive. Views parse, call a service or a
selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.http import HtmxHttpRequest
from rumbo.indicators.periods import period_get_or_create
from rumbo.plans.gatekeepers import plan_or_404
from rumbo.reports import services
from rumbo.reports.forms import ArchiveDocumentForm, NarrativeForm, ReportCreateForm, ReturnForm
from rumbo.reports.models import Report, ReportStatus, ReportVersion
from rumbo.reports.selectors import (
    archive_document_get_for_user,
    plan_archive,
    plan_axes,
    report_get_for_user,
    report_versions_for_user,
    reports_for_plan,
    version_get_for_download,
)


def _report_or_404(request: HtmxHttpRequest, report_id: int) -> Report:
    report = report_get_for_user(report_id=report_id, user=request.user)
    if report is None:
        raise Http404
    return report


def _errors(form: object, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)  # type: ignore[attr-defined]
    else:
        for message in exc.messages:
            form.add_error(None, message)  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def plan_reports(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    access = user_access(request.user)
    can_create = access.can(plan.entity_id, Capability.REPORT_DATA)
    form = ReportCreateForm(request.POST or None, axes=plan_axes(plan=plan))
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                period_to = period_get_or_create(data["period_to"])
                period_from = period_get_or_create(data["period_from"]) if data["period_from"] else period_to
                report = services.report_create(
                    actor=request.user,
                    plan=plan,
                    kind=data["kind"],
                    node=data["node"],
                    period_from=period_from,
                    period_to=period_to,
                    title=data["title"],
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Report created. Write its narrative and generate it."))
                return redirect("reports:report", report_id=report.pk)
    return render(
        request,
        "reports/plan_reports.html",
        {
            "plan": plan,
            "reports": reports_for_plan(plan=plan, user=request.user),
            "form": form,
            "can_create": can_create,
            "can_view_private": access.can(plan.entity_id, Capability.VIEW_PRIVATE),
        },
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def report_detail(request: HtmxHttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(request, report_id)
    access = user_access(request.user)
    entity_id = report.plan.entity_id
    can_edit = access.can(entity_id, Capability.REPORT_DATA) and report.status in services.EDITABLE_STATUSES
    initial = {name: getattr(report, name) for name in services.NARRATIVE_FIELDS}
    form = NarrativeForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.report_update_narrative(actor=request.user, report=report, **form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Narrative saved."))
                return redirect("reports:report", report_id=report.pk)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "plan": report.plan,
            "form": form,
            "return_form": ReturnForm(),
            "versions": report_versions_for_user(report=report, user=request.user),
            "can_edit": can_edit,
            "can_submit": access.can(entity_id, Capability.REPORT_DATA)
            and report.status == ReportStatus.DRAFT,
            "can_approve": access.can(entity_id, Capability.APPROVE) and report.status == ReportStatus.REVIEW,
            "can_publish": access.can(entity_id, Capability.PUBLISH)
            and report.status == ReportStatus.APPROVED,
            "can_generate": services.report_can_generate(user=request.user, report=report),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def report_workflow(request: HtmxHttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(request, report_id)
    action = request.POST.get("action", "")
    try:
        if action == "submit":
            services.report_submit_for_review(actor=request.user, report=report)
            messages.success(request, _("Report sent for review."))
        elif action == "approve":
            services.report_approve(actor=request.user, report=report)
            messages.success(request, _("Report approved."))
        elif action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say what has to be changed."))
            services.report_return(actor=request.user, report=report, comment=form.cleaned_data["comment"])
            messages.success(request, _("Report returned to draft."))
        elif action == "publish":
            job = services.report_publish(actor=request.user, report=report)
            return redirect("job", job_id=job.pk)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reports:report", report_id=report.pk)


@login_required
@require_POST
def report_generate_view(request: HtmxHttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(request, report_id)
    job = services.report_generate_start(actor=request.user, report=report)
    return redirect("job", job_id=job.pk)


def _download(version: ReportVersion | None, which: str) -> FileResponse:
    if version is None:
        raise Http404
    field = version.pdf if which == "pdf" else version.docx
    if not field:
        raise Http404
    name = f"informe-{version.report_id}-v{version.number}.{which}"
    content_type = (
        "application/pdf"
        if which == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return FileResponse(
        field.open("rb"), as_attachment=which == "docx", filename=name, content_type=content_type
    )


@require_GET
def version_pdf(request: HtmxHttpRequest, version_id: int) -> FileResponse:
    return _download(version_get_for_download(version_id=version_id, user=request.user), "pdf")


@require_GET
def version_docx(request: HtmxHttpRequest, version_id: int) -> FileResponse:
    return _download(version_get_for_download(version_id=version_id, user=request.user), "docx")


@require_http_methods(["GET", "POST"])
def archive(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    can_add = user_access(request.user).can(plan.entity_id, Capability.EDIT_PLAN)
    form = ArchiveDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.archive_document_add(
                    actor=request.user,
                    plan=plan,
                    kind=data["kind"],
                    title=data["title"],
                    date=data["date"],
                    file=data.get("file") or None,
                    url=data.get("url") or "",
                    notes=data.get("notes") or "",
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Document added to the archive."))
                return redirect("reports:archive", plan_id=plan.pk)
    return render(
        request,
        "reports/archive.html",
        {
            "plan": plan,
            "entries": plan_archive(plan=plan, user=request.user),
            "form": form,
            "can_add": can_add,
        },
        status=422 if form.errors else 200,
    )


@require_GET
def archive_file(request: HtmxHttpRequest, document_id: int) -> FileResponse:
    document = archive_document_get_for_user(document_id=document_id, user=request.user)
    if document is None or not document.file:
        raise Http404
    return FileResponse(
        document.file.open("rb"), filename=(document.file.name or "documento").rsplit("/", 1)[-1]
    )
