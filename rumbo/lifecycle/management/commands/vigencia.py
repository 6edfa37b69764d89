"""`manage.py vigencia --country CO --adopted 2000-12-20 [--json]`: a plan's legal dates."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rumbo.lifecycle.validity.periods import LegalInputError, country_parse, iso_date_parse
from rumbo.lifecycle.validity.vigencia import vigencia_as_dict, vigencia_compute


class Command(BaseCommand):
    help = "Compute the vigencia of a plan from its adoption date, with its legal basis."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--country", required=True, help="CO, PE or MX.")
        parser.add_argument("--adopted", required=True, help="Adoption date, YYYY-MM-DD.")
        parser.add_argument("--plan-type", default="", help="Plan type code (required for PE and MX).")
        parser.add_argument("--regime", default="", help="Legal regime (PE/MX); default: by adoption date.")
        parser.add_argument("--restart-from", default="", help="A revision restarts the count on this date.")
        parser.add_argument("--authority-fixed-end", default="", help="End fixed by an authority.")
        parser.add_argument("--authority", default="", help="The authority that fixed the end.")
        parser.add_argument(
            "--declared-long-term-end", default="", help="Long-term end declared by the plan."
        )
        parser.add_argument("--json", action="store_true", help="Print the same JSON as the API.")

    def handle(self, *args: Any, **options: Any) -> None:
        def optional(name: str) -> Any:
            value = options[name.replace("-", "_")]
            return iso_date_parse(value, field_name=name) if value else None

        try:
            result = vigencia_compute(
                country=country_parse(options["country"]),
                adopted=iso_date_parse(options["adopted"], field_name="adopted"),
                plan_type=options["plan_type"] or None,
                regime=options["regime"] or None,
                revision_restarts_from=optional("restart-from"),
                authority_fixed_end=optional("authority-fixed-end"),
                authority=options["authority"],
                declared_long_term_end=optional("declared-long-term-end"),
            )
        except LegalInputError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(vigencia_as_dict(result), ensure_ascii=False, indent=2))
            return
        for d in result.dates:
            self.stdout.write(f"{d.date.isoformat()}  {d.label}")
        self.stdout.write("")
        for number, step in enumerate(result.steps, start=1):
            self.stdout.write(f"{number}. {step}")
