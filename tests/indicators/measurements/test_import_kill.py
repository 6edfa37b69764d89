"""Crash safety: SIGKILL the import worker while it writes; nothing it wrote may survive.

The import runs in a separate process (`manage.py import_measurements`) against a database of
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


def test_killing_the_import_worker_mid_way_leaves_no_partial_data(
    child_database: dict[str, Any], tmp_path: Path
) -> None:
    env, count = child_database["env"], child_database["count"]
    # given a migrated database with a plan of 20 quarterly indicators
    _manage(env, "migrate", "-v", "0")
    plan_id = int(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    # and a valid Spanish-Excel file of 40,000 rows
    data = tmp_path / "mediciones.csv"
    with data.open("w", encoding="cp1252", newline="") as out:
        out.write("indicador;periodo;desagregacion;valor\r\n")
        for i in range(20):
            for q in range(40):
                for g in range(50):
                    out.write(f"I{i:02d};{2000 + q // 4}T{q % 4 + 1};grupo {g};{i * q},{g}\r\n")
    progress = tmp_path / "written.txt"
    # when the import runs in its own process and is killed after it wrote some chunks
    child = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "import_measurements",
            "--plan",
            str(plan_id),
            "--file",
            str(data),
            "--user",
            "root",
            "--chunk-rows",
            "1000",
            "--progress-file",
            str(progress),
            "--pause",
            "0.2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        written = 0
        while time.monotonic() < deadline and child.poll() is None:
            if progress.exists() and progress.read_text().strip():
                written = int(progress.read_text())
                if written >= 2000:
                    break
            time.sleep(0.05)
        assert child.poll() is None, child.stderr.read().decode()[-3000:] if child.stderr else ""
        assert written >= 2000, "the child never wrote inside its transaction"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    # then, seen from a fresh connection, not one measurement exists
    assert child.returncode == -signal.SIGKILL
    assert count() == 0
