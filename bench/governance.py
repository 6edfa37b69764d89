"""Benchmark: the agreements register and the overdue-agreements panel of a plan with 200 bodies,
5,000 meetings and 50,000 agreements, on a fresh SQLite file with the production PRAGMAs (WAL,
synchronous=NORMAL, IMMEDIATE transactions) or a fresh database on a PostgreSQL server.

The data (bulk inserts, fixed seed): about 15 members per body (external members with an
organisation and a sector, and people with an account), meetings over four years past and one
ahead (held, convened, a few cancelled), about a dozen agreements per held meeting, due before
and after today, most of those past due done or dropped and a few thousand still open (overdue);
one agreement in three concerns one or two plan nodes. A second plan of a tenth of the size
(20 bodies, 500 meetings, 5,000 agreements) in the same database shows whether the number of
SQL queries depends on the size.

Measured through Django's test Client, logged in as a planner of the entity, after 3 warm-ups
over 30 requests: the register `/gobernanza/planes/<id>/acuerdos/` (first page, and
`?estado=overdue`); the panel alone, `agreements_dashboard_panel(request, plan, period)` called
with a RequestFactory request (the user's access map computed beforehand, as the dashboard view
has done by then); and, for context, the plan dashboard `/seguimiento/planes/<id>/tablero/`
that renders it among the other panels (the plan has no indicators: mostly the panels).

Targets (issue): median ≤ 200 ms for the register and the panel; the SQL query count of each
the same at both sizes.

Run: `.venv/bin/python bench/governance.py [--database-url postgres://…] [--agreements 50000]
[--runs 30]`. With `--database-url` (a server URL) a fresh database is created on that server
and dropped at the end. Prints its figures; exits 0 whatever they are.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_MS = 200.0
WARMUPS = 3
LEVELS = ["Eje estratégico", "Objetivo estratégico", "Programa"]
ORGANISATIONS = [
    ("Cámara de Comercio", "private"),
    ("Universidad Nacional", "academia"),
    ("Colegio de Arquitectos", "professional"),
    ("Junta Vecinal", "civil_society"),
    ("Empresa de Agua Potable", "utilities"),
    ("Gobierno Regional", "public"),
    ("Parroquia San Juan", "church"),
    ("Cooperación Alemana", "international"),
]
OFFICES = [
    "Gerencia de Planeamiento",
    "Gerencia de Desarrollo Urbano",
    "Subgerencia de Catastro",
    "Gerencia de Medio Ambiente",
    "Oficina de Participación Vecinal",
]


# --- the database ------------------------------------------------------------------------------------


class Database:
    """A fresh SQLite file (production PRAGMAs come from config.settings.base) or PostgreSQL database."""

    def __init__(self, tmp: Path, server_url: str | None) -> None:
        self.server_url = server_url
        self.name = f"rumbo_bench_governance_{os.getpid()}"
        if server_url:
            import psycopg

            self.url = f"{server_url.rsplit('/', 1)[0]}/{self.name}"
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                admin.execute(f'CREATE DATABASE "{self.name}"')
        else:
            self.url = f"sqlite:///{tmp / 'bench.sqlite3'}"

    def drop(self) -> None:
        if self.server_url:
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(self.server_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _setup(url: str, var_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DATABASE_URL"] = url
    os.environ["RUMBO_VAR_DIR"] = str(var_dir)
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    (var_dir / "static").mkdir(exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the data ----------------------------------------------------------------------------------------


def _nodes(plan: Any) -> list[Any]:
    """10 axes × 5 objectives × 4 programmes (260 nodes)."""
    from rumbo.plans.models import Node, PlanLevel

    levels = {lvl.depth: lvl for lvl in PlanLevel.objects.filter(plan=plan)}
    parents: list[Any] = []
    every: list[Any] = []
    for depth, per_parent in enumerate([10, 5, 4], start=1):
        batch = []
        for parent in parents or [None]:
            for i in range(per_parent):
                code = f"{parent.code}.{i + 1}" if parent else f"E{i + 1}"
                batch.append(
                    Node(
                        plan=plan,
                        parent=parent,
                        depth=depth,
                        level=levels[depth],
                        code=code,
                        title=f"{LEVELS[depth - 1]} {code}",
                        position=i,
                        weight=Decimal("1"),
                    )
                )
        created = Node.objects.bulk_create(batch, batch_size=1000)
        for n in created:
            n.path = f"{n.parent.path if n.parent else '/'}{n.pk}/"
        Node.objects.bulk_update(created, ["path"], batch_size=1000)
        every.extend(created)
        parents = created
    return every


def build_plan(
    *, entity: Any, plan_type: Any, actor: Any, staff: list[Any], name: str, bodies: int, meetings: int,
    agreements: int, seed: int,
) -> tuple[Any, dict[str, int]]:  # fmt: skip
    """A plan with its bodies, members, meetings and agreements, by bulk inserts; (the plan, its counts)."""
    from django.db import transaction
    from django.utils import timezone

    from rumbo.governance.models import (
        Agreement,
        AgreementStatus,
        Body,
        BodyKind,
        BodyMember,
        Meeting,
        MeetingStatus,
        MemberRole,
    )
    from rumbo.plans.services import plan_create

    open_statuses = (AgreementStatus.PENDING, AgreementStatus.IN_PROGRESS)
    later_statuses = ("pending", "in_progress", "in_progress", "done")  # not due yet
    rng = random.Random(seed)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    kinds = [k for k, _label in BodyKind.choices]
    plan = plan_create(actor=actor, entity=entity, plan_type=plan_type, name=name, levels=LEVELS)
    with transaction.atomic():
        nodes = _nodes(plan)
        body_rows = Body.objects.bulk_create(
            [
                Body(
                    entity=entity,
                    plan=None if b % 20 == 19 else plan,  # one in twenty serves all the entity's plans
                    kind=kinds[b % len(kinds)],
                    name=f"{name} · órgano {b + 1:03d}",
                    purpose="Conducir y vigilar la ejecución del plan en su ámbito.",
                    is_public=b % 3 != 0,
                    installed_on=today - datetime.timedelta(days=1500 + b),
                    created_by=actor,
                )
                for b in range(bodies)
            ]
        )
        members: list[BodyMember] = []
        for b, body in enumerate(body_rows):
            for m in range(rng.randint(8, 22)):
                person = staff[(b * 7 + m) % len(staff)] if m % 4 == 0 else None
                organisation, sector = ORGANISATIONS[(b + m) % len(ORGANISATIONS)]
                members.append(
                    BodyMember(
                        body=body,
                        user=person,
                        name=person.get_full_name() if person else f"Integrante {b + 1}-{m + 1}",
                        organisation="" if person else organisation,
                        sector="public" if person else sector,
                        role=(
                            MemberRole.PRESIDENT
                            if m == 0
                            else MemberRole.TECHNICAL_SECRETARY
                            if m == 1
                            else MemberRole.GUEST
                            if m % 9 == 8
                            else MemberRole.MEMBER
                        ),
                        email=f"integrante{b}.{m}@example.org",
                        joined_on=today - datetime.timedelta(days=1500 - 30 * (m % 5)),
                        left_on=today - datetime.timedelta(days=200) if m % 11 == 10 else None,
                    )
                )
        members = BodyMember.objects.bulk_create(members, batch_size=2000)
        by_body: dict[int, list[BodyMember]] = {}
        for member in members:
            by_body.setdefault(member.body_id, []).append(member)
        meeting_rows = []
        for k in range(meetings):
            body = body_rows[k % len(body_rows)]
            # four years back, one year ahead
            start = timezone.now() - datetime.timedelta(
                days=rng.randint(-365, 4 * 365), hours=rng.randint(0, 8)
            )
            start = start.astimezone(tz).replace(hour=9 + k % 8, minute=0, second=0, microsecond=0)
            past = start < timezone.now()
            meeting_rows.append(
                Meeting(
                    body=body,
                    title=f"Sesión {'ordinaria' if k % 4 else 'extraordinaria'} n.º {k // bodies + 1}",
                    agenda="1. Lectura del acta anterior\n2. Avance del plan\n3. Acuerdos",
                    place="Sala de sesiones de la municipalidad",
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=2),
                    status=(
                        MeetingStatus.CANCELLED
                        if k % 37 == 0
                        else MeetingStatus.HELD
                        if past
                        else MeetingStatus.CONVENED
                    ),
                    created_by=actor,
                )
            )
        meeting_rows = Meeting.objects.bulk_create(meeting_rows, batch_size=2000)
        takers = [m for m in meeting_rows if m.status == MeetingStatus.HELD]  # agreements come from held ones
        rows = []
        for n in range(agreements):
            meeting = takers[n % len(takers)]
            seats = by_body[meeting.body_id]
            taken = timezone.localtime(meeting.starts_at).date()
            due = taken + datetime.timedelta(days=rng.randint(15, 540)) if n % 50 else None
            if due is not None and due < today:  # past due: mostly closed, some still open (overdue)
                roll = rng.random()
                status = (
                    AgreementStatus.DONE
                    if roll < 0.83
                    else AgreementStatus.DROPPED
                    if roll < 0.89
                    else AgreementStatus.IN_PROGRESS
                    if roll < 0.95
                    else AgreementStatus.PENDING
                )
            else:
                status = rng.choice(later_statuses)
            owner = n % 3
            member = seats[n % len(seats)] if owner == 0 else None
            rows.append(
                Agreement(
                    plan=plan,
                    body_id=meeting.body_id,
                    meeting=meeting,
                    number=n + 1,
                    text=(
                        f"Encargar a la comisión técnica la revisión del componente {n % 97 + 1} del "
                        "plan y presentar un informe con las observaciones de los integrantes en la "
                        "próxima sesión ordinaria, con la participación de las juntas vecinales."
                    ),
                    owner_member=member,
                    owner_user=staff[n % len(staff)] if owner == 1 else None,
                    owner_office=OFFICES[n % len(OFFICES)] if owner == 2 else "",
                    due_date=due,
                    status=status,
                    done_on=min(due or today, today) if status == AgreementStatus.DONE else None,
                    dropped_reason="Superado por el nuevo reglamento."
                    if status == AgreementStatus.DROPPED
                    else "",
                    created_by=actor,
                )
            )
        created = Agreement.objects.bulk_create(rows, batch_size=2000)
        through = Agreement.nodes.through
        links = []
        for agreement in created[::3]:
            links.append(through(agreement_id=agreement.pk, node_id=nodes[agreement.number % len(nodes)].pk))
            if agreement.number % 2:
                links.append(
                    through(agreement_id=agreement.pk, node_id=nodes[(agreement.number * 7) % len(nodes)].pk)
                )
        through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    overdue = sum(
        1 for a in rows if a.status in open_statuses and a.due_date is not None and a.due_date < today
    )
    shape = {"bodies": len(body_rows), "members": len(members), "meetings": len(meeting_rows)}
    shape |= {
        "agreements": len(rows),
        "overdue": overdue,
        "linked": len({link.agreement_id for link in links}),
    }
    return plan, shape


def build(agreements: int, bodies: int, meetings: int, factor: int) -> dict[str, Any]:
    from rumbo.accounts.models import Entity, Membership, User
    from rumbo.plans.models import PlanType

    entity = Entity.objects.create(
        name="Municipalidad Provincial de referencia", kind="municipality", country="PE"
    )
    planner = User.objects.create_user(
        "bench-planner", password="x", first_name="Ana", last_name="Planificadora"
    )
    Membership.objects.create(user=planner, entity=entity, role="planner")
    staff = [planner]
    for i in range(30):
        person = User.objects.create_user(
            f"bench-staff-{i}", first_name=f"Persona {i}", last_name="Servidora"
        )
        Membership.objects.create(user=person, entity=entity, role="reporter")
        staff.append(person)
    plan_type, _created = PlanType.objects.get_or_create(
        country="PE", code="PAT", defaults={"name": "Plan de Acondicionamiento Territorial"}
    )
    common = {"entity": entity, "plan_type": plan_type, "actor": planner, "staff": staff}
    t = time.perf_counter()
    big, big_shape = build_plan(
        **common, name="Plan grande", bodies=bodies, meetings=meetings, agreements=agreements, seed=1
    )
    build_s = time.perf_counter() - t
    small, small_shape = build_plan(
        **common,
        name="Plan pequeño",
        bodies=max(1, bodies // factor),
        meetings=max(1, meetings // factor),
        agreements=max(1, agreements // factor),
        seed=2,
    )
    return {
        "planner": planner,
        "plans": {"big": big, "small": small},
        "shapes": {"big": big_shape, "small": small_shape},
        "build_s": build_s,
    }


# --- the measures ------------------------------------------------------------------------------------


def _time(call: Callable[[], Any], runs: int) -> dict[str, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        call()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        size = len(call())
    times.sort()
    p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]  # nearest rank
    return {
        "median": statistics.median(times),
        "p95": p95,
        "queries": len(ctx.captured_queries),
        "bytes": size,
    }


def _page(client: Any, url: str) -> Callable[[], bytes]:
    def call() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return bytes(response.content)

    return call


def _panel(user: Any, plan: Any, period: Any) -> Callable[[], str]:
    from django.test import RequestFactory

    from rumbo.accounts.permissions import user_access
    from rumbo.governance.views import agreements_dashboard_panel

    factory = RequestFactory()
    user_access(user)  # the dashboard has computed the access map when it renders its panels

    def call() -> str:
        request = factory.get(f"/seguimiento/planes/{plan.pk}/tablero/")
        request.user = user
        html = agreements_dashboard_panel(request, plan, period)
        assert 'id="agreements-panel"' in html
        return html

    return call


def run(agreements: int, bodies: int, meetings: int, factor: int, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from rumbo.accounts.models import User
    from rumbo.indicators.periods import period_get_or_create
    from rumbo.plans.models import Plan

    world = build(agreements, bodies, meetings, factor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(world["planner"])
    period = period_get_or_create("2025T4")
    figures: dict[str, Any] = {"build_s": world["build_s"], "vendor": connection.vendor, "runs": runs}
    for size in ("small", "big"):
        plan = Plan.objects.select_related("entity", "plan_type").get(pk=world["plans"][size].pk)
        user = User.objects.get(pk=world["planner"].pk)
        figures[size] = {
            "shape": world["shapes"][size],
            "register": _time(_page(client, f"/gobernanza/planes/{plan.pk}/acuerdos/"), runs),
            "register_overdue": _time(
                _page(client, f"/gobernanza/planes/{plan.pk}/acuerdos/?estado=overdue"), runs
            ),
            "panel": _time(_panel(user, plan, period), runs),
            "dashboard": _time(_page(client, f"/seguimiento/planes/{plan.pk}/tablero/"), runs),
        }
    return figures


def report(figures: dict[str, Any]) -> str:
    big, small = figures["big"], figures["small"]
    shape, small_shape = big["shape"], small["shape"]
    database = "PostgreSQL" if figures["vendor"] == "postgresql" else "SQLite file (WAL, production PRAGMAs)"
    lines = [
        f"Rumbo governance benchmark — {database}, {figures['runs']} runs after {WARMUPS} warm-ups, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        f"big plan: {shape['bodies']} bodies, {shape['members']:,} members, {shape['meetings']:,} meetings, "
        f"{shape['agreements']:,} agreements ({shape['overdue']:,} overdue, "
        f"{shape['linked']:,} linked to nodes); built in {figures['build_s']:.1f} s",
        f"small plan: {small_shape['bodies']} bodies, {small_shape['meetings']:,} meetings, "
        f"{small_shape['agreements']:,} agreements ({small_shape['overdue']:,} overdue)",
        "",
        f"{'measure (big plan)':<52}{'median':>9}{'p95':>9}  target    "
        f"queries {small_shape['agreements']:,} / {shape['agreements']:,}",
    ]
    labels = [
        ("register", "register page 1 (/acuerdos/)", True),
        ("register_overdue", "register ?estado=overdue", True),
        ("panel", "overdue panel (agreements_dashboard_panel direct)", True),
        ("dashboard", "plan dashboard page (all panels)", False),
    ]
    for key, label, targeted in labels:
        b, s = big[key], small[key]
        ok_time = b["median"] <= TARGET_MS
        same = s["queries"] == b["queries"]
        target = ("ok" if ok_time else "OVER") if targeted else "—"
        lines.append(
            f"{label:<52}{b['median']:>7.1f}ms{b['p95']:>7.1f}ms  {target:<8}  "
            f"{s['queries']:>3} / {b['queries']:<3} {'constant' if same else 'GROWS'}"
        )
    lines.append("")
    lines.append("small plan, for comparison: " + ", ".join(
        f"{key} {small[key]['median']:.1f} ms" for key, _label, _t in labels
    ))  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to create a database on")
    parser.add_argument("--agreements", type=int, default=50_000)
    parser.add_argument("--bodies", type=int, default=200)
    parser.add_argument("--meetings", type=int, default=5_000)
    parser.add_argument("--factor", type=int, default=10, help="the small plan is this many times smaller")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="rumbo-bench-governance-"))
    database = Database(tmp, args.database_url)
    try:
        _setup(database.url, tmp)
        figures = run(args.agreements, args.bodies, args.meetings, args.factor, args.runs)
        print(report(figures))
    finally:
        database.drop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
