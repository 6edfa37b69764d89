"""Pages for a plan's route, its steps, the approval-procedure tracker and the iCalendar export.
Views parse, call one service or selector, and render. Reads follow the plan's visibility
(404 when the plan cannot be seen); writes need EDIT_PLAN (403), comments need COMMENT.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.forms import form_add_validation_error
from rumbo.core.http import HtmxHttpRequest
from rumbo.lifecycle.routes import services
from rumbo.lifecycle.routes.forms import (
    ProcedureStartForm,
    ProcedureStepForm,
    RouteStartForm,
    StepCommentForm,
    StepFileForm,
    StepStateForm,
)
from rumbo.lifecycle.routes.ical import deadlines_ical
from rumbo.lifecycle.routes.models import PlanProcedureStep, PlanStepState, StepFile
from rumbo.lifecycle.routes.selectors import (
    basis_text,
    plan_deadlines,
    plan_procedures,
    plan_route_get,
    plan_route_progress,
    plan_route_rows,
    procedure_step_get_for_user,
    procedures_for_plan,
    routes_for_plan,
    rule_text,
    step_state_get_for_user,
)
from rumbo.plans.gatekeepers import plan_or_404
from rumbo.plans.models import Plan
from rumbo.plans.selectors import plan_get_for_user


def _state_or_404(
    request: HtmxHttpRequest, state_id: int, capability: Capability | None = None
) -> PlanStepState:
    state = step_state_get_for_user(state_id=state_id, user=request.user)
    if state is None:
        raise Http404
    if capability is not None and not user_access(request.user).can(
        state.plan_route.plan.entity_id, capability
    ):
        raise PermissionDenied
    return state


def _route_context(
    request: HtmxHttpRequest, plan: Plan, start_form: RouteStartForm | None = None
) -> dict[str, Any]:
    access = user_access(request.user)
    plan_route = plan_route_get(plan=plan)
    context: dict[str, Any] = {
        "plan": plan,
        "plan_route": plan_route,
        "can_edit": access.can(plan.entity_id, Capability.EDIT_PLAN),
        "can_view_private": access.can(plan.entity_id, Capability.VIEW_PRIVATE),
    }
    if plan_route is None:
        routes = routes_for_plan(plan=plan)
        context["routes"] = routes
        context["start_form"] = start_form or RouteStartForm(routes=routes)
    else:
        rows = plan_route_rows(plan_route=plan_route)
        context["rows"] = rows
        context["progress"] = plan_route_progress(plan_route=plan_route, rows=rows)
        context["option_labels"] = _option_labels(plan_route.route.options, plan_route.options)
    return context


def _option_labels(route_options: list[dict[str, Any]], chosen: dict[str, Any]) -> list[tuple[str, str]]:
    labels = []
    for option in route_options or []:
        value = chosen.get(option["key"])
        label = next((c["label"] for c in option.get("choices", []) if c["value"] == value), value or "—")
        labels.append((option["label"], label))
    return labels


@require_GET
def route(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    return render(request, "lifecycle/routes/route.html", _route_context(request, plan))


@login_required
@require_POST
def route_start(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.EDIT_PLAN)
    form = RouteStartForm(request.POST, routes=routes_for_plan(plan=plan))
    if form.is_valid():
        try:
            services.plan_route_start(
                actor=request.user, plan=plan, route=form.cleaned_data["route"], options=form.options()
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Route started."))
            return redirect("lifecycle:route", plan_id=plan.pk)
    return render(request, "lifecycle/routes/route.html", _route_context(request, plan, form), status=422)


def _step_context(request: HtmxHttpRequest, state: PlanStepState, **forms: Any) -> dict[str, Any]:
    plan = state.plan_route.plan
    access = user_access(request.user)
    can_view_private = access.can(plan.entity_id, Capability.VIEW_PRIVATE)
    initial = {
        "status": state.status,
        "assignee": state.assignee_id,
        "start_date": state.start_date,
        "due_date": state.due_date,
        "done_date": state.done_date,
        "not_applicable_reason": state.not_applicable_reason,
    }
    ancestors = list(
        PlanStepState.objects.filter(
            plan_route_id=state.plan_route_id,
            step__path__in=_ancestor_paths(state.step.path),
        )
        .select_related("step")
        .order_by("step__path")
    )
    children = list(
        PlanStepState.objects.filter(plan_route_id=state.plan_route_id, step__parent_id=state.step_id)
        .select_related("step")
        .order_by("step__path")
    )
    return {
        "plan": plan,
        "state": state,
        "step": state.step,
        "ancestors": ancestors,
        "children": children,
        "basis": basis_text(state.step.basis),
        "can_edit": access.can(plan.entity_id, Capability.EDIT_PLAN),
        "can_comment": access.can(plan.entity_id, Capability.COMMENT),
        "can_view_private": can_view_private,
        "files": list(state.files.select_related("uploaded_by")) if can_view_private else [],
        "comments": list(state.comments.select_related("author")) if can_view_private else [],
        "form": forms.get("form") or StepStateForm(initial=initial, entity_id=plan.entity_id),
        "file_form": forms.get("file_form") or StepFileForm(),
        "comment_form": forms.get("comment_form") or StepCommentForm(),
    }


def _ancestor_paths(path: str) -> list[str]:
    segments = path.strip("/").split("/")
    return ["/" + "/".join(segments[:n]) + "/" for n in range(1, len(segments))]


@require_http_methods(["GET", "POST"])
def step(request: HtmxHttpRequest, state_id: int) -> HttpResponse:
    if request.method == "GET":
        state = _state_or_404(request, state_id)
        return render(request, "lifecycle/routes/step.html", _step_context(request, state))
    if not request.user.is_authenticated:
        return redirect(f"/entrar/?next={request.path}")
    state = _state_or_404(request, state_id, Capability.EDIT_PLAN)
    form = StepStateForm(request.POST, entity_id=state.plan_route.plan.entity_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.step_update(
                actor=request.user,
                state=state,
                status=data["status"],
                assignee=data["assignee"],
                start_date=data["start_date"],
                due_date=data["due_date"],
                done_date=data["done_date"],
                not_applicable_reason=data["not_applicable_reason"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Step saved."))
            return redirect("lifecycle:step", state_id=state.pk)
    state.refresh_from_db()
    return render(request, "lifecycle/routes/step.html", _step_context(request, state, form=form), status=422)


@login_required
@require_POST
def step_file_add(request: HtmxHttpRequest, state_id: int) -> HttpResponse:
    state = _state_or_404(request, state_id, Capability.EDIT_PLAN)
    form = StepFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.step_file_add(actor=request.user, state=state, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("File attached."))
            return redirect("lifecycle:step", state_id=state.pk)
    return render(
        request, "lifecycle/routes/step.html", _step_context(request, state, file_form=form), status=422
    )


@login_required
@require_POST
def step_comment_add(request: HtmxHttpRequest, state_id: int) -> HttpResponse:
    state = _state_or_404(request, state_id, Capability.COMMENT)
    form = StepCommentForm(request.POST)
    if form.is_valid():
        try:
            services.step_comment_add(actor=request.user, state=state, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect("lifecycle:step", state_id=state.pk)
    return render(
        request, "lifecycle/routes/step.html", _step_context(request, state, comment_form=form), status=422
    )


@require_GET
def step_file(request: HtmxHttpRequest, file_id: int) -> FileResponse:
    """Serve a step file to whoever may read the plan's private data."""
    step_file = StepFile.objects.select_related("state__plan_route__plan").filter(pk=file_id).first()
    if step_file is None:
        raise Http404
    plan = step_file.state.plan_route.plan
    if plan_get_for_user(plan_id=plan.pk, user=request.user) is None or not user_access(request.user).can(
        plan.entity_id, Capability.VIEW_PRIVATE
    ):
        raise Http404
    return FileResponse(step_file.file.open("rb"), as_attachment=True, filename=step_file.name)


