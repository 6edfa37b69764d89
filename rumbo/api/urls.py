"""The /api/v1/ endpoint: one NinjaAPI with each domain's router, and shared error handling."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from rumbo.accounts.api import router as entities_router
from rumbo.core.throttle import ApiThrottle
from rumbo.indicators.dashboard.api import router as progress_router
from rumbo.indicators.measurements.api import router as measurements_router
from rumbo.indicators.sheets.api import router as indicators_router
from rumbo.investments.bank.api import router as bank_router
from rumbo.investments.execution.api import router as execution_router
from rumbo.investments.priorities.api import router as priorities_router
from rumbo.investments.programming.api import router as programming_router
from rumbo.lifecycle.inventory.api import router as inventory_router
from rumbo.lifecycle.routes.api import router as routes_router
from rumbo.lifecycle.validity.api import router as legal_router
from rumbo.plans.api import router as plans_router
from rumbo.reports.api import router as reports_router
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
    # per token (or per address without one): settings.RUMBO_RATE_LIMITS, 429 with Retry-After
    throttle=[ApiThrottle()],
)
api.add_router("/", territory_router)
api.add_router("/", entities_router)
api.add_router("/", plans_router)
api.add_router("/legal", legal_router)
api.add_router("/", routes_router)
api.add_router("/", inventory_router)
api.add_router("/", indicators_router)
api.add_router("/", measurements_router)
api.add_router("/", progress_router)
api.add_router("/", reports_router)
api.add_router("/", bank_router)
api.add_router("/", priorities_router)
api.add_router("/", programming_router)
api.add_router("/", execution_router)


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
    return api.create_response(
        request, {"detail": _("You do not have permission for this operation.")}, status=403
    )


def _input_message(error: dict[str, Any]) -> str:
    """A pydantic validation error in the user's language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind == "string_too_short":
        return _("Must not be empty.")
    if kind == "string_too_long":
        return _("Too long: at most %(max)s characters.") % {"max": ctx.get("max_length")}
    if kind in (
        "int_parsing",
        "int_type",
        "int_from_float",
        "float_parsing",
        "float_type",
        "decimal_parsing",
        "decimal_type",
    ):
        return _("Must be a number.")
    if kind == "enum":
        return _("Not an allowed value; use one of: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return _("The request body is not valid JSON.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Must be true or false.")
    return _("Invalid value.")


@api.exception_handler(NinjaValidationError)
def input_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")
        ]
        errors.append({"field": ".".join(location), "message": _input_message(error)})
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)
