"""Writes on the variable dictionary, indicator sheets, targets, project progress, corrective
actions and the reporting calendar. Each function checks permission, validates everything
before writing, and records an audit event in the same transaction.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, entity_can, require
from rumbo.core.audit import AuditAction, audit_record, created_changes, model_snapshot, snapshot_diff
from rumbo.indicators.models import (
    CorrectiveAction,
    CorrectiveActionStatus,
    FinancialProgress,
    Indicator,
    IndicatorLevel,
    IndicatorVariable,
    Measurement,
    Milestone,
    MilestoneProgress,
    Period,
    ReportingCalendar,
    ReportingFrequency,
    Target,
    Variable,
)
from rumbo.indicators.periods import PeriodCodeError, period_get_or_create
from rumbo.indicators.sheets.catalogue import general_catalogue
from rumbo.indicators.sheets.formula import FUNCTIONS, VARIABLE_CODE, FormulaError, formula_parse
from rumbo.plans.models import Node, Plan

VARIABLE_FIELDS = ("code", "name", "definition", "unit", "source", "territorial_level")
INDICATOR_FIELDS = (
    "node",
    "code",
    "name",
    "definition",
    "justification",
    "level",
    "unit",
    "unit_label",
    "formula",
    "method",
    "direction",
    "achievement_formula",
    "cap_percent",
    "baseline_value",
    "baseline_date",
    "baseline_source",
    "periodicity",
    "source",
    "means_of_verification",
    "responsible",
    "territorial_disaggregation",
    "population_disaggregation",
    "limitations",
    "assumptions",
    "threshold_green",
    "threshold_amber",
    "weight",
    "catalogue_key",
)
ACTION_FIELDS = ("title", "description", "responsible", "due_date", "status", "node", "indicator")
CALENDAR_FIELDS = ("frequency", "due_days_after_period_end", "notify_emails")
CURRENCY_BY_COUNTRY = {"PE": "PEN", "CO": "COP", "MX": "MXN"}


def _decimal(value: Any, *, field: str) -> Decimal:
    """A finite Decimal from a number or text (decimal comma accepted), or ValidationError."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = str(value if value is not None else "").strip().replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError({field: _("Must be a number.")})
    return number


def _period(period: Period | str, *, field: str = "period") -> Period:
    if isinstance(period, Period):
        return period
    try:
        return period_get_or_create(period)
    except PeriodCodeError as exc:
        raise ValidationError({field: str(exc)}) from exc


def _merge(errors: dict[str, list[str]], exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, items in exc.error_dict.items():
            for item in items:
                errors.setdefault(field, []).extend(str(m) for m in item.messages)
    else:
        errors.setdefault("__all__", []).extend(str(m) for m in exc.messages)


# --- the variable dictionary -------------------------------------------------------------


def _variable_clean(variable: Variable) -> None:
    errors: dict[str, list[str]] = {}
    variable.code = (variable.code or "").strip()
    variable.name = (variable.name or "").strip()
    if variable.code and not VARIABLE_CODE.match(variable.code):
        errors["code"] = [_("Use a letter first, then letters, digits or _ (at most 40 characters).")]
    elif variable.code.lower() in FUNCTIONS:
        errors["code"] = [
            _("%(code)s is the name of a function; choose another code.") % {"code": variable.code}
        ]
    elif (
        Variable.objects.filter(entity_id=variable.entity_id, code=variable.code)
        .exclude(pk=variable.pk)
        .exists()
    ):
        errors["code"] = [_("The dictionary already has a variable %(code)s.") % {"code": variable.code}]
    try:
        variable.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)


