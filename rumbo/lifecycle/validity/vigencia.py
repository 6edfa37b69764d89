"""The vigencia engine: a plan's legal dates computed from its facts, each with its rule and source.

Colombia (rules.md §1.2–1.4): P0 is the constitutional period containing the adoption (or the
adoption of a revision that restarts the count). The legal floors are: short-term content and
the programa de ejecución at least one period (ends with P0+1), medium-term two (P0+2),
structural / long-term three (P0+3). The revision procedure must start within the six months
before expiry (Ley 388 art. 23): the window opens the day after "end minus six months", i.e.
1 July of the final year for a period ending on 31 December (rules.md §1.4). At expiry the plan
stays in force until a new one is adopted (Ley 388 art. 28, mod. Ley 902 de 2004 art. 2).

A plan that declares a longer long-term vigencia prevails (the law sets floors); a shorter
declaration does not. An end fixed by an authority (a court, the Consejo de Estado) overrides
both. The horizon in a plan's title ("POT 2020–2035") is not its legal vigencia and is ignored.

Peru and Mexico: horizons per plan type and legal regime from `data/horizons.json` (values
marked configurable, to verify). The regime defaults to the one in force on the adoption date.
"""

from __future__ import annotations

import calendar
import datetime
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from rumbo.lifecycle.validity.periods import (
    DATA_DIR,
    Basis,
    LegalInputError,
    Period,
    co_period_containing,
    co_periods_after,
    country_parse,
)

LEY_388_ART_28: Basis = {
    "norm": "Ley 388 de 1997",
    "article": "art. 28 (modificado por la Ley 902 de 2004, art. 2)",
    "note": "Vigencia mínima de los contenidos: largo plazo 3 periodos constitucionales, mediano 2, corto 1.",
}
LEY_388_ART_28_EXPIRY: Basis = {
    "norm": "Ley 388 de 1997",
    "article": "art. 28 (modificado por la Ley 902 de 2004, art. 2)",
    "note": "«Si al finalizar el plazo de vigencia establecido no se ha adoptado un nuevo plan … seguirá vigente el ya adoptado».",
}
LEY_388_ART_23: Basis = {
    "norm": "Ley 388 de 1997",
    "article": "art. 23",
    "note": "El procedimiento de revisión debe iniciarse dentro de los seis meses anteriores al vencimiento.",
}
LEY_1551_ART_6: Basis = {
    "norm": "Ley 1551 de 2012",
    "article": "art. 6 (Ley 136 de 1994, art. 3 num. 9)",
    "note": "Los POT se presentan para revisión cada 12 años (3 periodos constitucionales, según Minvivienda).",
}
REVISION_LEAD_MONTHS_CO = 6


class VigenciaError(LegalInputError):
    """The vigencia cannot be computed from these inputs (message ready for the user)."""


@dataclass(frozen=True)
class ExplainedDate:
    """One computed date with the rule that produced it and its legal source."""

    key: str  # short_term_end, medium_term_end, long_term_end, revision_window_start, …
    label: str
    date: datetime.date
    rule: str
    basis: list[Basis]


@dataclass
class VigenciaResult:
    country: str
    adopted: datetime.date
    counted_from: datetime.date  # the adoption, or the adoption of a revision that restarted the count
    adoption_period: Period | None  # CO only: the constitutional period containing `counted_from`
    short_term_end: datetime.date
    medium_term_end: datetime.date
    long_term_end: datetime.date
    revision_window_start: datetime.date
    in_force_after_expiry: bool
    long_term_rule: str  # "legal_floor", "declared" (the plan's longer own term) or "authority_fixed"
    basis: list[Basis] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    dates: list[ExplainedDate] = field(default_factory=list)
    regime: str = ""
    revision_lead_months: int = REVISION_LEAD_MONTHS_CO
    revision_basis: list[Basis] = field(default_factory=list)  # the rule that places the revision window


def _fmt(basis: list[Basis]) -> str:
    return "; ".join(" ".join(p for p in (b.get("norm", ""), b.get("article", "")) if p) for b in basis)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    return _add_months(day, 12 * years)


def _revision_window_start(end: datetime.date, lead_months: int) -> datetime.date:
    """The first day of the `lead_months` before `end` (end 31 Dec, 6 months → 1 July)."""
    return _add_months(end + datetime.timedelta(days=1), -lead_months)


