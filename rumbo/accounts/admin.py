"""Django admin for superusers: people, entities and roles. Entity and role changes go through
the services so they are audited like any other change. Two-factor secrets and recovery codes
are not shown here; a superuser can only reset a user's two-factor authentication."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rumbo.accounts import services
from rumbo.accounts.models import Entity, Membership, OversightGrant, TwoFactor, User


@admin.register(User)
class RumboUserAdmin(UserAdmin[User]):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "two_factor_on")
    actions = ["two_factor_reset"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        confirmed = TwoFactor.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)
        return super().get_queryset(request).annotate(two_factor_on=Exists(confirmed))

    @admin.display(boolean=True, description=_("Two-factor"), ordering="two_factor_on")
    def two_factor_on(self, obj: User) -> bool:
        return bool(getattr(obj, "two_factor_on", False))

    def has_two_factor_reset_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    @admin.action(description=_("Reset two-factor authentication"), permissions=["two_factor_reset"])
    def two_factor_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reset = [user for user in queryset if services.two_factor_reset(actor=request.user, user=user)]
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d user.",
                "Two-factor authentication reset for %(count)d users.",
                len(reset),
            )
            % {"count": len(reset)},
            messages.SUCCESS,
        )


class MembershipInline(admin.TabularInline[Membership, Entity]):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin[Entity]):
    list_display = ["name", "kind", "country", "parent", "is_demo"]
    list_filter = ["country", "kind", "is_demo"]
    search_fields = ["name", "short_name"]

    def save_model(self, request: HttpRequest, obj: Entity, form: Any, change: bool) -> None:
        fields = {f: getattr(obj, f) for f in services.ENTITY_FIELDS}
        if change:
            original = Entity.objects.get(pk=obj.pk)
            services.entity_update(actor=request.user, entity=original, **fields)
        else:
            created = services.entity_create(actor=request.user, **fields)
            obj.pk = created.pk


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "entity", "role", "created_at"]
    list_filter = ["role", "entity"]
    autocomplete_fields = ["user", "entity"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            Membership.objects.filter(pk=obj.pk).delete()
        created = services.membership_add(actor=request.user, entity=obj.entity, user=obj.user, role=obj.role)
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_remove(actor=request.user, membership=obj)


@admin.register(OversightGrant)
class OversightGrantAdmin(admin.ModelAdmin[OversightGrant]):
    list_display = ["overseer", "overseen", "created_at"]
    autocomplete_fields = ["overseer", "overseen"]

    def save_model(self, request: HttpRequest, obj: OversightGrant, form: Any, change: bool) -> None:
        created = services.oversight_grant(actor=request.user, overseer=obj.overseer, overseen=obj.overseen)
        obj.pk = created.pk
