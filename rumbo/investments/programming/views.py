"""Pages of investment plans, their lines, ceilings, summaries and documents. Views parse, call one
service or selector, and render; services check permissions again."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.forms import form_add_validation_error
from rumbo.core.models import Job, JobStatus
from rumbo.investments.gatekeepers import entity_private_or_404, investment_plan_or_404, project_or_404
from rumbo.investments.models import InvestmentLine, InvestmentPlan, InvestmentPlanKind
from rumbo.investments.programming import selectors, services
from rumbo.investments.programming.documents import document_path
from rumbo.investments.programming.forms import InvestmentPlanForm, LineForm, ProgramForm, WhatIfForm
from rumbo.investments.selectors import entity_bank_ranking

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _can(request: HttpRequest, entity_id: int, capability: Capability) -> bool:
    return user_access(request.user).can(entity_id, capability)


def _line_or_404(request: HttpRequest, line_id: int) -> InvestmentLine:
    line = (
        InvestmentLine.objects.select_related("investment_plan", "project", "source")
        .filter(pk=line_id)
        .first()
    )
    if line is None:
        raise Http404
    line.investment_plan = investment_plan_or_404(request, line.investment_plan_id, Capability.EDIT_PLAN)
    return line


@login_required
@require_GET
def investment_plans(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id)
    rows = selectors.investment_plans_for_entity(entity=entity, user=request.user)
    return render(
        request,
        "investments/programming/list.html",
        {"entity": entity, "rows": rows, "can_edit": _can(request, entity.pk, Capability.EDIT_PLAN)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def investment_plan_create(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id, Capability.EDIT_PLAN)
    next_year = datetime.date.today().year + 1
    form = InvestmentPlanForm(
        request.POST or None,
        entity=entity,
        initial={
            "year_start": next_year,
            "year_end": next_year,
            "kind": InvestmentPlanKind.POA if entity.country == "MX" else InvestmentPlanKind.ANNUAL,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            row = services.investment_plan_create(actor=request.user, entity=entity, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Investment plan created."))
            return redirect("investments:investment_plan_detail", investment_plan_id=row.pk)
    return render(request, "investments/programming/form.html", {"entity": entity, "form": form, "row": None})


@login_required
@require_http_methods(["GET", "POST"])
def investment_plan_edit(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    row = investment_plan_or_404(request, investment_plan_id, Capability.EDIT_PLAN)
    initial = {k: getattr(row, k) for k in ("kind", "title", "plan", "year_start", "year_end")}
    form = InvestmentPlanForm(request.POST or None, entity=row.entity, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.investment_plan_update(actor=request.user, investment_plan=row, **form.cleaned_data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Investment plan saved."))
            return redirect("investments:investment_plan_detail", investment_plan_id=row.pk)
    return render(
        request, "investments/programming/form.html", {"entity": row.entity, "form": form, "row": row}
    )


def _documents(row: InvestmentPlan) -> list[Job]:
    return list(
        Job.objects.filter(
            kind="investment_plan_documents", params__investment_plan_id=row.pk, status=JobStatus.SUCCEEDED
        ).order_by("-created_at")[:3]
    )


@require_GET
def investment_plan_detail(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    row = investment_plan_or_404(request, investment_plan_id)
    lines = selectors.investment_plan_lines(investment_plan=row)
    figures = selectors.line_figures(lines)
    ceilings = selectors.investment_plan_ceiling_check(investment_plan=row, lines=figures)
    projects = sorted(
        {(li.project_id, f"{li.project.code} {li.project.title}") for li in lines}, key=lambda p: p[1]
    )
    private = _can(request, row.entity_id, Capability.VIEW_PRIVATE)
    context: dict[str, Any] = {
        "row": row,
        "lines": lines,
        "total": sum((f.amount for f in figures), selectors.ZERO),
        "ceilings": ceilings,
        "over": [c for c in ceilings if c.status == "over"],
        "unset": [c for c in ceilings if c.status == "no_ceiling"],
        "highlight": request.GET.get("linea", ""),
        "what_if_form": WhatIfForm(investment_plan=row, projects=projects) if projects else None,
        "can_edit": _can(request, row.entity_id, Capability.EDIT_PLAN) and row.status == "draft",
        "can_approve": _can(request, row.entity_id, Capability.APPROVE) and row.status == "draft",
        "can_publish": _can(request, row.entity_id, Capability.PUBLISH),
        "can_copy": _can(request, row.entity_id, Capability.EDIT_PLAN),
        "can_documents": private,
        "documents": _documents(row) if private else [],
        "line_form": LineForm(investment_plan=row, initial={"year": row.year_start}),
    }
    return render(request, "investments/programming/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def line_add(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    row = investment_plan_or_404(request, investment_plan_id, Capability.EDIT_PLAN)
    form = LineForm(request.POST or None, investment_plan=row, initial={"year": row.year_start})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            line = services.line_add(
                actor=request.user,
                investment_plan=row,
                project=data["project"],
                year=data["year"],
                source_code=data["source"],
                amount=data["amount"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return _to_line(row, line)
    return render(request, "investments/programming/line_form.html", {"row": row, "form": form, "line": None})


def _to_line(row: InvestmentPlan, line: InvestmentLine) -> HttpResponse:
    url = reverse("investments:investment_plan_detail", kwargs={"investment_plan_id": row.pk})
    return redirect(f"{url}?linea={line.pk}#linea-{line.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _line_or_404(request, line_id)
    row = line.investment_plan
    initial = {
        "year": line.year,
        "source": line.source.code,
        "amount": str(line.amount).replace(".", ","),
        "starts_on": line.starts_on,
        "ends_on": line.ends_on,
        "note": line.note,
    }
    form = LineForm(request.POST or None, investment_plan=row, with_project=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.line_update(
                actor=request.user,
                line=line,
                year=data["year"],
                source_code=data["source"],
                amount=data["amount"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return _to_line(row, line)
    return render(request, "investments/programming/line_form.html", {"row": row, "form": form, "line": line})


def _back(row: InvestmentPlan) -> HttpResponse:
    return redirect("investments:investment_plan_detail", investment_plan_id=row.pk)


@login_required
@require_POST
def line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    line = _line_or_404(request, line_id)
    try:
        services.line_remove(actor=request.user, line=line)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Line removed."))
    return _back(line.investment_plan)


@login_required
@require_POST
def investment_plan_approve(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    row = investment_plan_or_404(request, investment_plan_id, Capability.APPROVE)
    try:
        services.investment_plan_approve(
            actor=request.user, investment_plan=row, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Investment plan approved."))
    return _back(row)


@login_required
@require_POST
def investment_plan_publish(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    row = investment_plan_or_404(request, investment_plan_id, Capability.PUBLISH)
    services.investment_plan_publish(
        actor=request.user, investment_plan=row, published=request.POST.get("published") == "1"
    )
    return _back(row)


@login_required
@require_POST
def investment_plan_copy(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    row = investment_plan_or_404(request, investment_plan_id, Capability.EDIT_PLAN)
    copy = services.investment_plan_copy(actor=request.user, investment_plan=row)
    messages.success(request, _("A new draft version was made."))
    return _back(copy)


@require_GET
def investment_plan_multiyear(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    row = investment_plan_or_404(request, investment_plan_id)
    table = selectors.investment_plan_multiyear(investment_plan=row)
    return render(request, "investments/programming/multiyear.html", {"row": row, "table": table})


@require_GET
def investment_plan_summary(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    row = investment_plan_or_404(request, investment_plan_id)
    summary = selectors.investment_plan_summary(investment_plan=row)
    sections = [
        (_("By year"), _("Year"), summary.by_year),
        (_("By funding source"), _("Source"), summary.by_source),
        (_("By axis"), _("Axis"), summary.by_axis),
        (_("By territorial unit"), _("Territorial unit"), summary.by_unit),
        (_("By sector"), _("Sector"), summary.by_sector),
    ]
    return render(
        request,
        "investments/programming/summary.html",
        {"row": row, "summary": summary, "sections": sections},
    )


@require_http_methods(["GET", "POST"])
def investment_plan_what_if(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    """GET shows the ceilings before and after the move; POST (EDIT_PLAN) applies it."""
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    row = investment_plan_or_404(
        request, investment_plan_id, Capability.EDIT_PLAN if request.method == "POST" else None
    )
    lines = selectors.investment_plan_lines(investment_plan=row)
    projects = sorted(
        {(li.project_id, f"{li.project.code} {li.project.title}") for li in lines}, key=lambda p: p[1]
    )
    form = WhatIfForm(
        request.POST if request.method == "POST" else request.GET or None,
        investment_plan=row,
        projects=projects,
    )
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if request.method == "POST":
            try:
                moved = services.line_move(
                    actor=request.user,
                    investment_plan=row,
                    project_id=data["project"],
                    from_year=data["from_year"],
                    to_year=data["to_year"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("%(n)s lines moved.") % {"n": moved})
            return _back(row)
        result = selectors.investment_plan_what_if(
            investment_plan=row,
            project_id=data["project"],
            from_year=data["from_year"],
            to_year=data["to_year"],
        )
    return render(
        request,
        "investments/programming/what_if.html",
        {
            "row": row,
            "form": form,
            "result": result,
            "can_apply": _can(request, row.entity_id, Capability.EDIT_PLAN) and row.status == "draft",
        },
    )


@login_required
@require_POST
def investment_plan_documents(request: HttpRequest, investment_plan_id: int) -> HttpResponse:
    row = investment_plan_or_404(request, investment_plan_id, Capability.VIEW_PRIVATE)
    job = services.investment_plan_documents_start(actor=request.user, investment_plan=row)
    return redirect("job", job_id=job.pk)


@require_GET
def investment_plan_document(
    request: HttpRequest, investment_plan_id: int, job_id: int, fmt: str
) -> HttpResponse:
    """A generated document, for whoever may see the plan."""
    row = investment_plan_or_404(request, investment_plan_id)
    job = Job.objects.filter(
        pk=job_id,
        kind="investment_plan_documents",
        params__investment_plan_id=row.pk,
        status=JobStatus.SUCCEEDED,
    ).first()
    if fmt not in DOCUMENT_TYPES or job is None:
        raise Http404
    path = document_path(investment_plan_id=row.pk, job_id=job.pk, fmt=fmt)
    if not path.is_file():
        raise Http404
    # plan documents are small (tens of kB): read whole, like the other generated documents
    response = HttpResponse(path.read_bytes(), content_type=DOCUMENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="plan-inversion-{row.pk}.{fmt}"'
    return response


def _ceiling_years(request: HttpRequest, entity_id: int) -> list[int]:
    this_year = datetime.date.today().year
    try:
        first = int(request.GET.get("desde", this_year))
        last = int(request.GET.get("hasta", first + 3))
    except ValueError:
        first, last = this_year, this_year + 3
    first = max(1900, min(first, 2200))
    last = max(first, min(last, first + 19))
    return list(range(first, last + 1))


@login_required
@require_http_methods(["GET", "POST"])
def funding_ceilings(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(
        request, entity_id, Capability.EDIT_PLAN if request.method == "POST" else None
    )
    years = _ceiling_years(request, entity.pk)
    sources = selectors.entity_sources(entity=entity)
    errors: list[str] = []
    if request.method == "POST":
        years = sorted({int(y) for y in request.POST.getlist("year") if y.isdigit()}) or years
        cells = [(y, s.code, request.POST.get(f"c-{y}-{s.code}", "")) for y in years for s in sources]
        try:
            changed = services.ceilings_set(actor=request.user, entity=entity, cells=cells)
        except ValidationError as exc:
            errors = list(exc.messages)
        else:
            messages.success(request, _("%(n)s ceilings changed.") % {"n": changed})
            return redirect(f"{request.path}?desde={years[0]}&hasta={years[-1]}")
    current = selectors.entity_ceilings(entity=entity, years=years)
    grid = [
        (
            s,
            [
                (
                    y,
                    f"c-{y}-{s.code}",
                    request.POST.get(f"c-{y}-{s.code}", "")
                    if errors
                    else (selectors.money(current[(y, s.code)]) if (y, s.code) in current else ""),
                )
                for y in years
            ],
        )
        for s in sources
    ]
    totals = [sum((v for (yy, _c), v in current.items() if yy == y), selectors.ZERO) for y in years]
    return render(
        request,
        "investments/programming/ceilings.html",
        {
            "entity": entity,
            "years": years,
            "grid": grid,
            "totals": totals,
            "errors": errors,
            "can_edit": _can(request, entity.pk, Capability.EDIT_PLAN),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def program_project(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_or_404(request, project_id, Capability.EDIT_PLAN)
    entity = project.entity
    today = datetime.date.today()
    default_plan = selectors.next_year_annual_plan(entity=entity, today=today)
    year = default_plan.year_start if default_plan else today.year + 1
    costs = list(project.year_costs.select_related("source"))
    year_cost = next((c for c in costs if c.year == year), None)
    initial = {
        "investment_plan": default_plan,
        "create_next": default_plan is None,
        "year": year,
        "amount": selectors.money(selectors.project_default_amount(project=project, year=year)).replace(
            ".", ""
        ),
        "source": year_cost.source.code if year_cost and year_cost.source else "own",
    }
    form = ProgramForm(request.POST or None, entity=entity, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            line = services.project_program(
                actor=request.user,
                project=project,
                investment_plan=data["investment_plan"],
                create_next=data["create_next"],
                year=data["year"],
                source_code=data["source"],
                amount=data["amount"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("The project was programmed."))
            return _to_line(line.investment_plan, line)
    # the place in the bank (accepted projects), as on the ranking page the link comes from
    ranked = next(
        (r.ranked for r in entity_bank_ranking(entity=entity) if r.ranked.project_id == project.pk), None
    )
    return render(
        request,
        "investments/programming/program.html",
        {"project": project, "form": form, "ranked": ranked, "costs": costs, "default_plan": default_plan},
    )
