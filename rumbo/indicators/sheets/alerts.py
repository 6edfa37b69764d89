"""Monitoring alerts of a plan and their e-mail digest.

Kinds (all computed for a given `today`, so tests and the command can fix the date):

* measurement_overdue — a period the indicator must report (one with a target; without targets,
  its last closed period) is past its due date (period end + the calendar's due days) and has
  no submitted or approved current value for the whole territory;
* due_soon — such a due date falls within the next 7 days and nothing was submitted yet;
* report_missing — in the plan's last closed reporting period (quarter, semester or year) whose
  due date has passed, no indicator of the plan got any submitted or approved value;
* off_track — the latest approved value for the whole territory is below the amber threshold
  of its period's target (achievement rules of `rumbo.indicators.achievement`);
* corrective_action_overdue — an open or in-progress corrective action is past its due date.
"""

from __future__ import annotations

import datetime
import enum
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from rumbo.accounts.models import Membership
from rumbo.accounts.permissions import ROLE_CAPABILITIES, Capability
from rumbo.indicators.models import (
    CorrectiveAction,
    CorrectiveActionStatus,
    Indicator,
    Measurement,
    MeasurementStatus,
    Periodicity,
    ReportingCalendar,
    Target,
)
from rumbo.indicators.sheets.formula import format_number
from rumbo.indicators.sheets.selectors import (
    FREQUENCY_KIND,
    due_periods,
    indicator_period_kind,
    indicator_responsible,
    reporting_calendar_of,
)
from rumbo.indicators.sheets.services import notify_email_list
from rumbo.plans.models import Plan

DUE_SOON_DAYS = 7
REPORTED = (MeasurementStatus.SUBMITTED, MeasurementStatus.APPROVED)


class AlertKind(enum.StrEnum):
    MEASUREMENT_OVERDUE = "measurement_overdue"  # a due date passed without a submitted value
    REPORT_MISSING = "report_missing"  # a whole reporting period passed with no data at all
    OFF_TRACK = "off_track"  # the latest approved value is below the amber threshold
    DUE_SOON = "due_soon"  # a due date is within the next 7 days
    CORRECTIVE_ACTION_OVERDUE = "corrective_action_overdue"  # an action is past its due date


SEVERITY = {
    AlertKind.MEASUREMENT_OVERDUE: "danger",
    AlertKind.REPORT_MISSING: "danger",
    AlertKind.OFF_TRACK: "warning",
    AlertKind.CORRECTIVE_ACTION_OVERDUE: "warning",
    AlertKind.DUE_SOON: "info",
}


def alert_kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        AlertKind.MEASUREMENT_OVERDUE: _("Measurement overdue"),
        AlertKind.REPORT_MISSING: _("Report missing"),
        AlertKind.OFF_TRACK: _("Off track"),
        AlertKind.DUE_SOON: _("Due soon"),
        AlertKind.CORRECTIVE_ACTION_OVERDUE: _("Corrective action overdue"),
    }
    return labels.get(kind, kind)


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    message: str
    responsible: str = ""
    due_date: datetime.date | None = None
    period_code: str = ""
    indicator_id: int | None = None
    indicator_code: str = ""
    node_id: int | None = None
    node_code: str = ""
    action_id: int | None = None

    @property
    def severity(self) -> str:
        return SEVERITY.get(AlertKind(self.kind), "info")

    @property
    def label(self) -> str:
        return alert_kind_label(self.kind)


def _indicator_alert(kind: AlertKind, indicator: Indicator, message: str, **extra: Any) -> Alert:
    return Alert(
        kind=kind,
        message=message,
        responsible=indicator_responsible(indicator=indicator),
        indicator_id=indicator.pk,
        indicator_code=indicator.code,
        node_id=indicator.node_id,
        node_code=indicator.node.code if indicator.node is not None else "",
        **extra,
    )


def _achievement(
    indicator: Indicator, value: Decimal, target: Decimal, direction: str
) -> tuple[float | None, str]:
    """(achievement fraction, light) by the roll-up's rules; a plain ratio if they are absent."""
    try:
        from rumbo.indicators.achievement import achievement_compute
    except ImportError:  # pragma: no cover - only before the roll-up module existed
        if direction == "decreasing":
            ratio = float(target / value) if value else None
        else:
            ratio = float(value / target) if target else None
        if ratio is None:
            return None, "missing"
        percent = ratio * 100
        light = (
            "green"
            if percent >= indicator.threshold_green
            else "amber"
            if percent >= indicator.threshold_amber
            else "red"
        )
        return ratio, light
    result = achievement_compute(
        value=value,
        target=target,
        baseline=indicator.baseline_value,
        direction=direction,
        formula=indicator.achievement_formula,
        cap_percent=indicator.cap_percent,
        threshold_green=indicator.threshold_green,
        threshold_amber=indicator.threshold_amber,
        explain=False,
    )
    return result.achievement, result.light