def variable_create(
    *,
    actor: Any,
    entity: Entity,
    code: str,
    name: str,
    definition: str = "",
    unit: str = "",
    source: str = "",
    territorial_level: str = "municipality",
) -> Variable:
    """Add a variable to the entity's dictionary; codes are unique per entity."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    variable = Variable(
        entity=entity,
        code=code,
        name=name,
        definition=definition,
        unit=unit,
        source=source,
        territorial_level=territorial_level,
    )
    _variable_clean(variable)
    with transaction.atomic():
        variable.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=variable,
            entity_id=entity.pk,
            changes=created_changes(variable, VARIABLE_FIELDS),
        )
    return variable


def variable_update(*, actor: Any, variable: Variable, **fields: Any) -> Variable:
    """Change a variable. Its code cannot change while an indicator's formula uses it."""
    require(actor, variable.entity_id, Capability.EDIT_PLAN)
    unknown = set(fields) - set(VARIABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = model_snapshot(variable, VARIABLE_FIELDS)
    for key, value in fields.items():
        setattr(variable, key, value)
    _variable_clean(variable)
    if variable.code != before["code"] and IndicatorVariable.objects.filter(variable=variable).exists():
        variable.code = before["code"]
        raise ValidationError({"code": _("Indicator formulas use this variable; its code cannot change.")})
    changes = snapshot_diff(before, model_snapshot(variable, VARIABLE_FIELDS))
    if changes:
        with transaction.atomic():
            variable.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=variable,
                entity_id=variable.entity_id,
                changes=changes,
            )
    return variable


# --- indicator sheets ----------------------------------------------------------------------


