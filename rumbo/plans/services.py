"""Writes on plans and their strategic trees. Each function checks permission, validates,
writes, and records an audit event in one transaction. Tree writes lock the plan row first
so two editors cannot interleave path updates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import (
    AuditAction,
    audit_record,
    created_changes,
    deleted_changes,
    model_snapshot,
    snapshot_diff,
)
from rumbo.core.numbers import decimal_from_text
from rumbo.plans.models import (
    Comment,
    LegalAct,
    Node,
    Plan,
    PlanLevel,
    PlanLink,
    PlanType,
)
from rumbo.territory.models import TerritorialUnit

DEFAULT_LEVELS: tuple[tuple[str, str], ...] = (
    ("axis", "Eje estratégico"),
    ("objective", "Objetivo estratégico"),
    ("programme", "Programa"),
    ("project", "Proyecto / acción"),
)
PLAN_FIELDS = (
    "name",
    "code",
    "plan_type",
    "status",
    "horizon_start",
    "horizon_end",
    "vision",
    "target_image",
    "description",
    "is_published",
)
NODE_FIELDS = (
    "code",
    "title",
    "description",
    "weight",
    "responsible",
    "term",
    "term_start",
    "term_end",
    "parent",
    "position",
    "level",
)
# Text columns: None given for one of them (an API client's null) means empty text, which is what
# the database stores; without this, Django's full_clean lets None through a blank field and the
# save fails on NOT NULL.
PLAN_TEXT_FIELDS = frozenset({"name", "code", "vision", "target_image", "description"})
NODE_TEXT_FIELDS = frozenset({"code", "title", "description", "responsible", "term"})


def _lock_plan(plan: Plan) -> Plan:
    """Serialise tree writes on a plan (row lock on PostgreSQL; SQLite already has one writer)."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _check_years(start: int | None, end: int | None, *, field: str) -> None:
    if start is not None and end is not None and start > end:
        raise ValidationError({field: _("The start year must not be after the end year.")})


# --- plans -----------------------------------------------------------------------------


def plan_create(
    *,
    actor: Any,
    entity: Entity,
    plan_type: PlanType,
    name: str,
    code: str = "",
    horizon_start: int | None = None,
    horizon_end: int | None = None,
    vision: str = "",
    target_image: str = "",
    description: str = "",
    status: str = "formulation",
    units: Iterable[TerritorialUnit] = (),
    levels: Sequence[str] | None = None,
    is_demo: bool = False,
) -> Plan:
    """A new plan owned by `entity`, with its tree levels (given, the type's, or the default four)."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    _check_years(horizon_start, horizon_end, field="horizon_end")
    with transaction.atomic():
        plan = Plan(
            entity=entity,
            plan_type=plan_type,
            name=name.strip(),
            code=code.strip(),
            horizon_start=horizon_start,
            horizon_end=horizon_end,
            vision=vision,
            target_image=target_image,
            description=description,
            status=status,
            is_demo=is_demo,
        )
        plan.full_clean()
        plan.save()
        plan.units.set(list(units))
        level_names = (
            list(levels)
            if levels
            else ([lvl for lvl in plan_type.default_levels] or [name for _key, name in DEFAULT_LEVELS])
        )
        plan_levels_set(plan=plan, names=level_names)
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=plan,
            entity_id=entity.pk,
            scope=plan,
            changes=created_changes(plan, PLAN_FIELDS),
        )
    return plan


def plan_levels_set(*, plan: Plan, names: Sequence[str]) -> list[PlanLevel]:
    """Create or rename the plan's levels by depth (1..n). Existing deeper levels stay."""
    result: list[PlanLevel] = []
    used_keys: set[str] = set()
    for depth, raw_name in enumerate(names, start=1):
        name = raw_name.strip()
        if not name:
            raise ValidationError(_("Level %(depth)s has no name.") % {"depth": depth})
        key = slugify(name)[:50] or f"level-{depth}"
        while key in used_keys:
            key = f"{key}-{depth}"
        used_keys.add(key)
        level, _created = PlanLevel.objects.update_or_create(
            plan=plan, depth=depth, defaults={"name": name, "key": key}
        )
        result.append(level)
    return result


