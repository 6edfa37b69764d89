"""Public pages to browse territorial units (they are public information)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.territory.forms import CustomUnitForm, JurisdictionForm, LayerUploadForm
from rumbo.territory.layer_jobs import layer_import_start
from rumbo.territory.models import SpatialLayer
from rumbo.territory.selectors import (
    countries,
    entity_jurisdiction,
    unit_ancestors,
    unit_children,
    unit_feature,
    unit_get,
    unit_get_by_code,
    units_by_codes,
    units_search,
)
from rumbo.territory.services import jurisdiction_set, unit_create_custom


@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    country = request.GET.get("country", "").strip().upper() or None
    results = list(units_search(q=q, country=country)[:100]) if q else []
    return render(
        request,
        "territory/browse.html",
        {"countries": countries(), "q": q, "country": country, "results": results},
    )


@require_GET
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = unit_get(unit_id=unit_id)
    if unit is None:
        raise Http404
    children = list(unit_children(unit=unit))
    features = [unit_feature(unit=unit)] if unit.geometry else []
    child_features = (
        list(unit_children(unit=unit).filter(geometry__isnull=False).defer(None)[:3000])
        if unit.depth >= 1
        else []
    )
    return render(
        request,
        "territory/unit.html",
        {
            "unit": unit,
            "ancestors": unit_ancestors(unit=unit),
            "children": children,
            "members": list(unit.members.all()),
            "geojson": json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": features + [unit_feature(unit=c) for c in child_features],
                }
            ),
            "has_map": bool(features or child_features),
        },
    )


def _layers_visible(request: HttpRequest, entity: Entity) -> QuerySet[SpatialLayer]:
    layers = SpatialLayer.objects.filter(entity=entity)
    if not user_access(request.user).can(entity.pk, Capability.VIEW_PRIVATE):
        layers = layers.filter(is_public=True)
    return layers


@require_http_methods(["GET", "POST"])
def entity_layers(request: HttpRequest, entity_id: int) -> HttpResponse:
    """An entity's layers (public ones for everybody) and, for its administrators, the upload form."""
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        raise Http404
    can_manage = user_access(request.user).can(entity.pk, Capability.MANAGE_ENTITY)
    form = LayerUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = layer_import_start(
                    actor=request.user,
                    entity=entity,
                    uploaded_file=data["file"],
                    name=data["name"],
                    kind=data["kind"],
                    code_field=data["code_field"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            else:
                return redirect("job", job_id=job.pk)
    return render(
        request,
        "territory/layers.html",
        {
            "entity": entity,
            "layers": _layers_visible(request, entity),
            "form": form,
            "can_manage": can_manage,
        },
    )


@require_GET
def layer_detail(request: HttpRequest, layer_id: int) -> HttpResponse:
    layer = SpatialLayer.objects.select_related("entity").filter(pk=layer_id).first()
    if layer is None or not _layers_visible(request, layer.entity).filter(pk=layer.pk).exists():
        raise Http404
    features = list(layer.features.values("id", "geometry", "properties")[:5000])
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": f["id"], "geometry": f["geometry"], "properties": f["properties"]}
            for f in features
        ],
    }
    columns = sorted({key for f in features[:200] for key in f["properties"]})[:8]
    return render(
        request,
        "territory/layer.html",
        {"layer": layer, "geojson": json.dumps(collection), "features": features[:100], "columns": columns},
    )


def _codes(raw: str) -> list[str]:
    return [c.strip() for c in raw.replace(";", ",").split(",") if c.strip()]


@require_http_methods(["GET", "POST"])
def entity_units(request: HttpRequest, entity_id: int) -> HttpResponse:
    """The entity's jurisdiction and the units it created; administrators change both here."""
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        raise Http404
    can_manage = user_access(request.user).can(entity.pk, Capability.MANAGE_ENTITY)
    jurisdiction_form = JurisdictionForm(
        request.POST if request.POST.get("form") == "jurisdiction" else None,
        initial={"unit_codes": ", ".join(u.code for u in entity_jurisdiction(entity=entity))},
    )
    unit_form = CustomUnitForm(request.POST if request.POST.get("form") == "unit" else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        try:
            if jurisdiction_form.is_bound and jurisdiction_form.is_valid():
                codes = _codes(jurisdiction_form.cleaned_data["unit_codes"])
                units, unknown = units_by_codes(country=entity.country, codes=codes)
                if unknown:
                    raise ValidationError(_("Unknown unit codes: %(codes)s") % {"codes": ", ".join(unknown)})
                jurisdiction_set(actor=request.user, entity=entity, units=units)
                messages.success(request, _("Jurisdiction saved."))
                return redirect("territory:entity_units", entity_id=entity.pk)
            if unit_form.is_bound and unit_form.is_valid():
                data = unit_form.cleaned_data
                parent = None
                if data["parent_code"]:
                    parent = unit_get_by_code(country=entity.country, code=data["parent_code"].strip())
                    if parent is None:
                        raise ValidationError(
                            _("Unknown unit codes: %(codes)s") % {"codes": data["parent_code"]}
                        )
                members, unknown = units_by_codes(country=entity.country, codes=_codes(data["member_codes"]))
                if unknown:
                    raise ValidationError(_("Unknown unit codes: %(codes)s") % {"codes": ", ".join(unknown)})
                unit = unit_create_custom(
                    actor=request.user,
                    entity=entity,
                    kind=data["kind"],
                    code=data["code"],
                    name=data["name"],
                    parent=parent,
                    members=members,
                    population=data["population"],
                    population_year=data["population_year"],
                )
                messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
                return redirect("territory:entity_units", entity_id=entity.pk)
        except ValidationError as exc:
            form = jurisdiction_form if jurisdiction_form.is_bound else unit_form
            for message in exc.messages:
                form.add_error(None, message)
    return render(
        request,
        "territory/entity_units.html",
        {
            "entity": entity,
            "can_manage": can_manage,
            "jurisdiction": entity_jurisdiction(entity=entity),
            "custom_units": entity.custom_units.prefetch_related("members").select_related("parent"),
            "jurisdiction_form": jurisdiction_form,
            "unit_form": unit_form,
        },
    )
