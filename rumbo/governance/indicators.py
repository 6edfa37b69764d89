"""General process indicators computed from the plan's governance activity.

The catalogue of general indicators (rumbo/indicators/sheets/data/general_indicators.json) has
legal, institutionalisation, concertation and dissemination indicators whose means of
verification are exactly the acts, members, meetings, convenios and proofs recorded here. An
indicator of a plan adopted from the catalogue with one of the keys below gets its value from
that record: each computed value is a measurement of the whole territory for the period (a
draft sent for approval, like any other), with links to the records it came from as its
evidence, so it flows through the roll-ups and reports unchanged.

Each rule is a sentence (shown with the value) and a function of the plan and the period.
States ("the body is constituted") are read at the end of the period; counts ("meetings held")
within the period. The bodies considered are the plan's and those of its entity that serve all
its plans.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rumbo.governance.models import (
    ActivityKind,
    Body,
    BodyKind,
    BodyMember,
    Contribution,
    Convenio,
    DisseminationActivity,
    DisseminationProof,
    Material,
    Meeting,
    MeetingStatus,
    MemberSector,
    ProofKind,
)
from rumbo.indicators.measurements.services import (
    PERIOD_KIND_FOR,
    evidence_add_link,
    measurement_correct,
    measurement_save,
    measurement_submit,
)
from rumbo.indicators.models import Indicator, Measurement, MeasurementStatus, Period
from rumbo.indicators.periods import period_bounds, period_get_or_create
from rumbo.plans.models import Plan

Source = tuple[str, str, bool]  # (name, path of the record's page, whether the record is public)


@dataclass(frozen=True)
class Computed:
    value: Decimal
    sources: list[Source]


@dataclass(frozen=True)
class Rule:
    key: str
    explanation: Any  # lazy text: how the value is obtained
    compute: Callable[[Plan, datetime.date, datetime.date], Computed]


def _bodies(plan: Plan) -> QuerySet[Body]:
    return Body.objects.filter(Q(plan=plan) | Q(plan__isnull=True, entity_id=plan.entity_id))


def _body_path(b: Body) -> str:
    return reverse("governance:body", kwargs={"body_id": b.pk})


def _constituted(
    kind: str, *, installed: bool = False
) -> Callable[[Plan, datetime.date, datetime.date], Computed]:
    def compute(plan: Plan, start: datetime.date, end: datetime.date) -> Computed:
        rows = _bodies(plan).filter(kind=kind, legal_act__date__lte=end).select_related("legal_act")
        rows = rows.exclude(dissolved_on__lte=end)
        if installed:
            rows = rows.filter(installed_on__lte=end)
        found = list(rows[:5])
        sources = [(f"{b.name} · {b.legal_act}", _body_path(b), b.is_public) for b in found]
        return Computed(Decimal(1 if found else 0), sources)

    return compute


def _roundtable_organisations(plan: Plan, start: datetime.date, end: datetime.date) -> Computed:
    seats = BodyMember.objects.filter(
        body__in=_bodies(plan).filter(kind=BodyKind.CITIZEN_ROUNDTABLE), sector=MemberSector.CIVIL_SOCIETY,
        joined_on__lte=end,
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=start)).select_related("body")  # fmt: skip
    organisations: dict[str, BodyMember] = {}
    for seat in seats:
        key = (seat.organisation or seat.name).strip().casefold()
        organisations.setdefault(key, seat)
    bodies = {s.body for s in organisations.values()}
    return Computed(
        Decimal(len(organisations)),
        [(b.name, _body_path(b), b.is_public) for b in sorted(bodies, key=lambda b: b.name)],
    )


def _roundtable_meetings(plan: Plan, start: datetime.date, end: datetime.date) -> Computed:
    meetings = list(
        Meeting.objects.filter(
            body__in=_bodies(plan).filter(kind=BodyKind.CITIZEN_ROUNDTABLE), status=MeetingStatus.HELD,
            starts_at__date__gte=start, starts_at__date__lte=end,
        ).select_related("body").order_by("starts_at")
    )  # fmt: skip
    sources = [
        (
            f"{m.body.name} · {m.title}",
            reverse("governance:meeting", kwargs={"meeting_id": m.pk}),
            m.body.is_public,
        )
        for m in meetings
    ]
    return Computed(Decimal(len(meetings)), sources[:20])


def _convenios_with_contributions(plan: Plan, start: datetime.date, end: datetime.date) -> Computed:
    ids = set(
        Contribution.objects.filter(
            party__convenio__entity_id=plan.entity_id, party__convenio__signed_on__lte=end, committed__gt=0
        ).filter(Q(party__convenio__plan=plan) | Q(party__convenio__plan__isnull=True)).values_list("party__convenio_id", flat=True)
    )  # fmt: skip
    convenios = list(Convenio.objects.filter(pk__in=ids).order_by("signed_on"))
    path = reverse("governance:convenios", kwargs={"plan_id": plan.pk})
    return Computed(Decimal(len(convenios)), [(c.title, path, c.is_public) for c in convenios][:20])


def _activities(
    plan: Plan, start: datetime.date, end: datetime.date, kind: str
) -> QuerySet[DisseminationActivity]:
    return DisseminationActivity.objects.filter(plan=plan, kind=kind, held_on__gte=start, held_on__lte=end)


def _activity_path(plan: Plan) -> str:
    return reverse("governance:dissemination", kwargs={"plan_id": plan.pk})


def _proven_activities(kind: str) -> Callable[[Plan, datetime.date, datetime.date], Computed]:
    def compute(plan: Plan, start: datetime.date, end: datetime.date) -> Computed:
        rows = list(
            _activities(plan, start, end, kind).filter(proofs__isnull=False).distinct().order_by("held_on")
        )
        return Computed(Decimal(len(rows)), [(a.title, _activity_path(plan), True) for a in rows][:20])

    return compute


def _presentation_attendees(plan: Plan, start: datetime.date, end: datetime.date) -> Computed:
    rows = list(
        _activities(plan, start, end, ActivityKind.PRESENTATION)
        .filter(proofs__kind=ProofKind.ATTENDANCE_LIST).distinct().order_by("held_on")
    )  # fmt: skip
    return Computed(
        Decimal(sum(a.attendees or 0 for a in rows)),
        [(a.title, _activity_path(plan), True) for a in rows][:20],
    )


def _receipts(material: str, *, copies: bool) -> Callable[[Plan, datetime.date, datetime.date], Computed]:
    def compute(plan: Plan, start: datetime.date, end: datetime.date) -> Computed:
        proofs = list(
            DisseminationProof.objects.filter(
                activity__plan=plan, activity__material=material, activity__held_on__gte=start,
                activity__held_on__lte=end, kind=ProofKind.RECEIPT,
            ).select_related("activity")
        )  # fmt: skip
        value = (
            sum(p.copies or 0 for p in proofs)
            if copies
            else len({p.recipient.strip().casefold() for p in proofs})
        )
        return Computed(
            Decimal(value),
            [(f"{p.activity.title} · {p.recipient}", _activity_path(plan), True) for p in proofs][:20],
        )

    return compute


RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule("LEG-02", gettext_lazy("1 when a council body of the plan has its constituting act by the end of the period."),
             _constituted(BodyKind.COUNCIL)),
        Rule("INS-01", gettext_lazy("1 when a council body has its constituting act and was installed by the end of the period."),
             _constituted(BodyKind.COUNCIL, installed=True)),
        Rule("INS-02", gettext_lazy("1 when a promoter group has its constituting act and was installed by the end of the period."),
             _constituted(BodyKind.PROMOTER_GROUP, installed=True)),
        Rule("INS-03", gettext_lazy("1 when an advisory group has its constituting act and was installed by the end of the period."),
             _constituted(BodyKind.ADVISORY_GROUP, installed=True)),
        Rule("INS-04", gettext_lazy("Civil-society organisations with a seat in a citizen roundtable at some time in the period."),
             _roundtable_organisations),
        Rule("INS-05", gettext_lazy("1 when the plan's technical office has its constituting act by the end of the period."),
             _constituted(BodyKind.TECHNICAL_OFFICE)),
        Rule("CON-01", gettext_lazy("Meetings of citizen roundtables held in the period (attendance recorded)."),
             _roundtable_meetings),
        Rule("CON-03", gettext_lazy("Convenios signed by the end of the period with some contribution committed."),
             _convenios_with_contributions),
        Rule("DIF-01", gettext_lazy("Attendees of the public presentations of the period that have an attendance list."),
             _presentation_attendees),
        Rule("DIF-02", gettext_lazy("Institutions that signed a receipt for the executive document in the period."),
             _receipts(Material.EXECUTIVE_DOCUMENT, copies=False)),
        Rule("DIF-03", gettext_lazy("Institutions that signed a receipt for the institutional leaflet in the period."),
             _receipts(Material.INSTITUTIONAL_LEAFLET, copies=False)),
        Rule("DIF-04", gettext_lazy("Copies of the popular leaflet delivered against signed receipts in the period."),
             _receipts(Material.POPULAR_LEAFLET, copies=True)),
        Rule("DIF-05", gettext_lazy("Dissemination workshops of the period with an attendance list, receipt or photo."),
             _proven_activities(ActivityKind.WORKSHOP)),
        Rule("DIF-06", gettext_lazy("Itinerant exhibitions of the period with an attendance list, receipt or photo."),
             _proven_activities(ActivityKind.EXHIBITION)),
    )
}  # fmt: skip


def general_indicator_compute(*, indicator: Indicator, period: Period) -> Computed | None:
    """The value of a catalogue indicator for a period from the governance record (None when
    the indicator has no rule)."""
    rule = RULES.get(indicator.catalogue_key)
    if rule is None:
        return None
    plan = indicator.plan
    return rule.compute(plan, period.start, period.end)


@dataclass(frozen=True)
class CurrentValue:
    indicator: Indicator
    period: Period  # the period containing the day, not saved when it does not exist yet
    computed: Computed
    explanation: str


def general_indicators_current(*, plan: Plan, today: datetime.date) -> list[CurrentValue]:
    """Each catalogue indicator of the plan that has a rule, valued for its period containing
    `today` from the record as it stands (nothing is written)."""
    rows = []
    for indicator in Indicator.objects.filter(plan=plan, catalogue_key__in=list(RULES)).order_by("code"):
        kind = PERIOD_KIND_FOR.get(indicator.periodicity)
        if kind is None:
            continue
        code, period_kind, start, end = period_bounds(_period_code(kind, today))
        period = Period.objects.filter(code=code).first() or Period(
            code=code, kind=period_kind, start=start, end=end
        )
        computed = general_indicator_compute(indicator=indicator, period=period)
        assert computed is not None
        rows.append(
            CurrentValue(indicator, period, computed, str(RULES[indicator.catalogue_key].explanation))
        )
    return rows


@dataclass(frozen=True)
class Refreshed:
    indicator: Indicator
    period: str
    value: Decimal
    changed: bool
    explanation: str


def general_indicators_refresh(
    *, actor: Any, plan: Plan, today: datetime.date, base_url: str
) -> list[Refreshed]:
    """Compute every catalogue indicator of the plan that has a rule, for its period containing
    `today`, and record it: a new or changed value is saved and sent for approval (an approved
    one is corrected, with the reason), with links to its sources; an unchanged one is left."""
    out: list[Refreshed] = []
    for row in general_indicators_current(plan=plan, today=today):
        indicator, computed, explanation = row.indicator, row.computed, row.explanation
        period = period_get_or_create(row.period.code)
        code = period.code
        current = Measurement.objects.filter(
            indicator=indicator, period=period, unit__isnull=True, disaggregation="", is_current=True
        ).first()
        if current is not None and current.value == computed.value:
            out.append(Refreshed(indicator, code, computed.value, False, explanation))
            continue
        note = _("Computed from the governance record: %(rule)s") % {"rule": explanation}
        if current is not None and current.status in (MeasurementStatus.APPROVED,):
            m = measurement_correct(actor=actor, measurement=current, value=computed.value, reason=note)
        elif current is not None and current.status == MeasurementStatus.SUBMITTED:
            raise ValidationError(
                _("%(code)s has a value waiting for approval; approve or return it before computing again.")
                % {"code": indicator.code}
            )
        else:
            m = measurement_save(
                actor=actor, indicator=indicator, period=period, value=computed.value, notes=note
            )
            measurement_submit(actor=actor, measurement=m)
        for name, path, public in computed.sources[:10]:
            # the evidence of an approved value is public with the plan: a private record is not named
            name = name if public else _("A record of the governance register (not public)")
            evidence_add_link(actor=actor, measurement=m, url=base_url.rstrip("/") + path, name=name[:255])
        out.append(Refreshed(indicator, code, computed.value, True, explanation))
    return out


def _period_code(kind: str, day: datetime.date) -> str:
    candidates = {
        "year": str(day.year),
        "semester": f"{day.year}S{1 if day.month <= 6 else 2}",
        "quarter": f"{day.year}T{(day.month - 1) // 3 + 1}",
        "month": f"{day.year}-{day.month:02d}",
    }
    return period_bounds(candidates[kind])[0]