def plan_levels_rename(*, actor: Any, plan: Plan, names: Sequence[str]) -> list[PlanLevel]:
    """Rename the tree's levels (first name = depth 1). Nodes keep their depth; levels deeper
    than the names given stay as they are."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    cleaned = [n.strip() for n in names if n.strip()]
    if not cleaned:
        raise ValidationError({"levels": _("Give at least one level name.")})
    with transaction.atomic():
        _lock_plan(plan)
        before = list(PlanLevel.objects.filter(plan=plan).order_by("depth").values_list("name", flat=True))
        # Free every key first so a rename can take a key another level held (unique per plan).
        for level in PlanLevel.objects.filter(plan=plan):
            level.key = f"tmp-{level.depth}"
            level.save(update_fields=["key"])
        plan_levels_set(plan=plan, names=cleaned)
        for level in PlanLevel.objects.filter(plan=plan, key__startswith="tmp-"):
            level.key = f"level-{level.depth}"
            level.save(update_fields=["key"])
        after = list(PlanLevel.objects.filter(plan=plan).order_by("depth").values_list("name", flat=True))
        if before != after:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=plan,
                entity_id=plan.entity_id,
                scope=plan,
                changes={"levels": [before, after]},
            )
    return list(PlanLevel.objects.filter(plan=plan).order_by("depth"))


def plan_level_for_depth(*, plan: Plan, depth: int) -> PlanLevel:
    """The level at this depth, created as "Nivel N" when the tree grows deeper than configured."""
    level = PlanLevel.objects.filter(plan=plan, depth=depth).first()
    if level is None:
        level = PlanLevel.objects.create(plan=plan, depth=depth, name=f"Nivel {depth}", key=f"level-{depth}")
    return level


def plan_update(
    *, actor: Any, plan: Plan, units: Iterable[TerritorialUnit] | None = None, **fields: Any
) -> Plan:
    """Change a plan's own data; publishing needs the publish capability."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    if "is_published" in fields and fields["is_published"] != plan.is_published:
        require(actor, plan.entity_id, Capability.PUBLISH)
    with transaction.atomic():
        before = model_snapshot(plan, PLAN_FIELDS)
        before_units = sorted(plan.units.values_list("pk", flat=True))
        for key, value in fields.items():
            if key not in PLAN_FIELDS:
                raise ValueError(key)
            if value is None and key in PLAN_TEXT_FIELDS:
                value = ""
            setattr(plan, key, value)
        _check_years(plan.horizon_start, plan.horizon_end, field="horizon_end")
        plan.full_clean()
        plan.save()
        changes: dict[str, Any] = snapshot_diff(before, model_snapshot(plan, PLAN_FIELDS))
        if units is not None:
            plan.units.set(list(units))
            after_units = sorted(plan.units.values_list("pk", flat=True))
            if after_units != before_units:
                changes["units"] = [before_units, after_units]
        if changes:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=plan,
                entity_id=plan.entity_id,
                scope=plan,
                changes=changes,
            )
    return plan


def plan_publish(*, actor: Any, plan: Plan, published: bool) -> Plan:
    require(actor, plan.entity_id, Capability.PUBLISH)
    with transaction.atomic():
        if plan.is_published != published:
            plan.is_published = published
            plan.save(update_fields=["is_published", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=plan,
                entity_id=plan.entity_id,
                scope=plan,
                changes={"is_published": [not published, published]},
            )
    return plan


def legal_act_add(
    *,
    actor: Any,
    plan: Plan,
    act_type: str,
    number: str,
    date: Any,
    issuer: str,
    summary: str = "",
    file: Any = None,
) -> LegalAct:
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    with transaction.atomic():
        act = LegalAct(plan=plan, act_type=act_type, number=number, date=date, issuer=issuer, summary=summary)
        if file is not None:
            act.file = file
        act.full_clean()
        act.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=act,
            entity_id=plan.entity_id,
            scope=plan,
            changes={"number": [None, number], "date": [None, str(date)], "issuer": [None, issuer]},
        )
    return act


