"""Benchmark: the three imports (measurements, budget execution, plan structure) on the code of
this checkout and on the code of an earlier commit, in the same run, on the same machine.

Each import runs in a child process of its own against a fresh SQLite file (production PRAGMAs)
or a fresh PostgreSQL database, so its peak memory (ru_maxrss) is its own. The measurement
import is also measured against the raw-insert floor of the same rows (plain INSERTs in one
transaction, prepared before the clock starts).

Targets (issue 11): no import slower than before; the measurement import ≥ 50 % of the raw
inserts; peak memory for 1,000,000 measurement rows ≤ 500 MB.

    .venv/bin/python bench/imports.py --before ff8bf9e        # default sizes: 1 M / 50 k / 10 k rows
    .venv/bin/python bench/imports.py --before ff8bf9e --measurement-rows 200000
    .venv/bin/python bench/imports.py                         # this checkout only

`--before REV` checks REV out as a temporary git worktree (deleted after). The earlier code is
called through the functions both versions have: measurement_import, execution_import with a
mapping, plan_import. Prints its figures; exits 0 whatever they are.
"""

from __future__ import annotations

import argparse
import io
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _data  # noqa: E402  (bench/_data.py, the generated data the import benchmarks share)
from _data import QUARTERS, UNITS, measurement_value, quarters  # noqa: E402

ROOT = HERE.parent
PERIODS = 8  # execution: projects × 8 quarters


# --- the child: one import on one code tree ----------------------------------------------------------


def _setup(code: Path) -> None:
    sys.path.insert(0, str(code))
    os.chdir(code)
    import django

    django.setup()


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _root_user() -> Any:
    from rumbo.accounts.models import User

    return User.objects.get_or_create(
        username="bench-root", defaults={"is_superuser": True, "is_staff": True}
    )[0]