def _indicator_clean(indicator: Indicator, plan: Plan) -> list[Variable]:
    """Validate a sheet before it is saved; return the dictionary variables its formula uses."""
    errors: dict[str, list[str]] = {}
    indicator.code = (indicator.code or "").strip()
    indicator.name = (indicator.name or "").strip()
    indicator.formula = (indicator.formula or "").strip()
    if indicator.node_id is not None and indicator.node is not None and indicator.node.plan_id != plan.pk:
        errors["node"] = [_("The node does not belong to this plan.")]
    if (
        indicator.code
        and Indicator.objects.filter(plan=plan, code=indicator.code).exclude(pk=indicator.pk).exists()
    ):
        errors["code"] = [_("The plan already has an indicator %(code)s.") % {"code": indicator.code}]
    try:
        indicator.full_clean(exclude=["plan", "node"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        _merge(errors, exc)
    green, amber = indicator.threshold_green, indicator.threshold_amber
    if not {"threshold_green", "threshold_amber"} & set(errors):
        if Decimal(amber) < 0:
            errors["threshold_amber"] = [_("Must be at least 0.")]
        elif Decimal(green) < Decimal(amber):
            errors["threshold_green"] = [_("The green threshold must not be below the amber threshold.")]
    if (
        "cap_percent" not in errors
        and indicator.cap_percent is not None
        and Decimal(indicator.cap_percent) <= 0
    ):
        errors["cap_percent"] = [_("The cap must be above 0, or empty for no cap.")]
    if (
        "baseline_date" not in errors
        and indicator.baseline_date is not None
        and indicator.baseline_date > timezone.localdate()
    ):
        errors["baseline_date"] = [_("The baseline date cannot be in the future.")]
    if "weight" not in errors and Decimal(indicator.weight) < 0:
        errors["weight"] = [_("Must be at least 0.")]
    variables: list[Variable] = []
    if indicator.formula:
        try:
            parsed = formula_parse(indicator.formula)
        except FormulaError as exc:
            errors.setdefault("formula", []).append(str(exc))
        else:
            codes = parsed.variables
            variables = list(Variable.objects.filter(entity_id=plan.entity_id, code__in=codes))
            missing = sorted(codes - {v.code for v in variables})
            if missing:
                errors.setdefault("formula", []).append(
                    _("These variables are not in the entity's dictionary: %(codes)s.")
                    % {"codes": ", ".join(missing)}
                )
    if errors:
        raise ValidationError(errors)
    return variables


def _link_variables(indicator: Indicator, variables: Sequence[Variable]) -> None:
    wanted = {v.pk for v in variables}
    IndicatorVariable.objects.filter(indicator=indicator).exclude(variable_id__in=wanted).delete()
    have = set(IndicatorVariable.objects.filter(indicator=indicator).values_list("variable_id", flat=True))
    IndicatorVariable.objects.bulk_create(
        [IndicatorVariable(indicator=indicator, variable_id=pk) for pk in sorted(wanted - have)]
    )


def indicator_create(
    *, actor: Any, plan: Plan, node: Node | None, code: str, name: str, **fields: Any
) -> Indicator:
    """A new indicator sheet of a plan, attached to one of its nodes (or to the plan as a whole).

    The direction may stay empty (it is then inferred from the baseline and the targets)."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    indicator = Indicator(plan=plan, node=node, code=code, name=name)
    for key, value in fields.items():
        setattr(
            indicator,
            key,
            "" if value is None and key in ("direction", "territorial_disaggregation") else value,
        )
    variables = _indicator_clean(indicator, plan)
    with transaction.atomic():
        indicator.save()
        _link_variables(indicator, variables)
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=indicator,
            entity_id=plan.entity_id,
            scope=plan,
            changes=created_changes(indicator, INDICATOR_FIELDS),
        )
    return indicator


def indicator_update(*, actor: Any, indicator: Indicator, **fields: Any) -> Indicator:
    """Change fields of a sheet; the same rules as on creation apply."""
    plan = indicator.plan
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = model_snapshot(indicator, INDICATOR_FIELDS)
    for key, value in fields.items():
        setattr(
            indicator,
            key,
            "" if value is None and key in ("direction", "territorial_disaggregation") else value,
        )
    try:
        variables = _indicator_clean(indicator, plan)
    except ValidationError:
        indicator.refresh_from_db()
        raise
    changes = snapshot_diff(before, model_snapshot(indicator, INDICATOR_FIELDS))
    if changes:
        with transaction.atomic():
            indicator.save()
            _link_variables(indicator, variables)
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=indicator,
                entity_id=plan.entity_id,
                scope=plan,
                changes=changes,
            )
    return indicator


def indicator_delete(*, actor: Any, indicator: Indicator) -> None:
    """Delete a sheet and its targets. A sheet with measurements is kept: its history matters."""
    plan = indicator.plan
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    if Measurement.objects.filter(indicator=indicator).exists():
        raise ValidationError(_("This indicator has measurements; it cannot be deleted."))
    with transaction.atomic():
        snapshot = model_snapshot(indicator, INDICATOR_FIELDS)
        audit_record(
            actor=actor,
            action=AuditAction.DELETED,
            target=indicator,
            entity_id=plan.entity_id,
            scope=plan,
            changes={k: [v, None] for k, v in snapshot.items()},
        )
        indicator.delete()


# --- targets -------------------------------------------------------------------------------


def _check_horizon(plan: Plan, period: Period, field: str) -> None:
    start, end = plan.horizon_start, plan.horizon_end
    if (start is not None and period.end.year < start) or (end is not None and period.start.year > end):
        raise ValidationError(
            {
                field: _("%(period)s is outside the plan's horizon (%(start)s–%(end)s).")
                % {"period": period.code, "start": start or "…", "end": end or "…"}
            }
        )


def _target_write(actor: Any, indicator: Indicator, period: Period, value: Decimal | None) -> Target | None:
    existing = Target.objects.filter(indicator=indicator, period=period).first()
    plan = indicator.plan
    message = f"{indicator.code} {period.code}"
    if value is None:
        if existing is not None:
            audit_record(
                actor=actor,
                action=AuditAction.DELETED,
                target=existing,
                entity_id=plan.entity_id,
                scope=plan,
                changes={"value": [str(existing.value), None]},
                message=message,
            )
            existing.delete()
        return None
    if existing is None:
        target = Target.objects.create(indicator=indicator, period=period, value=value)
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=target,
            entity_id=plan.entity_id,
            scope=plan,
            changes={"value": [None, str(value)]},
            message=message,
        )
        return target
    if existing.value != value:
        before = str(existing.value)
        existing.value = value
        existing.save(update_fields=["value"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=existing,
            entity_id=plan.entity_id,
            scope=plan,
            changes={"value": [before, str(value)]},
            message=message,
        )
    return existing


def target_set(*, actor: Any, indicator: Indicator, period: Period | str, value: Any) -> Target:
    """Set the target of an indicator for a period (a Period or a code such as "2026T1")."""
    require(actor, indicator.plan.entity_id, Capability.EDIT_PLAN)
    number = _decimal(value, field="value")
    period_obj = _period(period)
    _check_horizon(indicator.plan, period_obj, "period")
    with transaction.atomic():
        target = _target_write(actor, indicator, period_obj, number)
    assert target is not None
    return target


def targets_set(*, actor: Any, indicator: Indicator, values: Mapping[str, Any]) -> list[Target]:
    """Set several targets at once from {period code: value}; an empty value removes that target.
    All or nothing: one bad period or value writes none."""
    require(actor, indicator.plan.entity_id, Capability.EDIT_PLAN)
    errors: dict[str, list[str]] = {}
    parsed: list[tuple[Period, Decimal | None]] = []
    for code, raw in values.items():
        try:
            period = _period(str(code), field=str(code))
            _check_horizon(indicator.plan, period, str(code))
            number = None if raw is None or str(raw).strip() == "" else _decimal(raw, field=str(code))
        except ValidationError as exc:
            _merge(errors, exc)
            continue
        parsed.append((period, number))
    if errors:
        raise ValidationError(errors)
    result: list[Target] = []
    with transaction.atomic():
        for period, number in parsed:
            target = _target_write(actor, indicator, period, number)
            if target is not None:
                result.append(target)
    return result


# --- the catalogue of general indicators ---------------------------------------------------


def catalogue_adopt(
    *, actor: Any, plan: Plan, keys: Sequence[str], node: Node | None = None
) -> list[Indicator]:
    """Create the plan's sheets for the chosen general indicators. Idempotent: an indicator
    already adopted (same catalogue key) is returned, not duplicated."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    catalogue = general_catalogue()
    unknown = [k for k in keys if catalogue.get(k) is None]
    if unknown:
        raise ValidationError(_("Unknown catalogue entries: %(keys)s.") % {"keys": ", ".join(unknown)})
    if node is not None and node.plan_id != plan.pk:
        raise ValidationError({"node": _("The node does not belong to this plan.")})
    adopted = {i.catalogue_key: i for i in Indicator.objects.filter(plan=plan).exclude(catalogue_key="")}
    codes = set(Indicator.objects.filter(plan=plan).values_list("code", flat=True))
    result: list[Indicator] = []
    with transaction.atomic():
        for key in dict.fromkeys(keys):
            if key in adopted:
                result.append(adopted[key])
                continue
            entry = catalogue.get(key)
            assert entry is not None
            code, n = entry.code, 2
            while code in codes:
                code, n = f"{entry.code}-{n}", n + 1
            codes.add(code)
            indicator = indicator_create(
                actor=actor,
                plan=plan,
                node=node,
                code=code,
                name=entry.name,
                definition=entry.definition,
                level=entry.level or IndicatorLevel.MANAGEMENT,
                unit=entry.unit,
                unit_label=entry.unit_label,
                direction=entry.direction,
                periodicity=entry.periodicity,
                means_of_verification=entry.means_of_verification,
                justification=f"{entry.citation}: «{entry.seed_text}»",
                catalogue_key=entry.key,
            )
            adopted[key] = indicator
            result.append(indicator)
    return result


# --- physical and financial progress -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MilestoneSpec:
    """One milestone as entered: `id` of an existing milestone to keep, or None for a new one."""

    name: str
    weight: Decimal
    planned_date: datetime.date | None = None
    id: int | None = None


def milestone_template() -> list[MilestoneSpec]:
    """The usual three milestones: start 10 %, execution 80 %, closure 10 %."""
    return [
        MilestoneSpec(pgettext("milestone", "Start"), Decimal("10")),
        MilestoneSpec(pgettext("milestone", "Execution"), Decimal("80")),
        MilestoneSpec(pgettext("milestone", "Closure"), Decimal("10")),
    ]


def milestone_set(*, actor: Any, node: Node, milestones: Sequence[MilestoneSpec]) -> list[Milestone]:
    """Replace the node's milestones with the given list, in order. Weights are relative (they
    need not add up to 100). A milestone that already has progress cannot be removed."""
    plan = node.plan
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    errors: list[str] = []
    names = [m.name.strip() for m in milestones]
    if any(not n for n in names):
        errors.append(_("Every milestone needs a name."))
    if len(set(names)) != len(names):
        errors.append(_("Two milestones have the same name."))
    if any(Decimal(m.weight) < 0 for m in milestones):
        errors.append(_("Weights must not be negative."))
    elif milestones and sum(Decimal(m.weight) for m in milestones) <= 0:
        errors.append(_("At least one milestone must weigh more than 0."))
    existing = {m.pk: m for m in Milestone.objects.filter(node=node)}
    kept = {m.id for m in milestones if m.id is not None}
    if kept - set(existing):
        errors.append(_("A milestone does not belong to this node."))
    removed = [m for pk, m in existing.items() if pk not in kept]
    with_progress = [m.name for m in removed if MilestoneProgress.objects.filter(milestone=m).exists()]
    if with_progress:
        errors.append(
            _("These milestones have progress and cannot be removed: %(names)s.")
            % {"names": ", ".join(with_progress)}
        )
    if errors:
        raise ValidationError(errors)
    result: list[Milestone] = []
    with transaction.atomic():
        before = [[m.name, str(m.weight)] for m in sorted(existing.values(), key=lambda m: m.position)]
        for m in removed:
            m.delete()
        for position, spec in enumerate(milestones):
            milestone = existing[spec.id] if spec.id is not None else Milestone(node=node)
            milestone.name = spec.name.strip()
            milestone.weight = Decimal(spec.weight)
            milestone.planned_date = spec.planned_date
            milestone.position = position
            milestone.save()
            result.append(milestone)
        after = [[m.name, str(m.weight)] for m in result]
        if before != after:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=node,
                entity_id=plan.entity_id,
                scope=plan,
                changes={"milestones": [before, after]},
            )
    return result


def milestone_progress_set(
    *, actor: Any, milestone: Milestone, period: Period | str, percent: Any, notes: str = ""
) -> MilestoneProgress:
    """Record how far a milestone had got by the end of a period (0–100 %)."""
    plan = milestone.node.plan
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    number = _decimal(percent, field="percent")
    if not Decimal(0) <= number <= Decimal(100):
        raise ValidationError({"percent": _("Progress must be between 0 and 100.")})
    period_obj = _period(period)
    with transaction.atomic():
        row = MilestoneProgress.objects.filter(milestone=milestone, period=period_obj).first()
        before = str(row.percent) if row is not None else None
        if row is None:
            row = MilestoneProgress(milestone=milestone, period=period_obj, created_by=actor)
        row.percent = number
        row.notes = notes
        row.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED if before is None else AuditAction.UPDATED,
            target=row,
            entity_id=plan.entity_id,
            scope=plan,
            changes={"percent": [before, str(number)]},
            message=f"{milestone.node.code} · {milestone.name} · {period_obj.code}",
        )
    return row


