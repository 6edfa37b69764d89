"""/health/ for monitors, and the worker's life that it reports: heartbeats, orphaned jobs and
the daily upkeep slot."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rumbo.core import health
from rumbo.core.models import Job, JobStatus, ScheduledRun
from rumbo.core.worker import (
    heartbeat_dir,
    heartbeat_write,
    heartbeats_alive,
    jobs_orphaned_fail,
    upkeep_enqueue_due,
    upkeep_slot,
    worker_id_new,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeats(settings: Any, tmp_path: Path) -> None:
    settings.RUMBO_RUN_DIR = tmp_path / "run"
    health._migrations_cache.update(at=0.0, value=None)


def _health() -> tuple[int, dict[str, Any]]:
    response = Client().get("/health/")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response.get("Cache-Control", "") or "max-age=0" in response.get("Cache-Control", "")
    return response.status_code, json.loads(response.content)


def test_all_well_is_200_ok_with_every_part() -> None:
    heartbeat_write(worker_id=worker_id_new(), started_at=time.time())
    status, body = _health()
    assert status == 200 and body["status"] == "ok"
    assert set(body) == {"status", "database", "worker", "migrations", "disk"}
    assert body["worker"]["status"] == "ok" and body["worker"]["alive"] == 1
    assert body["migrations"] == {"status": "ok", "pending": 0, "first_pending": []}
    assert body["disk"]["free_mb"] > 0


def test_no_worker_is_503_degraded() -> None:
    status, body = _health()
    assert status == 503 and body["status"] == "degraded"
    assert body["worker"] == {"status": "down", "alive": 0, "last_heartbeat_seconds": None}


def test_a_heartbeat_older_than_the_limit_counts_as_down(settings: Any) -> None:
    worker = worker_id_new()
    heartbeat_write(worker_id=worker, started_at=time.time())
    path = heartbeat_dir() / f"{worker}.json"
    beat = json.loads(path.read_text())
    beat["beat_at"] = time.time() - settings.RUMBO_WORKER_STALE_SECONDS - 1
    path.write_text(json.dumps(beat))
    status, body = _health()
    assert status == 503 and body["worker"]["status"] == "down"
    assert body["worker"]["last_heartbeat_seconds"] > settings.RUMBO_WORKER_STALE_SECONDS
    assert settings.RUMBO_WORKER_STALE_SECONDS < 60  # a stopped worker shows within a minute


def test_a_fresh_heartbeat_of_a_dead_process_counts_as_down() -> None:
    # a worker killed a second ago: its beat is recent but its process is gone
    heartbeat_write(worker_id="here-999999", started_at=time.time())
    path = heartbeat_dir() / "here-999999.json"
    beat = json.loads(path.read_text())
    beat["pid"] = 2**22 + 12345  # above Linux's pid_max default
    path.write_text(json.dumps(beat))
    assert heartbeats_alive() == []


def test_a_nearly_full_disk_is_degraded(settings: Any) -> None:
    heartbeat_write(worker_id=worker_id_new(), started_at=time.time())
    settings.RUMBO_DISK_MIN_FREE_PERCENT = 100.0
    status, body = _health()
    assert status == 503 and body["status"] == "degraded" and body["disk"]["status"] == "degraded"


def test_pending_migrations_are_degraded(settings: Any) -> None:
    heartbeat_write(worker_id=worker_id_new(), started_at=time.time())
    settings.MIGRATION_MODULES = {"core": "tests.core.pending_migrations"}
    status, body = _health()
    assert status == 503 and body["migrations"]["status"] == "degraded"
    assert body["migrations"]["first_pending"] == ["core.0004_not_applied"]


def test_jobs_of_a_stopped_worker_are_failed_with_a_spanish_message(world: Any) -> None:
    alive, dead = "host-1", "host-2"
    mine = Job.objects.create(kind="x", title="vivo", status=JobStatus.RUNNING, worker_id=alive)
    orphan = Job.objects.create(kind="x", title="huérfano", status=JobStatus.RUNNING, worker_id=dead)
    assert jobs_orphaned_fail(alive={alive}) == 1
    orphan.refresh_from_db()
    mine.refresh_from_db()
    assert mine.status == JobStatus.RUNNING
    assert orphan.status == JobStatus.FAILED and "proceso en segundo plano se detuvo" in orphan.message


def test_the_daily_slot_is_the_last_due_moment(settings: Any) -> None:
    now = timezone.make_aware(datetime.datetime(2026, 12, 7, 1, 0))
    slot = upkeep_slot(at="02:30", offset_minutes=0, now=now)
    assert slot is not None and timezone.localtime(slot).strftime("%d %H:%M") == "06 02:30"
    assert upkeep_slot(at="", offset_minutes=0, now=now) is None


# committed data, as the worker sees it: SQLite's backup API cannot copy a database whose
# connection holds the open transaction of an ordinary test (it waits for it forever)
@pytest.mark.django_db(transaction=True)
def test_upkeep_is_enqueued_once_per_slot_and_not_on_a_new_installation(
    settings: Any, tmp_path: Path
) -> None:
    settings.RUMBO_BACKUP_TIME = "02:30"
    settings.RUMBO_BACKUP_DIR = tmp_path / "backups"
    now = timezone.make_aware(datetime.datetime(2026, 12, 7, 3, 0))
    assert upkeep_enqueue_due(now=now) == []  # a new installation starts counting now
    ScheduledRun.objects.update(last_enqueued_at=now - datetime.timedelta(days=1))
    assert sorted(upkeep_enqueue_due(now=now)) == ["backup", "generated_files_clean"]
    # the test settings run tasks at once: the backup is there
    assert len(list((tmp_path / "backups").glob("rumbo-backup-*.tar.gz"))) == 1
    assert upkeep_enqueue_due(now=now + datetime.timedelta(minutes=5)) == []
    assert upkeep_enqueue_due(now=now + datetime.timedelta(days=1)) != []
