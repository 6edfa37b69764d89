"""Pages for indicator sheets, the variable dictionary, the catalogue of general indicators,
project progress, corrective actions, the reporting calendar and alerts. Views parse, call one
service or selector, and render.

Reading needs only a visible plan; writing needs the capability (403), and anonymous writes go
to the sign-in page. A plan the user may not see is a 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rumbo.accounts.permissions import Capability, user_access
from rumbo.accounts.selectors import entity_get_for_user
from rumbo.core.forms import form_add_validation_error
from rumbo.core.http import HtmxHttpRequest
from rumbo.indicators.models import (
    CorrectiveAction,
    Indicator,
    Milestone,
    Variable,
)
from rumbo.indicators.periods import PeriodCodeError, period_codes_between, period_get_or_create
from rumbo.indicators.sheets import selectors, services
from rumbo.indicators.sheets.alerts import plan_alerts
from rumbo.indicators.sheets.forms import (
    CalendarForm,
    CatalogueForm,
    CorrectiveActionForm,
    FinancialProgressForm,
    FollowUpForm,
    IndicatorForm,
    PeriodForm,
    VariableForm,
)
from rumbo.plans.models import Node, Plan
from rumbo.plans.selectors import node_get_for_user, plan_get_for_user


def _plan_or_404(request: HtmxHttpRequest, plan_id: int, capability: Capability | None = None) -> Plan:
    plan = plan_get_for_user(plan_id=plan_id, user=request.user)
    if plan is None:
        raise Http404
    _check(request, plan.entity_id, capability)
    return plan


def _check(request: HtmxHttpRequest, entity_id: int, capability: Capability | None) -> None:
    """PermissionDenied unless the user holds the capability (None: nothing to check)."""
    if capability is not None and not user_access(request.user).can(entity_id, capability):
        raise PermissionDenied


def _write_capability(request: HtmxHttpRequest, capability: Capability) -> Capability | None:
    """The capability to check for this request: only writes (POST) need one."""
    return capability if request.method == "POST" else None


def _login_for_writes(request: HtmxHttpRequest) -> HttpResponse | None:
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _today(request: HtmxHttpRequest) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("today", ""))
    except ValueError:
        return timezone.localdate()


# --- indicator list, catalogue, sheets --------------------------------------------------------


@require_GET
def indicator_list(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_or_404(request, plan_id)
    return render(
        request,
        "indicators/sheets/indicator_list.html",
        {
            "plan": plan,
            "groups": selectors.plan_indicators_by_node(plan=plan),
            "can_edit": selectors.user_can(request.user, plan, Capability.EDIT_PLAN),
        },
    )


@require_http_methods(["GET", "POST"])
def catalogue(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    if (response := _login_for_writes(request)) is not None:
        return response
    plan = _plan_or_404(request, plan_id, _write_capability(request, Capability.EDIT_PLAN))
    form = CatalogueForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            adopted = services.catalogue_adopt(
                actor=request.user, plan=plan, keys=form.cleaned_data["keys"], node=form.cleaned_data["node"]
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(
                request, _("%(count)s general indicators are in the plan.") % {"count": len(adopted)}
            )
            return redirect("indicators:indicator_list", plan_id=plan.pk)
    return render(
        request,
        "indicators/sheets/catalogue.html",
        {
            "plan": plan,
            "form": form,
            "groups": selectors.catalogue_for_plan(plan=plan),
            "can_edit": selectors.user_can(request.user, plan, Capability.EDIT_PLAN),
        },
    )


@require_http_methods(["GET", "POST"])
def indicator_new(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    plan = _plan_or_404(request, plan_id, Capability.EDIT_PLAN)
    initial = {"node": request.GET.get("node")} if request.GET.get("node") else None
    form = IndicatorForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.sheet_fields()
        try:
            indicator = services.indicator_create(
                actor=request.user,
                plan=plan,
                node=data.pop("node"),
                code=data.pop("code"),
                name=data.pop("name"),
                **data,
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Indicator created. Now set its targets."))
            return redirect("indicators:indicator_sheet", indicator_id=indicator.pk)
    return render(
        request, "indicators/sheets/indicator_form.html", {"plan": plan, "form": form, "creating": True}
    )


def _indicator_or_404(
    request: HtmxHttpRequest, indicator_id: int, capability: Capability | None = None
) -> Indicator:
    indicator = selectors.indicator_get_for_user(indicator_id=indicator_id, user=request.user)
    if indicator is None:
        raise Http404
    _check(request, indicator.plan.entity_id, capability)
    return indicator


def _suggested_periods(indicator: Indicator, existing: set[str]) -> list[str]:
    """Period codes to offer in the targets table: the plan's horizon in the indicator's rhythm."""
    plan = indicator.plan
    calendar = selectors.reporting_calendar_of(plan=plan)
    kind = selectors.indicator_period_kind(indicator=indicator, calendar=calendar)
    this_year = timezone.localdate().year
    start = plan.horizon_start or this_year
    end = plan.horizon_end or start + 4
    if end - start > 30:
        end = start + 30
    codes = period_codes_between(kind, datetime.date(start, 1, 1), datetime.date(end, 12, 31))
    return [c for c in codes if c not in existing][:40]


@require_http_methods(["GET", "POST"])
def indicator_sheet(request: HtmxHttpRequest, indicator_id: int) -> HttpResponse:
    """The sheet, read-only, with its targets table; editors set targets here (POST)."""
    if (response := _login_for_writes(request)) is not None:
        return response
    indicator = _indicator_or_404(request, indicator_id, _write_capability(request, Capability.EDIT_PLAN))
    target_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values: dict[str, str] = {}
        for key in request.POST:
            if key.startswith("target_"):
                values[key.removeprefix("target_")] = request.POST.get(key, "")
        for n in range(5):
            code = request.POST.get(f"new_period_{n}", "").strip()
            new_value = request.POST.get(f"new_value_{n}", "").strip()
            if code and new_value:
                values[code] = new_value
        try:
            services.targets_set(actor=request.user, indicator=indicator, values=values)
        except ValidationError as exc:
            target_errors = exc.message_dict
        else:
            messages.success(request, _("Targets saved."))
            return redirect("indicators:indicator_sheet", indicator_id=indicator.pk)
    sheet = selectors.indicator_sheet(indicator=indicator)
    existing = {t.period.code for t in sheet.targets}
    return render(
        request,
        "indicators/sheets/indicator_sheet.html",
        {
            "plan": indicator.plan,
            "indicator": indicator,
            "sheet": sheet,
            "can_edit": selectors.user_can(request.user, indicator.plan, Capability.EDIT_PLAN),
            "suggested": _suggested_periods(indicator, existing),
            "new_rows": range(5),
            "target_errors": target_errors,
        },
        status=422 if target_errors else 200,
    )


@require_http_methods(["GET", "POST"])
def indicator_edit(request: HtmxHttpRequest, indicator_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    indicator = _indicator_or_404(request, indicator_id, Capability.EDIT_PLAN)
    initial = {
        name: getattr(indicator, name) for name in services.INDICATOR_FIELDS if name != "catalogue_key"
    }
    form = IndicatorForm(request.POST or None, plan=indicator.plan, initial=initial)
    if request.method == "POST":
        if request.POST.get("delete") == "1":
            try:
                services.indicator_delete(actor=request.user, indicator=indicator)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("indicators:indicator_sheet", indicator_id=indicator.pk)
            messages.success(request, _("Indicator deleted."))
            return redirect("indicators:indicator_list", plan_id=indicator.plan_id)
        if form.is_valid():
            try:
                services.indicator_update(actor=request.user, indicator=indicator, **form.sheet_fields())
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                messages.success(request, _("Indicator saved."))
                return redirect("indicators:indicator_sheet", indicator_id=indicator.pk)
    return render(
        request,
        "indicators/sheets/indicator_form.html",
        {"plan": indicator.plan, "form": form, "indicator": indicator, "creating": False},
    )


# --- the variable dictionary ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def variables(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    if (response := _login_for_writes(request)) is not None:
        return response
    entity = entity_get_for_user(entity_id=entity_id, user=request.user)
    if entity is None:
        raise Http404
    _check(request, entity.pk, _write_capability(request, Capability.EDIT_PLAN))
    editing: Variable | None = None
    if request.GET.get("edit"):
        editing = Variable.objects.filter(entity=entity, pk=request.GET["edit"]).first()
    initial = None
    if editing is not None:
        initial = {k: getattr(editing, k) for k in services.VARIABLE_FIELDS}
    form = VariableForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if editing is not None:
                services.variable_update(actor=request.user, variable=editing, **form.cleaned_data)
            else:
                services.variable_create(actor=request.user, entity=entity, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Variable saved."))
            return redirect("indicators:variables", entity_id=entity.pk)
    return render(
        request,
        "indicators/sheets/variables.html",
        {
            "entity": entity,
            "variables": selectors.entity_variables(entity_id=entity.pk),
            "form": form,
            "editing": editing,
            "can_edit": user_access(request.user).can(entity.pk, Capability.EDIT_PLAN),
        },
        status=422 if form.errors else 200,
    )


# --- alerts, calendar, corrective actions -----------------------------------------------------


@require_GET
def alerts(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_or_404(request, plan_id)
    today = _today(request)
    return render(
        request,
        "indicators/sheets/alerts.html",
        {"plan": plan, "alerts": plan_alerts(plan=plan, today=today), "today": today},
    )


@require_http_methods(["GET", "POST"])
def reporting_calendar(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    if (response := _login_for_writes(request)) is not None:
        return response
    plan = _plan_or_404(request, plan_id, _write_capability(request, Capability.EDIT_PLAN))
    calendar = selectors.reporting_calendar_of(plan=plan)
    form = CalendarForm(
        request.POST or None,
        initial={
            "frequency": calendar.frequency,
            "due_days_after_period_end": calendar.due_days_after_period_end,
            "notify_emails": calendar.notify_emails,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reporting_calendar_set(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Reporting calendar saved."))
            return redirect("indicators:reporting_calendar", plan_id=plan.pk)
    today = _today(request)
    return render(
        request,
        "indicators/sheets/reporting_calendar.html",
        {
            "plan": plan,
            "calendar": calendar,
            "form": form,
            "rows": selectors.plan_calendar_upcoming(plan=plan, today=today),
            "today": today,
            "can_edit": selectors.user_can(request.user, plan, Capability.EDIT_PLAN),
        },
    )


@require_http_methods(["GET", "POST"])
def corrective_actions(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    if (response := _login_for_writes(request)) is not None:
        return response
    plan = _plan_or_404(request, plan_id, _write_capability(request, Capability.EDIT_PLAN))
    initial = {"indicator": request.GET.get("indicator"), "node": request.GET.get("node")}
    form = CorrectiveActionForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        status = data.pop("status")
        try:
            action = services.corrective_action_create(actor=request.user, plan=plan, **data)
            if status != action.status:
                services.corrective_action_update(actor=request.user, action=action, status=status)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Corrective action recorded."))
            return redirect("indicators:corrective_actions", plan_id=plan.pk)
    return render(
        request,
        "indicators/sheets/corrective_actions.html",
        {
            "plan": plan,
            "actions": selectors.plan_corrective_actions(plan=plan),
            "form": form,
            "follow_up_form": FollowUpForm(),
            "can_edit": selectors.user_can(request.user, plan, Capability.EDIT_PLAN),
            "can_follow_up": selectors.user_can(request.user, plan, Capability.REPORT_DATA)
            or selectors.user_can(request.user, plan, Capability.EDIT_PLAN),
            "today": timezone.localdate(),
        },
    )


def _action_or_404(request: HtmxHttpRequest, action_id: int) -> CorrectiveAction:
    action = selectors.corrective_action_get_for_user(action_id=action_id, user=request.user)
    if action is None:
        raise Http404
    return action


@require_http_methods(["GET", "POST"])
def corrective_action_edit(request: HtmxHttpRequest, action_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    action = _action_or_404(request, action_id)
    _check(request, action.plan.entity_id, Capability.EDIT_PLAN)
    form = CorrectiveActionForm(
        request.POST or None, plan=action.plan, initial=CorrectiveActionForm.initial_for(action)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.corrective_action_update(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Corrective action saved."))
            return redirect("indicators:corrective_actions", plan_id=action.plan_id)
    return render(
        request,
        "indicators/sheets/simple_form.html",
        {
            "plan": action.plan,
            "form": form,
            "title": _("Corrective action"),
            "back": ("indicators:corrective_actions", action.plan_id),
        },
    )


@require_http_methods(["POST"])
def corrective_action_follow_up(request: HtmxHttpRequest, action_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    action = _action_or_404(request, action_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.corrective_action_follow_up_add(
                actor=request.user,
                action=action,
                text=form.cleaned_data["text"],
                status=form.cleaned_data["status"] or None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Follow-up added."))
    else:
        messages.error(request, _("Write what was done."))
    return redirect("indicators:corrective_actions", plan_id=action.plan_id)


# --- project progress ------------------------------------------------------------------------


def _node_or_404(request: HtmxHttpRequest, node_id: int) -> Node:
    node = node_get_for_user(node_id=node_id, user=request.user)
    if node is None:
        raise Http404
    return node


def _milestone_specs(request: HtmxHttpRequest, node: Node) -> list[services.MilestoneSpec]:
    """The milestone rows of the form: name_N, weight_N, date_N and id_N for N = 0, 1, …"""
    specs: list[services.MilestoneSpec] = []
    for n in range(30):
        name = request.POST.get(f"name_{n}", "").strip()
        if not name:
            continue
        raw_weight = request.POST.get(f"weight_{n}", "").strip().replace(",", ".") or "0"
        try:
            weight = Decimal(raw_weight)
        except ArithmeticError as exc:
            raise ValidationError(_("The weight of %(name)s is not a number.") % {"name": name}) from exc
        raw_date = request.POST.get(f"date_{n}", "").strip()
        try:
            planned = datetime.date.fromisoformat(raw_date) if raw_date else None
        except ValueError as exc:
            raise ValidationError(_("The date of %(name)s is not valid.") % {"name": name}) from exc
        raw_id = request.POST.get(f"id_{n}", "").strip()
        specs.append(services.MilestoneSpec(name, weight, planned, int(raw_id) if raw_id.isdigit() else None))
    return specs


@require_http_methods(["GET", "POST"])
def project_progress(request: HtmxHttpRequest, node_id: int) -> HttpResponse:
    """Milestones with weights, physical progress per period and financial progress per period."""
    if (response := _login_for_writes(request)) is not None:
        return response
    node = _node_or_404(request, node_id)
    plan = node.plan
    action = request.POST.get("action", "")
    if request.method == "POST":
        needed = Capability.EDIT_PLAN if action in ("milestones", "template") else Capability.REPORT_DATA
        _check(request, plan.entity_id, needed)
    period_form = PeriodForm(request.POST if action == "progress" else None, prefix="progress")
    financial_form = FinancialProgressForm(
        request.POST if action == "financial" else None, prefix="financial"
    )
    try:
        if action == "template":
            services.milestone_set(actor=request.user, node=node, milestones=services.milestone_template())
            messages.success(request, _("Milestones set to start 10 %, execution 80 %, closure 10 %."))
            return redirect("indicators:project_progress", node_id=node.pk)
        if action == "milestones":
            services.milestone_set(actor=request.user, node=node, milestones=_milestone_specs(request, node))
            messages.success(request, _("Milestones saved."))
            return redirect("indicators:project_progress", node_id=node.pk)
        if action == "progress" and period_form.is_valid():
            period = period_get_or_create(period_form.cleaned_data["period"])
            for milestone in Milestone.objects.filter(node=node):
                raw = request.POST.get(f"percent_{milestone.pk}", "").strip()
                if raw:
                    services.milestone_progress_set(
                        actor=request.user, milestone=milestone, period=period, percent=raw
                    )
            messages.success(request, _("Progress saved."))
            return redirect("indicators:project_progress", node_id=node.pk)
        if action == "financial" and financial_form.is_valid():
            data = financial_form.cleaned_data
            services.financial_progress_set(
                actor=request.user,
                node=node,
                period=data["period"],
                programmed=data["programmed"],
                executed=data["executed"],
                currency=data["currency"],
            )
            messages.success(request, _("Amounts saved."))
            return redirect("indicators:project_progress", node_id=node.pk)
    except PeriodCodeError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    milestones = list(Milestone.objects.filter(node=node).order_by("position", "pk"))
    history = selectors.node_progress_history(node=node)
    return render(
        request,
        "indicators/sheets/project_progress.html",
        {
            "plan": plan,
            "node": node,
            "milestones": milestones,
            "blank_rows": range(len(milestones), len(milestones) + 3),
            "history": history,
            "period_form": period_form,
            "financial_form": financial_form,
            "can_edit": selectors.user_can(request.user, plan, Capability.EDIT_PLAN),
            "can_report": selectors.user_can(request.user, plan, Capability.REPORT_DATA),
        },
        status=422 if request.method == "POST" else 200,
    )
