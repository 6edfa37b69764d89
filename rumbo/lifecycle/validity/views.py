"""Pages: a plan's vigencia (dates with their legal basis, revision wizard, legal timeline) and
the public calculator. Views parse, call one service or selector, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.forms import form_add_validation_error
from rumbo.core.http import HtmxHttpRequest
from rumbo.lifecycle.validity import services
from rumbo.lifecycle.validity.deadlines import deadline_compute, deadline_rules_list
from rumbo.lifecycle.validity.forms import (
    DeadlineCalculatorForm,
    PlanStatusEventForm,
    PlanValidityForm,
    PopulationForm,
    VigenciaCalculatorForm,
)
from rumbo.lifecycle.validity.periods import LegalInputError
from rumbo.lifecycle.validity.revision import co_plan_type_suggest, revision_options
from rumbo.lifecycle.validity.selectors import plan_validity_overview
from rumbo.lifecycle.validity.services import VALIDITY_FIELDS
from rumbo.lifecycle.validity.vigencia import vigencia_compute
from rumbo.plans.gatekeepers import plan_or_404


@require_http_methods(["GET", "POST"])
def plan_validity(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    can_edit = user_access(request.user).can(plan.entity_id, Capability.EDIT_PLAN)
    today = timezone.localdate()
    overview = plan_validity_overview(plan=plan, today=today)
    validity = overview.validity
    initial = {k: getattr(validity, k) for k in VALIDITY_FIELDS} if validity is not None else {}
    validity_form = PlanValidityForm(initial=initial, plan=plan, prefix="validity")
    event_form = PlanStatusEventForm(prefix="event")
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "validity":
            validity_form = PlanValidityForm(request.POST, plan=plan, prefix="validity")
            if validity_form.is_valid():
                try:
                    services.plan_validity_set(actor=request.user, plan=plan, **validity_form.cleaned_data)
                except ValidationError as exc:
                    form_add_validation_error(validity_form, exc)
                else:
                    messages.success(request, _("Validity data saved."))
                    return redirect("lifecycle:validity", plan_id=plan.pk)
        elif action == "event":
            event_form = PlanStatusEventForm(request.POST, prefix="event")
            if event_form.is_valid():
                try:
                    services.plan_status_event_add(actor=request.user, plan=plan, **event_form.cleaned_data)
                except ValidationError as exc:
                    form_add_validation_error(event_form, exc)
                else:
                    messages.success(request, _("Event recorded."))
                    return redirect("lifecycle:validity", plan_id=plan.pk)
        else:
            return HttpResponse(_("Unknown action."), status=400)
    status = 422 if (validity_form.errors or event_form.errors) else 200
    return render(
        request,
        "lifecycle/validity/plan_validity.html",
        {
            "plan": plan,
            "overview": overview,
            "vigencia": overview.vigencia,
            "options": revision_options(plan=plan, today=today),
            "today": today,
            "can_edit": can_edit,
            "validity_form": validity_form,
            "event_form": event_form,
        },
        status=status,
    )


@require_GET
def calculator(request: HtmxHttpRequest) -> HttpResponse:
    """Public calculator: CO vigencia from an adoption date, deadlines, CO plan type by population.
    Each form is submitted by GET with its own prefix; only the submitted one is bound."""
    context: dict[str, Any] = {"rules": deadline_rules_list()}
    bound = {p: any(k.startswith(f"{p}-") for k in request.GET) for p in ("v", "d", "p")}

    vform = VigenciaCalculatorForm(request.GET if bound["v"] else None, prefix="v")
    if bound["v"] and vform.is_valid():
        data = vform.cleaned_data
        try:
            context["vigencia"] = vigencia_compute(
                country="CO",
                adopted=data["adopted"],
                revision_restarts_from=data["restart_from"],
                declared_long_term_end=data["declared_long_term_end"],
                authority_fixed_end=data["authority_fixed_end"],
                authority=data["authority"],
            )
        except LegalInputError as exc:
            vform.add_error(None, str(exc))

    dform = DeadlineCalculatorForm(
        request.GET if bound["d"] else None,
        prefix="d",
        initial={"country": "CO", "unit": "business_days", "count_start": "next_day"},
    )
    if bound["d"] and dform.is_valid():
        data = dform.cleaned_data
        try:
            context["deadline"] = deadline_compute(
                country=data["country"],
                start=data["start"],
                amount=data["amount"],
                unit=data["unit"],
                count_start=data["count_start"],
                roll_to_business_day=data["roll_to_business_day"],
            )
        except LegalInputError as exc:
            dform.add_error(None, str(exc))

    pform = PopulationForm(request.GET if bound["p"] else None, prefix="p")
    if bound["p"] and pform.is_valid():
        try:
            context["suggestion"] = co_plan_type_suggest(pform.cleaned_data["population"])
        except LegalInputError as exc:
            pform.add_error(None, str(exc))

    context.update({"vform": vform, "dform": dform, "pform": pform})
    return render(request, "lifecycle/validity/calculator.html", context)
