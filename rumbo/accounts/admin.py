"""Django admin for superusers: people, entities and roles. Entity and role changes go through
the services so they are audited like any other change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from rumbo.accounts import services
from rumbo.accounts.models import Entity, Membership, OversightGrant, User


@admin.register(User)
class RumboUserAdmin(UserAdmin[User]):
    pass


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
