"""What information each plan type's diagnosis requires, read from `data/requirements.json`.

Decision: requirements are not a database table. The JSON file is the source of truth; it is
read lazily on first use, validated, and cached in memory for the life of the process. A change
of law is a reviewed change to the file (with its legal basis and `verified` flag), needs no
migration or loader command, and every environment sees the same rules. Offices that need
different thresholds change the file (or, later, an override table may be layered on top).

Scale convention: a requirement's `max_scale_denominator` is the coarsest acceptable scale.
25000 means 1:25,000 or finer (5000, 10000) is fine; 1:100,000 is too coarse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rumbo.lifecycle.inventory.models import CoverageArea, HazardKind, InformationTheme, scale_label

REQUIREMENTS_FILE = Path(__file__).parent / "data" / "requirements.json"
PARAMETER_SOURCES = ("law", "rumbo_default")


@dataclass(frozen=True)
class LegalBasis:
    """One norm a requirement rests on. `verified` is false for anything not yet checked."""

    norm: str
    article: str
    verified: bool
    note: str

    @property
    def label(self) -> str:
        return f"{self.norm}, art. {self.article}" if self.article else self.norm


@dataclass(frozen=True)
class InformationRequirement:
    """One piece of information a plan type's diagnosis needs, with its thresholds and basis."""

    key: str
    country: str
    plan_type_code: str
    name: str
    theme: str
    hazard_kind: str  # "" when any item of the theme will do
    area: str  # urban | rural | both
    max_scale_denominator: int | None  # coarsest acceptable; None: scale does not matter
    scale_source: str  # law | rumbo_default ("" when there is no scale)
    max_age_years: int
    max_age_source: str  # law | rumbo_default
    required: bool  # False: recommended, reported but not a legal gap
    basis: tuple[LegalBasis, ...]

    @property
    def scale_label(self) -> str:
        return scale_label(self.max_scale_denominator)

    @property
    def theme_label(self) -> str:
        return str(InformationTheme(self.theme).label)

    @property
    def hazard_label(self) -> str:
        return str(HazardKind(self.hazard_kind).label) if self.hazard_kind else ""

    @property
    def area_label(self) -> str:
        return str(CoverageArea(self.area).label)

    @property
    def is_verified(self) -> bool:
        return bool(self.basis) and all(b.verified for b in self.basis)


@dataclass(frozen=True)
class RequirementCatalogue:
    """Every requirement in the file, by (country, plan type code)."""

    by_plan_type: dict[tuple[str, str], tuple[InformationRequirement, ...]]
    max_age_defaults: dict[str, int]

    def plan_type_codes(self, country: str) -> list[str]:
        return sorted(code for (c, code) in self.by_plan_type if c == country)


class RequirementsFileError(ValueError):
    """The requirements file is malformed; the message says where."""


def _positive_int_or_none(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise RequirementsFileError(f"{where}: must be a positive integer or null")
    return value


def _parse(data: dict[str, Any]) -> RequirementCatalogue:
    themes = set(InformationTheme.values)
    defaults = {str(k): int(v) for k, v in data["max_age_defaults"]["years"].items()}
    missing_defaults = themes - set(defaults)
    if missing_defaults:
        raise RequirementsFileError(f"max_age_defaults: no value for {sorted(missing_defaults)}")
    norms: dict[str, LegalBasis] = {
        key: LegalBasis(
            norm=n["norm"],
            article=str(n.get("article", "")),
            verified=bool(n["verified"]),
            note=n.get("note", ""),
        )
        for key, n in data["norms"].items()
    }
    by_plan_type: dict[tuple[str, str], list[InformationRequirement]] = {}
    seen_keys: set[tuple[str, str, str]] = set()
    for group in data["sets"]:
        country = group["country"]
        for code in group["plan_types"]:
            for raw in group["requirements"]:
                where = f"{country}/{code}/{raw.get('key')}"
                theme = raw["theme"]
                if theme not in themes:
                    raise RequirementsFileError(f"{where}: unknown theme {theme!r}")
                hazard = raw.get("hazard_kind") or ""
                if hazard and hazard not in HazardKind.values:
                    raise RequirementsFileError(f"{where}: unknown hazard kind {hazard!r}")
                if raw["area"] not in (CoverageArea.URBAN, CoverageArea.RURAL, CoverageArea.BOTH):
                    raise RequirementsFileError(f"{where}: area must be urban, rural or both")
                scale = _positive_int_or_none(raw.get("max_scale_denominator"), where)
                scale_source = raw.get("scale_source", "") if scale else ""
                if scale and scale_source not in PARAMETER_SOURCES:
                    raise RequirementsFileError(f"{where}: scale_source must be one of {PARAMETER_SOURCES}")
                age = _positive_int_or_none(raw.get("max_age_years"), where)
                age_source = raw.get("max_age_source", "law" if age else "rumbo_default")
                if age_source not in PARAMETER_SOURCES:
                    raise RequirementsFileError(f"{where}: max_age_source must be one of {PARAMETER_SOURCES}")
                unknown_norms = [b for b in raw["basis"] if b not in norms]
                if unknown_norms:
                    raise RequirementsFileError(f"{where}: unknown norms {unknown_norms}")
                if (country, code, raw["key"]) in seen_keys:
                    raise RequirementsFileError(f"{where}: duplicate key")
                seen_keys.add((country, code, raw["key"]))
                by_plan_type.setdefault((country, code), []).append(
                    InformationRequirement(
                        key=raw["key"],
                        country=country,
                        plan_type_code=code,
                        name=raw["name"],
                        theme=theme,
                        hazard_kind=hazard,
                        area=raw["area"],
                        max_scale_denominator=scale,
                        scale_source=scale_source,
                        max_age_years=age or defaults[theme],
                        max_age_source=age_source,
                        required=bool(raw["required"]),
                        basis=tuple(norms[b] for b in raw["basis"]),
                    )
                )
    return RequirementCatalogue(
        by_plan_type={k: tuple(v) for k, v in by_plan_type.items()}, max_age_defaults=defaults
    )


@cache
def requirements_load(*, path: Path = REQUIREMENTS_FILE) -> RequirementCatalogue:
    """Read, validate and cache the requirements file (idempotent: later calls reuse the cache).

    Raises RequirementsFileError when the file names an unknown theme, area, norm or parameter source.
    """
    return _parse(json.loads(path.read_text(encoding="utf-8")))


def requirements_for(*, country: str, plan_type_code: str) -> tuple[InformationRequirement, ...]:
    """The requirements of one plan type of one country; empty when the file has none."""
    return requirements_load().by_plan_type.get((country.upper(), plan_type_code.upper()), ())


def requirement_plan_types(*, country: str) -> list[str]:
    """Plan type codes of a country that have requirements in the file."""
    return requirements_load().plan_type_codes(country.upper())
