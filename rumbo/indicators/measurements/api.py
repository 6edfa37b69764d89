"""API: measurements of an indicator (read with the visibility rule; write with a token) and the
approval steps. Writes go through the same services as the pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from rumbo.accounts.api_auth import ApiTokenAuth, api_reader
from rumbo.indicators.measurements import selectors, services
from rumbo.indicators.models import Measurement
from rumbo.indicators.periods import PeriodCodeError, period_get_or_create
from rumbo.territory.models import TerritorialUnit

router = Router(tags=["monitoring"])
token_auth = ApiTokenAuth()


class MeasurementOut(Schema):
    id: int
    indicator_id: int
    indicator_code: str
    period: str
    unit_code: str | None
    disaggregation: str
    value: float
    value_text: str = Field(description="The exact stored value as a decimal string.")
    notes: str
    status: str
    version: int
    is_current: bool
    correction_reason: str
    return_comment: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    evidence_count: int


class MeasurementIn(Schema):
    period: str = Field(description="2025, 2025S1, 2025T3 or 2025-07.")
    value: str | float = Field(description='A number; text may use a decimal comma ("12,5").')
    unit_code: str | None = Field(
        default=None, description="Territorial unit code; empty: the whole territory."
    )
    disaggregation: str = ""
    notes: str = ""
    submit: bool = Field(default=False, description="Send for approval at once.")


class ReturnIn(Schema):
    comment: str = Field(min_length=1)


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _out(m: Measurement) -> dict[str, Any]:
    return {
        "id": m.pk,
        "indicator_id": m.indicator_id,
        "indicator_code": m.indicator.code,
        "period": m.period.code,
        "unit_code": m.unit.code if m.unit_id and m.unit else None,
        "disaggregation": m.disaggregation,
        "value": float(m.value),
        "value_text": format(Decimal(m.value).normalize(), "f"),
        "notes": m.notes,
        "status": m.status,
        "version": m.version,
        "is_current": m.is_current,
        "correction_reason": m.correction_reason,
        "return_comment": m.return_comment,
        "submitted_at": m.submitted_at,
        "reviewed_at": m.reviewed_at,
        "evidence_count": m.evidence.count(),
    }


@router.get(
    "/indicators/{indicator_id}/measurements", response=list[MeasurementOut], summary="Values of an indicator"
)
def measurements_list(
    request: HttpRequest, indicator_id: int, period: str | None = None, all_versions: bool = False
) -> list[dict[str, Any]]:
    """Current values (all versions with `all_versions=true`). Anonymous callers and people
    without access to the plan's private data see approved values of published plans only."""
    reader = api_reader(request)
    indicator = selectors.indicator_get_for_user(indicator_id=indicator_id, user=reader)
    if indicator is None:
        raise HttpError(404, _("Not found."))
    qs = selectors.measurements_visible(user=reader, plan=indicator.plan).filter(indicator=indicator)
    if not all_versions:
        qs = qs.filter(is_current=True)
    if period:
        qs = qs.filter(period__code=period)
    qs = qs.prefetch_related("evidence").order_by("period__start", "unit__code", "disaggregation", "-version")
    return [_out(m) for m in qs[:5000]]


@router.post(
    "/indicators/{indicator_id}/measurements",
    response={201: MeasurementOut},
    auth=token_auth,
    summary="Enter a value (draft, or submitted with submit=true)",
)
def measurement_create(
    request: HttpRequest, indicator_id: int, payload: MeasurementIn
) -> tuple[int, dict[str, Any]]:
    actor = _actor(request)
    indicator = selectors.indicator_get_for_user(indicator_id=indicator_id, user=actor)
    if indicator is None:
        raise HttpError(404, _("Not found."))
    try:
        period = period_get_or_create(payload.period)
    except PeriodCodeError as exc:
        raise HttpError(422, str(exc)) from exc
    unit = None
    if payload.unit_code:
        unit = TerritorialUnit.objects.filter(
            country=indicator.plan.entity.country, code=payload.unit_code
        ).first()
        if unit is None:
            raise HttpError(
                422, _("There is no territorial unit with the code %(code)s.") % {"code": payload.unit_code}
            )
    m = services.measurement_save(
        actor=actor,
        indicator=indicator,
        period=period,
        value=payload.value,
        unit=unit,
        disaggregation=payload.disaggregation,
        notes=payload.notes,
    )
    if payload.submit:
        services.measurement_submit(actor=actor, measurement=m)
    return 201, _out(m)


def _visible(request: HttpRequest, measurement_id: int) -> Measurement:
    m = selectors.measurement_get_for_user(measurement_id=measurement_id, user=_actor(request))
    if m is None:
        raise HttpError(404, _("Not found."))
    return m


@router.post(
    "/measurements/{measurement_id}/approve",
    response=MeasurementOut,
    auth=token_auth,
    summary="Approve a submitted value",
)
def measurement_approve(request: HttpRequest, measurement_id: int) -> dict[str, Any]:
    """Needs the approver role; nobody approves a value they submitted themselves."""
    m = _visible(request, measurement_id)
    services.measurement_approve(actor=_actor(request), measurement=m)
    return _out(m)


@router.post(
    "/measurements/{measurement_id}/return",
    response=MeasurementOut,
    auth=token_auth,
    summary="Return a submitted value with a comment",
)
def measurement_return(request: HttpRequest, measurement_id: int, payload: ReturnIn) -> dict[str, Any]:
    m = _visible(request, measurement_id)
    services.measurement_return(actor=_actor(request), measurement=m, comment=payload.comment)
    return _out(m)
