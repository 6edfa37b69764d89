"""The background worker's life: a heartbeat that health checks read, a memory ceiling, jobs
left "running" by a worker that died, and the daily upkeep it enqueues (backup, cleaning).

The worker itself is django-tasks-db's `db_worker` loop; `manage.py rumbo_worker` wraps it with
what is here. Heartbeats are small files under RUMBO_RUN_DIR/workers/, not database rows: on
SQLite a long import holds the write lock for minutes, and a worker busy importing is alive.
Web and worker share var/ already (uploaded files, generated documents), so they share these too.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import resource
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q
from django.db.utils import DatabaseError
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from rumbo.core.models import Job, JobStatus, ScheduledRun

logger = logging.getLogger(__name__)

BEAT_SECONDS = 5.0


def worker_id_new() -> str:
    """Unique across the pool and readable in a process list: host and process id."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}"


def heartbeat_dir() -> Path:
    return Path(settings.RUMBO_RUN_DIR) / "workers"


@dataclass(frozen=True, slots=True)
class Heartbeat:
    worker_id: str
    pid: int
    host: str
    started_at: float
    beat_at: float

    @property
    def age(self) -> float:
        return max(0.0, time.time() - self.beat_at)


def heartbeat_write(*, worker_id: str, started_at: float) -> None:
    """Written to a temporary name and renamed, so a reader never sees half a file."""
    folder = heartbeat_dir()
    folder.mkdir(parents=True, exist_ok=True)
    body = {
        "worker_id": worker_id,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": started_at,
        "beat_at": time.time(),
    }
    temporary = folder / f".{worker_id}.tmp"
    temporary.write_text(json.dumps(body))
    temporary.replace(folder / f"{worker_id}.json")


def heartbeat_remove(*, worker_id: str) -> None:
    (heartbeat_dir() / f"{worker_id}.json").unlink(missing_ok=True)


