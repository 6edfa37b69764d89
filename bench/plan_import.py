"""Time a 10,000-row plan import on SQLite (parse, validate, apply), then a re-import.

.venv/bin/python bench/plan_import.py            # SQLite file with the production PRAGMAs
.venv/bin/python bench/plan_import.py --memory   # SQLite in memory (the test database)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import plan_lines


def generated_csv(count: int) -> bytes:
    """`count` rows: axes of 5 objectives of 4 programmes of 4 projects of 3 actions."""
    return ("\r\n".join(plan_lines(count)) + "\r\n").encode("utf-8-sig")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    from django.conf import settings

    if not args.memory:
        settings.DATABASES["default"] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(tmp.name) / "bench.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    settings.MEDIA_ROOT = tmp.name
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from rumbo.accounts.models import Entity, Membership, User
    from rumbo.plans.exports import plan_export_xlsx
    from rumbo.plans.imports import plan_import_apply, plan_import_parse, plan_import_validate
    from rumbo.plans.models import Node, PlanType
    from rumbo.plans.services import plan_create
    from rumbo.territory.models import TerritorialUnit

    entity = Entity.objects.create(name="Moyobamba", kind="municipality", country="PE")
    user = User.objects.create_user("bench")
    Membership.objects.create(user=user, entity=entity, role="planner")
    plan_type = PlanType.objects.create(country="PE", code="PAT", name="PAT")
    for code in ("220101", "220102"):
        TerritorialUnit.objects.create(country="PE", code=code, name=code, kind="municipality")

    def run(label: str, data: bytes, filename: str, plan: object) -> None:
        t0 = time.perf_counter()
        parsed = plan_import_parse(data=data, filename=filename)
        t1 = time.perf_counter()
        ip = plan_import_validate(plan=plan, parsed=parsed)  # type: ignore[arg-type]
        assert not ip.errors, ip.errors[:3]
        t2 = time.perf_counter()
        result = plan_import_apply(actor=user, plan=plan, import_plan=ip)  # type: ignore[arg-type]
        t3 = time.perf_counter()
        print(
            f"{label:<34} parse {t1 - t0:5.2f}s  validate {t2 - t1:5.2f}s  apply {t3 - t2:5.2f}s  "
            f"total {t3 - t0:5.2f}s  {result}"
        )

    data = generated_csv(args.rows)
    plan = plan_create(actor=user, entity=entity, plan_type=plan_type, name="Bench")
    print(f"SQLite {'in memory' if args.memory else 'file (WAL)'}, {args.rows} rows")
    run("CSV into an empty plan", data, "bench.csv", plan)
    assert Node.objects.filter(plan=plan).count() == args.rows
    run("same CSV again (all unchanged)", data, "bench.csv", plan)
    changed = data.replace(b";0,25;", b";0,5;")
    run("CSV changing every weight", changed, "bench.csv", plan)
    t0 = time.perf_counter()
    xlsx = plan_export_xlsx(plan=plan)
    print(f"XLSX export                        {time.perf_counter() - t0:5.2f}s  ({len(xlsx) // 1024} KiB)")
    copy = plan_create(actor=user, entity=entity, plan_type=plan_type, name="Copia")
    run("XLSX export into an empty plan", xlsx, "bench.xlsx", copy)
    tmp.cleanup()


if __name__ == "__main__":
    main()