@dataclass(frozen=True, slots=True)
class _PeriodRow:
    id: int
    code: str
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True, slots=True)
class _TargetRow:
    period_id: int
    value: Decimal
    period: _PeriodRow


@dataclass(frozen=True, slots=True)
class _MeasurementRow:
    value: Decimal
    period_id: int
    period: _PeriodRow


def plan_alerts(*, plan: Plan, today: datetime.date) -> list[Alert]:
    """Every alert of the plan on `today`, the most urgent kinds first (constant query count)."""
    from rumbo.indicators.achievement import indicator_direction

    calendar = reporting_calendar_of(plan=plan)
    due_days = calendar.due_days_after_period_end
    indicators = list(Indicator.objects.filter(plan=plan).select_related("node").order_by("code"))
    # Targets and measurements are read as plain rows: a plan with 1,000 indicators and 40 quarters
    # has tens of thousands of them, and model instances would cost seconds.
    periods: dict[int, _PeriodRow] = {}

    def period_row(pk: int, code: str, start: datetime.date, end: datetime.date) -> _PeriodRow:
        row = periods.get(pk)
        if row is None:
            row = periods[pk] = _PeriodRow(pk, code, start, end)
        return row

    targets: dict[int, list[_TargetRow]] = defaultdict(list)
    for indicator_id, period_id, value, code, start, end in (
        Target.objects.filter(indicator__plan=plan)
        .order_by("period__start")
        .values_list("indicator_id", "period_id", "value", "period__code", "period__start", "period__end")
    ):
        targets[indicator_id].append(_TargetRow(period_id, value, period_row(period_id, code, start, end)))
    reported: set[tuple[int, str]] = set()
    latest_approved: dict[int, _MeasurementRow] = {}
    any_reported_ends: list[datetime.date] = []
    for indicator_id, unit_id, disaggregation, status, value, period_id, code, start, end in (
        Measurement.objects.filter(indicator__plan=plan, is_current=True, status__in=REPORTED)
        .order_by("period__end", "period__start")
        .values_list(
            "indicator_id",
            "unit_id",
            "disaggregation",
            "status",
            "value",
            "period_id",
            "period__code",
            "period__start",
            "period__end",
        )
    ):
        any_reported_ends.append(end)
        if unit_id is None and disaggregation == "":
            reported.add((indicator_id, code))
            if status == MeasurementStatus.APPROVED:
                latest_approved[indicator_id] = _MeasurementRow(
                    value, period_id, period_row(period_id, code, start, end)
                )

    overdue: list[Alert] = []
    soon: list[Alert] = []
    off_track: list[Alert] = []
    for indicator in indicators:
        kind = indicator_period_kind(indicator=indicator, calendar=calendar)
        biennial = indicator.periodicity == Periodicity.BIENNIAL
        # Overdue: the periods with a target, or (without targets) the last closed period.
        expected: list[tuple[str, datetime.date]] = []
        if targets[indicator.pk]:
            for t in targets[indicator.pk]:
                due = t.period.end + datetime.timedelta(days=due_days)
                if due < today:
                    expected.append((t.period.code, due))
        else:
            closed = due_periods(
                kind=kind,
                due_days=due_days,
                start=today - datetime.timedelta(days=800),
                end=today - datetime.timedelta(days=1),
                biennial=biennial,
            )
            created = indicator.created_at.date() if indicator.created_at else today
            if closed and closed[-1].end >= created:
                expected.append((closed[-1].code, closed[-1].due))
        for code, due in expected:
            if (indicator.pk, code) not in reported:
                overdue.append(
                    _indicator_alert(
                        AlertKind.MEASUREMENT_OVERDUE,
                        indicator,
                        _("%(code)s: the value for %(period)s was due on %(due)s and has not been submitted.")
                        % {"code": indicator.code, "period": code, "due": due.isoformat()},
                        due_date=due,
                        period_code=code,
                    )
                )
        for item in due_periods(
            kind=kind,
            due_days=due_days,
            start=today,
            end=today + datetime.timedelta(days=DUE_SOON_DAYS),
            biennial=biennial,
        ):
            if (indicator.pk, item.code) not in reported:
                soon.append(
                    _indicator_alert(
                        AlertKind.DUE_SOON,
                        indicator,
                        _("%(code)s: the value for %(period)s is due on %(due)s (in %(days)s days).")
                        % {
                            "code": indicator.code,
                            "period": item.code,
                            "due": item.due.isoformat(),
                            "days": (item.due - today).days,
                        },
                        due_date=item.due,
                        period_code=item.code,
                    )
                )
        measurement = latest_approved.get(indicator.pk)
        if measurement is not None:
            target = next((t for t in targets[indicator.pk] if t.period_id == measurement.period_id), None)
            if target is not None:
                direction = indicator_direction(indicator, targets=[t.value for t in targets[indicator.pk]])
                achievement, light = _achievement(indicator, measurement.value, target.value, direction)
                if light == "red" and achievement is not None:
                    off_track.append(
                        _indicator_alert(
                            AlertKind.OFF_TRACK,
                            indicator,
                            _(
                                "%(code)s: %(value)s against a target of %(target)s in %(period)s is "
                                "%(achievement)s achieved, below the amber threshold of %(amber)s %%."
                            )
                            % {
                                "code": indicator.code,
                                "value": format_number(measurement.value),
                                "target": format_number(target.value),
                                "period": measurement.period.code,
                                "achievement": f"{achievement * 100:.1f} %",
                                "amber": format_number(indicator.threshold_amber),
                            },
                            period_code=measurement.period.code,
                        )
                    )

    missing = _report_missing(plan, calendar, indicators, any_reported_ends, today)
    actions = [
        Alert(
            kind=AlertKind.CORRECTIVE_ACTION_OVERDUE,
            message=_("Corrective action “%(title)s” was due on %(due)s and is still %(status)s.")
            % {
                "title": a.title,
                "due": a.due_date.isoformat() if a.due_date else "",
                "status": a.get_status_display(),
            },
            responsible=a.responsible,
            due_date=a.due_date,
            indicator_id=a.indicator_id,
            indicator_code=a.indicator.code if a.indicator else "",
            node_id=a.node_id,
            node_code=a.node.code if a.node else "",
            action_id=a.pk,
        )
        for a in CorrectiveAction.objects.filter(
            plan=plan,
            status__in=[CorrectiveActionStatus.OPEN, CorrectiveActionStatus.IN_PROGRESS],
            due_date__lt=today,
        )
        .select_related("node", "indicator")
        .order_by("due_date", "pk")
    ]
    overdue.sort(key=lambda a: (a.due_date or today, a.indicator_code))
    soon.sort(key=lambda a: (a.due_date or today, a.indicator_code))
    return [*missing, *overdue, *off_track, *actions, *soon]


