"""Writes of the prioritisation matrix: criteria (with the weight rules of the engine) and a
project's scores, all-or-nothing. Every input is checked first, all problems are reported
together, nothing is saved on error, and every change is audited in its transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
from rumbo.investments.models import PriorityCriterion, Project, ProjectScore
from rumbo.investments.services import score_set

CRITERION_FIELDS = ("key", "name", "weight", "higher_is_better", "scale_max")
MAX_WEIGHT = Decimal("999999")  # the column holds 6 integer digits
MAX_SCALE = Decimal("9999")  # the column holds 4 integer digits
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True, slots=True)
class SuggestedCriterion:
    """A criterion of the suggested matrix; the weights add up to 100 so each is its own percent."""

    key: str
    name: str  # an English msgid, stored translated into the adopter's language
    weight: int
    higher_is_better: bool = True


SUGGESTED_CRITERIA: tuple[SuggestedCriterion, ...] = (
    SuggestedCriterion("gap", gettext_noop("Gap closed"), 25),
    SuggestedCriterion("alignment", gettext_noop("Alignment with the plan"), 20),
    SuggestedCriterion("population", gettext_noop("Population benefited"), 20),
    SuggestedCriterion("cost_effectiveness", gettext_noop("Cost-effectiveness"), 15),
    SuggestedCriterion("readiness", gettext_noop("Readiness"), 10),
    SuggestedCriterion("risk", gettext_noop("Risk"), 10, higher_is_better=False),
)


@dataclass(frozen=True, slots=True)
class ScoreInput:
    """One row of a scoring sheet: a criterion key, the score as typed (blank = not scored)."""

    criterion: str
    score: Any
    justification: str = ""


def _number(value: Any) -> Decimal:
    """A Decimal from a number or a text with a decimal comma or point; InvalidOperation otherwise."""
    number = decimal_from_text(value)
    if not number.is_finite():
        raise InvalidOperation(value)
    return number


def _weight_errors(value: Any) -> tuple[Decimal | None, list[str]]:
    try:
        weight = _number(value)
    except InvalidOperation:
        return None, [_("“%(value)s” is not a number.") % {"value": value}]
    if weight < 0:
        return None, [_("The weight must be zero or positive.")]
    if weight > MAX_WEIGHT:
        return None, [_("The weight is too large (at most %(max)s).") % {"max": MAX_WEIGHT}]
    if weight != weight.quantize(Decimal("0.0001")):
        return None, [_("The weight may have at most four decimals.")]
    return weight, []


def criterion_save(
    *,
    actor: Any,
    entity: Entity,
    key: str,
    name: str,
    weight: Any,
    higher_is_better: bool = True,
    scale_max: Any = 5,
) -> PriorityCriterion:
    """Create the criterion `key` of the entity's matrix or change it. Weights must be zero or
    positive and not all zero; the maximum score may not fall below a score already given."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    errors: dict[str, list[str]] = {}
    key = (key or "").strip().lower()
    name = (name or "").strip()
    if not _KEY.fullmatch(key):
        errors["key"] = [
            _("The key must be 1 to 40 lowercase letters, digits, hyphens or underscores, without spaces.")
        ]
    if not name:
        errors["name"] = [_("The name is required.")]
    elif len(name) > 200:
        errors["name"] = [_("The name is too long (at most 200 characters).")]
    weight_value, weight_errors = _weight_errors(weight)
    if weight_errors:
        errors["weight"] = weight_errors
    scale: Decimal | None = None
    try:
        scale = _number(scale_max)
    except InvalidOperation:
        errors["scale_max"] = [_("“%(value)s” is not a number.") % {"value": scale_max}]
    else:
        if scale <= 0 or scale > MAX_SCALE:
            errors["scale_max"] = [
                _("The maximum score must be above 0 and at most %(max)s.") % {"max": MAX_SCALE}
            ]
        elif scale != scale.quantize(Decimal("0.01")):
            errors["scale_max"] = [_("The maximum score may have at most two decimals.")]
    existing = (
        PriorityCriterion.objects.filter(entity=entity, key=key).first() if "key" not in errors else None
    )
    if scale is not None and "scale_max" not in errors and existing is not None:
        highest = existing.scores.aggregate(m=Max("score"))["m"]
        if highest is not None and highest > scale:
            errors["scale_max"] = [
                _(
                    "A project already has a score of %(score)s on this criterion; the maximum cannot be lower."
                )
                % {"score": highest}
            ]
    if weight_value is not None and weight_value == 0:
        others = PriorityCriterion.objects.filter(entity=entity).exclude(key=key)
        if not (others.aggregate(s=Sum("weight"))["s"] or 0) > 0:
            errors.setdefault("weight", []).append(
                _("The weights cannot all be zero: give at least one criterion a positive weight.")
            )
    if errors:
        raise ValidationError(errors)
    assert weight_value is not None and scale is not None
    with transaction.atomic():
        if existing is None:
            criterion = PriorityCriterion.objects.create(
                entity=entity,
                key=key,
                name=name,
                weight=weight_value,
                higher_is_better=higher_is_better,
                scale_max=scale,
            )
            changes = created_changes(criterion, CRITERION_FIELDS)
            action = AuditAction.CREATED
        else:
            criterion = PriorityCriterion.objects.select_for_update().get(pk=existing.pk)
            before = model_snapshot(criterion, CRITERION_FIELDS)
            criterion.name = name
            criterion.weight = weight_value
            criterion.higher_is_better = higher_is_better
            criterion.scale_max = scale
            criterion.save()
            criterion.refresh_from_db()
            changes = snapshot_diff(before, model_snapshot(criterion, CRITERION_FIELDS))
            action = AuditAction.UPDATED
        if changes:
            audit_record(actor=actor, action=action, target=criterion, entity_id=entity.pk, changes=changes)
    return criterion


