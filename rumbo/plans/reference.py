"""Reference data for plans: the plan types of each country, loaded from a versioned file."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from rumbo.plans.models import PlanType

PLAN_TYPES_FILE = Path(__file__).parent / "data" / "plan_types.json"


def plan_types_load(*, path: Path = PLAN_TYPES_FILE) -> int:
    """Upsert the plan types by (country, code). Returns how many types the file holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    with transaction.atomic():
        for order, item in enumerate(data["types"]):
            PlanType.objects.update_or_create(
                country=item["country"],
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "legal_basis": item.get("legal_basis", ""),
                    "description": item.get("description", ""),
                    "default_levels": item.get("levels", []),
                    "order": order,
                },
            )
    return len(data["types"])
