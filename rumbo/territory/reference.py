"""Reference territories: the official units of each country, loaded from the compact files in
rumbo/territory/data/ (built by scripts/build_reference_data.py; sources in docs/data-sources.md).

The load is an upsert by (country, code): running it again changes nothing, and a newer data
file updates names, geometry and tree position in place, so ids (and everything that points at
them) survive. It writes in bulk, one level of the tree at a time.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from rumbo.territory.models import TerritorialUnit
from rumbo.territory.names import search_key

DATA_DIR = Path(__file__).parent / "data"
REFERENCE_COUNTRIES: tuple[str, ...] = ("PE", "CO", "MX")
DATA_FORMAT = 1
BATCH_SIZE = 500

# Fields the reference file owns; anything else on a unit (validity dates, members…) is left alone.
DATA_FIELDS = (
    "name",
    "name_search",
    "kind",
    "geometry",
    "bbox_west",
    "bbox_south",
    "bbox_east",
    "bbox_north",
    "population",
    "population_year",
    "population_source",
    "source",
)
TREE_FIELDS = ("parent_id", "path", "depth")

ProgressCallback = Callable[[int, int], None]


class ReferenceDataError(Exception):
    """The reference file is missing, malformed, or clashes with units an entity owns."""


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moved_descendants: int = 0
    done: int = 0
    total: int = 0
    progress: ProgressCallback | None = field(default=None, repr=False)

    def advance(self, units: int) -> None:
        self.done += units
        if self.progress is not None:
            self.progress(self.done, self.total)

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "moved_descendants": self.moved_descendants,
        }


def reference_file_path(country: str) -> Path:
    return DATA_DIR / f"{country.lower()}.json.gz"


def reference_file_read(country: str) -> dict[str, Any]:
    """The parsed reference file of one country (ISO 3166-1 alpha-2 code)."""
    path = reference_file_path(country)
    if country not in REFERENCE_COUNTRIES or not path.exists():
        raise ReferenceDataError(f"No reference territories for country {country!r}.")
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        data: dict[str, Any] = json.load(stream)
    if data.get("format") != DATA_FORMAT or data.get("country") != country:
        raise ReferenceDataError(f"{path.name} is not a format-{DATA_FORMAT} file for {country}.")
    return data


def reference_territories_load(
    *,
    countries: Iterable[str] = REFERENCE_COUNTRIES,
    progress: ProgressCallback | None = None,
) -> dict[str, int]:
    """Create or update the reference tree of each country; idempotent, one transaction.

    Returns how many units were created, updated and left unchanged (plus how many
    entity-owned descendants had their path rewritten because a reference parent moved).
    `progress(done, total)` is called after each level of each country.
    """
    files = [reference_file_read(country.upper()) for country in countries]
    counts = LoadCounts(total=sum(len(data["units"]) for data in files), progress=progress)
    with transaction.atomic():
        for data in files:
            _country_load(data, counts)
    return counts.as_dict()


def _levels(units: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Units grouped by depth, parents before children; refuses orphans and cycles."""
    depth_by_code: dict[str, int] = {}
    levels: list[list[dict[str, Any]]] = []
    for item in units:
        parent = item["parent"]
        if parent is None:
            depth = 0
        elif parent in depth_by_code:
            depth = depth_by_code[parent] + 1
        else:
            raise ReferenceDataError(f"Unit {item['code']} comes before its parent {parent}.")
        depth_by_code[item["code"]] = depth
        while len(levels) <= depth:
            levels.append([])
        levels[depth].append(item)
    return levels


def _data_values(item: dict[str, Any], source: str) -> dict[str, Any]:
    bbox = item.get("bbox") or [None, None, None, None]
    return {
        "name": item["name"],
        "name_search": search_key(item["name"]),
        "kind": item["kind"],
        "geometry": item.get("geometry"),
        "bbox_west": bbox[0],
        "bbox_south": bbox[1],
        "bbox_east": bbox[2],
        "bbox_north": bbox[3],
        "population": item.get("population"),
        "population_year": item.get("population_year"),
        "population_source": item.get("population_source") or "",
        "source": item.get("source") or source,
    }


def _country_load(data: dict[str, Any], counts: LoadCounts) -> None:
    country: str = data["country"]
    source: str = data["source"]
    existing = {unit.code: unit for unit in TerritorialUnit.objects.filter(country=country)}
    owned = sorted(
        item["code"]
        for item in data["units"]
        if item["code"] in existing and existing[item["code"]].owner_entity_id is not None
    )
    if owned:
        raise ReferenceDataError(
            f"{country}: codes {', '.join(owned[:10])} belong to units an entity created; rename them first."
        )

    by_code: dict[str, TerritorialUnit] = {}
    moved_paths: list[tuple[str, str]] = []  # (old path, new path) of existing units that moved
    for depth, level in enumerate(_levels(data["units"])):
        to_create: list[TerritorialUnit] = []
        to_update: list[TerritorialUnit] = []
        for item in level:
            values = _data_values(item, source)
            parent = by_code[item["parent"]] if item["parent"] is not None else None
            unit = existing.get(item["code"])
            if unit is None:
                unit = TerritorialUnit(
                    country=country, code=item["code"], parent=parent, depth=depth, **values
                )
                to_create.append(unit)
            else:
                old_path = unit.path
                new_path = f"{parent.path if parent else '/'}{unit.pk}/"
                tree = {"parent_id": parent.pk if parent else None, "path": new_path, "depth": depth}
                changed = [name for name, value in (values | tree).items() if getattr(unit, name) != value]
                if changed:
                    for name in changed:
                        setattr(unit, name, (values | tree)[name])
                    to_update.append(unit)
                    if old_path != new_path:
                        moved_paths.append((old_path, new_path))
                else:
                    counts.unchanged += 1
            by_code[item["code"]] = unit

        if to_create:
            # SQLite (3.35+) and PostgreSQL return the new ids, which the paths need.
            TerritorialUnit.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
            for unit in to_create:
                unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
            TerritorialUnit.objects.bulk_update(to_create, ["path"], batch_size=BATCH_SIZE)
        if to_update:
            TerritorialUnit.objects.bulk_update(
                to_update, [*DATA_FIELDS, *TREE_FIELDS], batch_size=BATCH_SIZE
            )
        counts.created += len(to_create)
        counts.updated += len(to_update)
        counts.advance(len(level))

    if moved_paths:
        _descendants_repath(country, moved_paths, set(by_code), counts)


def _descendants_repath(
    country: str, moved_paths: list[tuple[str, str]], reference_codes: set[str], counts: LoadCounts
) -> None:
    """Units outside the file (an entity's sectors, barrios) follow a reference parent that moved."""
    stale: list[TerritorialUnit] = []
    for old_path, new_path in moved_paths:
        for unit in TerritorialUnit.objects.filter(country=country, path__startswith=old_path).exclude(
            code__in=reference_codes
        ):
            unit.path = new_path + unit.path[len(old_path) :]
            unit.depth = unit.path.count("/") - 2
            stale.append(unit)
    TerritorialUnit.objects.bulk_update(stale, ["path", "depth"], batch_size=BATCH_SIZE)
    counts.moved_descendants += len(stale)
