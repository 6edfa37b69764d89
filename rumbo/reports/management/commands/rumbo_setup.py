"""Prepare a fresh or existing database for `make run`. Safe to run again: keeps all data."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand

from rumbo.accounts.services import administrator_ensure
from rumbo.governance.demo import governance_demo_load
from rumbo.indicators.demo import monitoring_demo_load
from rumbo.investments.demo import investments_demo_load
from rumbo.investments.reference import funding_sources_load
from rumbo.lifecycle.demo import lifecycle_demo_load
from rumbo.lifecycle.routes.reference import routes_load
from rumbo.plans.demo import DEMO_PLAN_NAME, demo_load
from rumbo.plans.models import Plan
from rumbo.plans.reference import plan_types_load
from rumbo.territory.models import TerritorialUnit
from rumbo.territory.reference import reference_territories_load


class Command(BaseCommand):
    help = "Load reference territories and plan types, create the administrator and the demo plan."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo", action="store_true", help="Do not create the demonstration plan.")
        parser.add_argument(
            "--reload-territories",
            action="store_true",
            help="Upsert the reference territories even if they are already loaded.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        plan_types_load()
        routes_load()
        funding_sources_load()
        missing = [
            c
            for c in ("PE", "CO", "MX")
            if options["reload_territories"]
            or not TerritorialUnit.objects.filter(country=c, depth=0).exists()
        ]
        if missing:
            self.stdout.write(f"Cargando territorios de referencia: {', '.join(missing)}…")
            counts = reference_territories_load(countries=missing)
            self.stdout.write(f"  {counts}")
        username = os.environ.get("RUMBO_ADMIN_USER", "admin")
        admin, password = administrator_ensure(
            username=username, email=os.environ.get("RUMBO_ADMIN_EMAIL", "")
        )
        if password:
            line = "=" * 64
            self.stdout.write(
                self.style.SUCCESS(
                    f"\n{line}\nAdministrador creado / administrator created\n"
                    f"  usuario / user:       {username}\n  contraseña / password: {password}\n"
                    f"Guárdela ahora: no se volverá a mostrar. / Save it now: it is not shown again.\n{line}\n"
                )
            )
        if not options["no_demo"] and os.environ.get("RUMBO_DEMO", "1") != "0":
            for plan in (demo_load(actor=admin), lifecycle_demo_load(actor=admin)):
                if plan is not None:
                    self.stdout.write(f"Plan de demostración creado: {plan.name}")
            demo_pat = Plan.objects.filter(is_demo=True, name=DEMO_PLAN_NAME).first()
            if monitoring_demo_load(actor=admin, plan=demo_pat):
                self.stdout.write("Indicadores y mediciones de demostración creados.")
            if investments_demo_load(actor=admin, plan=demo_pat):
                self.stdout.write(
                    "Banco de proyectos, planes de inversión y ejecución de demostración creados."
                )
            if governance_demo_load(actor=admin, plan=demo_pat):
                self.stdout.write("Órganos, reuniones, actas, acuerdos y convenio de demostración creados.")
        self.stdout.write(f"Listo en {time.monotonic() - started:.1f} s.")
