"""The plan timeline page, which brings the three lifecycle areas together."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rumbo.lifecycle.timeline import plan_timeline
from rumbo.plans.selectors import plan_get_for_user


@require_GET
def timeline(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_get_for_user(plan_id=plan_id, user=request.user)
    if plan is None:
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "lifecycle/timeline.html",
        {"plan": plan, "timeline": plan_timeline(plan=plan, today=today), "today": today},
    )
