"""Two-factor authentication on every request, whatever door the session came in by.

Goes after AuthenticationMiddleware and MessageMiddleware (and before AxesMiddleware, which
stays last). It does three things:

1. Django admin's own login page is sent to the site's sign-in page, which has the code step.
2. A signed-in user with two-factor authentication whose session never passed the code step
   (a session older than the set-up, or one opened by any other login view) is signed out and
   sent to the code step, so no session of such a user skips the code.
3. With RUMBO_REQUIRE_2FA_FOR_STAFF, staff and superusers without it are sent to the set-up page
   until they enrol; the set-up pages, the code step, signing out, static files, the health
   check and the language switch stay reachable.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from rumbo.accounts import selectors, services, sign_in


def _path_of(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._intercept(request)
        return response if response is not None else self.get_response(request)

    def _intercept(self, request: HttpRequest) -> HttpResponse | None:
        if request.path == _path_of("admin:login"):
            # the admin's own login page knows no code step, and its success would clear the
            # django-axes failures of wrong codes: the site's sign-in page serves the admin too
            query = request.META.get("QUERY_STRING", "")
            return HttpResponseRedirect(resolve_url(settings.LOGIN_URL) + (f"?{query}" if query else ""))
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._always_open(request.path):
            return None
        if sign_in.verified(request, user=user):
            return None  # passed the code step in this session: it had two-factor then
        if selectors.two_factor_enabled(user=user):
            if request.path == _path_of("logout"):
                return None
            backend = request.session.get(BACKEND_SESSION_KEY, settings.AUTHENTICATION_BACKENDS[-1])
            logout(request)
            sign_in.pending_start(request, user=user, backend=backend, next_url=request.get_full_path())
            return HttpResponseRedirect(reverse("accounts:login_code"))
        if services.two_factor_required_for(user) and not self._enrolment_open(request.path):
            messages.warning(
                request, _("Your account must use two-factor authentication. Set it up to go on.")
            )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:two_factor')}?{query}")
        return None

    @staticmethod
    def _always_open(path: str) -> bool:
        static = settings.STATIC_URL or "/static/"
        return path.startswith(static) or path == _path_of("health")

    @staticmethod
    def _enrolment_open(path: str) -> bool:
        open_prefixes = [
            _path_of("accounts:two_factor"),
            _path_of("accounts:login_code"),
            _path_of("logout"),
            _path_of("set_language"),
        ]
        return any(prefix and path.startswith(prefix) for prefix in open_prefixes)
