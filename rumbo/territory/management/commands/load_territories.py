"""`python manage.py load_territories [--country PE ...]`: upsert the reference territories."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rumbo.territory.reference import REFERENCE_COUNTRIES, ReferenceDataError, reference_territories_load


class Command(BaseCommand):
    help = "Create or update the reference territorial units (country, regions, provinces, municipalities)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--country",
            action="append",
            choices=REFERENCE_COUNTRIES,
            help="ISO code of a country to load; repeat for several (default: all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        countries = options["country"] or list(REFERENCE_COUNTRIES)
        started = time.monotonic()
        try:
            counts = reference_territories_load(countries=countries)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        summary = ", ".join(f"{name} {value}" for name, value in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"{' '.join(countries)}: {summary} ({time.monotonic() - started:.1f} s)")
        )