def _merge_basis(dates: list[ExplainedDate], extra: list[Basis]) -> list[Basis]:
    merged: list[Basis] = []
    for item in extra + [b for d in dates for b in d.basis]:
        if item not in merged:
            merged.append(item)
    return merged


@lru_cache(maxsize=1)
def _horizons() -> tuple[dict[str, Any], ...]:
    data = json.loads((DATA_DIR / "horizons.json").read_text(encoding="utf-8"))
    return tuple(data["horizons"])


def horizon_rule_get(
    *, country: str, plan_type: str, regime: str | None, on: datetime.date
) -> dict[str, Any]:
    """The horizon rule for the plan type: of the given regime, else the latest in force on `on`."""
    candidates = [
        h for h in _horizons() if h["country"] == country and h["plan_type"].upper() == plan_type.upper()
    ]
    if regime:
        candidates = [h for h in candidates if h["regime"] == regime]
    else:
        candidates = [h for h in candidates if datetime.date.fromisoformat(h["valid_from"]) <= on]
    if not candidates:
        known = sorted({h["plan_type"] for h in _horizons() if h["country"] == country})
        raise VigenciaError(
            _(
                "No horizon rule is recorded for plan type “%(type)s” in %(country)s%(regime)s; known types: %(known)s."
            )
            % {
                "type": plan_type,
                "country": country,
                "regime": f" ({regime})" if regime else "",
                "known": ", ".join(known),
            }
        )
    return max(candidates, key=lambda h: h["valid_from"])


def vigencia_compute(
    *,
    country: str,
    adopted: datetime.date,
    unit: Any = None,
    plan_type: str | None = None,
    regime: str | None = None,
    revision_restarts_from: datetime.date | None = None,
    authority_fixed_end: datetime.date | None = None,
    authority: str = "",
    declared_long_term_end: datetime.date | None = None,
    declared_article: str = "",
    title_horizon_end: int | None = None,
) -> VigenciaResult:
    """A plan's legal dates with their explanation. Reads only the rule data (and, for CO, the
    municipality's atypical periods when `unit` is given). `title_horizon_end` is only noted."""
    country = country_parse(country)
    if revision_restarts_from is not None and revision_restarts_from < adopted:
        raise VigenciaError(
            _(
                "The revision that restarts the count (%(restart)s) cannot be before the adoption (%(adopted)s)."
            )
            % {"restart": revision_restarts_from.isoformat(), "adopted": adopted.isoformat()}
        )
    counted_from = revision_restarts_from or adopted
    steps: list[str] = []
    if revision_restarts_from is not None:
        steps.append(
            _("The count restarts from the adoption of the revision on %(date)s instead of %(adopted)s.")
            % {"date": revision_restarts_from.isoformat(), "adopted": adopted.isoformat()}
        )
    if country == "CO":
        result = _co_compute(adopted=adopted, counted_from=counted_from, unit=unit, steps=steps)
    else:
        result = _horizon_compute(
            country=country,
            adopted=adopted,
            counted_from=counted_from,
            plan_type=plan_type,
            regime=regime,
            steps=steps,
        )
    _apply_long_term_overrides(
        result,
        declared_long_term_end=declared_long_term_end,
        declared_article=declared_article,
        authority_fixed_end=authority_fixed_end,
        authority=authority,
    )
    if title_horizon_end is not None:
        result.steps.append(
            _(
                "The horizon in the plan's title (%(year)s) is not its legal vigencia and was not used in this computation."
            )
            % {"year": title_horizon_end}
        )
    result.basis = _merge_basis(result.dates, result.basis)
    return result


