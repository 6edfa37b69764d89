"""Rate limits: how many requests a visitor address or an API token may make per period.

Counters are fixed windows in a small SQLite file of their own (RUMBO_THROTTLE_DB under
var/run/), shared by every web process of the machine and exact under concurrency (one atomic
UPSERT per counted request), and never blocked by the main database: on SQLite an import holds
the main write lock for minutes, and a visitor must not wait for it to be counted. With several
web machines each counts its own visitors (docs/deploy.md).

Limits are named scopes in settings.RUMBO_RATE_LIMITS ("20/m", "600/h" …).
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja.throttling import BaseThrottle

from rumbo.core.http import client_address

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_local = threading.local()


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """ "20/m" → 20 per 60 s; "0/m" turns the limit off."""
        number, _sep, period = text.strip().partition("/")
        return cls(count=int(number), seconds=_PERIODS[period.strip()[:1].lower() or "m"])


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window ends


def rate_for(scope: str) -> Rate:
    return Rate.parse(settings.RUMBO_RATE_LIMITS[scope])


def _connection() -> sqlite3.Connection:
    path = Path(settings.RUMBO_THROTTLE_DB)
    cached: tuple[Path, sqlite3.Connection] | None = getattr(_local, "connection", None)
    if cached is not None and cached[0] == path:
        return cached[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=5, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS hits (scope TEXT, key TEXT, window INTEGER, count INTEGER,"
        " PRIMARY KEY (scope, key, window)) WITHOUT ROWID"
    )
    _local.connection = (path, connection)
    return connection


def rate_hit(*, scope: str, key: str, now: float | None = None) -> Decision:
    """Counts one request of `key` in `scope` and says whether it is within the limit. Keys are
    hashed: no visitor address is stored in clear."""
    rate = rate_for(scope)
    if rate.count <= 0:
        return Decision(allowed=True, limit=0, remaining=0, retry_after=0)
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    digest = hashlib.blake2b(key.encode(), digest_size=16, key=settings.SECRET_KEY.encode()[:64]).hexdigest()
    connection = _connection()
    (count,) = connection.execute(
        "INSERT INTO hits (scope, key, window, count) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (scope, key, window) DO UPDATE SET count = count + 1 RETURNING count",
        (scope, digest, window),
    ).fetchone()
    if random.random() < 0.01:  # noqa: S311 — housekeeping, not security
        connection.execute("DELETE FROM hits WHERE window < ? AND scope = ?", (window - 1, scope))
    retry_after = max(1, math.ceil((window + 1) * rate.seconds - now))
    return Decision(
        allowed=count <= rate.count,
        limit=rate.count,
        remaining=max(0, rate.count - count),
        retry_after=retry_after,
    )


def throttle_reset() -> None:
    """Forgets every counter (tests, and an administrator after a false alarm)."""
    _connection().execute("DELETE FROM hits")


def too_many_requests(request: HttpRequest, decision: Decision) -> HttpResponse:
    """The 429 page, in the visitor's language, saying when to try again."""
    response = render(
        request,
        "429.html",
        {
            "retry_after": decision.retry_after,
            "message": _("Too many requests from your connection. Try again in %(seconds)s seconds.")
            % {"seconds": decision.retry_after},
        },
        status=429,
    )
    response["Retry-After"] = str(decision.retry_after)
    return response


def rate_limited(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limits a view per visitor address (for anonymous pages such as tracking-code lookups)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            decision = rate_hit(scope=scope, key=client_address(request))
            if not decision.allowed:
                return too_many_requests(request, decision)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AnonymousWriteThrottleMiddleware:
    """Every write by a visitor who is not signed in — proposing an initiative, signing in,
    changing the language, any form — counts against the address's "anonymous_write" limit.
    API requests are limited by the API's own throttles (per token), not here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _WRITE_METHODS and not request.path.startswith("/api/"):
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                decision = rate_hit(scope="anonymous_write", key=client_address(request))
                if not decision.allowed:
                    return too_many_requests(request, decision)
        return self.get_response(request)


class ApiThrottle(BaseThrottle):
    """django-ninja throttle for every API operation: per token when one is sent
    ("api_token"), else per address ("api_anonymous"). The 429 carries Retry-After."""

    def __init__(self) -> None:
        # one instance serves every thread of the process: the answer for wait() is per thread
        self._state = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            decision = rate_hit(scope="api_token", key="token:" + header[7:].strip())
        else:
            decision = rate_hit(scope="api_anonymous", key=client_address(request))
        self._state.wait = float(decision.retry_after) if not decision.allowed else None
        return decision.allowed

    def wait(self) -> float | None:
        return getattr(self._state, "wait", None)