def _report_missing(
    plan: Plan,
    calendar: ReportingCalendar,
    indicators: list[Indicator],
    reported_ends: list[datetime.date],
    today: datetime.date,
) -> list[Alert]:
    kind = str(FREQUENCY_KIND[calendar.frequency])  # type: ignore[index]
    closed = due_periods(
        kind=kind,
        due_days=calendar.due_days_after_period_end,
        start=today - datetime.timedelta(days=800),
        end=today - datetime.timedelta(days=1),
    )
    if not closed or not indicators:
        return []
    last = closed[-1]
    if not any(i.created_at and i.created_at.date() <= last.end for i in indicators):
        return []
    if any(last.start <= end <= last.end for end in reported_ends):
        return []
    return [
        Alert(
            kind=AlertKind.REPORT_MISSING,
            message=_("No indicator of the plan has submitted data for %(period)s (due on %(due)s).")
            % {"period": last.code, "due": last.due.isoformat()},
            due_date=last.due,
            period_code=last.code,
        )
    ]


# --- e-mail -------------------------------------------------------------------------------

NOTIFIED_CAPABILITIES = (Capability.REPORT_DATA, Capability.APPROVE)


def alert_recipients(*, plan: Plan) -> list[str]:
    """Members of the plan's entity who report or approve data and have an e-mail address,
    plus the calendar's extra addresses; sorted, without repeats."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items() if caps & set(NOTIFIED_CAPABILITIES)]
    addresses = {
        email.strip().lower()
        for email in Membership.objects.filter(
            entity_id=plan.entity_id, role__in=roles, user__is_active=True
        ).values_list("user__email", flat=True)
        if email and email.strip()
    }
    calendar = ReportingCalendar.objects.filter(plan=plan).first()
    if calendar is not None:
        addresses.update(a.lower() for a in notify_email_list(calendar.notify_emails))
    return sorted(addresses)


def alerts_send(*, plan: Plan, today: datetime.date, base_url: str = "") -> int:
    """E-mail the plan's alerts in one message to the people who report or approve its data.
    Returns the number of recipients (0 when there is nothing to say or nobody to tell)."""
    alerts = plan_alerts(plan=plan, today=today)
    recipients = alert_recipients(plan=plan)
    if not alerts or not recipients:
        return 0
    lines = [
        _("Monitoring alerts of %(plan)s on %(today)s:") % {"plan": plan.name, "today": today.isoformat()},
        "",
    ]
    for alert in alerts:
        responsible = f" — {alert.responsible}" if alert.responsible else ""
        lines.append(f"• [{alert.label}] {alert.message}{responsible}")
    url = base_url.rstrip("/") + reverse("indicators:alerts", kwargs={"plan_id": plan.pk})
    lines += ["", _("See them in Rumbo: %(url)s") % {"url": url}]
    subject = _("[Rumbo] %(count)s monitoring alerts: %(plan)s") % {"count": len(alerts), "plan": plan.name}
    send_mail(subject, "\n".join(lines), None, recipients)
    return len(recipients)