def _co_compute(
    *, adopted: datetime.date, counted_from: datetime.date, unit: Any, steps: list[str]
) -> VigenciaResult:
    try:
        p0 = co_period_containing(counted_from, unit=unit)
        p1, p2, p3 = co_periods_after(p0, 3, unit=unit)
    except LegalInputError as exc:
        raise VigenciaError(str(exc)) from None
    steps.append(
        _(
            "P0, the constitutional period containing %(date)s, is %(period)s (%(start)s to %(end)s); %(basis)s."
        )
        % {
            "date": counted_from.isoformat(),
            "period": p0.label(),
            "start": p0.start.isoformat(),
            "end": p0.end.isoformat(),
            "basis": _fmt(p0.basis),
        }
    )
    rule_term = _("end of period P0+%(n)s (%(period)s): at least %(n)s constitutional period(s) after P0")
    dates = [
        ExplainedDate(
            "short_term_end",
            _("Short-term content and programa de ejecución end"),
            p1.end,
            rule_term % {"n": 1, "period": p1.label()},
            [LEY_388_ART_28],
        ),
        ExplainedDate(
            "medium_term_end",
            _("Medium-term content ends"),
            p2.end,
            rule_term % {"n": 2, "period": p2.label()},
            [LEY_388_ART_28],
        ),
        ExplainedDate(
            "long_term_end",
            _("Long-term (structural) content ends"),
            p3.end,
            rule_term % {"n": 3, "period": p3.label()},
            [LEY_388_ART_28, LEY_1551_ART_6],
        ),
    ]
    for d in dates:
        steps.append(
            _("%(label)s on %(date)s: %(rule)s; %(basis)s.")
            % {"label": d.label, "date": d.date.isoformat(), "rule": d.rule, "basis": _fmt(d.basis)}
        )
    return VigenciaResult(
        country="CO",
        adopted=adopted,
        counted_from=counted_from,
        adoption_period=p0,
        short_term_end=p1.end,
        medium_term_end=p2.end,
        long_term_end=p3.end,
        revision_window_start=_revision_window_start(p3.end, REVISION_LEAD_MONTHS_CO),
        in_force_after_expiry=True,
        long_term_rule="legal_floor",
        basis=[*p0.basis, LEY_388_ART_28_EXPIRY],
        steps=steps,
        dates=dates,
        regime="co_ley_388",
        revision_basis=[LEY_388_ART_23],
    )


def _horizon_compute(
    *,
    country: str,
    adopted: datetime.date,
    counted_from: datetime.date,
    plan_type: str | None,
    regime: str | None,
    steps: list[str],
) -> VigenciaResult:
    if not plan_type:
        raise VigenciaError(
            _("plan_type: required for %(country)s, whose vigencia depends on the plan type.")
            % {"country": country}
        )
    rule = horizon_rule_get(country=country, plan_type=plan_type, regime=regime, on=counted_from)
    basis = [dict(b) for b in rule["basis"]]
    configurable = _(" (configurable value, to verify)") if rule.get("configurable") else ""
    steps.append(
        _(
            "Horizon rule for %(type)s under %(regime)s%(configurable)s: %(short)s / %(medium)s / %(long)s years."
        )
        % {
            "type": rule["plan_type"],
            "regime": rule["regime"],
            "configurable": configurable,
            "short": rule["short_years"],
            "medium": rule["medium_years"],
            "long": rule["long_years"],
        }
    )
    rule_years = _("the day before the %(years)s-year anniversary of %(date)s%(configurable)s")
    dates = []
    for key, label, years in (
        ("short_term_end", _("Short-term horizon ends"), rule["short_years"]),
        ("medium_term_end", _("Medium-term horizon ends"), rule["medium_years"]),
        ("long_term_end", _("Long-term horizon ends"), rule["long_years"]),
    ):
        end = _add_years(counted_from, years) - datetime.timedelta(days=1)
        dates.append(
            ExplainedDate(
                key,
                label,
                end,
                rule_years % {"years": years, "date": counted_from.isoformat(), "configurable": configurable},
                basis,
            )
        )
    for d in dates:
        steps.append(
            _("%(label)s on %(date)s: %(rule)s; %(basis)s.")
            % {"label": d.label, "date": d.date.isoformat(), "rule": d.rule, "basis": _fmt(d.basis)}
        )
    long_end = dates[2].date
    result = VigenciaResult(
        country=country,
        adopted=adopted,
        counted_from=counted_from,
        adoption_period=None,
        short_term_end=dates[0].date,
        medium_term_end=dates[1].date,
        long_term_end=long_end,
        revision_window_start=long_end,
        in_force_after_expiry=bool(rule.get("in_force_after_expiry", False)),
        long_term_rule="legal_floor",
        basis=[],
        steps=steps,
        dates=dates,
        regime=rule["regime"],
        revision_lead_months=int(rule["revision_lead_months"]),
        revision_basis=basis,
    )
    return result