def _procedure_context(
    request: HtmxHttpRequest, plan: Plan, start_form: ProcedureStartForm | None = None
) -> dict[str, Any]:
    access = user_access(request.user)
    today = timezone.localdate()
    procedures: list[dict[str, Any]] = []
    tracked = plan_procedures(plan=plan)
    for plan_procedure in tracked:
        rows = []
        for step in plan_procedure.steps.all():
            days_left = (step.due_date - today).days if step.due_date and not step.completed_on else None
            rows.append(
                {
                    "step": step,
                    "rule": rule_text(step),
                    "basis": basis_text(step.basis),
                    "days_left": days_left,
                    "state": (
                        "done"
                        if step.completed_on
                        else "overdue"
                        if days_left is not None and days_left < 0
                        else "soon"
                        if days_left is not None and days_left <= 7
                        else ""
                    ),
                    "form": ProcedureStepForm(
                        initial={
                            "started_on": step.started_on,
                            "completed_on": step.completed_on,
                            "amount": step.amount,
                            "unit": step.unit,
                            "count_start": step.count_start,
                            "notes": step.notes,
                        },
                        prefix=f"s{step.pk}",
                    ),
                }
            )
        procedures.append({"plan_procedure": plan_procedure, "rows": rows})
    available = procedures_for_plan(plan=plan).exclude(pk__in=[p.procedure_id for p in tracked])
    return {
        "plan": plan,
        "procedures": procedures,
        "deadlines": plan_deadlines(plan=plan, today=today),
        "can_edit": access.can(plan.entity_id, Capability.EDIT_PLAN),
        "start_form": start_form or ProcedureStartForm(procedures=available, initial={"start_date": today}),
        "has_available": available.exists(),
    }


