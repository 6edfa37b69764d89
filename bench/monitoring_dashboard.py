"""Benchmark: the monitoring dashboard of a plan of 2,000 nodes and 1,000 indicators with 40
quarters of approved measurements and targets, on SQLite (file, WAL).

Target (issue 3): dashboard page median ≤ 300 ms; SQL query count independent of the size of
the plan. Also prints the median of the progress API.

Run: `.venv/bin/python bench/monitoring_dashboard.py [--nodes 2000] [--indicators 1000]
[--quarters 40] [--runs 10]`. Prints its figures; exits 0 whatever they are. `run(...)` returns
them as a dict, for bench/monitoring.py.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LEVELS = ["Eje estratégico", "Objetivo estratégico", "Programa", "Proyecto / acción"]
TARGET_MS = 300.0


def _setup() -> None:
    """Django on a temporary SQLite file, unless the caller has already set Django up."""
    from django.apps import apps

    if not apps.ready:
        tmp = Path(tempfile.mkdtemp(prefix="rumbo-bench-monitoring-"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ["RUMBO_VAR_DIR"] = str(tmp)
        os.environ["DEBUG"] = "0"
        os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
        import django

        django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _tree_shape(total: int) -> list[int]:
    """Nodes per level for about `total` nodes in four levels (10 axes)."""
    axes = min(10, total)
    objectives = min(axes * 5, max(0, total - axes))
    programmes = min(objectives * 5, max(0, total - axes - objectives))
    return [axes, objectives, programmes, max(0, total - axes - objectives - programmes)]


def build_plan(
    *, user: Any, entity: Any, plan_type: Any, name: str, nodes: int, indicators: int, quarters: int
) -> Any:
    """A published plan with `nodes` nodes, `indicators` indicators on the deepest nodes, and
    `quarters` quarters of targets and approved values (about 5 % of values missing), by bulk inserts."""
    from django.db import transaction

    from rumbo.indicators.models import Evidence, Indicator, Measurement, Target
    from rumbo.indicators.periods import period_get_or_create
    from rumbo.plans.models import Node, PlanLevel
    from rumbo.plans.services import plan_create

    rng = random.Random(nodes * 7919 + indicators)
    plan = plan_create(actor=user, entity=entity, plan_type=plan_type, name=name, levels=LEVELS)
    plan.is_published = True
    plan.save(update_fields=["is_published"])
    levels = {lvl.depth: lvl for lvl in PlanLevel.objects.filter(plan=plan)}
    last_year = 2025
    first_year = last_year - (quarters + 3) // 4 + 1
    codes = [f"{y}T{q}" for y in range(first_year, last_year + 1) for q in range(1, 5)][-quarters:]
    periods = [period_get_or_create(code) for code in codes]
    with transaction.atomic():
        parents: list[Node] = []
        all_nodes: list[Node] = []
        for depth, count in enumerate(_tree_shape(nodes), start=1):
            if count == 0:
                break
            batch = []
            for i in range(count):
                parent = parents[i % len(parents)] if parents else None
                code = f"{parent.code}.{i // max(1, len(parents)) + 1}" if parent else f"E{i + 1}"
                batch.append(
                    Node(
                        plan=plan,
                        parent=parent,
                        depth=depth,
                        level=levels[depth],
                        code=code,
                        title=f"{LEVELS[depth - 1]} {code}",
                        position=i // max(1, len(parents)),
                        weight=Decimal(rng.choice(["1", "1", "2", "3", "0.5"])),
                    )
                )
            created = Node.objects.bulk_create(batch, batch_size=1000)
            for n in created:
                n.path = f"{n.parent.path if n.parent else '/'}{n.pk}/"
            Node.objects.bulk_update(created, ["path"], batch_size=1000)
            all_nodes.extend(created)
            parents = created
        leaves = parents
        anchors = leaves + [n for n in all_nodes if n.depth == 2]
        inds = Indicator.objects.bulk_create(
            [
                Indicator(
                    plan=plan,
                    node=anchors[i % len(anchors)],
                    code=f"IND{i + 1:05d}",
                    name=f"Indicador {i + 1}",
                    direction=("", "increasing", "decreasing", "increasing")[i % 4],
                    achievement_formula="gap_closed" if i % 5 == 0 else "ratio",
                    baseline_value=Decimal(100 if i % 4 == 2 else 20),
                    weight=Decimal(rng.choice(["1", "2"])),
                )
                for i in range(indicators)
            ],
            batch_size=1000,
        )
        targets: list[Target] = []
        values: list[Measurement] = []
        for ind in inds:
            falling = ind.baseline_value == 100
            for k, period in enumerate(periods):
                goal = 100 - k if falling else 20 + 2 * k
                targets.append(Target(indicator=ind, period=period, value=Decimal(goal)))
                if rng.random() < 0.95:
                    value = Decimal(goal) * Decimal(str(round(rng.uniform(0.5, 1.3), 3)))
                    values.append(
                        Measurement(
                            indicator=ind, period=period, value=value, status="approved", created_by=user
                        )
                    )
        Target.objects.bulk_create(targets, batch_size=5000)
        created_values = Measurement.objects.bulk_create(values, batch_size=5000)
        Evidence.objects.bulk_create(
            [
                Evidence(
                    measurement=m, kind="link", name="Acta de verificación", url="https://example.org/acta"
                )
                for m in created_values[::10]
            ],
            batch_size=5000,
        )
    return plan


def _median_ms(client: Any, url: str, runs: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), len(ctx.captured_queries), len(response.content)


def run(nodes: int = 2000, indicators: int = 1000, quarters: int = 40, runs: int = 10) -> dict[str, Any]:
    """Build the plans, time the dashboard and the API; return the figures."""
    _setup()
    from django.test import Client

    from rumbo.accounts.models import Entity, Membership, User
    from rumbo.plans.models import PlanType

    suffix = f"{time.time_ns()}"
    entity = Entity.objects.create(
        name=f"Municipalidad de referencia {suffix}", kind="municipality", country="PE"
    )
    user = User.objects.create_user(f"bench-monitoring-{suffix}", password="x")
    Membership.objects.create(user=user, entity=entity, role="planner")
    plan_type, _created = PlanType.objects.get_or_create(
        country="PE", code="PAT", defaults={"name": "Plan de Acondicionamiento Territorial"}
    )
    t = time.perf_counter()
    big = build_plan(
        user=user,
        entity=entity,
        plan_type=plan_type,
        name="Plan grande",
        nodes=nodes,
        indicators=indicators,
        quarters=quarters,
    )
    build_s = time.perf_counter() - t
    small = build_plan(
        user=user,
        entity=entity,
        plan_type=plan_type,
        name="Plan pequeño",
        nodes=max(1, nodes // 10),
        indicators=max(1, indicators // 10),
        quarters=quarters,
    )

    client = Client()
    client.force_login(user)
    page_ms, page_q, page_size = _median_ms(
        client, f"/seguimiento/planes/{big.pk}/tablero/?periodo=2025T4", runs
    )
    default_ms, _q, _size = _median_ms(client, f"/seguimiento/planes/{big.pk}/tablero/", runs)
    api_ms, api_q, api_size = _median_ms(client, f"/api/v1/plans/{big.pk}/progress?period=2025T4", runs)
    _ms, small_page_q, _size = _median_ms(
        client, f"/seguimiento/planes/{small.pk}/tablero/?periodo=2025T4", 2
    )
    _ms, small_api_q, _size = _median_ms(client, f"/api/v1/plans/{small.pk}/progress?period=2025T4", 2)
    return {
        "nodes": nodes,
        "indicators": indicators,
        "quarters": quarters,
        "runs": runs,
        "build_s": build_s,
        "dashboard_ms": page_ms,
        "dashboard_default_period_ms": default_ms,
        "dashboard_bytes": page_size,
        "api_ms": api_ms,
        "api_bytes": api_size,
        "queries_dashboard_small": small_page_q,
        "queries_dashboard_big": page_q,
        "queries_api_small": small_api_q,
        "queries_api_big": api_q,
        "small_nodes": max(1, nodes // 10),
        "target_ms": TARGET_MS,
    }


def report(figures: dict[str, Any]) -> str:
    def verdict(ok: bool) -> str:
        return "ok" if ok else "OVER TARGET"

    f = figures
    lines = [
        f"Rumbo monitoring-dashboard benchmark — SQLite file (WAL), {f['nodes']:,} nodes, {f['indicators']:,} "
        f"indicators, {f['quarters']} quarters, {f['runs']} runs, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}",
        f"{'measure':<48}{'value':>12}  target",
        f"{'building the data (bulk inserts)':<48}{f['build_s']:>10.1f} s",
        f"{'dashboard page median (?periodo=2025T4)':<48}{f['dashboard_ms']:>9.1f} ms  ≤ {TARGET_MS:.0f} ms   "
        f"{verdict(f['dashboard_ms'] <= TARGET_MS)}  ({f['dashboard_bytes']:,} bytes)",
        f"{'dashboard page median (default period)':<48}{f['dashboard_default_period_ms']:>9.1f} ms  ≤ "
        f"{TARGET_MS:.0f} ms   {verdict(f['dashboard_default_period_ms'] <= TARGET_MS)}",
        f"{'progress API median':<48}{f['api_ms']:>9.1f} ms  —          ({f['api_bytes']:,} bytes)",
        f"{'SQL queries, dashboard: ' + format(f['small_nodes'], ',') + ' vs ' + format(f['nodes'], ',') + ' nodes':<48}"
        f"{f['queries_dashboard_small']:>5} vs {f['queries_dashboard_big']:<4}  equal      "
        f"{verdict(f['queries_dashboard_small'] == f['queries_dashboard_big'])}",
        f"{'SQL queries, API: ' + format(f['small_nodes'], ',') + ' vs ' + format(f['nodes'], ',') + ' nodes':<48}"
        f"{f['queries_api_small']:>5} vs {f['queries_api_big']:<4}  equal      "
        f"{verdict(f['queries_api_small'] == f['queries_api_big'])}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    print(report(run(nodes=args.nodes, indicators=args.indicators, quarters=args.quarters, runs=args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