def criterion_delete(*, actor: Any, criterion: PriorityCriterion) -> int:
    """Remove a criterion and, with it, every project's score on it; returns how many scores went.

    Refused when the criteria left would all weigh zero.
    """
    require(actor, criterion.entity_id, Capability.EDIT_PLAN)
    others = PriorityCriterion.objects.filter(entity_id=criterion.entity_id).exclude(pk=criterion.pk)
    if others.exists() and not (others.aggregate(s=Sum("weight"))["s"] or 0) > 0:
        raise ValidationError(
            _(
                "The other criteria all weigh zero; give one of them a positive weight before "
                "removing this one."
            )
        )
    with transaction.atomic():
        removed = ProjectScore.objects.filter(criterion=criterion).count()
        audit_record(
            actor=actor,
            action=AuditAction.DELETED,
            target=criterion,
            entity_id=criterion.entity_id,
            changes=deleted_changes(criterion, CRITERION_FIELDS),
            message=_("%(count)s scores removed with the criterion.") % {"count": removed},
        )
        criterion.delete()  # the scores cascade
    return removed


def criteria_suggested_adopt(*, actor: Any, entity: Entity) -> list[PriorityCriterion]:
    """Add the criteria of the suggested matrix the entity does not have yet (by key) and return
    those added; existing criteria, even edited ones, are left as they are, so it is idempotent."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    added: list[PriorityCriterion] = []
    with transaction.atomic():
        have = set(PriorityCriterion.objects.filter(entity=entity).values_list("key", flat=True))
        for item in SUGGESTED_CRITERIA:
            if item.key in have:
                continue
            criterion = PriorityCriterion.objects.create(
                entity=entity,
                key=item.key,
                name=_(item.name),
                weight=Decimal(item.weight),
                higher_is_better=item.higher_is_better,
                scale_max=Decimal(5),
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATED,
                target=criterion,
                entity_id=entity.pk,
                changes=created_changes(criterion, CRITERION_FIELDS),
                message=_("From the suggested matrix."),
            )
            added.append(criterion)
    return added


def project_scores_set(*, actor: Any, project: Project, rows: Sequence[ScoreInput]) -> int:
    """Save a project's scores, all or nothing: every row is checked first and the errors are
    raised together keyed by criterion key. A blank score clears an earlier one. Returns how many
    scores changed."""
    require(actor, project.entity_id, Capability.EDIT_PLAN)
    criteria = {c.key: c for c in PriorityCriterion.objects.filter(entity_id=project.entity_id)}
    current = {s.criterion_id: s for s in ProjectScore.objects.filter(project=project)}
    errors: dict[str, list[str]] = {}
    to_set: list[tuple[PriorityCriterion, Decimal, str]] = []
    to_clear: list[ProjectScore] = []
    seen: set[str] = set()
    for row in rows:
        criterion = criteria.get(row.criterion)
        if criterion is None:
            errors.setdefault(row.criterion or "criterion", []).append(
                _("Unknown criterion: %(key)s") % {"key": row.criterion}
            )
            continue
        if row.criterion in seen:
            errors.setdefault(row.criterion, []).append(
                _("%(name)s: the criterion appears twice.") % {"name": criterion.name}
            )
            continue
        seen.add(row.criterion)
        justification = (row.justification or "").strip()
        blank = row.score is None or (isinstance(row.score, str) and not row.score.strip())
        previous = current.get(criterion.pk)
        if blank:
            if justification:
                errors.setdefault(row.criterion, []).append(
                    _("%(name)s: a justification needs a score.") % {"name": criterion.name}
                )
            elif previous is not None:
                to_clear.append(previous)
            continue
        try:
            value = _number(row.score)
        except InvalidOperation:
            errors.setdefault(row.criterion, []).append(
                _("%(name)s: “%(value)s” is not a number.") % {"name": criterion.name, "value": row.score}
            )
            continue
        if value < 0 or value > criterion.scale_max:
            errors.setdefault(row.criterion, []).append(
                _("%(name)s: the score must be between 0 and %(max)s.")
                % {"name": criterion.name, "max": criterion.scale_max.normalize()}
            )
            continue
        if value != value.quantize(Decimal("0.01")):
            errors.setdefault(row.criterion, []).append(
                _("%(name)s: the score may have at most two decimals.") % {"name": criterion.name}
            )
            continue
        if previous is not None and previous.score == value and previous.justification == justification:
            continue
        to_set.append((criterion, value, justification))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for criterion, value, justification in to_set:
            score_set(
                actor=actor, project=project, criterion=criterion, score=value, justification=justification
            )
        keys = {c.pk: k for k, c in criteria.items()}
        for score in to_clear:
            key = keys[score.criterion_id]
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=project,
                entity_id=project.entity_id,
                scope=project.plan,
                changes={f"score:{key}": [str(score.score), None]},
                message=_("Score on %(key)s cleared.") % {"key": key},
            )
            score.delete()
    return len(to_set) + len(to_clear)
