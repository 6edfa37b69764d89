"""The one way pages and endpoints reach a project or an investment plan: not found (404) for
missing and forbidden alike, 403 for one the user can see but may not change.

Visibility: accepted projects (the public bank) and published investment plans are public; the
rest is seen by whoever may read the entity's private data (members and overseers).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.investments.models import InvestmentPlan, Project, ProjectStatus


def project_get_for_user(*, project_id: int, user: Any) -> Project | None:
    """The project if the user may see it; otherwise None."""
    project = Project.objects.select_related("entity", "plan").filter(pk=project_id).first()
    if project is None:
        return None
    if project.status != ProjectStatus.ACCEPTED and not user_access(user).can(
        project.entity_id, Capability.VIEW_PRIVATE
    ):
        return None
    return project


def investment_plan_get_for_user(*, investment_plan_id: int, user: Any) -> InvestmentPlan | None:
    """The investment plan if the user may see it; otherwise None."""
    row = InvestmentPlan.objects.select_related("entity", "plan").filter(pk=investment_plan_id).first()
    if row is None:
        return None
    if not row.is_published and not user_access(user).can(row.entity_id, Capability.VIEW_PRIVATE):
        return None
    return row


def _check(user: Any, entity_id: int, capability: Capability | None) -> None:
    if capability is not None and not user_access(user).can(entity_id, capability):
        raise PermissionDenied


def project_or_404(request: HttpRequest, project_id: int, capability: Capability | None = None) -> Project:
    """The project if the requester may see it (Http404 otherwise) and holds `capability` (403)."""
    project = project_get_for_user(project_id=project_id, user=request.user)
    if project is None:
        raise Http404
    _check(request.user, project.entity_id, capability)
    return project


def investment_plan_or_404(
    request: HttpRequest, investment_plan_id: int, capability: Capability | None = None
) -> InvestmentPlan:
    """The investment plan if the requester may see it (Http404 otherwise) and holds `capability`."""
    row = investment_plan_get_for_user(investment_plan_id=investment_plan_id, user=request.user)
    if row is None:
        raise Http404
    _check(request.user, row.entity_id, capability)
    return row


def entity_or_404(request: HttpRequest, entity_id: int, capability: Capability | None = None) -> Entity:
    """An entity (entities are public facts) if the requester holds `capability` in it (403)."""
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        raise Http404
    _check(request.user, entity.pk, capability)
    return entity


def entity_private_or_404(
    request: HttpRequest, entity_id: int, capability: Capability | None = None
) -> Entity:
    """An entity whose internal pages the requester may read (404 otherwise), holding `capability` (403)."""
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None or not user_access(request.user).can(entity.pk, Capability.VIEW_PRIVATE):
        raise Http404
    _check(request.user, entity.pk, capability)
    return entity
