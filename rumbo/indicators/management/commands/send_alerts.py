"""E-mail each plan's monitoring alerts to the people who report or approve its data."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rumbo.indicators.models import Indicator
from rumbo.indicators.sheets.alerts import alerts_send
from rumbo.plans.models import Plan


class Command(BaseCommand):
    help = "Send the monitoring alerts of every plan with indicators (or of one plan) by e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, help="Only this plan (id).")
        parser.add_argument("--today", help="Compute the alerts as on this date (YYYY-MM-DD).")
        parser.add_argument(
            "--base-url", default="", help="Prefix for the links, e.g. https://rumbo.example.org"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be a date as YYYY-MM-DD") from exc
        plans = Plan.objects.filter(pk__in=Indicator.objects.values("plan_id")).select_related("entity")
        if options.get("plan"):
            plans = Plan.objects.filter(pk=options["plan"]).select_related("entity")
            if not plans.exists():
                raise CommandError(f"There is no plan {options['plan']}.")
        sent = 0
        for plan in plans.order_by("pk"):
            count = alerts_send(plan=plan, today=today, base_url=options["base_url"])
            if count:
                sent += 1
                self.stdout.write(f"{plan.pk} {plan.name}: {count} recipients")
        self.stdout.write(f"{sent} e-mails sent.")
