"""The one way pages reach a plan: not found for missing and forbidden alike, 403 for a plan the
user can see but may not change."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from rumbo.accounts.permissions import Capability, user_access
from rumbo.plans.models import Plan
from rumbo.plans.selectors import plan_get_for_user


def plan_or_404(request: HttpRequest, plan_id: int, capability: Capability | None = None) -> Plan:
    """The plan if the requester may see it (Http404 otherwise) and holds `capability` (403 otherwise)."""
    plan = plan_get_for_user(plan_id=plan_id, user=request.user)
    if plan is None:
        raise Http404
    if capability is not None and not user_access(request.user).can(plan.entity_id, capability):
        raise PermissionDenied
    return plan
