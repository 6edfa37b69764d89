"""What /health/ reports: the database, the migrations, the background worker and the disk.

A monitor reads the HTTP status (200 only when everything is fine, 503 otherwise) and a person
reads the JSON. The database down makes the whole "down"; pending migrations, a stopped worker or
a nearly full disk make it "degraded" (pages still work, but something needs a person).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError

from rumbo.core.worker import worker_status

# the migration graph takes a tenth of a second to load: asked again at most this often
_MIGRATIONS_TTL = 30.0
_migrations_cache: dict[str, Any] = {"at": 0.0, "value": None}


def _database() -> dict[str, Any]:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"status": "down", "engine": connection.vendor, "detail": str(exc)[:200]}
    return {"status": "ok", "engine": connection.vendor}


def _migrations() -> dict[str, Any]:
    now = time.monotonic()
    cached = _migrations_cache["value"]
    if cached is not None and now - _migrations_cache["at"] < _MIGRATIONS_TTL:
        return dict(cached)
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return {"status": "down", "detail": str(exc)[:200]}
    pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    value = {"status": "degraded" if pending else "ok", "pending": len(pending), "first_pending": pending[:5]}
    _migrations_cache.update(at=now, value=value)
    return dict(value)


def _disk() -> dict[str, Any]:
    path = Path(settings.MEDIA_ROOT)
    while not path.exists() and path != path.parent:
        path = path.parent
    usage = shutil.disk_usage(path)
    free_mb = usage.free // (1024 * 1024)
    free_percent = round(100 * usage.free / usage.total, 1) if usage.total else 0.0
    low = free_mb < settings.RUMBO_DISK_MIN_FREE_MB or free_percent < settings.RUMBO_DISK_MIN_FREE_PERCENT
    return {"status": "degraded" if low else "ok", "free_mb": free_mb, "free_percent": free_percent}


def health_report() -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for /health/."""
    database = _database()
    report: dict[str, Any] = {
        "status": "ok",
        "database": database,
        "worker": worker_status(),
        "migrations": _migrations() if database["status"] == "ok" else {"status": "unknown"},
        "disk": _disk(),
    }
    parts = [report[name]["status"] for name in ("database", "worker", "migrations", "disk")]
    if database["status"] != "ok":
        report["status"] = "down"
    elif any(state != "ok" for state in parts):
        report["status"] = "degraded"
    return (200 if report["status"] == "ok" else 503), report
