"""API (/api/v1/legal/): the vigencia and deadline calculators. Public, read-only.

Parameters are read as text and checked here so that every bad value (missing, malformed date,
unknown country or unit, amount out of range) answers 422 with a clear `detail`, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from rumbo.lifecycle.validity.deadlines import amount_parse, deadline_as_dict, deadline_compute
from rumbo.lifecycle.validity.periods import LegalInputError, country_parse, iso_date_parse
from rumbo.lifecycle.validity.vigencia import vigencia_as_dict, vigencia_compute
from rumbo.territory.selectors import units_by_codes

router = Router(tags=["legal"])


def _optional_date(value: str | None, name: str) -> Any:
    return iso_date_parse(value, field_name=name) if value not in (None, "") else None


@router.get(
    "/vigencia",
    summary="Vigencia of a plan from its adoption date",
    description=(
        "Colombia: the dates of Ley 388 art. 28 from the constitutional period containing the "
        "adoption (legal floors). Peru and Mexico: the horizons of the plan type and regime "
        "(configurable values). Every date comes with its legal basis and explanation steps."
    ),
)
def vigencia(
    request: HttpRequest,
    country: str | None = None,
    adopted: str | None = None,
    unit_code: str | None = None,
    plan_type: str | None = None,
    regime: str | None = None,
    restart_from: str | None = None,
    authority_fixed_end: str | None = None,
    authority: str = "",
    declared_long_term_end: str | None = None,
) -> dict[str, Any]:
    try:
        code = country_parse(country)
        adopted_on = iso_date_parse(adopted, field_name="adopted")
        unit = None
        if unit_code:
            found, _missing = units_by_codes(country=code, codes=[unit_code.strip()])
            if not found:
                raise LegalInputError(
                    _("unit_code: no territorial unit “%(code)s” in %(country)s.")
                    % {"code": unit_code, "country": code}
                )
            unit = found[0]
        result = vigencia_compute(
            country=code,
            adopted=adopted_on,
            unit=unit,
            plan_type=plan_type or None,
            regime=regime or None,
            revision_restarts_from=_optional_date(restart_from, "restart_from"),
            authority_fixed_end=_optional_date(authority_fixed_end, "authority_fixed_end"),
            authority=authority,
            declared_long_term_end=_optional_date(declared_long_term_end, "declared_long_term_end"),
        )
    except LegalInputError as exc:
        raise HttpError(422, str(exc)) from None
    return vigencia_as_dict(result)


@router.get(
    "/deadline",
    summary="Due date of a statutory deadline",
    description=(
        "Counts calendar or business days (weekends and the country's public holidays skipped) "
        "from `start`. `count_start=same_day` counts the start day as day 1; `next_day` (the "
        "default) starts the day after. A calendar-day due date on a holiday is not moved unless "
        "`roll_to_business_day=true`. `rule` (e.g. co_ctp_concept) adds that rule's legal basis."
    ),
)
def deadline(
    request: HttpRequest,
    country: str | None = None,
    start: str | None = None,
    amount: str | None = None,
    unit: str | None = None,
    count_start: str = "next_day",
    roll_to_business_day: bool = False,
    rule: str | None = None,
) -> dict[str, Any]:
    try:
        code = country_parse(country)
        start_on = iso_date_parse(start, field_name="start")
        days = amount_parse(amount)
        if not unit:
            raise LegalInputError(_("unit: this parameter is required."))
        result = deadline_compute(
            country=code,
            start=start_on,
            amount=days,
            unit=unit,
            count_start=count_start,
            roll_to_business_day=roll_to_business_day,
            rule_id=rule or None,
        )
    except LegalInputError as exc:
        raise HttpError(422, str(exc)) from None
    return deadline_as_dict(result)
