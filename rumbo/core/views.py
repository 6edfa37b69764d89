"""The one domain-free page: a background job's progress, polled by htmx until it ends."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rumbo.core.http import HtmxHttpRequest
from rumbo.core.jobs import job_get_for_user


@login_required
@require_GET
def job_status(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    job = job_get_for_user(job_id=job_id, user=request.user)
    if job is None:
        raise Http404
    template = "core/_job.html" if request.htmx else "core/job.html"
    return render(request, template, {"job": job})