def _apply_long_term_overrides(
    result: VigenciaResult,
    *,
    declared_long_term_end: datetime.date | None,
    declared_article: str,
    authority_fixed_end: datetime.date | None,
    authority: str,
) -> None:
    """Apply the plan's own longer term and an authority's fixed end, then place the revision window."""
    long_date = next(d for d in result.dates if d.key == "long_term_end")
    floor = result.long_term_end
    if declared_long_term_end is not None:
        declared_basis: Basis = {
            "norm": _("The plan's own act"),
            "article": declared_article,
            "note": _("Vigencia declared by the plan."),
        }
        if declared_long_term_end > floor:
            result.long_term_end = declared_long_term_end
            result.long_term_rule = "declared"
            long_date = ExplainedDate(
                "long_term_end",
                long_date.label,
                declared_long_term_end,
                _("the plan declares a longer vigencia than the legal floor (%(floor)s), and it prevails")
                % {"floor": floor.isoformat()},
                [declared_basis, *long_date.basis],
            )
            result.steps.append(
                _(
                    "The plan declares its long-term vigencia until %(date)s, beyond the legal floor %(floor)s: it prevails."
                )
                % {"date": declared_long_term_end.isoformat(), "floor": floor.isoformat()}
            )
        else:
            result.steps.append(
                _(
                    "The plan declares its long-term vigencia until %(date)s, not beyond the legal floor %(floor)s: the floor applies."
                )
                % {"date": declared_long_term_end.isoformat(), "floor": floor.isoformat()}
            )
    if authority_fixed_end is not None:
        name = authority.strip() or _("an authority")
        authority_basis: Basis = {
            "norm": name,
            "article": "",
            "note": _("End of the vigencia fixed by %(authority)s.") % {"authority": name},
        }
        result.long_term_end = authority_fixed_end
        result.long_term_rule = "authority_fixed"
        long_date = ExplainedDate(
            "long_term_end",
            long_date.label,
            authority_fixed_end,
            _("fixed by %(authority)s; overrides the computed end") % {"authority": name},
            [authority_basis],
        )
        result.steps.append(
            _("%(authority)s fixed the end of the vigencia on %(date)s; it overrides the computed end.")
            % {"authority": name, "date": authority_fixed_end.isoformat()}
        )
    result.dates = [long_date if d.key == "long_term_end" else d for d in result.dates]
    lead = result.revision_lead_months
    result.revision_window_start = _revision_window_start(result.long_term_end, lead)
    window = ExplainedDate(
        "revision_window_start",
        _("Revision window opens"),
        result.revision_window_start,
        _("the %(months)s months before the long-term end (%(end)s)")
        % {"months": lead, "end": result.long_term_end.isoformat()},
        result.revision_basis,
    )
    result.dates.append(window)
    result.steps.append(
        _("%(label)s on %(date)s: %(rule)s; %(basis)s.")
        % {
            "label": window.label,
            "date": window.date.isoformat(),
            "rule": window.rule,
            "basis": _fmt(window.basis),
        }
    )
    if result.in_force_after_expiry:
        result.steps.append(
            _("After %(date)s the plan stays in force until a new one is adopted; %(basis)s.")
            % {"date": result.long_term_end.isoformat(), "basis": _fmt([LEY_388_ART_28_EXPIRY])}
        )
    else:
        result.steps.append(
            _("No rule recorded keeps the plan in force after %(date)s.")
            % {"date": result.long_term_end.isoformat()}
        )


def vigencia_as_dict(result: VigenciaResult) -> dict[str, Any]:
    """The JSON form shared by the API and the `vigencia` command (dates as YYYY-MM-DD)."""
    period = result.adoption_period
    return {
        "country": result.country,
        "adopted": result.adopted.isoformat(),
        "counted_from": result.counted_from.isoformat(),
        "regime": result.regime,
        "adoption_period": {"start": period.start.isoformat(), "end": period.end.isoformat()}
        if period is not None
        else None,
        "short_term_end": result.short_term_end.isoformat(),
        "medium_term_end": result.medium_term_end.isoformat(),
        "long_term_end": result.long_term_end.isoformat(),
        "long_term_rule": result.long_term_rule,
        "revision_window_start": result.revision_window_start.isoformat(),
        "in_force_after_expiry": result.in_force_after_expiry,
        "basis": [dict(b) for b in result.basis],
        "dates": [
            {"key": d.key, "date": d.date.isoformat(), "rule": d.rule, "basis": [dict(b) for b in d.basis]}
            for d in result.dates
        ],
        "steps": list(result.steps),
    }
