"""E-mail the owners of overdue agreements (run daily, like send_alerts)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rumbo.governance.reminders import agreement_reminders_send


class Command(BaseCommand):
    help = "E-mail each owner of overdue agreements the list of them (every plan, or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, help="Only this plan (id).")
        parser.add_argument("--today", help="Compute overdue as on this date (YYYY-MM-DD).")
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
        sent = agreement_reminders_send(
            today=today, base_url=options["base_url"], plan_id=options.get("plan")
        )
        self.stdout.write(f"{sent} e-mails sent.")
