"""Reads of the information inventory and the gap report against a plan type's requirements.

The inventory is internal data: every read goes through a gatekeeper that needs VIEW_PRIVATE on
the entity and answers None for missing and forbidden alike.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, user_access
from rumbo.accounts.selectors import entity_get_for_user
from rumbo.core.exports import csv_writer
from rumbo.lifecycle.inventory.models import (
    CoverageArea,
    HazardKind,
    InformationItem,
    InformationTheme,
    scale_label,
)
from rumbo.lifecycle.inventory.reference import InformationRequirement, requirements_for


class GapStatus(models.TextChoices):
    OK = "ok", gettext_lazy("Available")  # a suitable item, recent enough, at the scale or finer
    MISSING = "missing", gettext_lazy("Missing")  # no item of the theme covers the area
    OUTDATED = "outdated", gettext_lazy("Outdated")  # suitable items exist, the newest is too old
    WRONG_SCALE = "wrong_scale", gettext_lazy("Scale too coarse")  # items exist, all coarser than required


# Worst first: a requirement split into urban and rural sides takes the worse side's status.
STATUS_SEVERITY = {GapStatus.MISSING: 3, GapStatus.WRONG_SCALE: 2, GapStatus.OUTDATED: 1, GapStatus.OK: 0}
STATUS_BADGE = {
    GapStatus.OK: "text-bg-success",
    GapStatus.MISSING: "text-bg-danger",
    GapStatus.OUTDATED: "text-bg-warning",
    GapStatus.WRONG_SCALE: "text-bg-warning",
}


# --- the rules, small and explicit so they can be tested and explained -------------------------


def scale_satisfies(*, item_denominator: int | None, required_denominator: int | None) -> bool:
    """Whether an item's scale meets a requirement. A bigger denominator is a coarser map:
    1:5,000 satisfies a 1:25,000 requirement, 1:100,000 does not. With no required scale any
    item will do; an item without a recorded scale cannot prove it meets one."""
    if required_denominator is None:
        return True
    if item_denominator is None:
        return False
    return item_denominator <= required_denominator


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def age_in_years(*, reference_date: datetime.date, today: datetime.date) -> int:
    """Completed years between the reference date and today (0 for future dates)."""
    years = today.year - reference_date.year
    if (today.month, today.day) < (reference_date.month, reference_date.day):
        years -= 1
    return max(years, 0)


def is_outdated(*, reference_date: datetime.date, today: datetime.date, max_age_years: int) -> bool:
    """True once today is past the reference date's `max_age_years` anniversary."""
    return today > _add_years(reference_date, max_age_years)


def area_covers(*, item_area: str, side: str) -> bool:
    """Whether an item's coverage includes one side (urban or rural) of the territory."""
    return item_area == side or item_area == CoverageArea.BOTH


def theme_matches(*, item: InformationItem, requirement: InformationRequirement) -> bool:
    """Same theme; for a hazard requirement, the same hazard kind or a multi-hazard study."""
    if item.theme != requirement.theme:
        return False
    if not requirement.hazard_kind:
        return True
    return item.hazard_kind in (requirement.hazard_kind, HazardKind.MULTIPLE)


# --- the gap report ----------------------------------------------------------------------------


@dataclass
class SideResult:
    side: str
    status: GapStatus
    candidates: list[InformationItem]
    best: InformationItem | None
    age_years: int | None
    note: str


@dataclass
class GapRow:
    """One requirement with its status, the items that match it and why."""

    requirement: InformationRequirement
    status: GapStatus
    items: list[InformationItem]
    best: InformationItem | None
    age_years: int | None
    notes: list[str]
    action: str  # what to commission; "" when the requirement is met

    @property
    def badge(self) -> str:
        return STATUS_BADGE[self.status]

    @property
    def status_label(self) -> str:
        return str(self.status.label)


@dataclass
class GapReport:
    entity: Entity
    country: str
    plan_type_code: str
    today: datetime.date
    rows: list[GapRow]
    counts: dict[str, int] = field(default_factory=dict)  # status value → rows
    required_gaps: int = 0  # rows of required items that are not ok

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def to_commission(self) -> list[GapRow]:
        """Rows to produce or update, required first: the input to a revision's terms of reference."""
        return sorted(
            (r for r in self.rows if r.status != GapStatus.OK),
            key=lambda r: (not r.requirement.required, -STATUS_SEVERITY[r.status], r.requirement.name),
        )