def legal_act_delete(*, actor: Any, act: LegalAct) -> None:
    require(actor, act.plan.entity_id, Capability.EDIT_PLAN)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETED,
            target=act,
            entity_id=act.plan.entity_id,
            scope=act.plan,
            changes={"number": [act.number, None]},
        )
        act.delete()


def plan_link_add(*, actor: Any, source: Plan, target: Plan, kind: str, note: str = "") -> PlanLink:
    """Link a plan to another one it articulates with (the target may belong to another entity)."""
    require(actor, source.entity_id, Capability.EDIT_PLAN)
    if source.pk == target.pk:
        raise ValidationError(_("A plan cannot be linked to itself."))
    with transaction.atomic():
        link, created = PlanLink.objects.get_or_create(
            source=source, target=target, kind=kind, defaults={"note": note}
        )
        if created:
            audit_record(
                actor=actor,
                action=AuditAction.CREATED,
                target=link,
                entity_id=source.entity_id,
                scope=source,
                changes={"target": [None, target.pk], "kind": [None, kind]},
            )
    return link


def plan_link_delete(*, actor: Any, link: PlanLink) -> None:
    require(actor, link.source.entity_id, Capability.EDIT_PLAN)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETED,
            target=link,
            entity_id=link.source.entity_id,
            scope=link.source,
            changes={"target": [link.target_id, None]},
        )
        link.delete()


def comment_add(*, actor: Any, plan: Plan, body: str, node: Node | None = None) -> Comment:
    require(actor, plan.entity_id, Capability.COMMENT)
    if not body.strip():
        raise ValidationError({"body": _("The comment is empty.")})
    if node is not None and node.plan_id != plan.pk:
        raise ValidationError(_("The node does not belong to this plan."))
    return Comment.objects.create(plan=plan, node=node, author=actor, body=body.strip())


# --- the strategic tree -------------------------------------------------------------------


def parse_weight(value: Any) -> Decimal:
    """A non-negative weight from a number or a Spanish-formatted string ("0,25")."""
    try:
        weight = decimal_from_text(value)
    except InvalidOperation as exc:
        raise ValidationError({"weight": _("The weight must be a number.")}) from exc
    if not weight.is_finite() or weight < 0:
        raise ValidationError({"weight": _("The weight must be zero or positive.")})
    if weight >= Decimal("1000000"):
        raise ValidationError({"weight": _("The weight is too large.")})
    return weight.quantize(Decimal("0.000001"))


def _validate_node(node: Node) -> None:
    if not node.code.strip():
        raise ValidationError({"code": _("The code is required.")})
    if not node.title.strip():
        raise ValidationError({"title": _("The title is required.")})
    _check_years(node.term_start, node.term_end, field="term_end")
    clash = Node.objects.filter(plan_id=node.plan_id, code=node.code).exclude(pk=node.pk).exists()
    if clash:
        raise ValidationError(
            {"code": _("The code %(code)s is already used in this plan.") % {"code": node.code}}
        )


def node_create(
    *,
    actor: Any,
    plan: Plan,
    parent: Node | None,
    code: str,
    title: str,
    description: str = "",
    weight: Any = Decimal("1"),
    responsible: str = "",
    term: str = "",
    term_start: int | None = None,
    term_end: int | None = None,
    units: Iterable[TerritorialUnit] = (),
) -> Node:
    """Add a node under `parent` (or at the root), last among its siblings."""
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationError(_("The parent node belongs to another plan."))
    with transaction.atomic():
        _lock_plan(plan)
        depth = parent.depth + 1 if parent is not None else 1
        last = Node.objects.filter(plan=plan, parent=parent).aggregate(m=Max("position"))["m"]
        node = Node(
            plan=plan,
            parent=parent,
            depth=depth,
            level=plan_level_for_depth(plan=plan, depth=depth),
            code=code.strip(),
            title=title.strip(),
            description=description,
            weight=parse_weight(weight),
            responsible=responsible.strip(),
            term=term,
            term_start=term_start,
            term_end=term_end,
            position=(last + 1) if last is not None else 0,
        )
        _validate_node(node)
        node.full_clean(exclude=["path", "level", "plan", "parent"])
        node.save()
        node.path = f"{parent.path if parent else '/'}{node.pk}/"
        node.save(update_fields=["path"])
        node.units.set(list(units))
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=node,
            entity_id=plan.entity_id,
            scope=plan,
            changes=created_changes(node, NODE_FIELDS),
        )
    return node


