"""Pages of the information inventory. Views parse, call one service or selector, and render.

The inventory is internal: anyone without VIEW_PRIVATE on the entity gets 404 (missing and
forbidden look the same); members without EDIT_PLAN get 403 on writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.http import HtmxHttpRequest
from rumbo.lifecycle.inventory import services
from rumbo.lifecycle.inventory.forms import InformationItemForm, form_add_errors
from rumbo.lifecycle.inventory.models import InformationItem
from rumbo.lifecycle.inventory.reference import requirement_plan_types
from rumbo.lifecycle.inventory.selectors import (
    information_item_get_for_user,
    inventory_by_theme,
    inventory_entity_get_for_user,
    inventory_gap_csv,
    inventory_gap_report,
)
from rumbo.territory.selectors import units_by_codes


def _entity_or_404(request: HtmxHttpRequest, entity_id: int, capability: Capability | None = None) -> Entity:
    entity = inventory_entity_get_for_user(entity_id=entity_id, user=request.user)
    if entity is None:
        raise Http404
    if capability is not None and not user_access(request.user).can(entity.pk, capability):
        raise PermissionDenied
    return entity


def _item_or_404(
    request: HtmxHttpRequest, entity_id: int, item_id: int, capability: Capability
) -> InformationItem:
    item = information_item_get_for_user(item_id=item_id, user=request.user, entity_id=entity_id)
    if item is None:
        raise Http404
    if not user_access(request.user).can(item.entity_id, capability):
        raise PermissionDenied
    return item


@login_required
@require_GET
def inventory(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    entity = _entity_or_404(request, entity_id)
    return render(
        request,
        "lifecycle/inventory/inventory.html",
        {
            "entity": entity,
            "groups": inventory_by_theme(entity=entity),
            "can_edit": user_access(request.user).can(entity.pk, Capability.EDIT_PLAN),
            "plan_types": requirement_plan_types(country=entity.country),
        },
    )


def _save(
    request: HtmxHttpRequest, entity: Entity, form: InformationItemForm, item: InformationItem | None
) -> bool:
    units, unknown = units_by_codes(country=entity.country, codes=form.unit_code_list())
    if unknown:
        form.add_error("unit_codes", _("Unknown unit codes: %(codes)s") % {"codes": ", ".join(unknown)})
        return False
    chosen = form.cleaned_data.get("file")
    upload = chosen if isinstance(chosen, UploadedFile) else None  # not the kept initial file
    try:
        if item is None:
            services.information_item_create(
                actor=request.user, entity=entity, units=units, file=upload, **form.item_fields()
            )
        else:
            services.information_item_update(
                actor=request.user,
                item=item,
                fields=form.item_fields(),
                units=units,
                file=upload,
                clear_file=chosen is False,  # the "clear" box of the file input
            )
    except ValidationError as exc:
        form_add_errors(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def inventory_add(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    entity = _entity_or_404(request, entity_id, Capability.EDIT_PLAN)
    form = InformationItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and _save(request, entity, form, None):
        messages.success(request, _("Item added to the inventory."))
        return redirect("lifecycle:inventory", entity_id=entity.pk)
    return render(
        request,
        "lifecycle/inventory/item_form.html",
        {"entity": entity, "form": form, "title": _("Add information")},
    )


def _initial(item: InformationItem) -> dict[str, Any]:
    return {
        "theme": item.theme,
        "hazard_kind": item.hazard_kind,
        "title": item.title,
        "description": item.description,
        "scale_denominator": item.scale_denominator,
        "reference_date": item.reference_date,
        "source": item.source,
        "area": item.area,
        "unit_codes": ", ".join(u.code for u in item.units.all()),
        "format": item.format,
        "file": item.file or None,
        "url": item.url,
        "notes": item.notes,
    }


@login_required
@require_http_methods(["GET", "POST"])
def inventory_edit(request: HtmxHttpRequest, entity_id: int, item_id: int) -> HttpResponse:
    item = _item_or_404(request, entity_id, item_id, Capability.EDIT_PLAN)
    form = InformationItemForm(request.POST or None, request.FILES or None, initial=_initial(item))
    if request.method == "POST" and form.is_valid() and _save(request, item.entity, form, item):
        messages.success(request, _("Item saved."))
        return redirect("lifecycle:inventory", entity_id=item.entity_id)
    return render(
        request,
        "lifecycle/inventory/item_form.html",
        {"entity": item.entity, "form": form, "item": item, "title": _("Edit information")},
    )


@login_required
@require_POST
def inventory_delete(request: HtmxHttpRequest, entity_id: int, item_id: int) -> HttpResponse:
    item = _item_or_404(request, entity_id, item_id, Capability.EDIT_PLAN)
    services.information_item_delete(actor=request.user, item=item)
    messages.success(request, _("Item removed from the inventory."))
    return redirect("lifecycle:inventory", entity_id=entity_id)


@login_required
@require_GET
def inventory_file(request: HtmxHttpRequest, entity_id: int, item_id: int) -> FileResponse:
    """Serve an item's file to whoever may read the inventory (never through /media/)."""
    item = _item_or_404(request, entity_id, item_id, Capability.VIEW_PRIVATE)
    if not item.file:
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.file_name)


@login_required
@require_GET
def inventory_gaps(request: HtmxHttpRequest, entity_id: int) -> HttpResponse:
    entity = _entity_or_404(request, entity_id)
    plan_types = requirement_plan_types(country=entity.country)
    code = (request.GET.get("tipo") or (plan_types[0] if plan_types else "")).upper()
    if code not in plan_types:
        return render(
            request,
            "lifecycle/inventory/gaps.html",
            {"entity": entity, "plan_types": plan_types, "code": code, "report": None},
            status=404 if request.GET.get("tipo") else 200,
        )
    report = inventory_gap_report(
        entity=entity, plan_type_code=code, country=entity.country, today=timezone.localdate()
    )
    if request.GET.get("formato") == "csv":
        response = HttpResponse(inventory_gap_csv(report=report), content_type="text/csv; charset=utf-8")
        filename = f"brechas-inventario-{entity.pk}-{code}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(
        request,
        "lifecycle/inventory/gaps.html",
        {"entity": entity, "plan_types": plan_types, "code": code, "report": report},
    )