def _side_label(side: str) -> str:
    return str(CoverageArea(side).label).lower()


def _evaluate_side(
    *, requirement: InformationRequirement, items: Sequence[InformationItem], side: str, today: datetime.date
) -> SideResult:
    candidates = [i for i in items if area_covers(item_area=i.area, side=side)]
    side_name = _side_label(side)
    if not candidates:
        return SideResult(
            side,
            GapStatus.MISSING,
            [],
            None,
            None,
            _("No item of this theme covers the %(area)s area.") % {"area": side_name},
        )
    required = requirement.max_scale_denominator
    at_scale = [
        i
        for i in candidates
        if scale_satisfies(item_denominator=i.scale_denominator, required_denominator=required)
    ]
    if not at_scale:
        scaled = [i.scale_denominator for i in candidates if i.scale_denominator]
        if scaled:
            note = _("%(area)s: the finest available is %(found)s; %(required)s or finer is required.") % {
                "area": side_name.capitalize(),
                "found": scale_label(min(scaled)),
                "required": scale_label(required),
            }
        else:
            note = _("%(area)s: no item records its scale; %(required)s or finer is required.") % {
                "area": side_name.capitalize(),
                "required": scale_label(required),
            }
        return SideResult(side, GapStatus.WRONG_SCALE, candidates, None, None, note)
    best = max(at_scale, key=lambda i: (i.reference_date, i.pk or 0))
    age = age_in_years(reference_date=best.reference_date, today=today)
    params = {
        "area": side_name.capitalize(),
        "title": best.title,
        "date": best.reference_date.isoformat(),
        "age": age,
        "max": requirement.max_age_years,
    }
    if is_outdated(reference_date=best.reference_date, today=today, max_age_years=requirement.max_age_years):
        note = (
            _(
                "%(area)s: the newest suitable item, “%(title)s” (%(date)s), is %(age)s years old; the limit is %(max)s."
            )
            % params
        )
        return SideResult(side, GapStatus.OUTDATED, candidates, best, age, note)
    return SideResult(
        side, GapStatus.OK, candidates, best, age, _("%(area)s: “%(title)s” (%(date)s).") % params
    )


def _action(requirement: InformationRequirement, status: GapStatus) -> str:
    params = {
        "name": requirement.name,
        "area": str(requirement.area_label).lower(),
        "scale": requirement.scale_label or _("any scale"),
    }
    if status == GapStatus.MISSING:
        return _("Produce %(name)s (%(area)s, %(scale)s or finer).") % params
    if status == GapStatus.WRONG_SCALE:
        return _("Produce %(name)s at a finer scale (%(area)s, %(scale)s or finer).") % params
    if status == GapStatus.OUTDATED:
        return _("Update %(name)s (%(area)s, %(scale)s or finer).") % params
    return ""


def requirement_evaluate(
    *, requirement: InformationRequirement, items: Iterable[InformationItem], today: datetime.date
) -> GapRow:
    """Judge one requirement against the items. A requirement over both areas is judged on the
    urban and the rural side separately (an item covering both counts for each) and takes the
    worse status."""
    matching = [i for i in items if theme_matches(item=i, requirement=requirement)]
    sides = (
        [CoverageArea.URBAN, CoverageArea.RURAL]
        if requirement.area == CoverageArea.BOTH
        else [CoverageArea(requirement.area)]
    )
    results = [_evaluate_side(requirement=requirement, items=matching, side=s, today=today) for s in sides]
    worst = max(results, key=lambda r: STATUS_SEVERITY[r.status])
    seen: set[int] = set()
    candidates: list[InformationItem] = []
    for result in results:
        for item in result.candidates:
            if item.pk not in seen:
                seen.add(item.pk)
                candidates.append(item)
    uncovered = [i for i in matching if i.area == CoverageArea.OTHER]
    notes = [r.note for r in results]
    if uncovered:
        notes.append(
            _("%(count)s item(s) cover another area (a sector, a basin) and do not count.")
            % {"count": len(uncovered)}
        )
    return GapRow(
        requirement=requirement,
        status=worst.status,
        items=candidates,
        best=worst.best,
        age_years=worst.age_years,
        notes=notes,
        action=_action(requirement, worst.status),
    )


