"""Pages of the multi-criteria prioritisation: the criteria matrix, a project's scores with their
breakdown, the bank's ranking (and its CSV), and the sensitivity of the ranking to a weight.

All of it is internal deliberation: whoever may not read the entity's private data gets 404
(missing and forbidden look the same); members without EDIT_PLAN get 403 on writes. Views parse,
call one service or selector, and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.forms import form_add_validation_error
from rumbo.core.http import HtmxHttpRequest
from rumbo.investments.gatekeepers import entity_private_or_404, project_or_404
from rumbo.investments.models import PriorityCriterion, ProjectScore
from rumbo.investments.priorities import selectors, services
from rumbo.investments.priorities.forms import (
    CriterionForm,
    RankingFilterForm,
    ScoreSheetForm,
    SensitivityForm,
)
from rumbo.investments.prioritisation import TOP_N, MissingRule
from rumbo.investments.selectors import entity_bank_ranking, entity_criteria

# The ranking page lists this many projects per page (each with its breakdown); the CSV has all.
RANKING_PAGE_ROWS = 100
# The sensitivity page lists the projects that move or are in the top N, at most this many.
SENSITIVITY_ROWS = 200


def _criterion_or_404(request: HtmxHttpRequest, entity_id: int, criterion_id: int) -> PriorityCriterion:
    entity = entity_private_or_404(request, entity_id, Capability.EDIT_PLAN)
    criterion = (
        PriorityCriterion.objects.filter(entity=entity, pk=criterion_id).select_related("entity").first()
    )
    if criterion is None:
        raise Http404
    return criterion


def _can_edit(request: HtmxHttpRequest, entity_id: int) -> bool:
    return user_access(request.user).can(entity_id, Capability.EDIT_PLAN)


# --- criteria -----------------------------------------------------------------------------------


@login_required
@require_GET
def criteria(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id)
    return render(
        request,
        "investments/priorities/criteria.html",
        {
            "entity": entity,
            "table": selectors.criteria_table(entity=entity),
            "can_edit": _can_edit(request, entity.pk),
            "suggested": services.SUGGESTED_CRITERIA,
        },
    )


def _criterion_form(
    request: HtmxHttpRequest, entity: Entity, criterion: PriorityCriterion | None
) -> HttpResponse:
    form = CriterionForm(request.POST or None, criterion=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_save(actor=request.user, entity=entity, **form.service_kwargs())
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Criterion saved."))
            return redirect("investments:criteria", entity_id=entity.pk)
    return render(
        request,
        "investments/priorities/criterion_form.html",
        {"entity": entity, "form": form, "criterion": criterion},
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_add(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id, Capability.EDIT_PLAN)
    return _criterion_form(request, entity, None)


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HtmxHttpRequest, entity_id: int, criterion_id: int) -> HttpResponse:
    criterion = _criterion_or_404(request, entity_id, criterion_id)
    return _criterion_form(request, criterion.entity, criterion)  # the key field is disabled


@login_required
@require_http_methods(["GET", "POST"])
def criterion_delete(request: HtmxHttpRequest, entity_id: int, criterion_id: int) -> HttpResponse:
    criterion = _criterion_or_404(request, entity_id, criterion_id)
    error = ""
    if request.method == "POST":
        try:
            removed = services.criterion_delete(actor=request.user, criterion=criterion)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("Criterion %(name)s removed, with its %(count)s scores.")
                % {"name": criterion.name, "count": removed},
            )
            return redirect("investments:criteria", entity_id=entity_id)
    return render(
        request,
        "investments/priorities/criterion_delete.html",
        {
            "entity": criterion.entity,
            "criterion": criterion,
            "scores": ProjectScore.objects.filter(criterion=criterion).count(),
            "error": error,
        },
    )


@login_required
@require_POST
def criteria_suggested(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id, Capability.EDIT_PLAN)
    added = services.criteria_suggested_adopt(actor=request.user, entity=entity)
    if added:
        messages.success(
            request,
            _("%(count)s criteria of the suggested matrix added.") % {"count": len(added)},
        )
    else:
        messages.info(request, _("The entity already has every criterion of the suggested matrix."))
    return redirect("investments:criteria", entity_id=entity.pk)


# --- a project's scores -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_score(request: HtmxHttpRequest, project_id: int) -> HttpResponse:
    """A project's scores and breakdown. Even for a project of the public bank the breakdown is
    internal deliberation: 404 unless the user may read the entity's private data."""
    project = project_or_404(request, project_id)
    access = user_access(request.user)
    if not access.can(project.entity_id, Capability.VIEW_PRIVATE):
        raise Http404
    can_edit = access.can(project.entity_id, Capability.EDIT_PLAN)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    missing: MissingRule = "zero" if request.GET.get("missing") == "zero" else "exclude"
    criteria_list = list(PriorityCriterion.objects.filter(entity_id=project.entity_id).order_by("key"))
    current = {
        s.criterion_id: (s.score, s.justification) for s in ProjectScore.objects.filter(project=project)
    }
    form = ScoreSheetForm(request.POST or None, criteria=criteria_list, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.project_scores_set(actor=request.user, project=project, rows=form.rows())
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                field = f"score_{key}"
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("%(count)s scores saved.") % {"count": changed})
            return redirect("investments:project_score", project_id=project.pk)
    return render(
        request,
        "investments/priorities/project_score.html",
        {
            "project": project,
            "sheet": selectors.project_score_sheet(project=project, missing=missing),
            "form": form,
            "can_edit": can_edit,
            "missing": missing,
        },
        status=422 if form.errors else 200,
    )


