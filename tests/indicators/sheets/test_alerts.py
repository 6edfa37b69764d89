"""Alerts with a fixed `today`, the e-mail digest and the send_alerts command."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from rumbo.indicators.models import CorrectiveAction, Indicator, Measurement, Target
from rumbo.indicators.periods import period_get_or_create
from rumbo.indicators.sheets import services
from rumbo.indicators.sheets.alerts import alert_recipients, alerts_send, plan_alerts

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 8, 10)
LONG_AGO = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


def _indicator(world: Any, code: str, **fields: Any) -> Indicator:
    indicator = services.indicator_create(
        actor=world.users["planner"],
        plan=world.plan,
        node=world.node,
        code=code,
        name=f"Indicador {code}",
        **fields,
    )
    Indicator.objects.filter(pk=indicator.pk).update(created_at=LONG_AGO)
    indicator.refresh_from_db()
    return indicator


def _measure(indicator: Indicator, period: str, value: str, status: str = "approved") -> Measurement:
    return Measurement.objects.create(
        indicator=indicator, period=period_get_or_create(period), value=Decimal(value), status=status
    )


def _target(indicator: Indicator, period: str, value: str) -> None:
    Target.objects.create(indicator=indicator, period=period_get_or_create(period), value=Decimal(value))


def _kinds(world: Any, today: datetime.date = TODAY) -> list[tuple[str, str, str]]:
    return [(a.kind, a.indicator_code, a.period_code) for a in plan_alerts(plan=world.plan, today=today)]


def test_measurement_overdue_when_a_target_period_passed_its_due_date(world: Any) -> None:
    # given: quarterly indicator with a target for 2026T2 (ends 30 June, due 30 July)
    indicator = _indicator(world, "Q", periodicity="quarterly", responsible="Oficina de Planeamiento")
    _target(indicator, "2026T2", "10")
    _target(indicator, "2026T3", "12")
    # when
    alerts = plan_alerts(plan=world.plan, today=TODAY)
    # then
    overdue = [a for a in alerts if a.kind == "measurement_overdue"]
    assert [(a.period_code, a.due_date, a.responsible) for a in overdue] == [
        ("2026T2", datetime.date(2026, 7, 30), "Oficina de Planeamiento")
    ]
    # a submitted value clears it; a draft does not
    _measure(indicator, "2026T2", "9", status="draft")
    assert ("measurement_overdue", "Q", "2026T2") in _kinds(world)
    Measurement.objects.update(status="submitted")
    assert ("measurement_overdue", "Q", "2026T2") not in _kinds(world)


def test_without_targets_the_last_closed_period_is_expected(world: Any) -> None:
    _indicator(world, "A", periodicity="annual")
    # 2025 ended 31 Dec 2025, due 30 Jan 2026
    assert ("measurement_overdue", "A", "2025") in _kinds(world)


def test_due_soon_within_seven_days(world: Any) -> None:
    indicator = _indicator(world, "Q", periodicity="quarterly")
    _target(indicator, "2026T3", "12")
    # 2026T3 ends 30 September, due 30 October: 5 days after the 25th
    kinds = _kinds(world, datetime.date(2026, 10, 25))
    assert ("due_soon", "Q", "2026T3") in kinds
    assert not [k for k in _kinds(world, datetime.date(2026, 10, 20)) if k[0] == "due_soon"]


def test_report_missing_when_no_indicator_reported_in_the_last_closed_period(world: Any) -> None:
    # given: quarterly calendar; 2026T2 is the last period whose due date (30 July) passed
    a = _indicator(world, "A", periodicity="quarterly")
    _indicator(world, "B", periodicity="annual")
    # then
    missing = [x for x in plan_alerts(plan=world.plan, today=TODAY) if x.kind == "report_missing"]
    assert [(m.period_code, m.due_date) for m in missing] == [("2026T2", datetime.date(2026, 7, 30))]
    # any submitted value in the period clears it
    _measure(a, "2026-05", "1", status="submitted")
    assert not [x for x in plan_alerts(plan=world.plan, today=TODAY) if x.kind == "report_missing"]


def test_report_missing_follows_the_calendar_frequency(world: Any) -> None:
    services.reporting_calendar_set(
        actor=world.users["planner"], plan=world.plan, frequency="annual", due_days_after_period_end=60
    )
    _indicator(world, "A")
    missing = [x for x in plan_alerts(plan=world.plan, today=TODAY) if x.kind == "report_missing"]
    assert [(m.period_code, m.due_date) for m in missing] == [("2025", datetime.date(2026, 3, 1))]


def test_off_track_below_the_amber_threshold(world: Any) -> None:
    # given
    low = _indicator(world, "LOW")
    amber = _indicator(world, "AMB")
    down = _indicator(world, "DOWN", direction="decreasing")
    for indicator in (low, amber, down):
        _target(indicator, "2025", "100")
    _measure(low, "2025", "50")
    _measure(amber, "2025", "80")
    _measure(down, "2025", "200")  # target / value = 50 %
    # when
    with translation.override("en"):
        alerts = [a for a in plan_alerts(plan=world.plan, today=TODAY) if a.kind == "off_track"]
    # then
    assert [a.indicator_code for a in alerts] == ["DOWN", "LOW"]
    assert "50 against a target of 100 in 2025 is 50.0 % achieved" in alerts[1].message


def test_corrective_action_overdue(world: Any) -> None:
    planner = world.users["planner"]
    late = services.corrective_action_create(
        actor=planner, plan=world.plan, title="Tarde", responsible="Obras", due_date=datetime.date(2026, 8, 1)
    )
    services.corrective_action_create(
        actor=planner,
        plan=world.plan,
        title="A tiempo",
        responsible="Obras",
        due_date=datetime.date(2026, 9, 1),
    )
    done = services.corrective_action_create(
        actor=planner, plan=world.plan, title="Hecha", responsible="Obras", due_date=datetime.date(2026, 7, 1)
    )
    CorrectiveAction.objects.filter(pk=done.pk).update(status="done")
    alerts = [a for a in plan_alerts(plan=world.plan, today=TODAY) if a.kind == "corrective_action_overdue"]
    assert [(a.action_id, a.responsible) for a in alerts] == [(late.pk, "Obras")]


def test_alerts_take_a_constant_number_of_queries(world: Any, django_assert_max_num_queries: Any) -> None:
    for n in range(15):
        indicator = _indicator(world, f"I{n}", periodicity="quarterly")
        _target(indicator, "2026T1", "10")
        _measure(indicator, "2026T1", "3")
    with django_assert_max_num_queries(8):
        alerts = plan_alerts(plan=world.plan, today=TODAY)
    assert len([a for a in alerts if a.kind == "off_track"]) == 15


def test_email_goes_to_reporters_approvers_and_extra_addresses(world: Any) -> None:
    # given
    services.reporting_calendar_set(
        actor=world.users["planner"],
        plan=world.plan,
        frequency="quarterly",
        due_days_after_period_end=30,
        notify_emails="alcaldia@example.org, Planeamiento@Example.org",
    )
    _indicator(world, "A", periodicity="quarterly")
    world.users["approver"].email = ""
    world.users["approver"].save()
    # when
    sent = alerts_send(plan=world.plan, today=TODAY)
    # then
    expected = sorted(
        [
            "administrator@example.org",
            "planner@example.org",
            "reporter@example.org",
            "alcaldia@example.org",
            "planeamiento@example.org",
        ]
    )
    assert alert_recipients(plan=world.plan) == expected
    assert sent == len(expected)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == expected
    assert world.plan.name in message.subject
    assert f"/seguimiento/planes/{world.plan.pk}/alertas/" in message.body
    assert "observer@example.org" not in message.to and "committee_member@example.org" not in message.to


def test_no_alerts_no_email(world: Any) -> None:
    assert alerts_send(plan=world.plan, today=TODAY) == 0
    assert mail.outbox == []


def test_send_alerts_command(world: Any) -> None:
    _indicator(world, "A", periodicity="quarterly")
    call_command("send_alerts", "--today", "2026-08-10")
    assert len(mail.outbox) == 1
    call_command("send_alerts", "--plan", str(world.public_plan.pk), "--today", "2026-08-10")
    assert len(mail.outbox) == 1  # the public plan has no indicators, so no alerts
