"""The revision wizard: which kinds of revision a plan may undertake on a given day, why, with
what preconditions and documents (rules.md §1.6), and the plan-type suggestion by population.

Colombia: general / ordinary revision needs the content's vigencia to have expired (or the
long-term revision window of Ley 388 art. 23 to be open) and should coincide with the start of a
constitutional period; exceptional modification of urban norms and revision by exception are
possible at any time once the plan is adopted. Peru and Mexico: the horizon-based update.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from rumbo.lifecycle.validity.periods import DATA_DIR, Basis, LegalInputError, co_period_containing
from rumbo.lifecycle.validity.vigencia import LEY_388_ART_23, LEY_388_ART_28, VigenciaResult

FIRST_MONTHS_OF_PERIOD = 12  # "at the start of a new period": flagged during the period's first year

DECRETO_4002_ART_9: Basis = {
    "norm": "Decreto 4002 de 2004",
    "article": "art. 9 (compilado en el Decreto 1077 de 2015)",
    "note": "Documento de seguimiento y evaluación de los resultados del POT. [R] Verificar la numeración tras el Decreto 1232 de 2020.",
}
DECRETO_1232_2020: Basis = {
    "norm": "Decreto 1232 de 2020",
    "article": "modifica el Decreto 1077 de 2015 (sección de planes de ordenamiento)",
    "note": "Cartografía de diagnóstico a escala 1:25.000 rural y 1:5.000 urbana.",
}
CO_GENERAL_BASIS: list[Basis] = [
    LEY_388_ART_28,
    LEY_388_ART_23,
    {
        "norm": "Decreto 4002 de 2004",
        "article": "art. 5 (compilado en el Decreto 1077 de 2015)",
        "note": "[R] Revisión ordinaria al vencer la vigencia de cada contenido, coincidente con el inicio de un nuevo periodo constitucional.",
    },
]
CO_EXCEPTIONAL_BASIS: list[Basis] = [
    {
        "norm": "Ley 388 de 1997",
        "article": "art. 15 (modificado por la Ley 902 de 2004, art. 1)",
        "note": "Modificación excepcional de normas urbanísticas en cualquier momento.",
    },
    {
        "norm": "Decreto 4002 de 2004",
        "article": "art. 6 (compilado en el Decreto 1077 de 2015)",
        "note": "Requiere justificación técnica y sujeción a los objetivos y a la jerarquía de componentes del POT.",
    },
]
CO_BY_EXCEPTION_BASIS: list[Basis] = [
    {
        "norm": "Decreto 4002 de 2004",
        "article": "art. 5 par. (compilado en el Decreto 1077 de 2015)",
        "note": "[R] Revisión por excepcional interés público o fuerza mayor: desastre o calamidad declarados, o estudios de riesgo detallados que reclasifican zonas de riesgo no mitigable.",
    },
]


@dataclass
class ContentStatus:
    term: str  # short, medium, long
    label: str
    end: datetime.date
    expired: bool


@dataclass
class RevisionOption:
    kind: str  # general, exceptional_modification, by_exception, horizon_update
    label: str
    possible_now: bool
    reason: str
    preconditions: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    basis: list[Basis] = field(default_factory=list)
    contents: list[ContentStatus] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def co_revision_documents() -> list[str]:
    """The documents any Colombian revision files (rules.md §1.6)."""
    return [
        _("Justification report (memoria justificativa)"),
        _("Monitoring and evaluation document (documento de seguimiento y evaluación, Decreto 4002 art. 9)"),
        _("Technical support document (DTS) and summary document (documento resumen)"),
        _(
            "Proposed acuerdo and cartography: diagnosis maps at 1:25,000 (rural) and 1:5,000 (urban) (Decreto 1232 de 2020)"
        ),
    ]


def revision_options_for(
    *, country: str, vigencia: VigenciaResult | None, today: datetime.date, unit: Any = None
) -> list[RevisionOption]:
    """The revision options for a plan with this vigencia (None: not adopted yet) on `today`."""
    if country == "CO":
        return _co_options(vigencia=vigencia, today=today, unit=unit)
    return _horizon_options(vigencia=vigencia, today=today)


def revision_options(*, plan: Any, today: datetime.date) -> list[RevisionOption]:
    """The wizard's answer for a plan on `today` (reads the plan's validity facts)."""
    from rumbo.lifecycle.validity.selectors import plan_municipality, plan_vigencia

    return revision_options_for(
        country=plan.entity.country.upper(),
        vigencia=plan_vigencia(plan=plan),
        today=today,
        unit=plan_municipality(plan=plan),
    )


def _not_adopted_reason() -> str:
    return _("The plan has no adoption date recorded: set its validity data first.")


def _co_options(*, vigencia: VigenciaResult | None, today: datetime.date, unit: Any) -> list[RevisionOption]:
    documents = co_revision_documents()
    general = RevisionOption(
        kind="general",
        label=_("General (ordinary) revision"),
        possible_now=False,
        reason=_not_adopted_reason(),
        preconditions=[
            _("The vigencia of the content to revise (long, medium or short term) has expired."),
            _("It should coincide with the start of a new constitutional period."),
            _("It rests on monitoring indicators: population, land-use dynamics, major projects, goals."),
            _("It follows the adoption procedure (concertation, consultation, Concejo)."),
        ],
        documents=documents,
        basis=[*CO_GENERAL_BASIS, DECRETO_4002_ART_9, DECRETO_1232_2020],
    )
    adopted = vigencia is not None
    exceptional = RevisionOption(
        kind="exceptional_modification",
        label=_("Exceptional modification of urban norms"),
        possible_now=adopted,
        reason=_("Possible at any time, once the preconditions are met.")
        if adopted
        else _not_adopted_reason(),
        preconditions=[
            _("Technically justified."),
            _("Serves the plan's long- and medium-term objectives."),
            _("Respects the hierarchy of the plan's components."),
        ],
        documents=documents,
        basis=[*CO_EXCEPTIONAL_BASIS, DECRETO_4002_ART_9, DECRETO_1232_2020],
    )
    by_exception = RevisionOption(
        kind="by_exception",
        label=_("Revision by exception (public interest, force majeure)"),
        possible_now=adopted,
        reason=_("Possible at any time, once the preconditions are met.")
        if adopted
        else _not_adopted_reason(),
        preconditions=[
            _("A declared disaster or calamity, or"),
            _("detailed risk studies that reclassify non-mitigable risk areas."),
        ],
        documents=documents,
        basis=[*CO_BY_EXCEPTION_BASIS, DECRETO_4002_ART_9, DECRETO_1232_2020],
    )
    if vigencia is not None:
        contents = [
            ContentStatus(
                "long", _("Long-term content"), vigencia.long_term_end, today > vigencia.long_term_end
            ),
            ContentStatus(
                "medium", _("Medium-term content"), vigencia.medium_term_end, today > vigencia.medium_term_end
            ),
            ContentStatus(
                "short", _("Short-term content"), vigencia.short_term_end, today > vigencia.short_term_end
            ),
        ]
        general.contents = contents
        expired = [c for c in contents if c.expired]
        in_window = today >= vigencia.revision_window_start
        general.possible_now = bool(expired) or in_window
        if expired:
            general.reason = _(
                "Expired: %(contents)s. A general revision of that content may be undertaken."
            ) % {
                "contents": ", ".join(
                    _("%(label)s (since %(date)s)") % {"label": c.label, "date": c.end.isoformat()}
                    for c in expired
                )
            }
        elif in_window:
            general.reason = _(
                "The long-term vigencia ends on %(end)s: the revision procedure must start now (window open since %(start)s, Ley 388 art. 23)."
            ) % {
                "end": vigencia.long_term_end.isoformat(),
                "start": vigencia.revision_window_start.isoformat(),
            }
        else:
            general.reason = _(
                "No content has expired yet: the short-term content ends on %(short)s; the long-term revision window opens on %(window)s."
            ) % {
                "short": vigencia.short_term_end.isoformat(),
                "window": vigencia.revision_window_start.isoformat(),
            }
        try:
            current = co_period_containing(today, unit=unit)
        except LegalInputError:
            current = None
        if current is not None:
            first_months_end = datetime.date(current.start.year + FIRST_MONTHS_OF_PERIOD // 12, 1, 1)
            if today < first_months_end:
                general.notes.append(
                    _(
                        "Today is in the first year of the constitutional period %(period)s: a revision now coincides with the start of a period."
                    )
                    % {"period": current.label()}
                )
            else:
                general.notes.append(
                    _(
                        "Today is not at the start of a constitutional period (current: %(period)s); the next period starts on %(next)s, and a general revision should coincide with it."
                    )
                    % {
                        "period": current.label(),
                        "next": (current.end + datetime.timedelta(days=1)).isoformat(),
                    }
                )
        if vigencia.in_force_after_expiry and expired:
            general.notes.append(
                _("Until a revised plan is adopted, the current one stays in force (Ley 388 art. 28).")
            )
    return [general, exceptional, by_exception]


def _horizon_options(*, vigencia: VigenciaResult | None, today: datetime.date) -> list[RevisionOption]:
    option = RevisionOption(
        kind="horizon_update",
        label=_("Update of the plan at the end of its horizon"),
        possible_now=False,
        reason=_not_adopted_reason(),
        preconditions=[_("The horizon (or the update period) set by the applicable regime is reached.")],
    )
    if vigencia is not None:
        option.basis = list(vigencia.revision_basis)
        option.possible_now = today >= vigencia.revision_window_start
        if option.possible_now:
            option.reason = _("The update window opened on %(date)s (the horizon ends on %(end)s).") % {
                "date": vigencia.revision_window_start.isoformat(),
                "end": vigencia.long_term_end.isoformat(),
            }
        else:
            option.reason = _("The update window opens on %(date)s (the horizon ends on %(end)s).") % {
                "date": vigencia.revision_window_start.isoformat(),
                "end": vigencia.long_term_end.isoformat(),
            }
        option.notes.append(
            _("Horizon values are configurable and must be checked against the regime's text.")
        )
    return [option]


@dataclass
class PlanTypeSuggestion:
    code: str
    basis: list[Basis]
    note: str
    population: int


@lru_cache(maxsize=1)
def _co_plan_types() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / "co_plan_types.json").read_text(encoding="utf-8"))
    return data


def co_plan_type_suggest(population: int) -> PlanTypeSuggestion:
    """POT above 100,000 inhabitants, PBOT from 30,000 to 100,000, EOT below 30,000 (Ley 388 art. 9)."""
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise LegalInputError(_("population: must be a whole number, zero or more."))
    data = _co_plan_types()
    for item in data["types"]:
        top = item["max_population"]
        if item["min_population"] <= population and (top is None or population <= top):
            return PlanTypeSuggestion(
                code=item["code"],
                basis=[dict(b) for b in data["basis"]],
                note=_(
                    "Regional environmental authorities (CARs), territorial planning councils (CTPs) and concejos may ask for the heavier type anyway."
                ),
                population=population,
            )
    raise LegalInputError(_("population: no plan type covers %(n)s.") % {"n": population})
