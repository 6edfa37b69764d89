"""Pages of a plan's convenios and contributions, dissemination, risks and assumptions, action
plan, and the general indicators computed from its governance record."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rumbo.accounts.permissions import Capability, entity_can
from rumbo.core.forms import form_add_validation_error
from rumbo.governance import activity, contributions, forms, selectors, services
from rumbo.governance.indicators import (
    RULES,
    Computed,
    general_indicators_current,
    general_indicators_refresh,
)
from rumbo.governance.models import (
    Convenio,
    DisseminationActivity,
    DisseminationProof,
    PlanAction,
    Risk,
    RiskKind,
)
from rumbo.plans.models import Plan
from rumbo.plans.selectors import plan_get_for_user


def _plan(request: HttpRequest, plan_id: int, *, private: bool = False, edit: bool = False) -> Plan:
    plan = plan_get_for_user(plan_id=plan_id, user=request.user)
    if plan is None:
        raise Http404
    if private and not entity_can(request.user, plan.entity_id, Capability.VIEW_PRIVATE):
        raise Http404
    if edit and not entity_can(request.user, plan.entity_id, Capability.EDIT_PLAN):
        raise PermissionDenied
    return plan


def _can_edit(request: HttpRequest, plan: Plan) -> bool:
    return entity_can(request.user, plan.entity_id, Capability.EDIT_PLAN)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# --- convenios ---------------------------------------------------------------------------------


def _visible_convenios(request: HttpRequest, plan: Plan) -> list[Convenio]:
    rows = Convenio.objects.filter(entity_id=plan.entity_id).filter(
        plan__in=[plan, None]
    ) | Convenio.objects.filter(entity_id=plan.entity_id, plan__isnull=True)
    if not entity_can(request.user, plan.entity_id, Capability.VIEW_PRIVATE):
        rows = rows.filter(is_public=True)
    return list(rows.distinct().prefetch_related("parties").order_by("-signed_on"))


def _convenios_page(request: HttpRequest, plan: Plan, **bound: Any) -> HttpResponse:
    can_edit = _can_edit(request, plan)
    convenios = _visible_convenios(request, plan)
    statements = [(c, contributions.convenio_statement(convenio=c)) for c in convenios]
    today = timezone.localdate()
    private = entity_can(request.user, plan.entity_id, Capability.VIEW_PRIVATE)
    visible_bodies = selectors.bodies_visible_to(user=request.user)
    commitments = {
        c.pk: [
            (a, selectors.agreement_state(agreement=a, today=today))
            for a in c.commitments.filter(plan=plan, body__in=visible_bodies).order_by("number")
            if private or plan.is_published
        ]
        for c in convenios
    }
    context = {
        "plan": plan,
        "statements": statements,
        "commitments": commitments,
        "can_edit": can_edit,
        "convenio_form": bound.get("convenio_form") or (forms.ConvenioForm(plan=plan) if can_edit else None),
        "contribution_forms": {
            c.pk: (bound.get("contribution_form") if bound.get("convenio_id") == c.pk else None)
            or forms.ContributionForm(convenio=c)
            for c in convenios
        }
        if can_edit
        else {},
    }
    return render(request, "governance/convenios.html", context, status=422 if bound else 200)


@require_GET
def convenios(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _convenios_page(request, _plan(request, plan_id))


@login_required
@require_POST
def convenio_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id, edit=True)
    form = forms.ConvenioForm(request.POST, request.FILES, plan=plan)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contributions.convenio_create(
                actor=request.user, entity=plan.entity, plan=plan, title=data["title"], number=data["number"],
                purpose=data["purpose"], signed_on=data["signed_on"], starts_on=data["starts_on"],
                ends_on=data.get("ends_on"), parties=form.party_list(), document=data.get("document"),
                body=data.get("body"),
            )  # fmt: skip
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect("governance:convenios", plan_id=plan.pk)
    return _convenios_page(request, plan, convenio_form=form)


@login_required
@require_POST
def contribution_set(request: HttpRequest, plan_id: int, convenio_id: int) -> HttpResponse:
    plan = _plan(request, plan_id, edit=True)
    # the plan's convenios and the entity's that serve all its plans, as the page lists them
    convenio = get_object_or_404(
        Convenio.objects.filter(Q(plan=plan) | Q(plan__isnull=True)), pk=convenio_id, entity_id=plan.entity_id
    )
    form = forms.ContributionForm(request.POST, convenio=convenio)
    if form.is_valid():
        data = dict(form.cleaned_data)
        party = convenio.parties.get(pk=int(data.pop("party")))
        try:
            contributions.contribution_year_set(actor=request.user, party=party, **data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(
                reverse("governance:convenios", kwargs={"plan_id": plan.pk}) + f"#convenio-{convenio.pk}"
            )
    return _convenios_page(request, plan, contribution_form=form, convenio_id=convenio.pk)


@login_required
@require_POST
def convenio_commitment(request: HttpRequest, plan_id: int, convenio_id: int) -> HttpResponse:
    """A commitment written in the convenio, followed in the agreements register."""
    plan = _plan(request, plan_id, edit=True)
    convenio = get_object_or_404(Convenio, pk=convenio_id, entity_id=plan.entity_id)
    if convenio.plan_id not in (None, plan.pk):
        raise Http404
    due = request.POST.get("due_date") or ""
    try:
        due_date = datetime.date.fromisoformat(due) if due else None
    except ValueError:
        messages.error(request, _("Enter a valid date."))
        return redirect(
            reverse("governance:convenios", kwargs={"plan_id": plan.pk}) + f"#convenio-{convenio.pk}"
        )
    try:
        services.agreement_create(
            actor=request.user,
            convenio=convenio,
            plan=plan,
            text=request.POST.get("text", ""),
            owner_office=request.POST.get("owner_office", ""),
            due_date=due_date,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("governance:convenios", kwargs={"plan_id": plan.pk}) + f"#convenio-{convenio.pk}")


@require_GET
def party_statement(
    request: HttpRequest, plan_id: int, convenio_id: int, party_id: int, fmt: str
) -> HttpResponse:
    plan = _plan(request, plan_id)
    convenio = next((c for c in _visible_convenios(request, plan) if c.pk == convenio_id), None)
    if convenio is None or fmt not in ("pdf", "xlsx"):
        raise Http404
    statement = contributions.convenio_statement(convenio=convenio)
    party = next((p for p in statement.parties if p.party.pk == party_id), None)
    if party is None:
        raise Http404
    name = f"aportes-{convenio.pk}-{party.party.pk}"
    if fmt == "xlsx":
        return _xlsx(contributions.party_statement_xlsx(statement=statement, party=party), name)
    response = HttpResponse(
        contributions.party_statement_pdf(statement=statement, party=party), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


# --- dissemination -----------------------------------------------------------------------------


def _dissemination_page(request: HttpRequest, plan: Plan, **bound: Any) -> HttpResponse:
    can_edit = _can_edit(request, plan)
    private = entity_can(request.user, plan.entity_id, Capability.VIEW_PRIVATE)
    context = {
        "plan": plan,
        "activities": list(
            DisseminationActivity.objects.filter(plan=plan).select_related("unit").prefetch_related("proofs")
        ),
        "totals": activity.dissemination_totals(plan=plan),
        "can_edit": can_edit,
        "private": private,
        "activity_form": bound.get("activity_form") or (forms.ActivityForm() if can_edit else None),
        "proof_form": bound.get("proof_form") or (forms.ProofForm() if can_edit else None),
        "proof_activity": bound.get("proof_activity"),
    }
    return render(request, "governance/dissemination.html", context, status=422 if bound else 200)


@require_GET
def dissemination(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _dissemination_page(request, _plan(request, plan_id))


@login_required
@require_POST
def activity_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id, edit=True)
    form = forms.ActivityForm(request.POST)
    if form.is_valid():
        try:
            activity.activity_create(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect("governance:dissemination", plan_id=plan.pk)
    return _dissemination_page(request, plan, activity_form=form)


@login_required
@require_POST
def proof_add(request: HttpRequest, plan_id: int, activity_id: int) -> HttpResponse:
    plan = _plan(request, plan_id, edit=True)
    target = get_object_or_404(DisseminationActivity, pk=activity_id, plan=plan)
    form = forms.ProofForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            activity.proof_add(
                actor=request.user, activity=target, kind=data["kind"], upload=data["file"],
                recipient=data.get("recipient") or "", copies=data.get("copies"),
            )  # fmt: skip
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(
                reverse("governance:dissemination", kwargs={"plan_id": plan.pk}) + f"#actividad-{target.pk}"
            )
    return _dissemination_page(request, plan, proof_form=form, proof_activity=target.pk)


@login_required
@require_GET
def proof_file(request: HttpRequest, plan_id: int, proof_id: int) -> Any:
    plan = _plan(request, plan_id, private=True)
    proof = get_object_or_404(DisseminationProof, pk=proof_id, activity__plan=plan)
    return FileResponse(proof.file.open("rb"), as_attachment=True, filename=proof.name)


# --- risks -------------------------------------------------------------------------------------


def _risks_page(request: HttpRequest, plan: Plan, **bound: Any) -> HttpResponse:
    can_edit = _can_edit(request, plan)
    risks = list(Risk.objects.filter(plan=plan).select_related("node", "project").prefetch_related("reviews"))
    context = {
        "plan": plan,
        "risks": [r for r in risks if r.kind == RiskKind.RISK],
        "assumptions": [r for r in risks if r.kind == RiskKind.ASSUMPTION],
        "matrix": activity.risk_matrix(plan=plan),
        "scale": [5, 4, 3, 2, 1],
        "can_edit": can_edit,
        "risk_form": bound.get("risk_form") or (forms.RiskForm() if can_edit else None),
        "review_forms": {
            r.pk: forms.RiskReviewForm(
                initial={"state": r.state, "likelihood": r.likelihood, "impact": r.impact}
            )
            for r in risks
        }
        if can_edit
        else {},
        "review_errors": bound.get("review_errors"),
    }
    return render(request, "governance/risks.html", context, status=422 if bound else 200)


@require_GET
def risks(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _risks_page(request, _plan(request, plan_id, private=True))


@login_required
@require_POST
def risk_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id, private=True, edit=True)
    form = forms.RiskForm(request.POST)
    if form.is_valid():
        try:
            activity.risk_create(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect("governance:risks", plan_id=plan.pk)
    return _risks_page(request, plan, risk_form=form)


@login_required
@require_POST
def risk_review(request: HttpRequest, plan_id: int, risk_id: int) -> HttpResponse:
    plan = _plan(request, plan_id, private=True, edit=True)
    risk = get_object_or_404(Risk, pk=risk_id, plan=plan)
    form = forms.RiskReviewForm(request.POST)
    if form.is_valid():
        try:
            activity.risk_review(actor=request.user, risk=risk, **form.cleaned_data)
        except ValidationError as exc:
            return _risks_page(request, plan, review_errors=(risk.pk, exc.messages))
        return redirect(reverse("governance:risks", kwargs={"plan_id": plan.pk}) + f"#riesgo-{risk.pk}")
    return _risks_page(
        request, plan, review_errors=(risk.pk, [str(e) for errs in form.errors.values() for e in errs])
    )


# --- the action plan ---------------------------------------------------------------------------


def _actions_page(request: HttpRequest, plan: Plan, **bound: Any) -> HttpResponse:
    can_edit = _can_edit(request, plan)
    today = timezone.localdate()
    context = {
        "plan": plan,
        "gantt": activity.action_gantt(plan=plan, today=today),
        "today": today,
        "can_edit": can_edit,
        "action_form": bound.get("action_form") or (forms.ActionForm(plan=plan) if can_edit else None),
        "statuses": PlanAction._meta.get_field("status").choices,
    }
    return render(request, "governance/actions.html", context, status=422 if bound else 200)


@require_GET
def actions(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if request.GET.get("formato") == "xlsx":
        return _xlsx(
            activity.action_plan_xlsx(plan=plan, today=timezone.localdate()), f"plan-de-accion-{plan.pk}"
        )
    return _actions_page(request, plan)


@login_required
@require_POST
def action_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id, edit=True)
    form = forms.ActionForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            activity.action_create(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect("governance:actions", plan_id=plan.pk)
    return _actions_page(request, plan, action_form=form)


@login_required
@require_POST
def action_status(request: HttpRequest, plan_id: int, action_id: int) -> HttpResponse:
    plan = _plan(request, plan_id, edit=True)
    action = get_object_or_404(PlanAction, pk=action_id, plan=plan)
    try:
        activity.action_status_set(actor=request.user, action=action, status=request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("governance:actions", plan_id=plan.pk)


# --- computed general indicators ---------------------------------------------------------------


@require_GET
def general_indicators(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    today = timezone.localdate()
    # the sources name the bodies, meetings and convenios counted, private ones too
    private = entity_can(request.user, plan.entity_id, Capability.VIEW_PRIVATE)
    rows = [
        (r.indicator, r.period, r.computed if private else Computed(r.computed.value, []), r.explanation)
        for r in general_indicators_current(plan=plan, today=today)
    ]
    can_refresh = entity_can(request.user, plan.entity_id, Capability.REPORT_DATA)
    return render(
        request, "governance/general_indicators.html", {"plan": plan, "rows": rows, "can_refresh": can_refresh,
                                                        "rules": RULES.values()},
    )  # fmt: skip


@login_required
@require_POST
def general_indicators_update(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if not entity_can(request.user, plan.entity_id, Capability.REPORT_DATA):
        raise PermissionDenied
    try:
        with transaction.atomic():  # all or nothing: a failure half-way leaves no value waiting for approval
            done = general_indicators_refresh(
                actor=request.user,
                plan=plan,
                today=timezone.localdate(),
                base_url=request.build_absolute_uri("/"),
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        changed = sum(1 for r in done if r.changed)
        messages.success(
            request,
            _("%(changed)s of %(total)s general indicators got a new value, sent for approval.")
            % {"changed": changed, "total": len(done)},
        )
    return redirect("governance:general_indicators", plan_id=plan.pk)
