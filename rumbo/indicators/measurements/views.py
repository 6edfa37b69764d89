"""Pages of the measurements area: entry, detail with the workflow, approval queue, list,
evidence download and bulk import. Views parse and call services; services check permission."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.forms import form_add_validation_error
from rumbo.core.http import HtmxHttpRequest
from rumbo.core.import_views import ImportPage, import_page
from rumbo.indicators.measurements import selectors, services
from rumbo.indicators.measurements.forms import (
    CorrectionForm,
    EvidenceForm,
    MeasurementFilterForm,
    MeasurementForm,
    ReturnForm,
)
from rumbo.indicators.measurements.imports import (
    JOB_KIND,
    measurement_import_confirm,
    measurement_import_job_preview,
    measurement_import_upload,
)
from rumbo.indicators.models import Measurement, MeasurementStatus
from rumbo.indicators.periods import PeriodCodeError, period_get_or_create
from rumbo.plans.gatekeepers import plan_or_404
from rumbo.territory.models import TerritorialUnit


@login_required
@require_http_methods(["GET", "POST"])
def measurement_new(request: HtmxHttpRequest, indicator_id: int) -> HttpResponse:
    indicator = selectors.indicator_get_for_user(indicator_id=indicator_id, user=request.user)
    if indicator is None:
        raise Http404
    plan = indicator.plan
    if not user_access(request.user).can(plan.entity_id, Capability.REPORT_DATA):
        raise PermissionDenied
    form = MeasurementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = None
        try:
            period = period_get_or_create(data["period"])
        except PeriodCodeError as exc:
            form.add_error("period", str(exc))
        if data["unit"]:
            unit = TerritorialUnit.objects.filter(
                country=plan.entity.country, code=data["unit"].strip()
            ).first()
            if unit is None:
                form.add_error("unit", _("There is no territorial unit with this code."))
        if not form.errors:
            try:
                with transaction.atomic():
                    m = services.measurement_save(
                        actor=request.user,
                        indicator=indicator,
                        period=period,
                        value=data["value"],
                        unit=unit,
                        disaggregation=data["disaggregation"],
                        notes=data["notes"],
                    )
                    if data["evidence_file"]:
                        services.evidence_add_file(
                            actor=request.user, measurement=m, upload=data["evidence_file"]
                        )
                    if data["evidence_url"]:
                        services.evidence_add_link(
                            actor=request.user, measurement=m, url=data["evidence_url"], name=""
                        )
                    if request.POST.get("action") == "submit":
                        services.measurement_submit(actor=request.user, measurement=m)
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                messages.success(request, _("The value was saved."))
                return redirect("indicators:measurement_detail", measurement_id=m.pk)
    return render(
        request,
        "indicators/measurements/measurement_form.html",
        {"form": form, "indicator": indicator, "plan": plan},
    )


def _detail_context(request: HtmxHttpRequest, m: Measurement, **forms: Any) -> dict[str, Any]:
    plan = m.indicator.plan
    access = user_access(request.user)
    private = selectors.measurement_private_visible(user=request.user, plan=plan)
    can_report = access.can(plan.entity_id, Capability.REPORT_DATA)
    return {
        "m": m,
        "plan": plan,
        "indicator": m.indicator,
        "versions": selectors.measurement_versions(measurement=m, user=request.user),
        "evidence": selectors.evidence_for(measurement=m),
        "history": selectors.measurement_history(measurement=m) if private else [],
        "can_submit": can_report and m.status in (MeasurementStatus.DRAFT, MeasurementStatus.RETURNED),
        "can_review": m.status == MeasurementStatus.SUBMITTED
        and access.can(plan.entity_id, Capability.APPROVE),
        "can_approve": m.status == MeasurementStatus.SUBMITTED
        and services.measurement_may_approve(user=request.user, measurement=m, entity_id=plan.entity_id),
        "can_correct": can_report and m.status == MeasurementStatus.APPROVED and m.is_current,
        "can_add_evidence": can_report,
        "return_form": forms.get("return_form") or ReturnForm(),
        "correction_form": forms.get("correction_form") or CorrectionForm(),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "error": forms.get("error"),
    }


@require_http_methods(["GET", "POST"])
def measurement_detail(request: HtmxHttpRequest, measurement_id: int) -> HttpResponse:
    m = selectors.measurement_get_for_user(measurement_id=measurement_id, user=request.user)
    if m is None:
        raise Http404
    forms: dict[str, Any] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            target = _detail_action(request, m, action, forms)
        except ValidationError as exc:
            forms["error"] = " ".join(exc.messages)
        else:
            if target is not None:
                return redirect("indicators:measurement_detail", measurement_id=target.pk)
    status = 422 if forms else 200
    return render(
        request,
        "indicators/measurements/measurement_detail.html",
        _detail_context(request, m, **forms),
        status=status,
    )


def _detail_action(
    request: HtmxHttpRequest, m: Measurement, action: str, forms: dict[str, Any]
) -> Measurement | None:
    user = request.user
    if action == "submit":
        services.measurement_submit(actor=user, measurement=m)
        messages.success(request, _("Submitted for approval."))
        return m
    if action == "approve":
        services.measurement_approve(actor=user, measurement=m)
        messages.success(request, _("Approved."))
        return m
    if action == "return":
        form = ReturnForm(request.POST)
        if form.is_valid():
            services.measurement_return(actor=user, measurement=m, comment=form.cleaned_data["comment"])
            messages.success(request, _("Returned to the reporter."))
            return m
        forms["return_form"] = form
        return None
    if action == "correct":
        cform = CorrectionForm(request.POST)
        if cform.is_valid():
            new = services.measurement_correct(
                actor=user,
                measurement=m,
                value=cform.cleaned_data["value"],
                reason=cform.cleaned_data["reason"],
            )
            messages.success(request, _("The correction was sent for approval."))
            return new
        forms["correction_form"] = cform
        return None
    if action == "evidence":
        eform = EvidenceForm(request.POST, request.FILES)
        if eform.is_valid():
            data = eform.cleaned_data
            if data.get("file"):
                services.evidence_add_file(
                    actor=user, measurement=m, upload=data["file"], name=data.get("name") or ""
                )
            if data.get("url"):
                services.evidence_add_link(
                    actor=user, measurement=m, url=data["url"], name=data.get("name") or ""
                )
            messages.success(request, _("Evidence added."))
            return m
        forms["evidence_form"] = eform
        return None
    raise Http404


@login_required
@require_GET
def approval_queue(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.APPROVE)
    rows = list(selectors.approval_queue(plan=plan)[:500])
    for row in rows:
        row.may_approve = services.measurement_may_approve(  # type: ignore[attr-defined]
            user=request.user, measurement=row, entity_id=plan.entity_id
        )
    return render(request, "indicators/measurements/approval_queue.html", {"plan": plan, "rows": rows})


@require_GET
def measurement_list(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    form = MeasurementFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.measurement_search(
        user=request.user,
        plan=plan,
        indicator_code=data.get("indicator", ""),
        period_code=data.get("period", ""),
        unit_code=data.get("unit", ""),
        status=data.get("status", ""),
    )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    access = user_access(request.user)
    return render(
        request,
        "indicators/measurements/measurement_list.html",
        {
            "plan": plan,
            "form": form,
            "page": page,
            "can_import": access.can(plan.entity_id, Capability.REPORT_DATA),
            "can_approve": access.can(plan.entity_id, Capability.APPROVE),
        },
    )


@require_GET
def evidence_file(request: HtmxHttpRequest, evidence_id: int) -> FileResponse:
    """Serve an evidence file after the visibility check (never a bare /media/ link)."""
    evidence = selectors.evidence_get_for_user(evidence_id=evidence_id, user=request.user)
    if evidence is None or not evidence.file:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=False,
        filename=(evidence.file.name or "evidencia").rsplit("/", 1)[-1],
    )
    response["Content-Type"] = evidence.content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def measurement_import(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.REPORT_DATA)
    actor = request.user
    page = ImportPage(
        kind=JOB_KIND,
        title=_("Import measurements"),
        intro_template="indicators/measurements/_import_intro.html",
        back_url=reverse("indicators:measurement_list", kwargs={"plan_id": plan.pk}),
        back_label=plan.name,
        accept=".csv,.xlsx,.txt",
        file_label=_("CSV or XLSX file"),
        upload=lambda f: measurement_import_upload(actor=actor, plan=plan, uploaded_file=f),
        preview=lambda job, mapping: measurement_import_job_preview(actor=actor, job=job, mapping=mapping),
        confirm=lambda job, mapping: measurement_import_confirm(actor=actor, job=job, mapping=mapping),
        owns=lambda job: job.params.get("plan_id") == plan.pk,
        recent=lambda jobs: jobs.filter(params__plan_id=plan.pk),
        context={"plan": plan},
    )
    return import_page(request, page)