def financial_progress_set(
    *,
    actor: Any,
    node: Node,
    period: Period | str,
    programmed: Any,
    executed: Any,
    currency: str = "",
    notes: str = "",
) -> FinancialProgress:
    """Record the programmed and executed amounts of a project or action in a period (by hand
    until the investments module feeds them)."""
    plan = node.plan
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    errors: dict[str, list[str]] = {}
    amounts: dict[str, Decimal] = {}
    for field, raw in (("programmed", programmed), ("executed", executed)):
        try:
            amounts[field] = _decimal(raw, field=field)
        except ValidationError as exc:
            _merge(errors, exc)
            continue
        if amounts[field] < 0:
            errors.setdefault(field, []).append(_("Must be at least 0."))
    currency = (currency or CURRENCY_BY_COUNTRY.get(plan.entity.country, "PEN")).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        errors.setdefault("currency", []).append(
            _("Use a three-letter currency code such as PEN, COP or MXN.")
        )
    if errors:
        raise ValidationError(errors)
    period_obj = _period(period)
    with transaction.atomic():
        row = FinancialProgress.objects.filter(node=node, period=period_obj).first()
        before = [str(row.programmed), str(row.executed)] if row is not None else [None, None]
        if row is None:
            row = FinancialProgress(node=node, period=period_obj, created_by=actor)
        row.programmed, row.executed = amounts["programmed"], amounts["executed"]
        row.currency, row.notes = currency, notes
        row.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED if before[0] is None else AuditAction.UPDATED,
            target=row,
            entity_id=plan.entity_id,
            scope=plan,
            changes={
                "programmed": [before[0], str(row.programmed)],
                "executed": [before[1], str(row.executed)],
            },
            message=f"{node.code} · {period_obj.code}",
        )
    return row


