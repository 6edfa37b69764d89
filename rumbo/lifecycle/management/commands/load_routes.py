"""Load (or reload) the formulation routes and approval procedures. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rumbo.lifecycle.routes.reference import routes_load


class Command(BaseCommand):
    help = "Load the formulation/implementation routes and approval procedures from their JSON files."

    def handle(self, *args: Any, **options: Any) -> None:
        result = routes_load()
        for code, count in result.routes.items():
            self.stdout.write(f"{code}: {count} pasos")
        self.stdout.write(f"Trámites: {result.procedures}")