def node_update(
    *, actor: Any, node: Node, units: Iterable[TerritorialUnit] | None = None, **fields: Any
) -> Node:
    """Edit a node's own fields (not its place in the tree: see node_move)."""
    plan = node.plan
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    allowed = {"code", "title", "description", "weight", "responsible", "term", "term_start", "term_end"}
    with transaction.atomic():
        _lock_plan(plan)
        before = model_snapshot(node, NODE_FIELDS)
        for key, value in fields.items():
            if key not in allowed:
                raise ValueError(key)
            if value is None and key in NODE_TEXT_FIELDS:
                value = ""
            if key == "weight":
                value = parse_weight(value)
            elif isinstance(value, str) and key != "description":
                value = value.strip()
            setattr(node, key, value)
        _validate_node(node)
        node.full_clean(exclude=["path", "level", "plan", "parent"])
        node.save()
        changes = snapshot_diff(before, model_snapshot(node, NODE_FIELDS))
        if units is not None:
            before_units = sorted(node.units.values_list("pk", flat=True))
            node.units.set(list(units))
            after_units = sorted(node.units.values_list("pk", flat=True))
            if before_units != after_units:
                changes["units"] = [before_units, after_units]
        if changes:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=node,
                entity_id=plan.entity_id,
                scope=plan,
                changes=changes,
            )
    return node


def _subtree(node: Node) -> list[Node]:
    return list(Node.objects.filter(plan_id=node.plan_id, path__startswith=node.path).order_by("depth"))


def node_move(*, actor: Any, node: Node, new_parent: Node | None, position: int | None = None) -> Node:
    """Put a node (with its subtree) under another parent and/or at another position.

    Refuses a move under itself or its own descendants. Depths, paths and levels of the whole
    subtree follow; siblings are renumbered so positions stay 0..n-1.
    """
    plan = node.plan
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    with transaction.atomic():
        _lock_plan(plan)
        node.refresh_from_db()
        if new_parent is not None:
            new_parent.refresh_from_db()
            if new_parent.plan_id != plan.pk:
                raise ValidationError(_("The new parent belongs to another plan."))
            if new_parent.path.startswith(node.path):
                raise ValidationError(_("A node cannot be moved under itself or one of its descendants."))
        before = {"parent": node.parent_id, "position": node.position}
        old_parent_id = node.parent_id
        siblings = list(
            Node.objects.filter(plan=plan, parent=new_parent).exclude(pk=node.pk).order_by("position", "code")
        )
        index = len(siblings) if position is None else max(0, min(position, len(siblings)))
        siblings.insert(index, node)
        for i, sibling in enumerate(siblings):
            sibling.position = i
        Node.objects.bulk_update(siblings, ["position"])
        if new_parent is None or new_parent.pk != old_parent_id:
            old_path = node.path
            new_path = f"{new_parent.path if new_parent else '/'}{node.pk}/"
            depth_shift = (new_parent.depth + 1 if new_parent else 1) - node.depth
            subtree = _subtree(node)
            levels: dict[int, PlanLevel] = {}
            for member in subtree:
                member.path = new_path + member.path[len(old_path) :]
                member.depth += depth_shift
                if member.depth not in levels:
                    levels[member.depth] = plan_level_for_depth(plan=plan, depth=member.depth)
                member.level = levels[member.depth]
                if member.pk == node.pk:
                    member.parent = new_parent
            Node.objects.bulk_update(subtree, ["path", "depth", "level", "parent"])
            old_siblings = list(
                Node.objects.filter(plan=plan, parent_id=old_parent_id).order_by("position", "code")
            )
            for i, sibling in enumerate(old_siblings):
                sibling.position = i
            Node.objects.bulk_update(old_siblings, ["position"])
        node.refresh_from_db()
        audit_record(
            actor=actor,
            action=AuditAction.MOVED,
            target=node,
            entity_id=plan.entity_id,
            scope=plan,
            changes={
                "parent": [before["parent"], node.parent_id],
                "position": [before["position"], node.position],
            },
        )
    return node


