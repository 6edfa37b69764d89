"""Pages of the project bank: the public bank and project page, the entity's hub, the office's
intake, the public initiative form and its tracking page, the moderation queue, zoning rules,
eligibility and the viability checklist. Views parse input, call one service or selector, render."""

from __future__ import annotations

import json
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.forms import form_add_validation_error
from rumbo.core.http import client_address
from rumbo.core.throttle import rate_limited
from rumbo.investments import services as project_services
from rumbo.investments.bank import selectors, services
from rumbo.investments.bank.forms import (
    BankFilterForm,
    InitiativeForm,
    ProjectForm,
    ReviewForm,
    ViabilityItemForm,
    YearCostFormSet,
    ZoningRuleForm,
    funding_source_choices,
    year_costs_from,
)
from rumbo.investments.eligibility import verdict_labels
from rumbo.investments.gatekeepers import entity_or_404, entity_private_or_404, project_or_404
from rumbo.investments.models import Project, ViabilityItem, ZoningRule

PAGE_SIZE = 25


def _flag(request: HttpRequest, entity_id: int, capability: Capability) -> bool:
    return user_access(request.user).can(entity_id, capability)


# --- public bank ---------------------------------------------------------------------------------


@require_GET
def bank(request: HttpRequest) -> HttpResponse:
    """The public bank: accepted projects of every entity, filtered and paged."""
    form = BankFilterForm(request.GET or None, entities=selectors.bank_entities())
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "entity_id": data["entity"].pk if data.get("entity") else None,
            "sector": data.get("sector") or "",
            "stage": data.get("stage") or "",
            "origin": data.get("origin") or "",
            "text": data.get("q") or "",
        }
    projects = selectors.bank_projects(user=request.user, **filters)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "investments/bank/bank.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_GET
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id)
    return render(request, "investments/bank/project_detail.html", _detail_context(request, project))


def _detail_context(request: HttpRequest, project: Project, **extra: Any) -> dict[str, Any]:
    entity = project.entity
    can_edit = _flag(request, entity.pk, Capability.EDIT_PLAN)
    year_costs = list(project.year_costs.select_related("source").order_by("year"))
    eligibility = project.eligibility or None
    viability = selectors.viability_state(project=project)
    return {
        "project": project,
        "entity": entity,
        "nodes": selectors.project_nodes(project=project),
        "year_costs": year_costs,
        "year_total": sum((c.amount for c in year_costs), 0),
        "units": list(project.units.order_by("code")),
        "indicators": list(project.indicators.order_by("code")),
        "national_code_label": selectors.national_code_label(country=entity.country) or _("National code"),
        "eligibility": eligibility,
        "verdict_labels": verdict_labels(),
        "viability": viability,
        "viability_verified": selectors.viability_is_verified(country=entity.country),
        "can_edit": can_edit,
        "is_member": _flag(request, entity.pk, Capability.VIEW_PRIVATE),
        "item_form": ViabilityItemForm(),
        "boundaries": selectors.entity_boundaries_geojson(entity_id=entity.pk),
        "location": project.location,
        **extra,
    }


@require_GET
def entity_home(request: HttpRequest, entity_id: int) -> HttpResponse:
    """The entity's hub for its investment work: counts and links (internal ones for members)."""
    entity = entity_or_404(request, entity_id)
    summary = selectors.entity_bank_summary(entity=entity)
    is_member = _flag(request, entity.pk, Capability.VIEW_PRIVATE)
    recent = selectors.bank_projects(user=request.user, entity_id=entity.pk).order_by("-created_at")[:10]
    return render(
        request,
        "investments/bank/entity_home.html",
        {
            "entity": entity,
            "summary": summary,
            "is_member": is_member,
            "can_edit": _flag(request, entity.pk, Capability.EDIT_PLAN),
            "recent": recent,
        },
    )


# --- office intake -------------------------------------------------------------------------------


