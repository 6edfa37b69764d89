"""The second step of signing in, as session state, and its accounting in django-axes.

After the right password a user with two-factor authentication is not signed in: the session
holds only who is waiting for a code, for five minutes. A wrong code counts as a failed sign-in
for django-axes exactly as a wrong password does (same account, same address, same limit), and
the successful sign-in that clears the failures happens only after the code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_lockout_response
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

PENDING_KEY = "rumbo_2fa_pending"
VERIFIED_KEY = "rumbo_2fa_verified"  # the user id whose second step this session has passed
PENDING_SECONDS = 5 * 60


@dataclass(frozen=True)
class PendingSignIn:
    user_id: int
    backend: str  # the backend that accepted the password, for `login()`
    next_url: str  # already checked to be on this site


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """`url` when it points into this site (never another host or scheme), else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def pending_start(request: HttpRequest, *, user: Any, backend: str, next_url: str) -> None:
    """Remember that `user` gave the right password and now owes a code. Whoever was signed in
    in this session is signed out, and the session gets a new key, so a session id planted
    before sign-in is worth nothing."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)
    else:
        request.session.cycle_key()
    request.session.pop(VERIFIED_KEY, None)
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": backend,
        "next": safe_next(request, next_url) or "",
        "expires_at": time.time() + PENDING_SECONDS,
    }


def pending_get(request: HttpRequest) -> PendingSignIn | None:
    """The sign-in waiting for a code, or None (none, or older than five minutes: then dropped)."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if (
        float(data.get("expires_at", 0)) < time.time()
        or data.get("backend") not in settings.AUTHENTICATION_BACKENDS
    ):
        pending_clear(request)
        return None
    return PendingSignIn(user_id=int(data["user_id"]), backend=str(data["backend"]), next_url=data["next"])


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def verified_mark(request: HttpRequest, *, user: Any) -> None:
    """This session has passed the second step for `user` (after `login()`, which rotates it)."""
    request.session[VERIFIED_KEY] = user.pk


def verified(request: HttpRequest, *, user: Any) -> bool:
    return bool(request.session.get(VERIFIED_KEY) == user.pk)


def axes_refuses(request: HttpRequest, *, username: str) -> bool:
    """Whether django-axes has locked this account or address out (then nothing is checked)."""
    if not getattr(settings, "AXES_ENABLED", True):
        return False
    if AxesProxyHandler.is_allowed(request, get_credentials(username)):
        return False
    request.axes_locked_out = True  # type: ignore[attr-defined]
    return True


def axes_failure(request: HttpRequest, *, username: str) -> bool:
    """Count a wrong code (or password) as a failed sign-in of `username`, as django-axes counts
    a wrong password; True when this failure reached the limit and the account is now locked."""
    user_login_failed.send(sender=__name__, credentials=get_credentials(username), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def axes_lockout_response(request: HttpRequest, *, username: str) -> HttpResponse:
    """django-axes' own lockout page (status 429, the site's template)."""
    response: HttpResponse = get_lockout_response(request, None, get_credentials(username))
    return response