def node_shift(*, actor: Any, node: Node, offset: int) -> Node:
    """Move a node up (-1) or down (+1) among its siblings."""
    return node_move(actor=actor, node=node, new_parent=node.parent, position=max(0, node.position + offset))


class ChildrenRule:
    DELETE = "delete"  # the node's whole subtree is deleted with it
    PROMOTE = "promote"  # the children move up to the node's parent, in its place


def node_delete(*, actor: Any, node: Node, children: str = ChildrenRule.DELETE) -> int:
    """Delete a node. Its children are deleted with it or promoted to its parent.

    Returns how many nodes were deleted. Every deleted node leaves an audit event with its
    last state, so the history can show what was there.
    """
    plan = node.plan
    require(actor, plan.entity_id, Capability.EDIT_TREE)
    if children not in (ChildrenRule.DELETE, ChildrenRule.PROMOTE):
        raise ValueError(children)
    with transaction.atomic():
        _lock_plan(plan)
        node.refresh_from_db()
        parent = node.parent
        if children == ChildrenRule.PROMOTE:
            kids = list(Node.objects.filter(parent=node).order_by("position", "code"))
            for offset, kid in enumerate(kids):
                node_move(actor=actor, node=kid, new_parent=parent, position=node.position + 1 + offset)
            doomed = [node]
        else:
            doomed = _subtree(node)
        for member in reversed(doomed):
            audit_record(
                actor=actor,
                action=AuditAction.DELETED,
                target=member,
                entity_id=plan.entity_id,
                scope=plan,
                changes=deleted_changes(member, NODE_FIELDS),
            )
        count = len(doomed)
        try:
            Node.objects.filter(pk__in=[m.pk for m in doomed]).delete()
        except ProtectedError as exc:  # raised before anything is deleted; the atomic block undoes the rest
            raise ValidationError(_node_in_use_message(exc)) from exc
        rest = list(Node.objects.filter(plan=plan, parent=parent).order_by("position", "code"))
        for i, sibling in enumerate(rest):
            sibling.position = i
        Node.objects.bulk_update(rest, ["position"])
    return count


def _node_in_use_message(exc: ProtectedError) -> str:
    records = sorted({f"{obj._meta.verbose_name} «{obj}»" for obj in exc.protected_objects})
    shown = ", ".join(records[:3]) + (" …" if len(records) > 3 else "")
    return _(
        "The node cannot be deleted because other records refer to it: %(records)s. Delete them "
        "or point them to another node first."
    ) % {"records": shown}


def node_align(*, actor: Any, node: Node, targets: Iterable[Node]) -> None:
    """Set the nodes of other plans this node is aligned to (a PAT objective to a regional one)."""
    require(actor, node.plan.entity_id, Capability.EDIT_TREE)
    target_list = list(targets)
    if any(t.plan_id == node.plan_id for t in target_list):
        raise ValidationError(_("Alignment links point to nodes of other plans."))
    from rumbo.plans.selectors import plans_visible_to

    plan_ids = {t.plan_id for t in target_list}
    if plans_visible_to(user=actor).filter(pk__in=plan_ids).count() != len(plan_ids):
        raise ValidationError(_("Alignment links may only point to plans you can see."))
    with transaction.atomic():
        before = sorted(node.aligned_to.values_list("pk", flat=True))
        node.aligned_to.set(target_list)
        after = sorted(t.pk for t in target_list)
        if before != after:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=node,
                entity_id=node.plan.entity_id,
                scope=node.plan,
                changes={"aligned_to": [before, after]},
            )
