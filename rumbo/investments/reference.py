"""Reference data of the investments module: the funding-source catalogue per country."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from rumbo.investments.models import FundingSource

FUNDING_SOURCES_FILE = Path(__file__).parent / "data" / "funding_sources.json"


def funding_sources_load(*, path: Path = FUNDING_SOURCES_FILE) -> int:
    """Upsert the catalogue by (country, code); returns how many sources the file holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    with transaction.atomic():
        for item in data["sources"]:
            FundingSource.objects.update_or_create(
                country=item["country"], code=item["code"], defaults={"name": item["name"]}
            )
    return len(data["sources"])
