"""The /api/v1/ endpoint: one NinjaAPI with each domain's router, and shared error handling."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from rumbo.accounts.api import router as entities_router
from rumbo.plans.api import router as plans_router
from rumbo.territory.api import router as territory_router

api = NinjaAPI(
    title="Rumbo API",
    version="1.0.0",
    description=(
        "Territorial units, entities, plans and strategic trees. Reads of published plans are public; "
        "writes need a personal token (`Authorization: Bearer rmb_…`) created on the token page. "
        "Errors carry a `detail` message in Spanish."
    ),
    urls_namespace="api-v1",
)
api.add_router("/", territory_router)
api.add_router("/", entities_router)
api.add_router("/", plans_router)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        detail = "; ".join(m for msgs in errors.values() for m in msgs)
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
        detail = "; ".join(errors["__all__"])
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "No tiene permiso para esta operación."}, status=403)


