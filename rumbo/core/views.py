"""The domain-free pages: a background job's progress (polled by htmx until it ends), health,
and the error pages (400, 403, 404, 500 and the CSRF failure).

The error views answer JSON `{"detail": ...}` under /api/ (the API's own errors are answered by
its exception handlers in rumbo.api.urls; these cover what never reaches it: an unknown address,
a refused host) and the site's pages elsewhere, in the visitor's language.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET, require_safe

from rumbo.core.health import health_report
from rumbo.core.http import HtmxHttpRequest, json_response
from rumbo.core.jobs import job_get_for_user


@login_required
@require_GET
def job_status(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    job = job_get_for_user(job_id=job_id, user=request.user)
    if job is None:
        raise Http404
    template = "core/_job.html" if request.htmx else "core/job.html"
    return render(request, template, {"job": job})


@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """For monitors and load balancers: 200 when all is well, 503 otherwise (rumbo.core.health)."""
    status, report = health_report()
    return json_response(report, status=status)


API_PATH_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PATH_PREFIX)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return json_response({"detail": _("The request could not be understood.")}, status=400)
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return json_response({"detail": _("You do not have permission for this operation.")}, status=403)
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return json_response(
            {"detail": _("There is no API operation at this address; the list is at /api/v1/docs.")},
            status=404,
        )
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500.html is rendered without context processors or the database: whatever failed may be
    the database itself."""
    if _is_api(request):
        return json_response(
            {
                "detail": _(
                    "Internal error: the server could not complete the request. It has been recorded; "
                    "if it happens again, tell the administrator."
                )
            },
            status=500,
        )
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form sent without a valid security token (an expired page,
    cookies refused, a form posted from another site). Says how to recover, never the reason's
    technical text; rendering the page sets a fresh token, so going back and resending works."""
    if _is_api(request):
        return json_response(
            {
                "detail": _(
                    "The request was refused for security: the form's security token is missing or expired."
                )
            },
            status=403,
        )
    lowered = reason.lower()
    context = {
        "no_cookie": "cookie" in lowered,
        "other_site": "origin" in lowered or "referer" in lowered,
    }
    return render(request, "403_csrf.html", context, status=403)
