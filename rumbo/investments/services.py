"""Writes on projects and prioritisation. Every input is checked before anything is written,
all problems are reported together (in the user's language), and nothing is saved on error."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.audit import AuditAction, audit_record, model_snapshot, snapshot_diff
from rumbo.core.numbers import decimal_from_text
from rumbo.indicators.models import Indicator
from rumbo.investments.models import FundingSource, PriorityCriterion, Project, ProjectScore, ProjectYearCost
from rumbo.plans.models import Node, Plan
from rumbo.territory.models import Jurisdiction, TerritorialUnit

MAX_AMOUNT = Decimal("1e15")


def parse_amount(value: Any, *, field: str) -> Decimal:
    """A non-negative amount from a number or a Spanish-formatted text ("1.234.567,50")."""
    try:
        amount = decimal_from_text(value, dot_groups_thousands=True)
    except InvalidOperation as exc:
        raise ValidationError({field: _("“%(value)s” is not an amount.") % {"value": value}}) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("Amounts must be zero or positive.")})
    if amount >= MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    return amount.quantize(Decimal("0.01"))


def _entity_territory(entity: Entity) -> tuple[list[TerritorialUnit], Any]:
    """The units the entity governs and the union of their geometries (None when none has one)."""
    units = [j.unit for j in Jurisdiction.objects.filter(entity=entity).select_related("unit")]
    shapes = [shape(u.geometry) for u in units if u.geometry]
    return units, (shapely.union_all(shapes) if shapes else None)


@dataclass
class ProjectInput:
    """Checked input of a project: the parsed total, breakdown, units, location and nodes."""

    total: Decimal | None
    breakdown: list[tuple[int, Decimal, FundingSource | None]]
    units: list[TerritorialUnit]
    location: dict[str, Any] | None
    nodes: list[Node]


def project_input_check(
    *,
    entity: Entity,
    code: str,
    title: str,
    cost_total: Any,
    year_costs: Sequence[tuple[int, Any, str | None]] = (),
    unit_codes: Iterable[str] = (),
    location: dict[str, Any] | None = None,
    plan: Plan | None = None,
    nodes: Iterable[Node] = (),
    project: Project | None = None,
    cost_required: bool = True,
) -> ProjectInput:
    """Check a project's input (no permission check, nothing written): every problem is collected
    and raised together as one ValidationError keyed by field. `project` is the one being
    changed (its own code is not a duplicate)."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    code, title = code.strip(), title.strip()
    duplicates = Project.objects.filter(entity=entity, code=code)
    if project is not None:
        duplicates = duplicates.exclude(pk=project.pk)
    if not code:
        fail("code", _("The code is required."))
    elif duplicates.exists():
        fail("code", _("The code %(code)s is already used by another project.") % {"code": code})
    if not title:
        fail("title", _("The title is required."))
    total = None
    if cost_required or str(cost_total or "").strip():
        try:
            total = parse_amount(cost_total, field="cost_total")
        except ValidationError as exc:
            for message in exc.message_dict["cost_total"]:
                fail("cost_total", message)
    sources = {s.code: s for s in FundingSource.objects.filter(country__in=[entity.country, "XX"])}
    breakdown: list[tuple[int, Decimal, FundingSource | None]] = []
    for year, raw_amount, source_code in year_costs:
        try:
            amount = parse_amount(raw_amount, field="year_costs")
        except ValidationError as exc:
            for message in exc.message_dict["year_costs"]:
                fail("year_costs", _("%(year)s: %(message)s") % {"year": year, "message": message})
            continue
        if not 1900 <= int(year) <= 2200:
            fail("year_costs", _("%(year)s is not a valid year.") % {"year": year})
        source = None
        if source_code:
            source = sources.get(source_code)
            if source is None:
                fail("year_costs", _("Unknown funding source: %(code)s") % {"code": source_code})
        breakdown.append((int(year), amount, source))
    if total is not None and breakdown and "year_costs" not in errors:
        spread = sum((amount for _year, amount, _source in breakdown), Decimal(0))
        if spread != total:
            fail(
                "year_costs",
                _("The costs per year add up to %(sum)s, not to the total cost %(total)s.")
                % {"sum": spread, "total": total},
            )
    codes = [c.strip() for c in unit_codes if c.strip()]
    found = {u.code: u for u in TerritorialUnit.objects.filter(country=entity.country, code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        fail("units", _("Unknown unit codes: %(codes)s") % {"codes": ", ".join(unknown)})
    governed, territory = _entity_territory(entity)
    if governed:
        prefixes = tuple(u.path for u in governed)
        outside = [u.code for u in found.values() if not u.path.startswith(prefixes)]
        if outside:
            fail(
                "units",
                _("These units are outside the entity's territory: %(codes)s")
                % {"codes": ", ".join(outside)},
            )
    if location is not None:
        try:
            geometry = shape(location)
            if geometry.is_empty or not geometry.is_valid:
                raise ValueError("invalid")
        except Exception:
            fail("location", _("The location is not a valid GeoJSON geometry."))
        else:
            if territory is not None and not territory.buffer(1e-9).covers(geometry):
                fail("location", _("The location lies outside the entity's territory."))
    node_list = list(nodes)
    if any(plan is None or n.plan_id != plan.pk for n in node_list):
        fail("nodes", _("The nodes must belong to the project's plan."))
    if plan is not None and plan.entity_id != entity.pk:
        fail("plan", _("The plan belongs to another entity."))
    if errors:
        raise ValidationError(errors)
    return ProjectInput(
        total=total, breakdown=breakdown, units=list(found.values()), location=location, nodes=node_list
    )


def project_create(
    *,
    actor: Any,
    entity: Entity,
    code: str,
    title: str,
    cost_total: Any,
    year_costs: Sequence[tuple[int, Any, str | None]] = (),
    unit_codes: Iterable[str] = (),
    location: dict[str, Any] | None = None,
    plan: Plan | None = None,
    nodes: Iterable[Node] = (),
    **fields: Any,
) -> Project:
    """A new project of the entity. The year breakdown (year, amount, funding source code) must add
    up to the total; units and the location must lie within the entity's territory."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    checked = project_input_check(
        entity=entity,
        code=code,
        title=title,
        cost_total=cost_total,
        year_costs=year_costs,
        unit_codes=unit_codes,
        location=location,
        plan=plan,
        nodes=nodes,
    )
    code, title, total = code.strip(), title.strip(), checked.total
    with transaction.atomic():
        project = Project(
            entity=entity,
            plan=plan,
            code=code,
            title=title,
            cost_total=total or Decimal(0),
            location=location,
            created_by=actor,
            **fields,
        )
        project.full_clean(exclude=["created_by"])
        project.save()
        project.units.set(checked.units)
        project.nodes.set(checked.nodes)
        ProjectYearCost.objects.bulk_create(
            [ProjectYearCost(project=project, year=y, amount=a, source=s) for y, a, s in checked.breakdown]
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATED,
            target=project,
            entity_id=entity.pk,
            scope=plan,
            changes={"code": [None, code], "title": [None, title], "cost_total": [None, str(total)]},
        )
    return project


PROJECT_AUDIT_FIELDS = (
    "code",
    "title",
    "description",
    "kind",
    "stage",
    "term",
    "national_code",
    "responsible",
    "sector",
    "plan",
    "cost_total",
    "location",
)


def _project_state(project: Project) -> dict[str, Any]:
    """The audited state of a project: its fields, its links and its year breakdown."""
    state = model_snapshot(project, PROJECT_AUDIT_FIELDS)
    state["nodes"] = sorted(project.nodes.values_list("pk", flat=True))
    state["units"] = sorted(project.units.values_list("code", flat=True))
    state["indicators"] = sorted(project.indicators.values_list("pk", flat=True))
    state["year_costs"] = [
        [y, str(a), s]
        for y, a, s in project.year_costs.order_by("year", "pk").values_list("year", "amount", "source__code")
    ]
    return state


def project_update(
    *,
    actor: Any,
    project: Project,
    code: str,
    title: str,
    cost_total: Any,
    year_costs: Sequence[tuple[int, Any, str | None]] = (),
    unit_codes: Iterable[str] = (),
    location: dict[str, Any] | None = None,
    plan: Plan | None = None,
    nodes: Iterable[Node] = (),
    indicators: Iterable[Indicator] | None = None,
    **fields: Any,
) -> Project:
    """Change a project with the same checks as `project_create`; the breakdown is replaced as a
    whole and the audit keeps every changed field before and after."""
    require(actor, project.entity_id, Capability.EDIT_PLAN)
    entity = project.entity
    checked = project_input_check(
        entity=entity,
        code=code,
        title=title,
        cost_total=cost_total,
        year_costs=year_costs,
        unit_codes=unit_codes,
        location=location,
        plan=plan,
        nodes=nodes,
        project=project,
    )
    indicator_list = list(indicators) if indicators is not None else None
    if indicator_list is not None and any(i.plan.entity_id != entity.pk for i in indicator_list):
        raise ValidationError({"indicators": _("The indicators must belong to plans of the entity.")})
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        before = _project_state(project)
        project.code, project.title = code.strip(), title.strip()
        project.cost_total = checked.total or Decimal(0)
        project.location = location
        project.plan = plan
        for name, value in fields.items():
            setattr(project, name, value)
        project.full_clean(exclude=["created_by", "reviewed_by"])
        project.save()
        project.units.set(checked.units)
        project.nodes.set(checked.nodes)
        if indicator_list is not None:
            project.indicators.set(indicator_list)
        project.year_costs.all().delete()
        ProjectYearCost.objects.bulk_create(
            [ProjectYearCost(project=project, year=y, amount=a, source=s) for y, a, s in checked.breakdown]
        )
        changes = snapshot_diff(before, _project_state(project))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=project,
            entity_id=project.entity_id,
            scope=plan,
            changes=changes,
        )
    return project


def criterion_set(
    *,
    actor: Any,
    entity: Entity,
    key: str,
    name: str,
    weight: Any,
    higher_is_better: bool = True,
    scale_max: Any = 5,
) -> PriorityCriterion:
    """Create or change a criterion of the entity's prioritisation matrix."""
    require(actor, entity.pk, Capability.EDIT_PLAN)
    weight_value = parse_amount(weight, field="weight")
    scale = parse_amount(scale_max, field="scale_max")
    if scale <= 0:
        raise ValidationError({"scale_max": _("The maximum score must be positive.")})
    with transaction.atomic():
        criterion, created = PriorityCriterion.objects.update_or_create(
            entity=entity,
            key=key,
            defaults={
                "name": name,
                "weight": weight_value,
                "higher_is_better": higher_is_better,
                "scale_max": scale,
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATED if created else AuditAction.UPDATED,
            target=criterion,
            entity_id=entity.pk,
            changes={"weight": [None, str(weight_value)]},
        )
    return criterion


def score_set(
    *, actor: Any, project: Project, criterion: PriorityCriterion, score: Any, justification: str = ""
) -> ProjectScore:
    """A project's score on a criterion (0 to the criterion's maximum), with its justification."""
    require(actor, project.entity_id, Capability.EDIT_PLAN)
    if criterion.entity_id != project.entity_id:
        raise ValidationError(_("The criterion belongs to another entity."))
    value = parse_amount(score, field="score")
    if value > criterion.scale_max:
        raise ValidationError(
            {"score": _("The score must be between 0 and %(max)s.") % {"max": criterion.scale_max}}
        )
    with transaction.atomic():
        before = (
            ProjectScore.objects.select_for_update()
            .filter(project=project, criterion=criterion)
            .values_list("score", "justification")
            .first()
        )
        row, _created = ProjectScore.objects.update_or_create(
            project=project,
            criterion=criterion,
            defaults={"score": value, "justification": justification.strip(), "scored_by": actor},
        )
        changes = {f"score:{criterion.key}": [str(before[0]) if before else None, str(value)]}
        if before is None or before[1] != row.justification:
            changes[f"justification:{criterion.key}"] = [before[1] if before else None, row.justification]
        audit_record(
            actor=actor,
            action=AuditAction.UPDATED,
            target=project,
            entity_id=project.entity_id,
            scope=project.plan,
            changes=changes,
        )
    return row
