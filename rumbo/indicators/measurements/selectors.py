"""Reads of measurements and evidence, with their visibility rule.

Who sees what: people who may read the plan's private data (VIEW_PRIVATE in its entity) see
every measurement in every status and all its evidence. Everybody else sees only approved
values (and their evidence) of published plans; drafts, submitted and returned values stay
private. Gatekeepers answer None for missing and forbidden alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from rumbo.accounts.permissions import Capability, user_access
from rumbo.core.models import AuditEvent
from rumbo.indicators.models import Evidence, Indicator, Measurement, MeasurementStatus
from rumbo.plans.models import Plan
from rumbo.plans.selectors import plan_get_for_user


def measurement_private_visible(*, user: Any, plan: Plan) -> bool:
    """Whether the user sees unapproved measurements of the plan."""
    return user_access(user).can(plan.entity_id, Capability.VIEW_PRIVATE)


def measurements_visible(*, user: Any, plan: Plan) -> QuerySet[Measurement]:
    """The plan's measurements (every version) this user may see; the plan must be visible."""
    qs = Measurement.objects.filter(indicator__plan=plan).select_related("indicator", "unit", "period")
    if not measurement_private_visible(user=user, plan=plan):
        qs = qs.filter(status=MeasurementStatus.APPROVED)
    return qs


def indicator_get_for_user(
    *, indicator_id: int, user: Any, capability: Capability | None = None
) -> Indicator | None:
    """The indicator if the user may see its plan (and hold `capability`), else None."""
    indicator = Indicator.objects.select_related("plan", "plan__entity").filter(pk=indicator_id).first()
    if indicator is None:
        return None
    if plan_get_for_user(plan_id=indicator.plan_id, user=user, capability=capability) is None:
        return None
    return indicator


def measurement_get_for_user(*, measurement_id: int, user: Any) -> Measurement | None:
    """The measurement if the user may see it (see the module's rule), else None."""
    m = (
        Measurement.objects.select_related(
            "indicator", "indicator__plan", "indicator__plan__entity", "unit", "period"
        )
        .filter(pk=measurement_id)
        .first()
    )
    if m is None:
        return None
    plan = m.indicator.plan
    if plan_get_for_user(plan_id=plan.pk, user=user) is None:
        return None
    if m.status != MeasurementStatus.APPROVED and not measurement_private_visible(user=user, plan=plan):
        return None
    return m


def measurement_versions(*, measurement: Measurement, user: Any) -> list[Measurement]:
    """Every version of the measurement's key the user may see, newest first."""
    qs = Measurement.objects.filter(
        indicator_id=measurement.indicator_id,
        unit_id=measurement.unit_id,
        period_id=measurement.period_id,
        disaggregation=measurement.disaggregation,
    ).select_related("created_by", "submitted_by", "reviewed_by")
    if not measurement_private_visible(user=user, plan=measurement.indicator.plan):
        qs = qs.filter(status=MeasurementStatus.APPROVED)
    return list(qs.order_by("-version"))


def measurement_history(*, measurement: Measurement) -> QuerySet[AuditEvent]:
    """The audit events of every version of this key (who, when, before and after)."""
    ids = Measurement.objects.filter(
        indicator_id=measurement.indicator_id,
        unit_id=measurement.unit_id,
        period_id=measurement.period_id,
        disaggregation=measurement.disaggregation,
    ).values_list("pk", flat=True)
    return (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Measurement), target_id__in=[str(pk) for pk in ids]
        )
        .select_related("actor")
        .order_by("-occurred_at", "-pk")
    )


def evidence_for(*, measurement: Measurement) -> QuerySet[Evidence]:
    """The measurement's evidence (the caller has checked it may see the measurement)."""
    return Evidence.objects.filter(measurement=measurement).select_related("uploaded_by")


def evidence_get_for_user(*, evidence_id: int, user: Any) -> Evidence | None:
    """The evidence if the user may see what it is attached to, else None."""
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        return None
    if evidence.measurement_id is not None:
        if measurement_get_for_user(measurement_id=evidence.measurement_id, user=user) is None:
            return None
        return evidence
    plan = (
        Plan.objects.filter(nodes__milestones__progress__evidence=evidence)
        .values_list("pk", flat=True)
        .first()
    )
    if plan is None or plan_get_for_user(plan_id=plan, user=user) is None:
        return None
    return evidence


def approval_queue(*, plan: Plan) -> QuerySet[Measurement]:
    """Submitted values of the plan waiting for an approver (corrections included), oldest first."""
    return (
        Measurement.objects.filter(indicator__plan=plan, status=MeasurementStatus.SUBMITTED)
        .select_related("indicator", "unit", "period", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def measurement_search(
    *,
    user: Any,
    plan: Plan,
    indicator_code: str = "",
    period_code: str = "",
    unit_code: str = "",
    status: str = "",
    current_only: bool = True,
) -> QuerySet[Measurement]:
    """The plan's measurements the user may see, filtered by the list page's fields."""
    qs = measurements_visible(user=user, plan=plan)
    if current_only:
        qs = qs.filter(Q(is_current=True) | ~Q(status=MeasurementStatus.APPROVED))
    if indicator_code:
        qs = qs.filter(indicator__code__iexact=indicator_code.strip())
    if period_code:
        qs = qs.filter(period__code__iexact=period_code.strip())
    if unit_code:
        qs = qs.filter(unit__code=unit_code.strip())
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("indicator__code", "period__start", "unit__code", "disaggregation", "-version")
