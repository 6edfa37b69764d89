"""HTTP plumbing shared by every app: typed htmx requests and fast JSON responses (orjson)."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (for type checking views)."""

    htmx: HtmxDetails


def json_response(data: Any, *, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type=content_type)