def inventory_gap_report(
    *,
    entity: Entity,
    plan_type_code: str,
    country: str,
    today: datetime.date,
    requirements: Sequence[InformationRequirement] | None = None,
) -> GapReport:
    """Compare the entity's inventory with what `plan_type_code` of `country` requires, as of
    `today`. Callers check the user may read the entity (see `inventory_entity_get_for_user`).
    `requirements` replaces the data file (tests, what-if)."""
    reqs = (
        list(requirements)
        if requirements is not None
        else list(requirements_for(country=country, plan_type_code=plan_type_code))
    )
    items = list(InformationItem.objects.filter(entity=entity))
    rows = [requirement_evaluate(requirement=r, items=items, today=today) for r in reqs]
    counts = {status.value: 0 for status in GapStatus}
    for row in rows:
        counts[row.status.value] += 1
    return GapReport(
        entity=entity,
        country=country.upper(),
        plan_type_code=plan_type_code.upper(),
        today=today,
        rows=rows,
        counts=counts,
        required_gaps=sum(1 for r in rows if r.requirement.required and r.status != GapStatus.OK),
    )


def inventory_gap_csv(*, report: GapReport) -> bytes:
    """The report as CSV for Spanish-locale Excel: UTF-8 with a BOM and `;` as separator; text
    that starts like a formula is neutralised (rumbo.core.exports)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=";")
    writer.writerow(
        [
            _("Requirement"),
            _("Theme"),
            _("Hazard"),
            _("Area"),
            _("Scale required"),
            _("Maximum age (years)"),
            _("Required"),
            _("Status"),
            _("Items found"),
            _("Newest suitable item"),
            _("Age (years)"),
            _("Notes"),
            _("Legal basis"),
            _("To commission"),
        ]
    )
    for row in report.rows:
        req = row.requirement
        writer.writerow(
            [
                req.name,
                req.theme_label,
                req.hazard_label,
                req.area_label,
                req.scale_label,
                req.max_age_years,
                _("yes") if req.required else _("no"),
                row.status_label,
                len(row.items),
                row.best.title if row.best else "",
                "" if row.age_years is None else row.age_years,
                " ".join(row.notes),
                " | ".join(
                    b.label + ("" if b.verified else " (" + _("to be verified") + ")") for b in req.basis
                ),
                row.action,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- the inventory -----------------------------------------------------------------------------


def inventory_entity_get_for_user(*, entity_id: int, user: Any) -> Entity | None:
    """The entity if the user may read its inventory (VIEW_PRIVATE); None for missing and forbidden."""
    return entity_get_for_user(entity_id=entity_id, user=user, capability=Capability.VIEW_PRIVATE)


def inventory_items(*, entity: Entity) -> QuerySet[InformationItem]:
    """The entity's items, newest first within each theme, with their units."""
    return InformationItem.objects.filter(entity=entity).prefetch_related("units")


@dataclass
class ThemeGroup:
    theme: str
    label: str
    items: list[InformationItem]


def inventory_by_theme(*, entity: Entity) -> list[ThemeGroup]:
    """The entity's items grouped by theme, in the order themes are declared."""
    by_theme: dict[str, list[InformationItem]] = {}
    for item in inventory_items(entity=entity):
        by_theme.setdefault(item.theme, []).append(item)
    return [
        ThemeGroup(theme=value, label=str(label), items=by_theme[value])
        for value, label in InformationTheme.choices
        if value in by_theme
    ]


def information_item_get_for_user(
    *, item_id: int, user: Any, entity_id: int | None = None
) -> InformationItem | None:
    """The item if the user may read its entity's inventory (and, when given, it belongs to
    `entity_id`); None for missing and forbidden alike."""
    item = InformationItem.objects.filter(pk=item_id).select_related("entity").first()
    if item is None or (entity_id is not None and item.entity_id != entity_id):
        return None
    if not user_access(user).can(item.entity_id, Capability.VIEW_PRIVATE):
        return None
    return item
