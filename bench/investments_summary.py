"""Benchmark: the investment plan summary page for 5,000 projects on SQLite (file, WAL).

Each project serves one or two plan nodes (under 10 axes), lies in one or two of 50 territorial
units, and has one line per year of a 4-year plan (20,000 lines). Target (issue 5): median
≤ 200 ms through the Django test client; the SQL query count must not depend on the size.

Run: `.venv/bin/python bench/investments_summary.py [--projects 5000] [--runs 20]`.
Prints its figures; exits 0 whatever they are.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
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
from rumbo.investments.models import (  # noqa: E402
    FundingSource,
    InvestmentLine,
    InvestmentPlan,
    Project,
    ProjectStatus,
    Sector,
)
from rumbo.investments.reference import funding_sources_load  # noqa: E402
from rumbo.plans.models import Node, PlanType  # noqa: E402
from rumbo.plans.services import node_create, plan_create  # noqa: E402
from rumbo.territory.models import TerritorialUnit  # noqa: E402


def build(n_projects: int) -> tuple[User, InvestmentPlan]:
    call_command("migrate", verbosity=0)
    funding_sources_load()
    entity = Entity.objects.create(name="Municipalidad de referencia", kind="municipality", country="PE")
    user = User.objects.create_user("bench", password="x")
    Membership.objects.create(user=user, entity=entity, role="planner")
    plan_type = PlanType.objects.create(
        country="PE", code="PAT", name="Plan de Acondicionamiento Territorial"
    )
    plan = plan_create(actor=user, entity=entity, plan_type=plan_type, name="PAT")
    nodes: list[Node] = []
    for a in range(10):
        axis = node_create(actor=user, plan=plan, parent=None, code=f"E{a}", title=f"Eje {a}")
        nodes.append(axis)
        for o in range(5):
            nodes.append(
                node_create(actor=user, plan=plan, parent=axis, code=f"E{a}.{o}", title=f"Objetivo {a}.{o}")
            )
    units = TerritorialUnit.objects.bulk_create(
        [
            TerritorialUnit(country="PE", code=f"2201{i:02d}", name=f"Distrito {i}", kind="district")
            for i in range(50)
        ]
    )
    sectors = [s for s, _label in Sector.choices]
    projects = Project.objects.bulk_create(
        [
            Project(
                entity=entity,
                plan=plan,
                code=f"P-{i:05d}",
                title=f"Proyecto {i}",
                status=ProjectStatus.ACCEPTED,
                cost_total=Decimal("400000"),
                sector=sectors[i % len(sectors)],
            )
            for i in range(n_projects)
        ]
    )
    node_through = Project.nodes.through
    unit_through = Project.units.through
    node_rows, unit_rows = [], []
    for i, p in enumerate(projects):
        node_rows.append(node_through(project_id=p.pk, node_id=nodes[i % len(nodes)].pk))
        if i % 3 == 0:
            node_rows.append(node_through(project_id=p.pk, node_id=nodes[(i * 7 + 13) % len(nodes)].pk))
        unit_rows.append(unit_through(project_id=p.pk, territorialunit_id=units[i % 50].pk))
        if i % 4 == 0:
            unit_rows.append(unit_through(project_id=p.pk, territorialunit_id=units[(i + 17) % 50].pk))
    node_through.objects.bulk_create(node_rows, ignore_conflicts=True, batch_size=2000)
    unit_through.objects.bulk_create(unit_rows, ignore_conflicts=True, batch_size=2000)
    sources = list(FundingSource.objects.filter(country__in=["PE", "XX"]))
    investment_plan = InvestmentPlan.objects.create(
        entity=entity, plan=plan, kind="multiyear", title="Programa 2027–2030", year_start=2027, year_end=2030
    )
    InvestmentLine.objects.bulk_create(
        [
            InvestmentLine(
                investment_plan=investment_plan,
                project=p,
                year=2027 + y,
                source=sources[(i + y) % len(sources)],
                amount=Decimal("100000.00"),
            )
            for i, p in enumerate(projects)
            for y in range(4)
        ],
        batch_size=2000,
    )
    return user, investment_plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    t = time.perf_counter()
    user, investment_plan = build(args.projects)
    print(
        f"data: {args.projects} projects, {investment_plan.lines.count()} lines in {time.perf_counter() - t:.1f} s"
    )
    client = Client()
    client.force_login(user)
    url = f"/inversiones/planes-inversion/{investment_plan.pk}/resumen/"
    assert client.get(url).status_code == 200  # warm up
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    median = statistics.median(times)
    verdict = "OK" if median <= 200 else "OVER TARGET"
    print(
        f"summary page: median {median:.0f} ms over {args.runs} runs (target ≤ 200 ms: {verdict}); "
        f"{len(ctx.captured_queries)} SQL queries"
    )


if __name__ == "__main__":
    main()
