"""Placeholder view for URL names other areas link to before their page exists (removed at integration)."""

from django.http import Http404, HttpRequest, HttpResponse


def not_yet(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404
