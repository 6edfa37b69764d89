"""Who may do what: roles → capabilities, resolved per user and entity.

Every service asks `entity_can(user, entity_id, Capability.X)`. The answer comes from the
user's memberships in that entity and from oversight grants (read only). Superusers can do
everything. The map is computed once per user object and cached on it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from rumbo.accounts.models import Membership, OversightGrant, Role


class Capability(enum.StrEnum):
    VIEW_PRIVATE = "view_private"  # read unpublished plans and private data of the entity
    COMMENT = "comment"  # comment on plans and nodes
    EDIT_PLAN = "edit_plan"  # create plans, edit their data, legal acts and links
    EDIT_TREE = "edit_tree"  # add, edit, move, delete and import strategic-tree nodes
    PUBLISH = "publish"  # publish or unpublish a plan to the public site
    REPORT_DATA = "report_data"  # enter measurements and progress (monitoring module)
    APPROVE = "approve"  # approve data and reports
    MANAGE_MEMBERS = "manage_members"  # add and remove people and their roles
    MANAGE_ENTITY = "manage_entity"  # edit the entity, its jurisdiction, its layers and units


C = Capability
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMINISTRATOR: frozenset(Capability),
    Role.PLANNER: frozenset({C.VIEW_PRIVATE, C.COMMENT, C.EDIT_PLAN, C.EDIT_TREE, C.REPORT_DATA}),
    Role.REPORTER: frozenset({C.VIEW_PRIVATE, C.COMMENT, C.REPORT_DATA}),
    Role.APPROVER: frozenset({C.VIEW_PRIVATE, C.COMMENT, C.APPROVE, C.PUBLISH}),
    Role.COMMITTEE_MEMBER: frozenset({C.VIEW_PRIVATE, C.COMMENT}),
    Role.OBSERVER: frozenset({C.VIEW_PRIVATE}),
}
OVERSIGHT_CAPABILITIES = frozenset({C.VIEW_PRIVATE})


@dataclass
class AccessMap:
    """The capabilities one user holds, per entity id."""

    is_superuser: bool = False
    by_entity: dict[int, set[Capability]] = field(default_factory=dict)

    def can(self, entity_id: int | None, capability: Capability) -> bool:
        if self.is_superuser:
            return True
        if entity_id is None:
            return False
        return capability in self.by_entity.get(entity_id, set())

    def entities_with(self, capability: Capability) -> set[int]:
        return {eid for eid, caps in self.by_entity.items() if capability in caps}


_CACHE_ATTR = "_rumbo_access_map"


def user_access(user: Any) -> AccessMap:
    """The user's access map (two queries, cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return AccessMap()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    access = AccessMap(is_superuser=bool(user.is_superuser))
    member_entities: set[int] = set()
    for entity_id, role in Membership.objects.filter(user=user).values_list("entity_id", "role"):
        access.by_entity.setdefault(entity_id, set()).update(ROLE_CAPABILITIES.get(role, frozenset()))
        member_entities.add(entity_id)
    if member_entities:
        overseen = OversightGrant.objects.filter(overseer_id__in=member_entities).values_list(
            "overseen_id", flat=True
        )
        for entity_id in overseen:
            access.by_entity.setdefault(entity_id, set()).update(OVERSIGHT_CAPABILITIES)
    setattr(user, _CACHE_ATTR, access)
    return access


def access_forget(user: Any) -> None:
    """Drop the cached map after the user's memberships change."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def entity_can(user: Any, entity_id: int | None, capability: Capability) -> bool:
    return user_access(user).can(entity_id, capability)


def require(user: Any, entity_id: int | None, capability: Capability) -> None:
    """Raise PermissionDenied unless the user holds the capability in the entity."""
    if not entity_can(user, entity_id, capability):
        raise PermissionDenied(capability.value)


__all__ = ["AccessMap", "Capability", "PermissionDenied", "entity_can", "require", "user_access"]
