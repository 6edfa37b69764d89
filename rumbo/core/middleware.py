"""Request plumbing for every page: HEAD answered like GET, and the Content-Security-Policy.

Both live here, once, rather than in each view: a monitor's `HEAD /` must not meet a 405 because
a view was written for GET, and no page may be served without the policy.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

# Every script and style sheet comes from our own static files; no inline script, no on*
# handler, no <style> element, nothing from elsewhere (ADR 0012). Style *attributes* are allowed
# (`style-src-attr`): progress bars and legend swatches carry computed widths and colours, and an
# attribute can neither run code nor carry a selector. Browsers without `style-src-attr` fall back
# to `style-src` and merely lose those widths. Vega runs its expressions in vega-interpreter (no
# eval), map tiles may come from RUMBO_TILE_URL, and generated chart images are data: URIs.
DEFAULT_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-elem": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def content_security_policy() -> str:
    """The policy header value: DEFAULT_POLICY, the tile server's origin for images, and any
    RUMBO_CSP_EXTRA additions (a dict of directive → sources) from the settings."""
    policy = {directive: list(sources) for directive, sources in DEFAULT_POLICY.items()}
    tile_url = getattr(settings, "RUMBO_TILE_URL", "")
    if tile_url:
        from urllib.parse import urlsplit

        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme and parts.netloc:
            host = parts.netloc
            if tile_url.split("//", 1)[-1].startswith("{s}."):
                host = "*." + host.split(".", 1)[1]
            policy["img-src"].append(f"{parts.scheme}://{host}")
    for directive, sources in getattr(settings, "RUMBO_CSP_EXTRA", {}).items():
        policy.setdefault(directive, []).extend(sources)
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


class HeadAsGetMiddleware:
    """Answers HEAD on every GET page: the view sees a GET, the client gets the headers only.

    Django's `require_GET` (and django-ninja's GET operations) refuse HEAD with 405, which uptime
    monitors read as "down". Runs first, so that every other layer sees an ordinary GET.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        response = self.get_response(request)
        request.method = "HEAD"
        if isinstance(response, StreamingHttpResponse):
            close = getattr(response, "close", None)
            response = _headers_only(response)
            if close is not None:
                close()
            return response
        length = len(response.content)
        response.content = b""
        if not response.has_header("Content-Length"):
            response["Content-Length"] = str(length)
        return response


def _headers_only(streaming: StreamingHttpResponse) -> HttpResponse:
    """A bodiless response with the streaming response's status and headers."""
    response = HttpResponse(status=streaming.status_code)
    for header, value in streaming.items():
        response[header] = value
    return response


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy to every response that does not set its own (evidence
    downloads set `sandbox`), and a Permissions-Policy that turns off the devices no page uses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Content-Security-Policy"):
            response["Content-Security-Policy"] = self.policy
        if not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        return response