def _project_form_page(request: HttpRequest, entity: Any, project: Project | None) -> HttpResponse:
    sources = funding_source_choices(entity=entity)
    initial: dict[str, Any] = {}
    cost_initial: list[dict[str, Any]] = []
    if project is not None:
        initial = {
            "title": project.title,
            "code": project.code,
            "description": project.description,
            "kind": project.kind,
            "sector": project.sector,
            "stage": project.stage,
            "term": project.term,
            "national_code": project.national_code,
            "responsible": project.responsible,
            "plan": project.plan_id,
            "nodes": list(project.nodes.values_list("pk", flat=True)),
            "indicators": list(project.indicators.values_list("pk", flat=True)),
            "cost_total": str(project.cost_total).replace(".", ","),
            "unit_codes": ", ".join(project.units.order_by("code").values_list("code", flat=True)),
            "location": json.dumps(project.location) if project.location else "",
        }
        cost_initial = [
            {
                "year": c.year,
                "amount": str(c.amount).replace(".", ","),
                "source": c.source.code if c.source else "",
            }
            for c in project.year_costs.select_related("source").order_by("year")
        ]
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, initial=initial, entity=entity, editing=project is not None)
    formset = YearCostFormSet(
        data, initial=cost_initial or None, prefix="costs", form_kwargs={"sources": sources}
    )
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            d = form.cleaned_data
            params: dict[str, Any] = {
                "actor": request.user,
                "code": d["code"],
                "title": d["title"],
                "cost_total": d["cost_total"],
                "year_costs": year_costs_from(formset),
                "unit_codes": d["unit_list"],
                "location": d["location_value"],
                "plan": d.get("plan"),
                "nodes": list(d.get("nodes") or []),
                "description": d.get("description", ""),
                "kind": d["kind"],
                "sector": d.get("sector", ""),
                "term": d.get("term", ""),
                "national_code": d.get("national_code", ""),
                "responsible": d.get("responsible", ""),
            }
            try:
                if project is None:
                    project = project_services.project_create(
                        entity=entity,
                        stage=d["stage"],
                        currency=selectors.CURRENCIES.get(entity.country, "PEN"),
                        **params,
                    )
                    project.indicators.set(list(d.get("indicators") or []))
                else:
                    project = project_services.project_update(
                        project=project, indicators=list(d.get("indicators") or []), **params
                    )
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                messages.success(request, _("The project was saved."))
                return redirect("investments:project_detail", project_id=project.pk)
    return render(
        request,
        "investments/bank/project_form.html",
        {
            "form": form,
            "formset": formset,
            "entity": entity,
            "project": project,
            "boundaries": selectors.entity_boundaries_geojson(entity_id=entity.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id, Capability.EDIT_PLAN)
    return _project_form_page(request, entity, None)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.EDIT_PLAN)
    return _project_form_page(request, project.entity, project)


# --- citizen initiatives -------------------------------------------------------------------------


def _initiative_page(request: HttpRequest, entity: Any | None) -> HttpResponse:
    if request.method == "POST":
        form = InitiativeForm(request.POST, entity=entity)
        if form.is_valid():
            d = form.cleaned_data
            target = entity or d["entity"]
            try:
                project = services.initiative_submit(
                    entity=target,
                    title=d["title"],
                    description=d["description"],
                    sector=d.get("sector") or "",
                    unit_codes=d["unit_list"],
                    location=d["location_value"],
                    cost_estimate=d.get("cost_estimate") or "",
                    proposer_name=d["proposer_name"],
                    proposer_email=d.get("proposer_email") or "",
                    proposer_organisation=d.get("proposer_organisation") or "",
                    fingerprint=services.submitter_fingerprint(remote_addr=client_address(request)),
                    honeypot=d.get("website") or "",
                    form_token=d["started"],
                )
            except services.InitiativeLimitReached as exc:
                form.add_error(None, exc.message)
                response = _initiative_render(request, form, entity)
                response.status_code = 429
                return response
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                url = request.build_absolute_uri(
                    reverse("investments:initiative_tracking", args=[project.tracking_code])
                )
                services.initiative_receipt_send(project=project, tracking_url=url)
                return redirect(
                    reverse("investments:initiative_tracking", args=[project.tracking_code]) + "?nueva=1"
                )
        # a new token, so a person who corrects the form is not refused as too fast
        data = request.POST.copy()
        data["started"] = services.initiative_form_token()
        form.data = data
    else:
        form = InitiativeForm(entity=entity, initial={"started": services.initiative_form_token()})
    return _initiative_render(request, form, entity)


def _initiative_render(request: HttpRequest, form: InitiativeForm, entity: Any | None) -> HttpResponse:
    return render(
        request,
        "investments/bank/initiative_form.html",
        {
            "form": form,
            "entity": entity,
            "boundaries": selectors.entity_boundaries_geojson(entity_id=entity.pk) if entity else None,
        },
    )


@require_http_methods(["GET", "POST"])
def initiative_new(request: HttpRequest) -> HttpResponse:
    """The public initiative form where the proposer chooses the entity."""
    return _initiative_page(request, None)


@require_http_methods(["GET", "POST"])
def initiative_new_for_entity(request: HttpRequest, entity_id: int) -> HttpResponse:
    return _initiative_page(request, entity_or_404(request, entity_id))


@require_GET
@rate_limited("tracking")
def initiative_tracking(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """What the proposer sees with their code: the status and dates, never their e-mail."""
    project = selectors.initiative_by_tracking(tracking_code=tracking_code)
    if project is None:
        raise Http404
    return render(
        request,
        "investments/bank/tracking.html",
        {"project": project, "just_sent": request.GET.get("nueva") == "1"},
    )


# --- moderation ----------------------------------------------------------------------------------


@login_required
@require_GET
def moderation(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id)
    queue = selectors.moderation_queue(entity=entity)
    return render(
        request,
        "investments/bank/moderation.html",
        {
            "entity": entity,
            "queue": queue,
            "can_edit": _flag(request, entity.pk, Capability.EDIT_PLAN),
            "review_form": ReviewForm(entity_id=entity.pk),
        },
    )


@login_required
@require_POST
def project_review(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.EDIT_PLAN)
    form = ReviewForm(request.POST, entity_id=project.entity_id)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.initiative_review(
                actor=request.user,
                project=project,
                decision=d["decision"],
                note=d.get("note") or "",
                plan=d.get("plan"),
                nodes=list(d.get("nodes") or []),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(code)s: decision saved.") % {"code": project.code})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("investments:moderation", entity_id=project.entity_id)


# --- eligibility and zoning ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def zoning(request: HttpRequest, entity_id: int) -> HttpResponse:
    """The entity's zoning rules: add one (EDIT_PLAN), see the layers' attributes and values."""
    entity = entity_private_or_404(request, entity_id)
    form = ZoningRuleForm(request.POST or None, entity=entity)
    if request.method == "POST":
        entity = entity_private_or_404(request, entity_id, Capability.EDIT_PLAN)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.zoning_rule_create(
                    actor=request.user,
                    entity=entity,
                    layer=d["layer"],
                    attribute=d["attribute"],
                    value=d["value"],
                    sector=d.get("sector") or "",
                    verdict=d["verdict"],
                    note=d.get("note") or "",
                )
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                messages.success(request, _("The rule was added."))
                return redirect("investments:zoning", entity_id=entity.pk)
    layers = list(entity.layers.all())
    return render(
        request,
        "investments/bank/zoning.html",
        {
            "entity": entity,
            "form": form,
            "rules": selectors.zoning_rules(entity=entity),
            "attributes": {layer.name: selectors.layer_attributes(layer=layer) for layer in layers},
            "can_edit": _flag(request, entity.pk, Capability.EDIT_PLAN),
        },
    )


@login_required
@require_POST
def zoning_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(ZoningRule, pk=rule_id)
    entity_private_or_404(request, rule.entity_id, Capability.EDIT_PLAN)
    services.zoning_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("The rule was removed."))
    return redirect("investments:zoning", entity_id=rule.entity_id)


@login_required
@require_POST
def zoning_recheck(request: HttpRequest, entity_id: int) -> HttpResponse:
    """Check every project of the entity again (fast enough to run in the request)."""
    entity = entity_private_or_404(request, entity_id, Capability.EDIT_PLAN)
    started = time.perf_counter()
    counts = services.entity_eligibility_recheck(actor=request.user, entity=entity)
    labels = verdict_labels()
    summary = ", ".join(f"{labels.get(k, k)}: {v}" for k, v in sorted(counts.items())) or "—"
    messages.success(
        request,
        _("%(count)s projects checked in %(seconds)s s (%(summary)s).")
        % {
            "count": sum(counts.values()),
            "seconds": f"{time.perf_counter() - started:.2f}",
            "summary": summary,
        },
    )
    return redirect("investments:zoning", entity_id=entity.pk)


@login_required
@require_POST
def project_eligibility(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.EDIT_PLAN)
    services.project_eligibility_check(actor=request.user, project=project)
    messages.success(request, _("Eligibility checked again."))
    return redirect("investments:project_detail", project_id=project.pk)


# --- viability -----------------------------------------------------------------------------------


@login_required
@require_POST
def viability_item(request: HttpRequest, project_id: int, key: str) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.EDIT_PLAN)
    form = ViabilityItemForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.viability_item_set(
                actor=request.user,
                project=project,
                key=key,
                done=d["done"],
                not_applicable=d["not_applicable"],
                note=d.get("note") or "",
            )
            if d.get("document"):
                services.viability_document_attach(
                    actor=request.user, project=project, key=key, upload=d["document"]
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The checklist was updated."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("investments:project_detail", args=[project.pk]) + "#viabilidad")


@require_GET
def viability_document(request: HttpRequest, project_id: int, key: str) -> FileResponse:
    """Serve a checklist document to whoever may see the project (never a bare /media/ link)."""
    project = project_or_404(request, project_id)
    row = ViabilityItem.objects.filter(project=project, key=key).first()
    if row is None or not row.document:
        raise Http404
    return FileResponse(
        row.document.open("rb"),
        as_attachment=True,
        filename=row.document_name or (row.document.name or "documento").rsplit("/", 1)[-1],
    )


@login_required
@require_POST
def project_stage_advance(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.EDIT_PLAN)
    try:
        services.project_stage_advance(actor=request.user, project=project)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The project moved to the stage %(stage)s.") % {"stage": project.get_stage_display()}
        )
    return redirect(reverse("investments:project_detail", args=[project.pk]) + "#viabilidad")