# --- ranking ------------------------------------------------------------------------------------


def _ranking_rows(entity: Entity, form: RankingFilterForm) -> tuple[list[Any], str]:
    try:
        rows = entity_bank_ranking(entity=entity, missing=form.missing_rule(), **form.selection())
    except ValueError as exc:
        return [], str(exc)
    return rows, ""


@login_required
@require_GET
def ranking(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id)
    form = RankingFilterForm(request.GET or None, entity_id=entity.pk)
    rows, problem = _ranking_rows(entity, form)
    page = Paginator(rows, RANKING_PAGE_ROWS).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "investments/priorities/ranking.html",
        {
            "entity": entity,
            "form": form,
            "rows": selectors.ranking_display(rows=list(page.object_list)),
            "page": page,
            "page_query": query.urlencode(),
            "problem": problem,
            "missing": form.missing_rule(),
            "criteria": selectors.criteria_table(entity=entity),
            "can_edit": _can_edit(request, entity.pk),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def ranking_csv(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    entity = entity_private_or_404(request, entity_id)
    form = RankingFilterForm(request.GET or None, entity_id=entity.pk)
    rows, _problem = _ranking_rows(entity, form)
    body = selectors.ranking_csv(rows=rows, criteria=entity_criteria(entity=entity))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="priorizacion-{entity.pk}.csv"'
    return response


# --- sensitivity --------------------------------------------------------------------------------


@login_required
@require_GET
def sensitivity(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    """Pick a criterion and a change; the ranking before and after, computed without saving.
    An htmx request gets only the result; a plain one the whole page."""
    entity = entity_private_or_404(request, entity_id)
    criteria_list = list(PriorityCriterion.objects.filter(entity=entity).order_by("-weight", "key"))
    form = SensitivityForm(
        request.GET if "criterion" in request.GET else None, entity_id=entity.pk, criteria=criteria_list
    )
    result = None
    problem = ""
    top_n = TOP_N
    missing: MissingRule = "exclude"
    selection: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        top_n = form.cleaned_data.get("top_n") or TOP_N
        missing = form.missing_rule()
        selection = form.selection()
        delta, new_weight = form.change_arguments()
        try:
            result = selectors.bank_sensitivity(
                entity=entity,
                criterion_key=form.cleaned_data["criterion"],
                delta=delta,
                new_weight=new_weight,
                top_n=top_n,
                missing=missing,
                **selection,
            )
        except ValueError as exc:
            problem = str(exc)
    one_at_a_time: list[Any] = []
    if criteria_list and not problem:
        try:
            one_at_a_time = selectors.bank_sensitivity_one_at_a_time(
                entity=entity,
                top_n=top_n,
                missing=missing,
                **selection,
            )
        except ValueError as exc:
            problem = str(exc)
    moves = []
    if result is not None:
        moves = [m for m in result.moves if m.change or m.top_before or m.top_after][:SENSITIVITY_ROWS]
    context = {
        "entity": entity,
        "form": form,
        "result": result,
        "moves": moves,
        "hidden_moves": len(result.moves) - len(moves) if result is not None else 0,
        "problem": problem,
        "one_at_a_time": one_at_a_time,
        "top_n": top_n,
        "has_criteria": bool(criteria_list),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "investments/priorities/_sensitivity_result.html", context)
    return render(request, "investments/priorities/sensitivity.html", context)