def measurement_world(rows: int) -> dict[str, Any]:
    indicators = max(1, rows // (QUARTERS * UNITS))
    return {"plan_id": _data.measurement_world(_root_user(), indicators), "indicators": indicators}


def measurement_raw(plan_id: int, indicators: int) -> dict[str, Any]:
    """The floor: plain INSERTs of the prepared rows in one transaction (this checkout's SQL), then deleted."""
    from decimal import Decimal

    from django.db import connection, transaction

    from rumbo.core.numbers import decimal_from_text
    from rumbo.indicators.measurements.imports.writing import _INSERT_FIELDS, _Writer
    from rumbo.indicators.models import Indicator, Measurement, Period
    from rumbo.territory.models import TerritorialUnit

    user = _root_user()
    writer = _Writer(actor=user, job_id=None)
    ind = dict(Indicator.objects.filter(plan_id=plan_id).values_list("code", "pk"))
    units = dict(TerritorialUnit.objects.filter(code__startswith="BENCH01").values_list("code", "pk"))
    periods = dict(Period.objects.values_list("code", "pk"))
    pg = connection.vendor == "postgresql"
    rows = []
    for i in range(indicators):
        for q, period in enumerate(quarters(QUARTERS)):
            for u in range(UNITS):
                value: Decimal = decimal_from_text(measurement_value(i, q, u))
                rows.append(
                    (ind[f"IND-{i:04d}"], units[f"BENCH01{u:02d}"], periods[period], "", value if pg else str(value), "",
                     "submitted", 1, True if pg else 1, "", "", user.pk, writer.stamp, user.pk, writer.stamp, None)
                )  # fmt: skip
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
        if pg:
            cursor.execute(f"TRUNCATE {table} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"rows": count, "seconds": seconds, "peak_rss_mb": _peak_mb()}


def measurement_run(plan_id: int, path: Path) -> dict[str, Any]:
    from rumbo.indicators.measurements.imports import measurement_import
    from rumbo.plans.models import Plan

    plan = Plan.objects.select_related("entity").get(pk=plan_id)
    started = time.perf_counter()
    result = measurement_import(
        actor=_root_user(),
        plan=plan,
        opener=lambda: path.open("rb"),
        filename=path.name,
        size=path.stat().st_size,
    )
    return {"rows": result.rows, "seconds": time.perf_counter() - started, "peak_rss_mb": _peak_mb()}


EXECUTION_MAPPING = {
    "project_code": "Código CUI",
    "period": "Periodo",
    "programmed": "PIM",
    "committed": "Comprometido",
    "paid": "Girado",
    "physical_actual": "Avance físico %",
    "note": "Observación",
}


def execution_world(rows: int) -> dict[str, Any]:
    from rumbo.accounts.models import Entity
    from rumbo.investments.models import Project

    entity = Entity.objects.create(name="Municipalidad de prueba", kind="municipality", country="PE")
    projects = max(1, rows // PERIODS)
    Project.objects.bulk_create(
        [
            Project(entity=entity, code=f"P-{p:06d}", national_code=f"{2000000 + p}", title=f"Proyecto {p}")
            for p in range(projects)
        ]
    )
    return {"entity_id": entity.pk, "projects": projects}


def execution_file(path: Path, projects: int) -> int:
    rows = 0
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write(";".join(EXECUTION_MAPPING.values()) + "\r\n")
        for p in range(projects):
            block = []
            for q, period in enumerate(quarters(PERIODS, 2024)):
                programmed = 1_000_000 + p * 13 + q
                committed, paid = programmed * 8 // 10, programmed * 6 // 10
                progress = min(100, 10 * (q + 1))
                amounts = [f"{n:_}".replace("_", ".") for n in (programmed, committed, paid)]
                block.append(
                    f"{2000000 + p};{period};{amounts[0]},50;{amounts[1]},00;{amounts[2]};{progress},5;\r\n"
                )
            out.write("".join(block))
            rows += len(block)
    return rows


def execution_run(entity_id: int, path: Path) -> dict[str, Any]:
    from rumbo.accounts.models import Entity
    from rumbo.investments.execution.imports import execution_import

    started = time.perf_counter()
    result = execution_import(
        actor=_root_user(),
        entity=Entity.objects.get(pk=entity_id),
        opener=lambda: path.open("rb"),
        filename=path.name,
        size=path.stat().st_size,
        mapping=EXECUTION_MAPPING,
    )
    return {"rows": result.rows, "seconds": time.perf_counter() - started, "peak_rss_mb": _peak_mb()}


def plan_world(rows: int) -> dict[str, Any]:
    from rumbo.accounts.models import Entity
    from rumbo.plans.models import PlanType
    from rumbo.plans.services import plan_create
    from rumbo.territory.models import TerritorialUnit

    entity = Entity.objects.create(name="Moyobamba", kind="municipality", country="PE")
    for code in ("220101", "220102"):
        TerritorialUnit.objects.get_or_create(
            country="PE", code=code, defaults={"name": code, "kind": "district"}
        )
    plan_type, _ = PlanType.objects.get_or_create(country="PE", code="PAT", defaults={"name": "PAT"})
    plans = {}
    for fmt in ("csv", "xlsx"):
        plans[fmt] = plan_create(
            actor=_root_user(), entity=entity, plan_type=plan_type, name=f"Plan {fmt}"
        ).pk
    return {"plans": plans}


def plan_file(path: Path, rows: int, fmt: str) -> int:
    lines = _data.plan_lines(rows)
    if fmt == "csv":
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("nodos")
        for line in lines:
            ws.append(line.split(";"))
        buffer = io.BytesIO()
        wb.save(buffer)
        path.write_bytes(buffer.getvalue())
    return rows


def plan_run(plan_id: int, path: Path) -> dict[str, Any]:
    from rumbo.plans.imports import plan_import
    from rumbo.plans.models import Plan

    plan = Plan.objects.select_related("entity").get(pk=plan_id)
    data = path.read_bytes()
    started = time.perf_counter()
    result = plan_import(actor=_root_user(), plan=plan, data=data, filename=path.name)
    return {"rows": result.created, "seconds": time.perf_counter() - started, "peak_rss_mb": _peak_mb()}


def child(step: str, params: dict[str, Any]) -> dict[str, Any]:
    if step == "measurement_world":
        return measurement_world(params["rows"])
    if step == "measurement_raw":
        return measurement_raw(params["plan_id"], params["indicators"])
    if step == "measurement_run":
        return measurement_run(params["plan_id"], Path(params["file"]))
    if step == "execution_world":
        return execution_world(params["rows"])
    if step == "execution_run":
        return execution_run(params["entity_id"], Path(params["file"]))
    if step == "plan_world":
        return plan_world(params["rows"])
    if step == "plan_run":
        return plan_run(params["plan_id"], Path(params["file"]))
    raise ValueError(step)


# --- the parent: worlds, files, and the runs before and after ---------------------------------------


class Database:
    """A fresh database for one import on one code tree: a SQLite file, or a PostgreSQL database."""

    def __init__(self, tmp: Path, server_url: str | None, name: str) -> None:
        self.server_url = server_url
        self.name = f"rumbo_bench_{name}_{os.getpid()}"
        self.url = (
            f"{server_url.rsplit('/', 1)[0]}/{self.name}"
            if server_url
            else f"sqlite:///{tmp / (name + '.sqlite3')}"
        )
        if server_url:
            import psycopg

            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                admin.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.server_url:
            import psycopg

            with psycopg.connect(self.server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _env(url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "RUMBO_VAR_DIR": str(var_dir),
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }


def _child(code: Path, step: str, params: dict[str, Any], url: str, var_dir: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, "--params", json.dumps(params), "--code", str(code)],
        cwd=code,
        env=_env(url, var_dir),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{step} on {code}: {done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _migrate(code: Path, url: str, var_dir: Path) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=code, env=_env(url, var_dir), check=True
    )


def _case(
    code: Path, label: str, tmp: Path, server: str | None, kind: str, rows: int
) -> list[dict[str, Any]]:
    """The figures of one import on one code tree (plans: CSV and XLSX)."""
    db = Database(tmp, server, f"{kind}_{label}")
    var = tmp / f"var-{kind}-{label}"
    var.mkdir()
    out: list[dict[str, Any]] = []
    try:
        _migrate(code, db.url, var)
        world = _child(code, f"{kind}_world", {"rows": rows}, db.url, var)
        if kind == "measurement":
            path = tmp / f"mediciones-{label}.csv"
            count = _data.measurement_csv(path, world["indicators"])
            raw = _child(ROOT, "measurement_raw", world, db.url, var) if label == "after" else None
            run = _child(
                code, "measurement_run", {"plan_id": world["plan_id"], "file": str(path)}, db.url, var
            )
            out.append({"import": "measurements (CSV)", "rows": count, **run, "raw": raw})
        elif kind == "execution":
            path = tmp / f"ejecucion-{label}.csv"
            count = execution_file(path, world["projects"])
            run = _child(
                code, "execution_run", {"entity_id": world["entity_id"], "file": str(path)}, db.url, var
            )
            out.append({"import": "budget execution (CSV)", "rows": count, **run})
        else:
            for fmt, plan_id in world["plans"].items():
                path = tmp / f"plan-{label}.{fmt}"
                plan_file(path, rows, fmt)
                run = _child(code, "plan_run", {"plan_id": plan_id, "file": str(path)}, db.url, var)
                out.append({"import": f"plan structure ({fmt.upper()})", **run})
    finally:
        db.drop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--before", default="", help="an earlier commit to compare with")
    parser.add_argument("--measurement-rows", type=int, default=1_000_000)
    parser.add_argument("--execution-rows", type=int, default=50_000)
    parser.add_argument("--plan-rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to create databases on")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--code", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _setup(Path(args.code))
        print(json.dumps(child(args.child, json.loads(args.params))))
        return

    tmp = Path(tempfile.mkdtemp(prefix="rumbo-bench-imports-"))
    trees = [("after", ROOT)]
    try:
        if args.before:
            before = tmp / "before"
            subprocess.run(
                ["git", "worktree", "add", "--detach", "-q", str(before), args.before], cwd=ROOT, check=True
            )
            trees.insert(0, ("before", before))
        sizes = {
            "measurement": args.measurement_rows,
            "execution": args.execution_rows,
            "plan": args.plan_rows,
        }
        results: dict[str, dict[str, dict[str, Any]]] = {}
        for kind, rows in sizes.items():
            for label, code in trees:  # before, then after, one import at a time
                for figure in _case(code, label, tmp, args.database_url, kind, rows):
                    results.setdefault(figure["import"], {})[label] = figure
    finally:
        if args.before:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tmp / "before")], cwd=ROOT, check=False
            )
        shutil.rmtree(tmp, ignore_errors=True)

    database = "postgresql" if args.database_url else "sqlite"
    print(f"database: {database}; before: {args.before or '—'}; after: this checkout")
    print(
        f"{'import':<26} {'rows':>9} {'before rows/s':>14} {'after rows/s':>13} {'after/before':>12} {'before MB':>10} {'after MB':>9}"
    )
    for name, runs in results.items():
        after = runs["after"]
        rate_after = after["rows"] / after["seconds"]
        b = runs.get("before")
        rate_before = b["rows"] / b["seconds"] if b else None
        ratio = f"{rate_after / rate_before:.2f}" if rate_before else "—"
        print(
            f"{name:<26} {after['rows']:>9} {(rate_before and round(rate_before)) or '—':>14} {round(rate_after):>13} "
            f"{ratio:>12} {b['peak_rss_mb'] if b else '—':>10} {after['peak_rss_mb']:>9}"
        )
        if after.get("raw"):
            raw = after["raw"]
            raw_rate = raw["rows"] / raw["seconds"]
            print(
                f"{'  raw inserts (floor)':<26} {raw['rows']:>9} {'':>14} {round(raw_rate):>13}   "
                f"import/raw {rate_after / raw_rate:.2f} (target ≥ 0.50); import peak {after['peak_rss_mb']} MB (target ≤ 500)"
            )


if __name__ == "__main__":
    main()
