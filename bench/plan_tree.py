"""Benchmark: a plan of 10,000 nodes on SQLite (file, WAL) — tree page, tree API, query counts,
and the import of a 10,000-row plan file.

Targets (issue 2): tree page and tree API medians ≤ 150 ms each on a 2-core machine; SQL query
count independent of the number of nodes; 10,000-row import ≤ 5 s.

Run: `make bench` or `.venv/bin/python bench/plan_tree.py [--nodes 10000] [--runs 20]`.
Prints its figures; exits 0 whatever they are (the numbers are for people to read).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="rumbo-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["RUMBO_VAR_DIR"] = str(TMP)
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from rumbo.accounts.models import Entity, Membership, User  # noqa: E402
from rumbo.plans.exports import plan_export_csv  # noqa: E402
from rumbo.plans.imports import plan_import  # noqa: E402
from rumbo.plans.models import Node, PlanType  # noqa: E402
from rumbo.plans.services import plan_create  # noqa: E402


def build_rows(total: int) -> list[tuple[str, str, str | None, int]]:
    """(code, title, parent_code, depth) for a 4-level tree of about `total` nodes."""
    axes = 10
    per = max(1, round(((total - axes) / axes) ** (1 / 3)))
    rows: list[tuple[str, str, str | None, int]] = []
    for a in range(1, axes + 1):
        ac = f"E{a}"
        rows.append((ac, f"Eje estratégico {a}", None, 1))
        for o in range(1, per + 1):
            oc = f"{ac}.O{o}"
            rows.append((oc, f"Objetivo {a}.{o} de ordenamiento", ac, 2))
            for p in range(1, per + 1):
                pc = f"{oc}.P{p}"
                rows.append((pc, f"Programa {a}.{o}.{p}", oc, 3))
                for j in range(1, per + 1):
                    rows.append((f"{pc}.{j}", f"Proyecto {a}.{o}.{p}.{j} — mejoramiento de vías", pc, 4))
    return rows[:total]


LEVELS = ["Eje estratégico", "Objetivo estratégico", "Programa", "Proyecto / acción"]


def csv_bytes(rows: list[tuple[str, str, str | None, int]]) -> bytes:
    lines = ["codigo;nivel;titulo;codigo_padre;peso;responsable;plazo"]
    terms = ["corto", "mediano", "largo"]
    for i, (code, title, parent, depth) in enumerate(rows):
        lines.append(
            f"{code};{LEVELS[depth - 1]};{title};{parent or ''};0,5;Gerencia de Planeamiento;{terms[i % 3]}"
        )
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def median_ms(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    client.get(url)  # warm up
    times = []
    size = 0
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), len(ctx.captured_queries), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    entity = Entity.objects.create(name="Municipalidad de referencia", kind="municipality", country="PE")
    user = User.objects.create_user("bench", password="x")
    Membership.objects.create(user=user, entity=entity, role="planner")
    plan_type = PlanType.objects.create(
        country="PE", code="PAT", name="Plan de Acondicionamiento Territorial"
    )

    rows = build_rows(args.nodes)
    data = csv_bytes(rows)
    big = plan_create(actor=user, entity=entity, plan_type=plan_type, name="Plan grande", levels=LEVELS)
    t = time.perf_counter()
    result = plan_import(actor=user, plan=big, data=data, filename="plan.csv")
    import_s = time.perf_counter() - t
    assert Node.objects.filter(plan=big).count() == len(rows), result

    small = plan_create(actor=user, entity=entity, plan_type=plan_type, name="Plan pequeño", levels=LEVELS)
    plan_import(actor=user, plan=small, data=csv_bytes(build_rows(100)), filename="small.csv")

    t = time.perf_counter()
    exported = plan_export_csv(plan=big)
    export_s = time.perf_counter() - t

    client = Client()
    client.force_login(user)
    page_ms, page_q, page_size = median_ms(client, f"/planes/{big.pk}/", args.runs)
    api_ms, api_q, api_size = median_ms(client, f"/api/v1/plans/{big.pk}/tree", args.runs)
    _, small_page_q, _ = median_ms(client, f"/planes/{small.pk}/", 2)
    _, small_api_q, _ = median_ms(client, f"/api/v1/plans/{small.pk}/tree", 2)

    def verdict(ok: bool) -> str:
        return "ok" if ok else "OVER TARGET"

    print(
        f"Rumbo plan-tree benchmark — SQLite file (WAL), {len(rows):,} nodes, {args.runs} runs, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    print(f"{'measure':<44}{'value':>14}  target")
    print(
        f"{'import of a ' + format(len(rows), ',') + '-row CSV':<44}{import_s:>12.2f} s  ≤ 5 s      {verdict(import_s <= 5)}"
    )
    print(f"{'export of the same plan as CSV':<44}{export_s:>12.2f} s  —          ({len(exported):,} bytes)")
    print(
        f"{'tree page median (planner, edit controls)':<44}{page_ms:>11.1f} ms  ≤ 150 ms   {verdict(page_ms <= 150)}  ({page_size:,} bytes)"
    )
    print(
        f"{'tree API median':<44}{api_ms:>11.1f} ms  ≤ 150 ms   {verdict(api_ms <= 150)}  ({api_size:,} bytes)"
    )
    print(
        f"{'SQL queries, tree page: 100 vs ' + format(len(rows), ',') + ' nodes':<44}{small_page_q:>6} vs {page_q:<5}  equal      {verdict(small_page_q == page_q)}"
    )
    print(
        f"{'SQL queries, tree API: 100 vs ' + format(len(rows), ',') + ' nodes':<44}{small_api_q:>6} vs {api_q:<5}  equal      {verdict(small_api_q == api_q)}"
    )


if __name__ == "__main__":
    main()