@require_GET
def procedure(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    return render(request, "lifecycle/routes/procedure.html", _procedure_context(request, plan))


@login_required
@require_POST
def procedure_start(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.EDIT_PLAN)
    form = ProcedureStartForm(request.POST, procedures=procedures_for_plan(plan=plan))
    if form.is_valid():
        try:
            services.plan_procedure_start(
                actor=request.user,
                plan=plan,
                procedure=form.cleaned_data["procedure"],
                start_date=form.cleaned_data["start_date"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Procedure started."))
            return redirect("lifecycle:procedure", plan_id=plan.pk)
    return render(
        request, "lifecycle/routes/procedure.html", _procedure_context(request, plan, form), status=422
    )


@login_required
@require_POST
def procedure_step(request: HtmxHttpRequest, step_id: int) -> HttpResponse:
    step: PlanProcedureStep | None = procedure_step_get_for_user(step_id=step_id, user=request.user)
    if step is None:
        raise Http404
    plan = step.plan_procedure.plan
    if not user_access(request.user).can(plan.entity_id, Capability.EDIT_PLAN):
        raise PermissionDenied
    form = ProcedureStepForm(request.POST, prefix=f"s{step.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.procedure_step_update(
                actor=request.user,
                step=step,
                started_on=data["started_on"],
                completed_on=data["completed_on"],
                notes=data["notes"],
                amount=data["amount"] if data["amount"] is not None else 0,
                unit=data["unit"],
                count_start=data["count_start"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Procedure step saved."))
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
    return redirect("lifecycle:procedure", plan_id=plan.pk)


@require_GET
def deadlines_ics(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    body = deadlines_ical(
        deadlines=plan_deadlines(plan=plan),
        calendar_name=_("Deadlines: %(plan)s") % {"plan": plan.name},
        uid_domain=request.get_host().split(":")[0] or "rumbo",
        now=timezone.now(),
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plazos-plan-{plan.pk}.ics"'
    return response
