"""Pages of the execution area: a project's execution (public for accepted projects; forms for
whoever reports data), the budget-execution import, the map of projects and the plan dashboard's
execution panel. Views parse, call a service or selector, and render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.forms import form_add_validation_error
from rumbo.core.import_views import ImportPage, import_page
from rumbo.indicators.models import Period
from rumbo.investments.execution import forms, selectors, services
from rumbo.investments.execution.imports import (
    JOB_KIND,
    execution_import_confirm,
    execution_import_job_preview,
    execution_import_upload,
)
from rumbo.investments.execution.rollup import plan_execution_rollup
from rumbo.investments.gatekeepers import entity_or_404, entity_private_or_404, project_or_404
from rumbo.investments.models import Project, ProjectMilestone
from rumbo.plans.models import Plan
from rumbo.plans.selectors import plan_get_for_user

_FORMS = {
    "record_form": forms.ExecutionRecordForm,
    "milestone_form": forms.MilestoneForm,
    "contract_form": forms.ContractForm,
    "evidence_form": forms.EvidenceForm,
}


def _page(request: HttpRequest, project: Project, **bound: Any) -> HttpResponse:
    access = user_access(request.user)
    context: dict[str, Any] = {
        "project": project,
        "execution": selectors.project_execution(project=project),
        "can_report": access.can(project.entity_id, Capability.REPORT_DATA),
        "done_form": forms.MilestoneDoneForm(initial={"done_on": datetime.date.today()}),
    }
    for name, form_class in _FORMS.items():
        context[name] = bound.get(name) or form_class()
    return render(request, "investments/execution/project_execution.html", context)


@require_GET
def project_execution(request: HttpRequest, project_id: int) -> HttpResponse:
    return _page(request, project_or_404(request, project_id))


@login_required
@require_POST
def execution_record(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.REPORT_DATA)
    form = forms.ExecutionRecordForm(request.POST)
    if form.is_valid():
        try:
            result = services.execution_record_set(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            for warning in result.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Execution of %(period)s saved.") % {"period": result.record.period})
            return redirect("investments:project_execution", project_id=project.pk)
    return _page(request, project, record_form=form)


@login_required
@require_POST
def milestone_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.REPORT_DATA)
    form = forms.MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(reverse("investments:project_execution", args=[project.pk]) + "#hitos")
    return _page(request, project, milestone_form=form)


@login_required
@require_POST
def milestone_done(request: HttpRequest, project_id: int, milestone_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.REPORT_DATA)
    milestone = get_object_or_404(ProjectMilestone, pk=milestone_id, project=project)
    form = forms.MilestoneDoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_done(
                actor=request.user, milestone=milestone, done_on=form.cleaned_data["done_on"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("investments:project_execution", args=[project.pk]) + "#hitos")


@login_required
@require_POST
def contract_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.REPORT_DATA)
    form = forms.ContractForm(request.POST)
    if form.is_valid():
        try:
            services.contract_add(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(reverse("investments:project_execution", args=[project.pk]) + "#contratos")
    return _page(request, project, contract_form=form)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.REPORT_DATA)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.project_evidence_add(
                actor=request.user,
                project=project,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
                period=form.cleaned_data["period"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(reverse("investments:project_execution", args=[project.pk]) + "#evidencias")
    return _page(request, project, evidence_form=form)


@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    """Serve a photo or document after the visibility check (never a bare /media/ link)."""
    evidence = selectors.project_evidence_get_for_user(evidence_id=evidence_id, user=request.user)
    if evidence is None or not evidence.file:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=evidence.content_type not in (*services.IMAGE_TYPES, "application/pdf"),
        filename=evidence.original_name or "evidencia",
    )
    response["Content-Type"] = evidence.content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- the budget-execution import ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def execution_import(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id, Capability.REPORT_DATA)
    actor = request.user
    page = ImportPage(
        kind=JOB_KIND,
        title=_("Import budget execution"),
        intro_template="investments/execution/_import_intro.html",
        back_url=reverse("investments:entity_home", kwargs={"entity_id": entity.pk}),
        back_label=entity.name,
        accept=".csv,.xlsx,.txt",
        file_label=_("CSV or XLSX file"),
        upload=lambda f: execution_import_upload(actor=actor, entity=entity, uploaded_file=f),
        preview=lambda job, mapping: execution_import_job_preview(actor=actor, job=job, mapping=mapping),
        confirm=lambda job, mapping: execution_import_confirm(actor=actor, job=job, mapping=mapping),
        owns=lambda job: job.entity_id == entity.pk,
        recent=lambda jobs: jobs.filter(entity_id=entity.pk),
        context={"entity": entity},
    )
    return import_page(request, page)


@login_required
@require_GET
def execution_import_map(request: HttpRequest, entity_id: int, job_id: int) -> HttpResponse:
    """The former address of the mapping step: the preview of the same job."""
    entity = entity_private_or_404(request, entity_id, Capability.REPORT_DATA)
    url = reverse("investments:execution_import", kwargs={"entity_id": entity.pk})
    return redirect(f"{url}?job={job_id}")


# --- the map ------------------------------------------------------------------------------------


def _map_plan(request: HttpRequest, entity_id: int) -> Plan | None:
    raw = request.GET.get("plan", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    plan = plan_get_for_user(plan_id=int(raw), user=request.user)
    if plan is None or plan.entity_id != entity_id:
        raise Http404
    return plan


@require_GET
def project_map(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_or_404(request, entity_id)
    plan = _map_plan(request, entity.pk)
    data = selectors.entity_project_map(user=request.user, entity=entity, plan=plan)
    geojson_url = reverse("investments:map_geojson", args=[entity.pk])
    if plan is not None:
        geojson_url += f"?plan={plan.pk}"
    return render(
        request,
        "investments/execution/map.html",
        {"entity": entity, "plan": plan, "map": data, "geojson_url": geojson_url},
    )


@require_GET
def map_geojson(request: HttpRequest, entity_id: int) -> JsonResponse:
    entity = entity_or_404(request, entity_id)
    data = selectors.entity_project_map(user=request.user, entity=entity, plan=_map_plan(request, entity.pk))
    return JsonResponse({"boundaries": data.boundaries, "projects": data.projects})


# --- the plan dashboard's panel -------------------------------------------------------------------


def execution_dashboard_panel(request: HttpRequest, plan: Plan, period: Period) -> str:
    """The "execution of projects" section of the plan dashboard ("" when no project serves the plan)."""
    rollup = plan_execution_rollup(plan=plan, date=period.end, user=request.user)
    if not rollup.has_projects:
        return ""
    return render_to_string(
        "investments/execution/_dashboard_panel.html",
        {"rollup": rollup, "plan": plan, "period": period},
        request=request,
    )