# --- corrective actions (retroalimentación) --------------------------------------------------


def _action_clean(action: CorrectiveAction) -> None:
    errors: dict[str, list[str]] = {}
    action.title = (action.title or "").strip()
    action.responsible = (action.responsible or "").strip()
    if action.node is not None and action.node.plan_id != action.plan_id:
        errors["node"] = [_("The node does not belong to this plan.")]
    if action.indicator is not None and action.indicator.plan_id != action.plan_id:
        errors["indicator"] = [_("The indicator does not belong to this plan.")]
    try:
        action.full_clean(exclude=["plan", "node", "indicator", "created_by"])
    except ValidationError as exc:
        _merge(errors, exc)
    if errors:
        raise ValidationError(errors)


def corrective_action_create(
    *,
    actor: Any,
    plan: Plan,
    title: str,
    responsible: str,
    description: str = "",
    node: Node | None = None,
    indicator: Indicator | None = None,
    due_date: datetime.date | None = None,
) -> CorrectiveAction:
    """Record what will be done about a node or an indicator that is off track."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    action = CorrectiveAction(
        plan=plan,
        title=title,
        responsible=responsible,
        description=description,
        node=node,
        indicator=indicator,
        due_date=due_date,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _action_clean(action)
    with transaction.atomic():
        action.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=action,
            entity_id=plan.entity_id,
            scope=plan,
            changes=created_changes(action, ACTION_FIELDS),
        )
    return action


def corrective_action_update(*, actor: Any, action: CorrectiveAction, **fields: Any) -> CorrectiveAction:
    """Change a corrective action (planners)."""
    plan = action.plan
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = model_snapshot(action, ACTION_FIELDS)
    for key, value in fields.items():
        setattr(action, key, value)
    try:
        _action_clean(action)
    except ValidationError:
        action.refresh_from_db()
        raise
    changes = snapshot_diff(before, model_snapshot(action, ACTION_FIELDS))
    if changes:
        with transaction.atomic():
            action.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATED,
                target=action,
                entity_id=plan.entity_id,
                scope=plan,
                changes=changes,
            )
    return action


def corrective_action_follow_up_add(
    *, actor: Any, action: CorrectiveAction, text: str, status: str | None = None
) -> CorrectiveAction:
    """Append a dated follow-up note (and optionally a new status). Whoever reports data or
    edits the plan may follow up: the people doing the work write the notes."""
    plan = action.plan
    if not (
        entity_can(actor, plan.entity_id, Capability.REPORT_DATA)
        or entity_can(actor, plan.entity_id, Capability.EDIT_PLAN)
    ):
        raise PermissionDenied(Capability.REPORT_DATA.value)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what was done.")})
    if status and status not in CorrectiveActionStatus.values:
        raise ValidationError({"status": _("Not an allowed status.")})
    entry = {
        "at": timezone.now().isoformat(timespec="seconds"),
        "by": getattr(actor, "username", ""),
        "by_id": getattr(actor, "pk", None),
        "text": text,
        "status": status or action.status,
    }
    changes: dict[str, list[Any]] = {"follow_up": [None, text]}
    with transaction.atomic():
        if status and status != action.status:
            changes["status"] = [action.status, status]
            action.status = status
        action.follow_up = [*(action.follow_up or []), entry]
        action.save(update_fields=["follow_up", "status", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=action,
            entity_id=plan.entity_id,
            scope=plan,
            changes=changes,
        )
    return action


# --- the reporting calendar ------------------------------------------------------------------


def notify_email_list(text: str) -> list[str]:
    """The addresses in a free text (commas, semicolons, spaces or new lines)."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def reporting_calendar_set(
    *, actor: Any, plan: Plan, frequency: str, due_days_after_period_end: int, notify_emails: str = ""
) -> ReportingCalendar:
    """Set how often the plan reports, how many days after a period its data are due, and who
    else is told about alerts."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    errors: dict[str, list[str]] = {}
    if frequency not in ReportingFrequency.values:
        errors["frequency"] = [_("Not an allowed value.")]
    if not 0 <= int(due_days_after_period_end) <= 365:
        errors["due_days_after_period_end"] = [_("Between 0 and 365 days.")]
    bad = []
    for address in notify_email_list(notify_emails):
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        errors["notify_emails"] = [_("Not valid e-mail addresses: %(list)s.") % {"list": ", ".join(bad)}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        calendar = ReportingCalendar.objects.filter(plan=plan).first()
        created = calendar is None
        if calendar is None:
            calendar = ReportingCalendar(plan=plan)
        before = model_snapshot(calendar, CALENDAR_FIELDS) if not created else {}
        calendar.frequency = frequency
        calendar.due_days_after_period_end = int(due_days_after_period_end)
        calendar.notify_emails = "\n".join(notify_email_list(notify_emails))
        calendar.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATED if created else AuditAction.UPDATED,
            target=calendar,
            entity_id=plan.entity_id,
            scope=plan,
            changes=snapshot_diff(before, model_snapshot(calendar, CALENDAR_FIELDS)),
        )
    return calendar
