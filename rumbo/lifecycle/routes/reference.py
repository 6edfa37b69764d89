"""Reference data for routes and procedures, loaded from the versioned JSON files in `data/`.

Loading is an idempotent upsert by code: titles, guidance, deliverables and rules are updated in
place; steps that left a file are kept (plans may hold states on them) and nothing a plan
recorded is ever deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from rumbo.lifecycle.routes.models import Procedure, Route, RouteStep, StepKind

DATA_DIR = Path(__file__).parent / "data"
ROUTE_FORMAT = "rumbo.route/1"
PROCEDURES_FORMAT = "rumbo.procedures/1"
PROCEDURES_FILE = DATA_DIR / "procedures.json"


@dataclass(frozen=True)
class LoadResult:
    routes: dict[str, int]  # route code → number of steps in the file
    procedures: int


def _route_files() -> list[Path]:
    return sorted(p for p in DATA_DIR.glob("*.json") if p != PROCEDURES_FILE)


def _upsert_steps(route: Route, items: list[dict[str, Any]], parent: RouteStep | None, prefix: str) -> int:
    count = 0
    kinds = set(StepKind.values)
    for position, item in enumerate(items):
        if item["kind"] not in kinds:
            raise ValidationError(f"{route.code}: unknown step kind {item['kind']!r}")
        path = f"{prefix}{position:04d}/"
        step, _created = RouteStep.objects.update_or_create(
            route=route,
            code=item["code"],
            defaults={
                "parent": parent,
                "path": path,
                "depth": path.count("/") - 1,
                "position": position,
                "kind": item["kind"],
                "title": item["title"],
                "description": item.get("description", ""),
                "guidance": item.get("guidance", {}),
                "deliverables": item.get("deliverables", []),
                "basis": item.get("basis", []),
                "condition": item.get("condition", {}),
                "gate": bool(item.get("gate", False)),
            },
        )
        count += 1 + _upsert_steps(route, item.get("children", []), step, path)
    return count


def route_file_load(*, path: Path) -> tuple[Route, int]:
    """Upsert one route file; returns the route and how many steps the file holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != ROUTE_FORMAT:
        raise ValidationError(f"{path.name}: expected format {ROUTE_FORMAT}")
    with transaction.atomic():
        route, _created = Route.objects.update_or_create(
            code=data["code"],
            defaults={
                "country": data["country"],
                "name": data["name"],
                "version": data["version"],
                "description": data.get("description", ""),
                "source": data.get("source", {}),
                "options": data.get("options", []),
            },
        )
        count = _upsert_steps(route, data["steps"], None, "/")
    return route, count


def procedures_load(*, path: Path = PROCEDURES_FILE) -> int:
    """Upsert the approval procedures by code; returns how many the file holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != PROCEDURES_FORMAT:
        raise ValidationError(f"{path.name}: expected format {PROCEDURES_FORMAT}")
    with transaction.atomic():
        for item in data["procedures"]:
            Procedure.objects.update_or_create(
                code=item["code"],
                defaults={
                    "country": item["country"],
                    "region": item.get("region", ""),
                    "name": item["name"],
                    "version": data.get("version", ""),
                    "description": item.get("description", ""),
                    "basis": item.get("basis", []),
                    "steps": item["steps"],
                },
            )
    return len(data["procedures"])


def routes_load() -> LoadResult:
    """Load every route file and the procedures file (safe to run again)."""
    routes: dict[str, int] = {}
    for path in _route_files():
        route, count = route_file_load(path=path)
        routes[route.code] = count
    return LoadResult(routes=routes, procedures=procedures_load())
