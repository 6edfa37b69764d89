"""`manage.py deadline --country CO --start 2025-01-02 --amount 30 --unit business_days
--count-start next_day [--json]`: the due date of a statutory deadline."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rumbo.lifecycle.validity.deadlines import amount_parse, deadline_as_dict, deadline_compute
from rumbo.lifecycle.validity.periods import LegalInputError, country_parse, iso_date_parse


class Command(BaseCommand):
    help = "Compute the due date of a deadline in calendar or business days, holiday-aware."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--country", required=True, help="CO, PE or MX.")
        parser.add_argument("--start", required=True, help="Start date, YYYY-MM-DD.")
        parser.add_argument("--amount", required=True, help="Number of days (1 to 3650).")
        parser.add_argument("--unit", required=True, help="calendar_days or business_days.")
        parser.add_argument("--count-start", default="next_day", help="same_day or next_day (default).")
        parser.add_argument(
            "--roll-to-business-day",
            action="store_true",
            help="Move a holiday due date to the next business day.",
        )
        parser.add_argument(
            "--rule", default="", help="A named rule (e.g. co_ctp_concept) for its legal basis."
        )
        parser.add_argument("--json", action="store_true", help="Print the same JSON as the API.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            amount = amount_parse(options["amount"])
            result = deadline_compute(
                country=country_parse(options["country"]),
                start=iso_date_parse(options["start"], field_name="start"),
                amount=amount,
                unit=options["unit"],
                count_start=options["count_start"],
                roll_to_business_day=options["roll_to_business_day"],
                rule_id=options["rule"] or None,
            )
        except LegalInputError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(deadline_as_dict(result), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result.due.isoformat()}")
        for number, step in enumerate(result.steps, start=1):
            self.stdout.write(f"{number}. {step}")
        for basis in result.basis:
            self.stdout.write(f"   · {basis['norm']} {basis['article']} — {basis['note']}")
