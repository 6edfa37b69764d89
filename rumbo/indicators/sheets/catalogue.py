"""The catalogue of general (process) indicators an entity can adopt in one click.

The entries come from the Arequipa PEAM's implementation chapter, §7.1 «Indicadores generales»
(legal, dissemination, institutionalisation, concertation), kept in Spanish in
`data/general_indicators.json`: they are data, not interface text. Each entry keeps the seed's
own wording (`seed_text`) next to the sheet fields derived from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "general_indicators.json"


@dataclass(frozen=True, slots=True)
class CatalogueGroup:
    key: str
    name: str
    seed_heading: str


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    key: str
    group: str
    code: str
    name: str
    definition: str
    unit: str
    unit_label: str
    direction: str
    periodicity: str
    means_of_verification: str
    seed_text: str
    level: str
    citation: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    source: str
    groups: tuple[CatalogueGroup, ...]
    entries: tuple[CatalogueEntry, ...]

    def get(self, key: str) -> CatalogueEntry | None:
        return next((e for e in self.entries if e.key == key), None)

    def by_group(self) -> list[tuple[CatalogueGroup, list[CatalogueEntry]]]:
        return [(g, [e for e in self.entries if e.group == g.key]) for g in self.groups]


@cache
def general_catalogue() -> Catalogue:
    """The general indicators, read once from the JSON file."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    groups = tuple(CatalogueGroup(g["key"], g["name"], g["seed_heading"]) for g in data["groups"])
    headings = {g.key: g.seed_heading for g in groups}
    entries = tuple(
        CatalogueEntry(
            key=item["key"],
            group=item["group"],
            code=item["code"],
            name=item["name"],
            definition=item["definition"],
            unit=item["unit"],
            unit_label=item.get("unit_label", ""),
            direction=item["direction"],
            periodicity=item["periodicity"],
            means_of_verification=item["means_of_verification"],
            seed_text=item["seed_text"],
            level=item.get("level", "management"),
            citation=f"Seed 003 (PEAM Arequipa), §7.1 Indicadores generales — {headings[item['group']]}",
        )
        for item in data["indicators"]
    )
    return Catalogue(source=data["source"], groups=groups, entries=entries)