def heartbeats() -> list[Heartbeat]:
    """Every worker's last heartbeat, newest first (stale ones included)."""
    found: list[Heartbeat] = []
    folder = heartbeat_dir()
    if not folder.is_dir():
        return found
    for path in folder.glob("*.json"):
        try:
            data = json.loads(path.read_text())
            found.append(
                Heartbeat(
                    worker_id=str(data["worker_id"]),
                    pid=int(data["pid"]),
                    host=str(data["host"]),
                    started_at=float(data["started_at"]),
                    beat_at=float(data["beat_at"]),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(found, key=lambda beat: beat.beat_at, reverse=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def heartbeat_is_alive(beat: Heartbeat) -> bool:
    """Fresh, and — when it comes from this machine — its process still exists (a worker killed
    a second ago is dead, even though its last beat is recent)."""
    if beat.age > settings.RUMBO_WORKER_STALE_SECONDS:
        return False
    return beat.host != socket.gethostname() or _process_exists(beat.pid)


def heartbeats_prune() -> None:
    """Removes the heartbeats of workers that are gone: dead processes of this machine, and any
    heartbeat a day old."""
    for beat in heartbeats():
        dead_here = beat.host == socket.gethostname() and not _process_exists(beat.pid)
        if dead_here or beat.age > 24 * 3600:
            heartbeat_remove(worker_id=beat.worker_id)


def heartbeats_alive() -> list[Heartbeat]:
    return [beat for beat in heartbeats() if heartbeat_is_alive(beat)]


def memory_ceiling_apply(megabytes: int) -> None:
    """Caps the process's data segment (heap and private writable mappings), so that a file that
    slips past the upload checks fails its own job with MemoryError instead of taking the machine
    down. RLIMIT_DATA rather than RLIMIT_AS: the chart renderer reserves a large address space it
    never touches, which an address-space cap would refuse."""
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def jobs_orphaned_fail(*, alive: set[str]) -> int:
    """Marks failed every job left running by a worker that is no longer alive; their work ran
    in one transaction that never committed, so nothing of it was written. Returns how many."""
    orphans = Job.objects.filter(status=JobStatus.RUNNING).exclude(worker_id="").exclude(worker_id__in=alive)
    return orphans.update(
        status=JobStatus.FAILED,
        finished_at=timezone.now(),
        message=_(
            "The background process stopped while it was working on this; nothing was written. "
            "Start it again."
        ),
    )


def task_results_orphaned_fail(*, alive: set[str]) -> int:
    """The same for django-tasks-db's own rows, so that they do not stay "running" either."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    count = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if result.worker_ids and result.worker_ids[-1] not in alive:
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="rumbo.core.worker.WorkerStopped",
                traceback="The worker stopped while running this task.",
            )
            count += 1
    return count


# --- daily upkeep ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Upkeep:
    name: str
    task: str  # dotted path of a django-tasks task that takes no arguments
    time_setting: str  # setting holding "HH:MM" local time; empty = never
    offset_minutes: int = 0


UPKEEP = (
    Upkeep(name="backup", task="rumbo.core.tasks.backup_scheduled_task", time_setting="RUMBO_BACKUP_TIME"),
    Upkeep(
        name="generated_files_clean",
        task="rumbo.core.tasks.generated_files_clean_task",
        time_setting="RUMBO_BACKUP_TIME",
        offset_minutes=30,
    ),
)


def upkeep_slot(*, at: str, offset_minutes: int, now: datetime.datetime) -> datetime.datetime | None:
    """The most recent moment at or before `now` when the daily upkeep was due (local time)."""
    try:
        hours, minutes = (int(part) for part in at.strip().split(":", 1))
        due = datetime.time(hours, minutes)
    except ValueError:
        return None
    local = timezone.localtime(now)
    slot = local.replace(hour=due.hour, minute=due.minute, second=0, microsecond=0)
    slot += datetime.timedelta(minutes=offset_minutes)
    while slot > local:
        slot -= datetime.timedelta(days=1)
    return slot


def upkeep_enqueue_due(*, now: datetime.datetime | None = None) -> list[str]:
    """Enqueues each upkeep whose daily slot has passed since it was last enqueued. The claim is
    one conditional UPDATE, so two workers never enqueue the same slot twice."""
    now = now or timezone.now()
    enqueued: list[str] = []
    for item in UPKEEP:
        slot = upkeep_slot(
            at=getattr(settings, item.time_setting, ""), offset_minutes=item.offset_minutes, now=now
        )
        if slot is None:
            continue
        # a new installation starts counting from now: no backup of an empty database at once
        run, created = ScheduledRun.objects.get_or_create(name=item.name, defaults={"last_enqueued_at": now})
        if created:
            continue
        claimed = (
            ScheduledRun.objects.filter(pk=run.pk)
            .filter(Q(last_enqueued_at__lt=slot) | Q(last_enqueued_at=None))
            .update(last_enqueued_at=now)
        )
        if claimed:
            import_string(item.task).enqueue()
            enqueued.append(item.name)
    return enqueued


class WorkerLife(threading.Thread):
    """Beside the task loop: beats every BEAT_SECONDS, fails orphaned jobs, enqueues upkeep.
    A daemon thread with its own database connection, closed after every round."""

    def __init__(self, *, worker_id: str) -> None:
        super().__init__(name="rumbo-worker-life", daemon=True)
        self.worker_id = worker_id
        self.started_at = time.time()
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.round()
            self._stop_event.wait(BEAT_SECONDS)

    def round(self) -> None:
        try:
            heartbeat_write(worker_id=self.worker_id, started_at=self.started_at)
            heartbeats_prune()
        except OSError:
            logger.exception("could not write the worker heartbeat")
        try:
            close_old_connections()
            alive = {beat.worker_id for beat in heartbeats_alive()} | {self.worker_id}
            failed = jobs_orphaned_fail(alive=alive) + task_results_orphaned_fail(alive=alive)
            if failed:
                logger.warning("marked %s job(s) of stopped workers as failed", failed)
            for name in upkeep_enqueue_due():
                logger.info("enqueued the daily %s", name)
        except DatabaseError as exc:
            # the database may be locked by a long import or briefly away: next round
            logger.info("worker upkeep skipped this round: %s", exc)
        except Exception:
            # the heartbeat must go on whatever the upkeep does
            logger.exception("worker upkeep failed")
        finally:
            connection.close()


def worker_status() -> dict[str, Any]:
    """What /health/ says about the workers: ok when one beat within RUMBO_WORKER_STALE_SECONDS."""
    beats = heartbeats()
    alive = [beat for beat in beats if heartbeat_is_alive(beat)]
    newest = beats[0].age if beats else None
    return {
        "status": "ok" if alive else "down",
        "alive": len(alive),
        "last_heartbeat_seconds": round(newest, 1) if newest is not None else None,
    }
