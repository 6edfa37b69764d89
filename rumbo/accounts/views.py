"""Pages for entities, their people, personal API tokens, and two-factor authentication."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rumbo.accounts import selectors, services, sign_in
from rumbo.accounts.forms import MembershipForm, TokenForm, TwoFactorCodeForm, TwoFactorDisableForm
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
        {
            "form": form,
            "raw": raw,
            "tokens": ApiToken.objects.filter(user_id=request.user.pk),
            "two_factor_on": selectors.two_factor_enabled(user=request.user),
        },
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


# --- signing in with a second step, and the user's own two-factor set-up -----------------------


class SignInView(auth_views.LoginView):
    """Django's sign-in page; a user with two-factor authentication is not signed in after the
    password but sent to the code step (`login_code`) with the destination kept."""

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not selectors.two_factor_enabled(user=user):
            return super().form_valid(form)
        sign_in.pending_start(self.request, user=user, backend=user.backend, next_url=self.get_success_url())
        return redirect("accounts:login_code")


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: an app code or a recovery code. Wrong ones count for django-axes."""
    pending = sign_in.pending_get(request)
    user = None
    if pending is not None:
        user = get_user_model().objects.filter(pk=pending.user_id, is_active=True).first()
    if pending is None or user is None or not selectors.two_factor_enabled(user=user):
        sign_in.pending_clear(request)
        messages.info(request, _("Sign in again, please: the time to type the code ran out."))
        return redirect(settings.LOGIN_URL)
    username = user.get_username()
    form = TwoFactorCodeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if sign_in.axes_refuses(request, username=username):
            sign_in.pending_clear(request)
            return sign_in.axes_lockout_response(request, username=username)
        if form.is_valid():
            check = services.two_factor_code_check(user=user, code=form.cleaned_data["code"])
            if check.accepted:
                sign_in.pending_clear(request)
                login(request, user, backend=pending.backend)  # a new session key, too
                sign_in.verified_mark(request, user=user)
                if check is services.CodeCheck.RECOVERY:
                    left = selectors.two_factor_of_user(user=user)
                    messages.warning(
                        request,
                        _("You used a recovery code; %(count)s left. Make new ones if you are running out.")
                        % {"count": selectors.recovery_codes_left(two_factor=left) if left else 0},
                    )
                return redirect(
                    sign_in.safe_next(request, pending.next_url) or resolve_url(settings.LOGIN_REDIRECT_URL)
                )
            if sign_in.axes_failure(request, username=username):
                sign_in.pending_clear(request)
                return sign_in.axes_lockout_response(request, username=username)
            error = (
                _("That code was already used. Wait for the next one in your app.")
                if check is services.CodeCheck.REPLAYED
                else _("The code is not right.")
            )
    return render(request, "accounts/login_code.html", {"form": form, "error": error})


def _qr_image(uri: str) -> dict[str, Any]:
    """The QR code as an SVG data: URI with its size, drawn here: no outside service, and the
    Content-Security-Policy allows data: images."""
    qr = segno.make(uri, error="m")
    width, height = qr.symbol_size(scale=5, border=4)
    return {"src": qr.svg_data_uri(scale=5, border=4), "width": width, "height": height}


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up two-factor authentication (QR code, secret, one code to confirm) or, once it is
    on, see it and turn it off or make new recovery codes."""
    user = request.user
    next_url = sign_in.safe_next(request, request.POST.get("next") or request.GET.get("next")) or ""
    context: dict[str, Any] = {"next": next_url, "required": services.two_factor_required_for(user)}
    existing = selectors.two_factor_of_user(user=user)
    if existing is not None:
        context.update(
            two_factor=existing,
            codes_left=selectors.recovery_codes_left(two_factor=existing),
            disable_form=TwoFactorDisableForm(),
            code_form=TwoFactorCodeForm(),
        )
        return render(request, "accounts/two_factor.html", context)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_confirm(actor=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            sign_in.verified_mark(request, user=user)
            return render(
                request,
                "accounts/two_factor_codes.html",
                {"codes": codes, "next": next_url or reverse("accounts:two_factor"), "enrolled": True},
            )
    setup = services.two_factor_enrolment_start(actor=user)
    context.update(
        form=form,
        qr=_qr_image(selectors.two_factor_provisioning_uri(two_factor=setup)),
        secret=_grouped(setup.secret),
    )
    return render(request, "accounts/two_factor_setup.html", context)


def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A wrong password or code while signed in counts as a failed sign-in too: a stolen session
    must not become a way to guess the password."""
    username = request.user.get_username()
    if isinstance(exc, services.CredentialsRefused) and sign_in.axes_failure(request, username=username):
        return sign_in.axes_lockout_response(request, username=username)
    messages.error(request, " ".join(exc.messages))
    return redirect("accounts:two_factor")


@never_cache
@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    username = request.user.get_username()
    if sign_in.axes_refuses(request, username=username):
        return sign_in.axes_lockout_response(request, username=username)
    form = TwoFactorDisableForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type your password and a code."))
        return redirect("accounts:two_factor")
    try:
        services.two_factor_disable(
            actor=request.user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
        )
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:tokens")


@never_cache
@login_required
@require_POST
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    username = request.user.get_username()
    if sign_in.axes_refuses(request, username=username):
        return sign_in.axes_lockout_response(request, username=username)
    form = TwoFactorCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type a code."))
        return redirect("accounts:two_factor")
    try:
        codes = services.two_factor_recovery_codes_regenerate(
            actor=request.user, code=form.cleaned_data["code"]
        )
    except ValidationError as exc:
        return _refused(request, exc)
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": reverse("accounts:two_factor"), "enrolled": False},
    )
