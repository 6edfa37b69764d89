"""Crash safety: SIGKILL the worker while a 200,000-row import writes; nothing it wrote may
survive, and the job ends failed with a message.

The import runs as a job in a real worker process (`manage.py rumbo_worker`) against a database of
its own: a temporary SQLite file (WAL, as in production), or — when the suite runs on
PostgreSQL (DATABASE_URL) — a temporary database created on the same server and dropped after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]

SETUP = """
from rumbo.accounts.models import Entity, User
from rumbo.indicators.models import Indicator
from rumbo.plans.models import PlanType
from rumbo.plans.services import plan_create
root = User.objects.create(username="root", is_superuser=True, is_staff=True)
entity = Entity.objects.create(name="Municipalidad", kind="municipality", country="PE")
plan_type, _ = PlanType.objects.get_or_create(country="PE", code="PAT", defaults={"name": "PAT"})
plan = plan_create(actor=root, entity=entity, plan_type=plan_type, name="Plan")
Indicator.objects.bulk_create(
    [Indicator(plan=plan, code=f"I{i:02d}", name=f"Indicador {i}", periodicity="quarterly") for i in range(20)]
)
print(plan.pk)
"""


@pytest.fixture
def child_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """(env for the child processes, a function counting measurements with a fresh connection)."""
    url = os.environ.get("DATABASE_URL", "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "0",
        "RUMBO_VAR_DIR": str(tmp_path),
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"rumbo_kill_{uuid.uuid4().hex[:10]}"
        base = url.rsplit("/", 1)[0]
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"

        def count() -> int:
            with psycopg.connect(env["DATABASE_URL"]) as conn:
                row = conn.execute("SELECT count(*) FROM indicators_measurement").fetchone()
                return int(row[0]) if row else -1

        try:
            yield {"env": env, "count": count}
        finally:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        import sqlite3

        path = tmp_path / "kill.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"

        def count() -> int:
            conn = sqlite3.connect(path)
            try:
                return int(conn.execute("SELECT count(*) FROM indicators_measurement").fetchone()[0])
            finally:
                conn.close()

        yield {"env": env, "count": count}


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


ENQUEUE = """
from django.core.files.uploadedfile import SimpleUploadedFile
from rumbo.accounts.models import User
from rumbo.indicators.measurements.imports import measurement_import_confirm, measurement_import_upload
from rumbo.plans.models import Plan
root = User.objects.get(username="root")
with open(PATH, "rb") as handle:
    upload = SimpleUploadedFile("mediciones.csv", handle.read(), content_type="text/csv")
job = measurement_import_upload(actor=root, plan=Plan.objects.get(), uploaded_file=upload)
print(measurement_import_confirm(actor=root, job=job).pk)
"""


def _job_row(env: dict[str, str], job_id: int) -> tuple[str, int, int, str]:
    """(status, done, total, message) of the job, read with a fresh connection."""
    url = env["DATABASE_URL"]
    sql = "SELECT status, progress_done, progress_total, message FROM core_job WHERE id = %s"
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0.2)
        try:
            row = conn.execute(sql.replace("%s", "?"), (job_id,)).fetchone()
        except sqlite3.OperationalError:  # the writer holds the lock: nothing new to read
            return ("locked", -1, -1, "")
        finally:
            conn.close()
    else:
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute(sql, (job_id,)).fetchone()
    assert row is not None
    return (str(row[0]), int(row[1]), int(row[2]), str(row[3]))


def _uncommitted_bytes(env: dict[str, str]) -> int:
    """How much the writer has put on disk that is not committed: SQLite's write-ahead log, or
    the measurement table's size on PostgreSQL (rows inserted by an open transaction take room)."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite"):
        wal = Path(url.removeprefix("sqlite:///") + "-wal")
        return wal.stat().st_size if wal.exists() else 0
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_relation_size('indicators_measurement')").fetchone()
        return int(row[0]) if row else 0


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "rumbo_worker", "--interval", "0.2", "--memory-mb", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_killing_the_worker_in_the_middle_of_a_200000_row_import_fails_the_job_and_writes_nothing(
    child_database: dict[str, Any], tmp_path: Path
) -> None:
    env = {**child_database["env"], "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "LANGUAGE_CODE": "es"}
    count = child_database["count"]
    # given a migrated database with a plan of 20 quarterly indicators
    _manage(env, "migrate", "-v", "0")
    _manage(env, "shell", "-c", SETUP)
    # and a confirmed import job of a valid 200,000-row Spanish-Excel file, queued for the worker
    data = tmp_path / "mediciones.csv"
    with data.open("w", encoding="cp1252", newline="") as out:
        out.write("indicador;periodo;desagregacion;valor\r\n")
        for i in range(20):
            for q in range(40):
                for g in range(250):
                    out.write(f"I{i:02d};{2000 + q // 4}T{q % 4 + 1};grupo {g};{i * q},{g}\r\n")
    job_id = int(
        _manage(env, "shell", "-c", ENQUEUE.replace("PATH", repr(str(data)))).strip().splitlines()[-1]
    )
    # when the worker takes it, checks every row, starts writing in its transaction, and is killed
    worker = _worker(env)
    try:
        deadline = time.monotonic() + 180
        writing = False
        while time.monotonic() < deadline and worker.poll() is None:
            status, done, total, _message = _job_row(env, job_id)
            if status == "running" and total >= 200_000 and done == 0:
                writing = True  # the check pass is over: the write phase has begun
                break
            time.sleep(0.1)
        assert writing, (
            worker.stderr.read().decode()[-3000:] if worker.poll() is not None and worker.stderr else ""
        )
        # the log (SQLite) or the table (PostgreSQL) grows by the rows of the open transaction
        floor = _uncommitted_bytes(env) + 2_000_000
        while time.monotonic() < deadline and _uncommitted_bytes(env) < floor:
            time.sleep(0.05)
        assert _uncommitted_bytes(env) >= floor, "the worker never wrote inside its transaction"
        assert worker.poll() is None, "the import ended before it could be killed"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL
    # then not one measurement exists, seen from a fresh connection
    assert count() == 0
    # and the next worker marks the job failed with a message in Spanish
    again = _worker(env)
    try:
        deadline = time.monotonic() + 60
        status = message = ""
        while time.monotonic() < deadline:
            status, _done, _total, message = _job_row(env, job_id)
            if status == "failed":
                break
            time.sleep(0.2)
    finally:
        again.terminate()
        again.wait(timeout=30)
    assert status == "failed" and "se detuvo" in message and "no se escribió nada" in message, message
    assert count() == 0
