"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as site_patterns


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internals /srv/rumbo/settings.py")


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal reason")


urlpatterns = [
    path("fallar/500/", _boom),
    path("fallar/400/", _suspicious),
    path("fallar/403/", _forbidden),
    path("api/fallar/500/", _boom),
    *site_patterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
