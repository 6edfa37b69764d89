"""The /api/v1/ endpoint: one NinjaAPI with each domain's router, and shared error handling.

Every error answers JSON `{"detail": "..."}` in the request's language (Spanish unless the
request asks for English): 400 unreadable body, 401 no or bad token, 403, 404, 405, 422 with the
field-level `errors`, 429 with Retry-After, and a generic 500 that never carries a traceback. An
unknown address under /api/ is answered by rumbo.core.views.page_not_found, also in JSON.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from rumbo.accounts.api import router as entities_router
from rumbo.core.throttle import ApiThrottle
from rumbo.governance.api import router as governance_router
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
from rumbo.participation.api import router as participation_router
from rumbo.plans.api import router as plans_router
from rumbo.reports.api import router as reports_router
from rumbo.territory.api import router as territory_router

request_logger = logging.getLogger("django.request")


def _method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = api.create_response(
        request,
        {
            "detail": _("The method %(method)s is not allowed here; use %(allowed)s.")
            % {"method": request.method, "allowed": allowed}
        },
        status=405,
    )
    response["Allow"] = allowed
    return response


# Text no database column keeps: NUL (PostgreSQL refuses it outright) and half of a UTF-16
# surrogate pair (not Unicode at all, so it cannot be encoded to UTF-8). JSON can carry both as
# escapes (\u0000, \ud800); a query string or a path can carry NUL as %00.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


def _unstorable_message(text: str) -> str:
    if "\x00" in text:
        return _("Null characters are not allowed.")
    return _("Contains characters that are not valid Unicode.")


def _walk_unstorable(value: Any, path: str) -> Iterator[dict[str, str]]:
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            yield {"field": path, "message": _unstorable_message(value)}
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if _UNSTORABLE.search(key):
                yield {"field": here, "message": _unstorable_message(key)}
            yield from _walk_unstorable(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_unstorable(item, f"{path}.{index}" if path else str(index))


def _unstorable_input(request: HttpRequest, path_values: dict[str, Any]) -> list[dict[str, str]]:
    """Every request value (path, query, JSON body) holding unstorable text, as field errors.
    Checked before the operation runs: otherwise it reaches the database as a 500."""
    errors = [
        {"field": name, "message": _unstorable_message(value)}
        for name, value in path_values.items()
        if isinstance(value, str) and _UNSTORABLE.search(value)
    ]
    for key, values in request.GET.lists():
        bad = [text for text in (key, *values) if _UNSTORABLE.search(text)]
        if bad:
            errors.append({"field": key, "message": _unstorable_message(bad[0])})
    if request.content_type == "application/json" and _UNSTORABLE_ESCAPE.search(request.body):
        try:
            errors.extend(_walk_unstorable(json.loads(request.body), ""))
        except ValueError:
            pass  # not JSON: the operation answers its own 400
    return errors


def _guarded(view: Callable[..., Any]) -> Callable[..., Any]:
    """Around every API URL: unstorable text is a 422 before the operation runs, and
    django-ninja's bare text 405 (answered outside its exception handlers) becomes the same JSON
    as every other error, keeping the Allow header."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        errors = _unstorable_input(request, kwargs)
        if errors:
            return _input_errors_response(request, errors)
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return _method_not_allowed(request, response["Allow"])
        return response

    return wrapped


