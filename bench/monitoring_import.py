"""Benchmark: bulk import of a 1,000,000-row measurement CSV (Spanish Excel conventions), against
the raw insert throughput of the same rows into the same database, measured in the same run.

Targets (issue 3): import throughput ≥ 50 % of the raw insert throughput; import peak memory
≤ 500 MB. The data: 1,000 quarterly indicators × 40 quarters × 25 districts (rows / 1,000
indicators for smaller runs), written as Windows-1252 with ";" and decimal commas.

Both measurements run in a child process each, so the peak RSS (ru_maxrss) is the import's own:
(a) raw — executemany of plain INSERTs of the prepared rows into the measurements table in one
transaction (rows built before the clock starts), then deleted; (b) import — the full
`measurement_import` (detect, check every row, write in one transaction).

Run: `.venv/bin/python bench/monitoring_import.py [--rows 1000000] [--database-url postgres://…]`
(SQLite file in a temporary directory by default). Prints its figures; exits 0 whatever they are.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _data import QUARTERS, UNITS, measurement_csv, measurement_value, measurement_world, quarters  # noqa: E402


def _setup_django(database_url: str, var_dir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DATABASE_URL"] = database_url
    os.environ["RUMBO_VAR_DIR"] = str(var_dir)
    os.environ["DEBUG"] = "0"
    import django

    django.setup()


def build_world(indicators: int) -> dict[str, Any]:
    """A superuser, an entity, a plan with a province of 25 districts, the indicators and periods."""
    from rumbo.accounts.models import User

    root = User.objects.create(username="bench-root", is_superuser=True, is_staff=True)
    return {"plan_id": measurement_world(root, indicators), "user": root.username}


def child_raw(plan_id: int, indicators: int) -> dict[str, Any]:
    """executemany of plain INSERTs of the prepared rows, one transaction; then deleted."""
    from django.db import connection, transaction

    from rumbo.accounts.models import User
    from rumbo.indicators.measurements.imports.writing import _INSERT_FIELDS, _Writer
    from rumbo.indicators.models import Indicator, Measurement, Period
    from rumbo.territory.models import TerritorialUnit

    user = User.objects.get(username="bench-root")
    writer = _Writer(actor=user, job_id=None)
    ind = dict(Indicator.objects.filter(plan_id=plan_id).values_list("code", "pk"))
    units = dict(TerritorialUnit.objects.filter(code__startswith="BENCH01").values_list("code", "pk"))
    periods = dict(Period.objects.values_list("code", "pk"))
    stamp = writer.stamp
    pg = connection.vendor == "postgresql"
    rows = []
    from decimal import Decimal

    from rumbo.core.numbers import number_text_normalise

    for i in range(indicators):
        for q, period in enumerate(quarters(QUARTERS)):
            for u in range(UNITS):
                value = Decimal(number_text_normalise(measurement_value(i, q, u)))
                rows.append(
                    (
                        ind[f"IND-{i:04d}"],
                        units[f"BENCH01{u:02d}"],
                        periods[period],
                        "",
                        value if pg else str(value),
                        "",
                        "submitted",
                        1,
                        True if pg else 1,
                        "",
                        "",
                        user.pk,
                        stamp,
                        user.pk,
                        stamp,
                        None,
                    )
                )
    assert len(_INSERT_FIELDS) == len(rows[0])
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(writer.insert_sql, rows[start : start + 5000])
    seconds = time.perf_counter() - started
    count = len(rows)
    del rows
    table = connection.ops.quote_name(Measurement._meta.db_table)
    with connection.cursor() as cursor:
        # Leave the table as it was (no free pages, no bloat) so the import starts from the same state.
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"rows": count, "seconds": seconds, "peak_rss_mb": _peak_mb()}


def child_import(plan_id: int, csv_path: Path) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from rumbo.indicators.measurements.imports import measurement_import
    from rumbo.indicators.models import Measurement
    from rumbo.plans.models import Plan

    user = get_user_model().objects.get(username="bench-root")
    plan = Plan.objects.select_related("entity").get(pk=plan_id)
    marks: dict[str, float] = {}

    def progress(phase: str, done: int, total: int) -> None:
        marks.setdefault(phase, time.perf_counter())

    started = time.perf_counter()
    result = measurement_import(
        progress=progress,
        actor=user,
        plan=plan,
        opener=lambda: csv_path.open("rb"),
        filename=csv_path.name,
        size=csv_path.stat().st_size,
    )
    seconds = time.perf_counter() - started
    stored = Measurement.objects.filter(indicator__plan=plan).count()
    return {
        "rows": result.rows,
        "created": result.created,
        "stored": stored,
        "seconds": seconds,
        "check_seconds": marks.get("write", started) - started,
        "peak_rss_mb": _peak_mb(),
    }


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _child(mode: str, args: dict[str, Any], database_url: str, var_dir: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RUMBO_VAR_DIR": str(var_dir),
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--child-args",
            json.dumps(args),
            "--database-url",
            database_url,
            "--var-dir",
            str(var_dir),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(rows: int = 1_000_000, database_url: str | None = None) -> dict[str, Any]:
    """Build the data, measure the raw insert and the import in child processes; the figures."""
    tmp = Path(tempfile.mkdtemp(prefix="rumbo-bench-monitoring-"))
    try:
        url = database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        indicators = max(1, rows // (QUARTERS * UNITS))
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "RUMBO_VAR_DIR": str(tmp),
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        world = _child("setup", {"indicators": indicators}, url, tmp)
        csv_path = tmp / "mediciones.csv"
        t0 = time.perf_counter()
        total = measurement_csv(csv_path, indicators)
        gen_seconds = time.perf_counter() - t0
        raw = _child("raw", {"plan_id": world["plan_id"], "indicators": indicators}, url, tmp)
        imp = _child("import", {"plan_id": world["plan_id"], "csv": str(csv_path)}, url, tmp)
        file_mb = round(csv_path.stat().st_size / 1e6, 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    raw_rate = raw["rows"] / raw["seconds"]
    imp_rate = imp["rows"] / imp["seconds"]
    return {
        "database": url.split(":", 1)[0],
        "rows": total,
        "file_mb": file_mb,
        "file_build_seconds": round(gen_seconds, 1),
        "raw_seconds": round(raw["seconds"], 2),
        "raw_rows_per_second": round(raw_rate),
        "import_seconds": round(imp["seconds"], 2),
        "import_rows_per_second": round(imp_rate),
        "import_check_pass_seconds": round(imp["check_seconds"], 2),
        "import_stored_rows": imp["stored"],
        "ratio_import_to_raw": round(imp_rate / raw_rate, 3),
        "import_peak_rss_mb": imp["peak_rss_mb"],
        "raw_peak_rss_mb": raw["peak_rss_mb"],
        "target_ratio": 0.5,
        "target_peak_rss_mb": 500,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-args", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--var-dir", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _setup_django(args.database_url, Path(args.var_dir))
        params = json.loads(args.child_args)
        if args.child == "setup":
            out = build_world(params["indicators"])
        elif args.child == "raw":
            out = child_raw(params["plan_id"], params["indicators"])
        else:
            out = child_import(params["plan_id"], Path(params["csv"]))
        print(json.dumps(out))
        return
    figures = run(rows=args.rows, database_url=args.database_url)
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    ok_ratio = figures["ratio_import_to_raw"] >= 0.5
    ok_mem = figures["import_peak_rss_mb"] <= 500
    print(
        f"import ≥ 50 % of raw: {'yes' if ok_ratio else 'NO'}; peak memory ≤ 500 MB: {'yes' if ok_mem else 'NO'}"
    )


if __name__ == "__main__":
    main()
