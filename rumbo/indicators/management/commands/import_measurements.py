"""`manage.py import_measurements --plan ID --file PATH --user NAME`: the bulk import, run here.

Runs the same check-then-write import as the web page (all rows or none) without the worker;
the rows carry the id of a job created for the run. `--progress-file` receives the number of
rows written inside the transaction after each chunk (the crash-safety test watches it).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rumbo.core.jobs import job_create
from rumbo.core.tabular import refusal_summary
from rumbo.indicators.measurements.imports import (
    JOB_KIND,
    MeasurementImportError,
    measurement_import,
    measurement_import_summary,
)
from rumbo.plans.models import Plan


class Command(BaseCommand):
    help = "Import measurements from a CSV or XLSX file into a plan (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, required=True)
        parser.add_argument("--file", required=True)
        parser.add_argument(
            "--user", required=True, help="Username of the person importing (needs REPORT_DATA)."
        )
        parser.add_argument("--chunk-rows", type=int, default=5000)
        parser.add_argument("--progress-file", default="")
        parser.add_argument(
            "--pause", type=float, default=0.0, help="Seconds to wait after each written chunk."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.select_related("entity").filter(pk=options["plan"]).first()
        user = get_user_model().objects.filter(username=options["user"]).first()
        if plan is None or user is None:
            raise CommandError("Unknown plan or user.")
        path = Path(options["file"])
        job = job_create(
            kind=JOB_KIND,
            title=f"import_measurements {path.name}",
            created_by=user,
            entity_id=plan.entity_id,
            params={"plan_id": plan.pk, "filename": path.name},
        )
        progress_file = Path(options["progress_file"]) if options["progress_file"] else None

        def written(rows: int) -> None:
            if progress_file is not None:
                progress_file.write_text(str(rows))
            if options["pause"]:
                time.sleep(options["pause"])

        try:
            result = measurement_import(
                actor=user,
                plan=plan,
                opener=lambda: path.open("rb"),
                filename=path.name,
                size=path.stat().st_size,
                job_id=job.pk,
                on_chunk_written=written,
                chunk_rows=options["chunk_rows"],
            )
        except MeasurementImportError as exc:
            for error in exc.errors:
                self.stderr.write(error.message)
            raise CommandError(refusal_summary(exc)) from exc
        self.stdout.write(measurement_import_summary(result))