class RumboApi(NinjaAPI):
    """NinjaAPI whose every URL goes through `_guarded`."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _guarded(pattern.callback)
        return urls


api = RumboApi(
    title="Rumbo API",
    version="1.0.0",
    description=(
        "Territorial units, entities, plans and strategic trees. Reads of published plans are public; "
        "writes need a personal token (`Authorization: Bearer rmb_…`) created on the token page. "
        'Every error is JSON `{"detail": "…"}` in Spanish (or English with `Accept-Language: en`); '
        "422 adds `errors`, one per field."
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
api.add_router("/", governance_router)
api.add_router("/", participation_router)


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


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Http404's own text is for developers ("No Entity matches the given query."); missing and
    # forbidden get the same answer (docs/architecture.md, rule 2)
    return api.create_response(
        request, {"detail": _("Not found: it does not exist or you may not see it.")}, status=404
    )


@api.exception_handler(ProtectedError)
@api.exception_handler(RestrictedError)
def still_referenced(request: HttpRequest, exc: ProtectedError | RestrictedError) -> HttpResponse:
    """A delete that other records still point to; nothing was deleted (the check comes first)."""
    return api.create_response(
        request,
        {"detail": _("It cannot be deleted because other records refer to it. Remove them first.")},
        status=422,
    )


@api.exception_handler(OverflowError)
def number_too_large(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """SQLite's driver refuses an integer beyond 64 bits while binding it (before any statement
    runs). Schemas bound the ids they take (rumbo.core.http.ObjectId); this is the net for any
    number that still gets through. Any other overflow is a real failure."""
    if "SQLite INTEGER" not in str(exc):
        return server_error(request, exc)
    return api.create_response(request, {"detail": _("A number in the request is too large.")}, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Our own HttpErrors carry a translated message; django-ninja's carry fixed English ones."""
    detail = str(exc)
    if isinstance(exc, Throttled):
        detail = (
            _("Too many requests with this token or from this address. Try again in %(seconds)s seconds.")
            % {"seconds": int(exc.wait)}
            if exc.wait
            else _("Too many requests with this token or from this address. Try again later.")
        )
    elif isinstance(exc, AuthenticationError):
        detail = _(
            "This operation needs a valid API token: send the header “Authorization: Bearer rmb_…” "
            "with a token created on your token page."
        )
    elif isinstance(exc, AuthorizationError):
        detail = _("You do not have permission for this operation.")
    elif exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The request body is not valid JSON.")
    response = api.create_response(request, {"detail": detail}, status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything unexpected: logged with its traceback like Django logs a 500 page, answered
    with a generic message. With DEBUG the developer gets Django's technical page instead."""
    if settings.DEBUG:
        raise exc
    got_request_exception.send(sender=None, request=request)
    request_logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    response = api.create_response(
        request,
        {
            "detail": _(
                "Internal error: the server could not complete the request. It has been recorded; "
                "if it happens again, tell the administrator."
            )
        },
        status=500,
    )
    response._has_been_logged = True  # type: ignore[attr-defined]  # logged above, with the traceback
    return response


_NUMBER_ERRORS = frozenset(
    {"int_parsing", "int_type", "float_parsing", "float_type", "decimal_parsing", "decimal_type"}
)


def _input_message(error: dict[str, Any], *, field: str) -> str:
    """A pydantic validation error in the user's language. `field` is empty for the whole body."""
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
    if kind == "too_short":
        return _("Too few items: at least %(min)s.") % {"min": ctx.get("min_length")}
    if kind == "too_long":
        return _("Too many items: at most %(max)s.") % {"max": ctx.get("max_length")}
    if kind in _NUMBER_ERRORS:
        return _("Must be a number.")
    if kind == "int_from_float":
        return _("Must be a whole number.")
    if kind == "finite_number":
        return _("Must be a finite number.")
    if kind in ("decimal_max_digits", "decimal_max_places", "decimal_whole_digits"):
        return _("Too many digits.")
    if kind in ("enum", "literal_error"):
        return _("Not an allowed value; use one of: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind in ("model_attributes_type", "model_type", "dict_type"):
        # valid JSON of the wrong shape, such as [] where {"2025": 10} is expected
        if not field:
            return _("The request body must be a JSON object ({…}), not a list or a single value.")
        return _("Must be a JSON object ({…}).")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Must be a list ([…]).")
    if kind == "string_type":
        return _("Must be text.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Must be true or false.")
    if kind.startswith("datetime_"):
        return _("Must be a date and time (YYYY-MM-DDTHH:MM).")
    if kind.startswith("date_"):
        return _("Must be a date (YYYY-MM-DD).")
    return _("Invalid value.")


def _input_errors_response(request: HttpRequest, errors: list[dict[str, str]]) -> HttpResponse:
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(NinjaValidationError)
def input_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")
        ]
        field = ".".join(location)
        errors.append({"field": field, "message": _input_message(error, field=field)})
    return _input_errors_response(request, errors)
