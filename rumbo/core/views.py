"""The domain-free pages: a background job's progress (polled by htmx until it ends) and health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
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
