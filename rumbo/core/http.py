"""HTTP plumbing shared by every app: typed htmx requests, fast JSON responses (orjson), and
the visitor's address behind the reverse proxy."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_htmx.middleware import HtmxDetails
from pydantic import Field

# The largest id, offset or count a request may carry: what a 64-bit integer column holds. A
# bigger number is refused by the schema (422) instead of overflowing the database driver
# (SQLite raises OverflowError, PostgreSQL "bigint out of range").
DB_INT_MAX = 2**63 - 1
ObjectId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (for type checking views)."""

    htmx: HtmxDetails


def json_response(data: Any, *, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type=content_type)


def client_address(request: HttpRequest) -> str:
    """The visitor's address. Behind RUMBO_PROXY_COUNT trusted proxies it is the entry they
    appended to X-Forwarded-For (counted from the right: entries further left are whatever the
    client claimed); without proxies, the connection's own address."""
    proxies = int(getattr(settings, "RUMBO_PROXY_COUNT", 0))
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    return str(request.META.get("REMOTE_ADDR", ""))
