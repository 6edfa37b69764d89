"""Pages for entities, their people, and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts import services
from rumbo.accounts.forms import MembershipForm, TokenForm
from rumbo.accounts.models import ApiToken, Entity, Membership
from rumbo.accounts.permissions import Capability, user_access
from rumbo.accounts.selectors import (
    entities_for_user,
    entity_events,
    entity_get_for_user,
    memberships_of_entity,
)


@login_required
@require_GET
def entity_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/entity_list.html", {"entities": entities_for_user(user=request.user)})


def entity_detail(request: HttpRequest, entity_id: int) -> HttpResponse:
    """Public facts (name, published plans) for everyone; people and private plans for members."""
    entity = Entity.objects.filter(pk=entity_id).select_related("parent").first()
    if entity is None:
        raise Http404
    access = user_access(request.user)
    can_view = access.can(entity.pk, Capability.VIEW_PRIVATE)
    can_manage = access.can(entity.pk, Capability.MANAGE_MEMBERS)
    plans = entity.plans.select_related("plan_type", "entity")
    if not can_view:
        plans = plans.filter(is_published=True)
    form = MembershipForm()
    return render(
        request,
        "accounts/entity_detail.html",
        {
            "entity": entity,
            "plans": plans,
            "can_view": can_view,
            "can_manage": can_manage,
            "form": form,
            "memberships": memberships_of_entity(entity=entity) if can_view else [],
            "jurisdiction": [j.unit for j in entity.jurisdiction.select_related("unit")],
            "overseers": entity.overseen_by.select_related("overseer") if can_view else [],
            "overseen": entity.oversees.select_related("overseen") if can_view else [],
            "children": entity.children.all(),
        },
    )


@login_required
@require_GET
def entity_history(request: HttpRequest, entity_id: int) -> HttpResponse:
    """Every recorded change in the entity: its data, people, territory, plans and their trees."""
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        raise Http404
    if entity_get_for_user(entity_id=entity_id, user=request.user) is None:
        raise PermissionDenied  # the entity is public; its history is not
    return render(
        request, "accounts/entity_history.html", {"entity": entity, "events": entity_events(entity=entity)}
    )


@login_required
@require_POST
def membership_add(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        raise Http404
    if not user_access(request.user).can(entity.pk, Capability.MANAGE_MEMBERS):
        raise PermissionDenied
    form = MembershipForm(request.POST)
    if form.is_valid():
        services.membership_add(
            actor=request.user,
            entity=entity,
            user=form.cleaned_data["username"],
            role=form.cleaned_data["role"],
        )
        messages.success(request, _("Role given."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("accounts:entity", entity_id=entity.pk)


@login_required
@require_POST
def membership_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = Membership.objects.select_related("user").filter(pk=membership_id).first()
    if membership is None or not user_access(request.user).can(membership.entity_id, Capability.VIEW_PRIVATE):
        raise Http404  # who belongs to an entity is private to those who may read it
    if not user_access(request.user).can(membership.entity_id, Capability.MANAGE_MEMBERS):
        raise PermissionDenied
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role removed."))
    return redirect("accounts:entity", entity_id=membership.entity_id)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    assert request.user.pk is not None  # login_required
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = services.api_token_create(actor=request.user, name=form.cleaned_data["name"])
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "raw": raw, "tokens": ApiToken.objects.filter(user_id=request.user.pk)},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    assert request.user.pk is not None  # login_required
    token = ApiToken.objects.filter(pk=token_id, user_id=request.user.pk).first()
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
