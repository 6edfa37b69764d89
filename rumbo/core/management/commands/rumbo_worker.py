"""`manage.py rumbo_worker`: the background worker as Rumbo runs it in production.

django-tasks-db's `db_worker` loop, plus a heartbeat for /health/, a memory ceiling
(RUMBO_WORKER_MEMORY_MB), the failing of jobs orphaned by a worker that died, and the daily
upkeep (rumbo.core.worker). SIGTERM or Ctrl+C lets the current task finish, then stops.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rumbo.core.jobs import WORKER_ID_ENV
from rumbo.core.worker import WorkerLife, heartbeat_remove, memory_ceiling_apply, worker_id_new


class Command(BaseCommand):
    help = "Run Rumbo's background worker (jobs, heartbeat, daily backup and cleaning)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")
        parser.add_argument(
            "--memory-mb",
            type=int,
            default=None,
            help="memory ceiling in MB (default RUMBO_WORKER_MEMORY_MB; 0 = none)",
        )

    def handle(self, *args: Any, interval: float, memory_mb: int | None, **options: Any) -> None:
        worker_id = worker_id_new()
        os.environ[WORKER_ID_ENV] = worker_id
        memory_ceiling_apply(settings.RUMBO_WORKER_MEMORY_MB if memory_mb is None else memory_mb)
        life = WorkerLife(worker_id=worker_id)
        life.round()  # beat at once, so a fresh start is healthy before the first poll
        life.start()
        try:
            call_command(
                "db_worker",
                interval=interval,
                worker_id=worker_id,
                reload=False,
                startup_delay=False,
                verbosity=options.get("verbosity", 1),
            )
        finally:
            life.stop()
            heartbeat_remove(worker_id=worker_id)
