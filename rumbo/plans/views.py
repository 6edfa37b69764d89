"""Back-office and public pages for plans and their trees. Views parse, call one service or
selector, and render; htmx requests get fragments instead of whole pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts.permissions import Capability, user_access
from rumbo.accounts.selectors import entities_for_user
from rumbo.core.forms import form_add_validation_error
from rumbo.core.http import HtmxHttpRequest
from rumbo.core.import_views import ImportPage, import_page
from rumbo.plans import exports, services
from rumbo.plans.forms import (
    CommentForm,
    LegalActForm,
    NodeDeleteForm,
    NodeForm,
    NodeMoveForm,
    PlanForm,
    PlanLinkForm,
)
from rumbo.plans.gatekeepers import plan_or_404
from rumbo.plans.imports import JOB_KIND as IMPORT_JOB_KIND
from rumbo.plans.imports import plan_import_confirm, plan_import_job_preview, plan_import_upload
from rumbo.plans.models import LegalAct, Node, Plan
from rumbo.plans.selectors import (
    node_descendant_count,
    node_get_for_user,
    plan_alignments,
    plan_counts,
    plan_get_for_user,
    plan_history,
    plan_tree,
    plans_visible_to,
)
from rumbo.territory.models import TerritorialUnit
from rumbo.territory.selectors import units_by_codes


def _node_or_404(request: HtmxHttpRequest, node_id: int, capability: Capability) -> Node:
    node = node_get_for_user(node_id=node_id, user=request.user)
    if node is None:
        raise Http404
    if not user_access(request.user).can(node.plan.entity_id, capability):
        raise PermissionDenied
    return node


def _units_from_codes(codes: list[str], country: str) -> tuple[list[TerritorialUnit], list[str]]:
    return units_by_codes(country=country, codes=codes)


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    plans = plans_visible_to(user=request.user).order_by("-is_published", "name")[:50]
    entities = entities_for_user(user=request.user) if request.user.is_authenticated else []
    return render(request, "plans/home.html", {"plans": plans, "entities": entities})


@require_GET
def plan_list(request: HtmxHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    plans = plans_visible_to(user=request.user).order_by("name")
    if q:
        plans = plans.filter(name__icontains=q)
    can_create = (
        bool(user_access(request.user).entities_with(Capability.EDIT_PLAN)) or request.user.is_superuser
    )
    return render(request, "plans/plan_list.html", {"plans": plans[:500], "q": q, "can_create": can_create})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HtmxHttpRequest) -> HttpResponse:
    access = user_access(request.user)
    entities = entities_for_user(user=request.user)
    if not access.is_superuser:
        entities = entities.filter(pk__in=access.entities_with(Capability.EDIT_PLAN))
    if not entities.exists():
        raise PermissionDenied
    form = PlanForm(request.POST or None, entities=entities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        units, unknown = _units_from_codes(form.unit_code_list(), data["entity"].country)
        if unknown:
            form.add_error("unit_codes", _("Unknown unit codes: %(codes)s") % {"codes": ", ".join(unknown)})
        else:
            try:
                plan = services.plan_create(
                    actor=request.user,
                    entity=data["entity"],
                    plan_type=data["plan_type"],
                    name=data["name"],
                    code=data["code"],
                    status=data["status"],
                    horizon_start=data["horizon_start"],
                    horizon_end=data["horizon_end"],
                    vision=data["vision"],
                    target_image=data["target_image"],
                    description=data["description"],
                    units=units,
                    levels=form.level_list() or None,
                )
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                messages.success(request, _("Plan created. Now add its first axis."))
                return redirect("plans:detail", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.EDIT_PLAN)
    initial = {
        "plan_type": plan.plan_type,
        "name": plan.name,
        "code": plan.code,
        "status": plan.status,
        "horizon_start": plan.horizon_start,
        "horizon_end": plan.horizon_end,
        "vision": plan.vision,
        "target_image": plan.target_image,
        "description": plan.description,
        "unit_codes": ", ".join(plan.units.values_list("code", flat=True)),
        "levels": "\n".join(plan.levels.order_by("depth").values_list("name", flat=True)),
    }
    form = PlanForm(request.POST or None, initial=initial, entities=None, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        units, unknown = _units_from_codes(form.unit_code_list(), plan.entity.country)
        if unknown:
            form.add_error("unit_codes", _("Unknown unit codes: %(codes)s") % {"codes": ", ".join(unknown)})
        else:
            fields = {
                k: data[k]
                for k in (
                    "plan_type",
                    "name",
                    "code",
                    "status",
                    "horizon_start",
                    "horizon_end",
                    "vision",
                    "target_image",
                    "description",
                )
            }
            try:
                with transaction.atomic():
                    services.plan_update(actor=request.user, plan=plan, units=units, **fields)
                    if form.level_list():
                        services.plan_levels_rename(actor=request.user, plan=plan, names=form.level_list())
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                messages.success(request, _("Plan saved."))
                return redirect("plans:detail", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan, "creating": False})


def _tree_context(request: HtmxHttpRequest, plan: Plan) -> dict[str, Any]:
    access = user_access(request.user)
    summary = plan_tree(plan=plan)
    return {
        "plan": plan,
        "rows": summary.rows,
        "unnormalised": summary.unnormalised_groups,
        "can_edit_tree": access.can(plan.entity_id, Capability.EDIT_TREE),
        "levels": list(plan.levels.all()),
    }


@require_GET
def plan_detail(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    access = user_access(request.user)
    context = _tree_context(request, plan)
    context.update(
        {
            "counts": plan_counts(plan=plan),
            "alignments": plan_alignments(plan=plan, user=request.user),
            "units": list(plan.units.all()[:50]),
            "legal_acts": list(plan.legal_acts.all()),
            "links_out": list(plan.links_out.select_related("target", "target__entity")),
            "links_in": [
                link
                for link in plan.links_in.select_related("source", "source__entity")
                if plan_get_for_user(plan_id=link.source_id, user=request.user)
            ],
            "can_edit_plan": access.can(plan.entity_id, Capability.EDIT_PLAN),
            "can_publish": access.can(plan.entity_id, Capability.PUBLISH),
            "can_view_private": access.can(plan.entity_id, Capability.VIEW_PRIVATE),
            "can_comment": access.can(plan.entity_id, Capability.COMMENT),
            "comments": list(plan.comments.select_related("author", "node"))
            if access.can(plan.entity_id, Capability.VIEW_PRIVATE)
            else [],
            "node_form": NodeForm(),
        }
    )
    return render(request, "plans/plan_detail.html", context)


@require_GET
def plan_tree_fragment(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    return render(request, "plans/_tree.html", _tree_context(request, plan))


@login_required
@require_POST
def plan_publish(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.PUBLISH)
    publish = request.POST.get("published") == "1"
    services.plan_publish(actor=request.user, plan=plan, published=publish)
    messages.success(request, _("The plan is now public.") if publish else _("The plan is no longer public."))
    return redirect("plans:detail", plan_id=plan.pk)


def _render_tree_with(
    request: HtmxHttpRequest, plan: Plan, *, status: int = 200, extra: dict[str, Any] | None = None
) -> HttpResponse:
    context = _tree_context(request, plan)
    context.update(extra or {})
    return render(request, "plans/_tree.html", context, status=status)


def _node_units(form: NodeForm, plan: Plan) -> list[TerritorialUnit]:
    units, unknown = _units_from_codes(form.unit_code_list(), plan.entity.country)
    if unknown:
        raise ValidationError(
            {"unit_codes": _("Unknown unit codes: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    return units


def _node_form_response(request: HtmxHttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The node form: a fragment for htmx (re-targeted onto itself when it has errors)."""
    if not request.htmx:
        return render(
            request, "plans/node_form_page.html", context, status=422 if context["form"].errors else 200
        )
    response = render(request, "plans/_node_form.html", context)
    if context["form"].errors:
        response["HX-Retarget"] = f"#{context['form_id']}"
        response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def node_add(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.EDIT_TREE)
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    parent = None
    if parent_id:
        parent = Node.objects.filter(plan=plan, pk=int(parent_id)).first()
        if parent is None:
            raise Http404
    form = NodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        del data["unit_codes"]
        try:
            units = _node_units(form, plan)
            node = services.node_create(actor=request.user, plan=plan, parent=parent, units=units, **data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            if request.htmx:
                return _render_tree_with(request, plan, extra={"flash_node": node.pk})
            messages.success(request, _("Node %(code)s added.") % {"code": node.code})
            return redirect("plans:detail", plan_id=plan.pk)
    form_id = f"nodeform-{parent.pk if parent else 'root'}"
    return _node_form_response(
        request, {"form": form, "plan": plan, "parent": parent, "action": "add", "form_id": form_id}
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_edit(request: HtmxHttpRequest, node_id: int) -> HttpResponse:
    node = _node_or_404(request, node_id, Capability.EDIT_TREE)
    initial = {
        k: getattr(node, k)
        for k in ("code", "title", "responsible", "term", "term_start", "term_end", "description")
    }
    initial["weight"] = f"{node.weight.normalize():f}"
    initial["unit_codes"] = ", ".join(node.units.values_list("code", flat=True))
    form = NodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        del data["unit_codes"]
        try:
            units = _node_units(form, node.plan)
            services.node_update(actor=request.user, node=node, units=units, **data)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            if request.htmx:
                return _render_tree_with(request, node.plan, extra={"flash_node": node.pk})
            messages.success(request, _("Node saved."))
            return redirect("plans:detail", plan_id=node.plan_id)
    return _node_form_response(
        request,
        {
            "form": form,
            "plan": node.plan,
            "node": node,
            "action": "edit",
            "form_id": f"nodeform-edit-{node.pk}",
        },
    )


@login_required
@require_POST
def node_shift(request: HtmxHttpRequest, node_id: int) -> HttpResponse:
    node = _node_or_404(request, node_id, Capability.EDIT_TREE)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.node_shift(actor=request.user, node=node, offset=offset)
    if request.htmx:
        return _render_tree_with(request, node.plan, extra={"flash_node": node.pk})
    return redirect("plans:detail", plan_id=node.plan_id)


@login_required
@require_http_methods(["GET", "POST"])
def node_move(request: HtmxHttpRequest, node_id: int) -> HttpResponse:
    node = _node_or_404(request, node_id, Capability.EDIT_TREE)
    form = NodeMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["parent_code"].strip()
        new_parent = Node.objects.filter(plan=node.plan, code=code).first() if code else None
        position = form.cleaned_data["position"]
        if code and new_parent is None:
            form.add_error(
                "parent_code", _("There is no node with the code %(code)s in this plan.") % {"code": code}
            )
        else:
            try:
                services.node_move(
                    actor=request.user,
                    node=node,
                    new_parent=new_parent,
                    position=position - 1 if position else None,
                )
            except ValidationError as exc:
                form_add_validation_error(form, exc)
            else:
                messages.success(request, _("Node %(code)s moved.") % {"code": node.code})
                return redirect("plans:detail", plan_id=node.plan_id)
    return render(request, "plans/node_move.html", {"form": form, "node": node, "plan": node.plan})


@login_required
@require_http_methods(["GET", "POST"])
def node_delete(request: HtmxHttpRequest, node_id: int) -> HttpResponse:
    node = _node_or_404(request, node_id, Capability.EDIT_TREE)
    form = NodeDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = services.node_delete(actor=request.user, node=node, children=form.cleaned_data["children"])
        messages.success(request, _("%(count)s node(s) deleted.") % {"count": count})
        return redirect("plans:detail", plan_id=node.plan_id)
    return render(
        request,
        "plans/node_delete.html",
        {"form": form, "node": node, "plan": node.plan, "descendants": node_descendant_count(node=node)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_alignments(request: HtmxHttpRequest, node_id: int) -> HttpResponse:
    """Align a node with nodes of another plan (one plan at a time: pick it, tick its nodes)."""
    node = _node_or_404(request, node_id, Capability.EDIT_TREE)
    others = plans_visible_to(user=request.user).exclude(pk=node.plan_id).order_by("name")
    target_plan = None
    if request.GET.get("plan") or request.POST.get("plan"):
        target_plan = others.filter(pk=int(request.GET.get("plan") or request.POST["plan"])).first()
        if target_plan is None:
            raise Http404
    current = list(node.aligned_to.select_related("plan"))
    if request.method == "POST" and target_plan is not None:
        chosen = {int(v) for v in request.POST.getlist("nodes") if v.isdigit()}
        keep = [t for t in current if t.plan_id != target_plan.pk]
        picked = list(Node.objects.filter(plan=target_plan, pk__in=chosen))
        try:
            services.node_align(actor=request.user, node=node, targets=[*keep, *picked])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Alignment saved."))
            return redirect("plans:detail", plan_id=node.plan_id)
    rows = plan_tree(plan=target_plan).rows if target_plan is not None else []
    return render(
        request,
        "plans/node_alignments.html",
        {
            "node": node,
            "plan": node.plan,
            "others": others,
            "target_plan": target_plan,
            "rows": rows,
            "current": current,
            "current_ids": {t.pk for t in current},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.EDIT_TREE)
    actor = request.user
    page = ImportPage(
        kind=IMPORT_JOB_KIND,
        title=_("Import structure"),
        intro_template="plans/_import_intro.html",
        back_url=reverse("plans:detail", kwargs={"plan_id": plan.pk}),
        back_label=plan.name,
        accept=".xlsx,.csv,.json,.txt",
        file_label=_("File (XLSX, CSV or JSON)"),
        upload=lambda f: plan_import_upload(actor=actor, plan=plan, uploaded_file=f),
        preview=lambda job, mapping: plan_import_job_preview(actor=actor, job=job, mapping=mapping),
        confirm=lambda job, mapping: plan_import_confirm(actor=actor, job=job, mapping=mapping),
        owns=lambda job: job.params.get("plan_id") == plan.pk,
        recent=lambda jobs: jobs.filter(params__plan_id=plan.pk),
        context={"plan": plan},
    )
    return import_page(request, page)


@require_GET
def plan_export(request: HtmxHttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    plan = plan_or_404(request, plan_id)
    writers = {
        "xlsx": (
            exports.plan_export_xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "csv": (exports.plan_export_csv, "text/csv; charset=utf-8"),
        "json": (exports.plan_export_json, "application/json"),
    }
    if fmt not in writers:
        raise Http404
    writer, content_type = writers[fmt]
    response = HttpResponse(writer(plan=plan), content_type=content_type)
    filename = f"plan-{plan.pk}-{plan.code or 'estructura'}.{fmt}".replace(" ", "_")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def plan_history_view(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.VIEW_PRIVATE)
    return render(request, "plans/plan_history.html", {"plan": plan, "events": plan_history(plan=plan)})


@login_required
@require_http_methods(["GET", "POST"])
def legal_act_add(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.EDIT_PLAN)
    form = LegalActForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.legal_act_add(
                actor=request.user,
                plan=plan,
                act_type=data["act_type"],
                number=data["number"],
                date=data["date"],
                issuer=data["issuer"],
                summary=data["summary"],
                file=data.get("file") or None,
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Legal act added."))
            return redirect("plans:detail", plan_id=plan.pk)
    return render(
        request,
        "plans/simple_form.html",
        {"form": form, "plan": plan, "title": _("Add a legal act"), "multipart": True},
    )


@require_GET
def legal_act_file(request: HtmxHttpRequest, act_id: int) -> FileResponse:
    """Serve an act's file to whoever may see its plan (files of private plans stay private)."""
    act = LegalAct.objects.filter(pk=act_id).first()
    if act is None or not act.file or plan_get_for_user(plan_id=act.plan_id, user=request.user) is None:
        raise Http404
    return FileResponse(
        act.file.open("rb"), as_attachment=False, filename=(act.file.name or "acto").rsplit("/", 1)[-1]
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_link_add(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.EDIT_PLAN)
    form = PlanLinkForm(request.POST or None, plans=plans_visible_to(user=request.user).exclude(pk=plan.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_link_add(
                actor=request.user, source=plan, target=data["target"], kind=data["kind"], note=data["note"]
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Link added."))
            return redirect("plans:detail", plan_id=plan.pk)
    return render(
        request, "plans/simple_form.html", {"form": form, "plan": plan, "title": _("Link to another plan")}
    )


@login_required
@require_POST
def comment_add(request: HtmxHttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_or_404(request, plan_id, Capability.COMMENT)
    form = CommentForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            services.comment_add(actor=request.user, plan=plan, body=form.cleaned_data["body"])
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("The comment is empty."))
    return redirect(reverse("plans:detail", kwargs={"plan_id": plan.pk}) + "#comments")
