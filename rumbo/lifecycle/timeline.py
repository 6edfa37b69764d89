"""A plan's legal life on one line: adoption, acts, revisions, content expiries, status events,
open deadlines, and (Colombia) the administrations each term of the plan spans.

It reads the three areas (validity, routes, plans) and changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from rumbo.lifecycle.routes.selectors import plan_deadlines
from rumbo.lifecycle.validity.periods import Period, co_periods_after
from rumbo.lifecycle.validity.revision import RevisionOption, revision_options
from rumbo.lifecycle.validity.selectors import plan_municipality, plan_validity_overview
from rumbo.lifecycle.validity.vigencia import VigenciaResult
from rumbo.plans.models import Plan


@dataclass(frozen=True)
class TimelineEvent:
    date: datetime.date
    kind: str  # adoption, act, revision, expiry, window, event, deadline, today
    title: str
    detail: str = ""  # the rule, the authority, what is in force as a result…
    basis: str = ""  # norm and article
    state: str = ""  # past, today, soon, overdue, future


@dataclass(frozen=True)
class Administration:
    """A municipal constitutional period and which of the plan's terms run through it."""

    period: Period
    terms: list[str]  # labels of the terms in force during the period
    is_current: bool


@dataclass
class Timeline:
    events: list[TimelineEvent]
    vigencia: VigenciaResult | None
    error: str
    administrations: list[Administration] = field(default_factory=list)
    options: list[RevisionOption] = field(default_factory=list)


def _basis_text(basis: list[dict[str, str]]) -> str:
    return "; ".join(" ".join(p for p in (b.get("norm", ""), b.get("article", "")) if p) for b in basis)


def _state(day: datetime.date, today: datetime.date) -> str:
    if day < today:
        return "past"
    if day == today:
        return "today"
    return "future"


def plan_timeline(*, plan: Plan, today: datetime.date) -> Timeline:
    """Every dated fact about the plan's legal life, oldest first, with today marked."""
    overview = plan_validity_overview(plan=plan, today=today)
    events: list[TimelineEvent] = []
    validity, vigencia = overview.validity, overview.vigencia
    if validity is not None and validity.adoption_date:
        act = validity.adoption_act
        events.append(
            TimelineEvent(
                date=validity.adoption_date,
                kind="adoption",
                title=_("Adoption of the plan"),
                detail=str(act) if act else "",
                state=_state(validity.adoption_date, today),
            )
        )
        if validity.revision_restarts_from:
            events.append(
                TimelineEvent(
                    date=validity.revision_restarts_from,
                    kind="revision",
                    title=_("Revision adopted: the count of the terms restarts"),
                    detail=validity.revision_restart_note,
                    state=_state(validity.revision_restarts_from, today),
                )
            )
    for act in plan.legal_acts.all():
        if validity is not None and validity.adoption_act_id == act.pk:
            continue
        events.append(
            TimelineEvent(
                date=act.date,
                kind="act",
                title=f"{act.get_act_type_display()} {act.number}",
                detail=act.issuer,
                state=_state(act.date, today),
            )
        )
    if vigencia is not None:
        for explained in vigencia.dates:
            events.append(
                TimelineEvent(
                    date=explained.date,
                    kind="window" if explained.key == "revision_window_start" else "expiry",
                    title=str(explained.label),
                    detail=explained.rule,
                    basis=_basis_text(explained.basis),
                    state=_state(explained.date, today),
                )
            )
    adoption_date = validity.adoption_date if validity is not None else None
    for event in overview.events:
        if event.kind == "adopted" and event.date == adoption_date:
            continue  # already on the line as the adoption, with its act
        events.append(
            TimelineEvent(
                date=event.date,
                kind="event",
                title=event.get_kind_display(),
                detail=" · ".join(
                    p for p in (event.authority, event.act_reference, event.in_force_result) if p
                ),
                state=_state(event.date, today),
            )
        )
    for deadline in plan_deadlines(plan=plan, today=today):
        events.append(
            TimelineEvent(
                date=deadline.due,
                kind="deadline",
                title=deadline.title,
                detail=" · ".join(p for p in (deadline.context, deadline.rule) if p),
                basis=deadline.basis,
                state=deadline.state,
            )
        )
    events.append(TimelineEvent(date=today, kind="today", title=_("Today"), state="today"))
    order = {
        "adoption": 0,
        "act": 1,
        "revision": 2,
        "event": 3,
        "expiry": 4,
        "window": 5,
        "deadline": 6,
        "today": 9,
    }
    events.sort(key=lambda e: (e.date, order.get(e.kind, 5)))
    return Timeline(
        events=events,
        vigencia=vigencia,
        error=overview.error,
        administrations=_administrations(plan=plan, vigencia=vigencia, today=today),
        options=revision_options(plan=plan, today=today) if vigencia is not None else [],
    )


def _administrations(
    *, plan: Plan, vigencia: VigenciaResult | None, today: datetime.date
) -> list[Administration]:
    """For a Colombian plan: the adoption period and the three after it, with the terms in force."""
    if vigencia is None or vigencia.adoption_period is None:
        return []
    unit = plan_municipality(plan=plan)
    periods = [vigencia.adoption_period, *co_periods_after(vigencia.adoption_period, 3, unit=unit)]
    terms = [
        (vigencia.short_term_end, _("short term and programme of execution")),
        (vigencia.medium_term_end, _("medium term")),
        (vigencia.long_term_end, _("long term")),
    ]
    result = []
    for period in periods:
        in_force = [label for end, label in terms if period.start <= end]
        result.append(
            Administration(period=period, terms=in_force, is_current=period.start <= today <= period.end)
        )
    return result
