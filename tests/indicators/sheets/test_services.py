"""Indicator sheets, variables, targets, the catalogue, project progress and corrective actions."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from rumbo.core.models import AuditEvent
from rumbo.indicators.models import (
    CorrectiveAction,
    Indicator,
    IndicatorVariable,
    Measurement,
    Milestone,
    Target,
    Variable,
)
from rumbo.indicators.periods import period_get_or_create
from rumbo.indicators.sheets import services
from rumbo.indicators.sheets.catalogue import DATA_FILE, general_catalogue
from rumbo.indicators.sheets.selectors import (
    indicator_sheet,
    project_financial_progress,
    project_physical_progress,
)
from rumbo.plans.services import node_create

pytestmark = pytest.mark.django_db


def _variables(world: Any) -> None:
    planner = world.users["planner"]
    services.variable_create(actor=planner, entity=world.entity, code="VCA", name="Viviendas con agua")
    services.variable_create(actor=planner, entity=world.entity, code="VT", name="Viviendas totales")


def test_variable_codes_are_unique_per_entity_and_must_be_identifiers(world: Any) -> None:
    # given
    _variables(world)
    planner = world.users["planner"]
    # when / then
    with pytest.raises(ValidationError) as dup:
        services.variable_create(actor=planner, entity=world.entity, code="VCA", name="Otra")
    assert "code" in dup.value.message_dict
    for bad in ("1A", "A B", "max", "a.b"):
        with pytest.raises(ValidationError):
            services.variable_create(actor=planner, entity=world.entity, code=bad, name="Mal")
    with pytest.raises(PermissionDenied):
        services.variable_create(actor=world.users["reporter"], entity=world.entity, code="X", name="X")
    assert Variable.objects.filter(entity=world.entity).count() == 2


def test_indicator_with_a_formula_links_its_variables(world: Any) -> None:
    # given
    _variables(world)
    # when
    indicator = services.indicator_create(
        actor=world.users["planner"],
        plan=world.plan,
        node=world.node,
        code="I1",
        name="Cobertura de agua",
        unit="percentage",
        formula="VCA / VT * 100",
    )
    # then
    assert set(
        IndicatorVariable.objects.filter(indicator=indicator).values_list("variable__code", flat=True)
    ) == {
        "VCA",
        "VT",
    }
    assert AuditEvent.objects.filter(target_id=str(indicator.pk), action="created").exists()
    # a formula with a new variable replaces the links
    services.variable_create(actor=world.users["planner"], entity=world.entity, code="H", name="Hogares")
    services.indicator_update(actor=world.users["planner"], indicator=indicator, formula="VCA / H * 100")
    assert set(
        IndicatorVariable.objects.filter(indicator=indicator).values_list("variable__code", flat=True)
    ) == {
        "VCA",
        "H",
    }
    # a variable in use keeps its code
    with pytest.raises(ValidationError):
        services.variable_update(
            actor=world.users["planner"], variable=Variable.objects.get(code="H"), code="HH"
        )


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"threshold_green": Decimal("60"), "threshold_amber": Decimal("70")}, "threshold_green"),
        ({"cap_percent": Decimal("0")}, "cap_percent"),
        ({"cap_percent": Decimal("-5")}, "cap_percent"),
        ({"baseline_date": datetime.date(2999, 1, 1)}, "baseline_date"),
        ({"formula": "VCA / NOEXISTE"}, "formula"),
        ({"formula": "__import__('os')"}, "formula"),
        ({"formula": "VCA ** 2"}, "formula"),
        ({"unit": "furlongs"}, "unit"),
        ({"direction": "sideways"}, "direction"),
        ({"code": "DUP"}, "code"),
        ({"name": "  "}, "name"),
    ],
)
def test_invalid_sheets_write_nothing(world: Any, fields: dict[str, Any], error_field: str) -> None:
    # given
    _variables(world)
    planner = world.users["planner"]
    services.indicator_create(actor=planner, plan=world.plan, node=None, code="DUP", name="Existente")
    before_indicators, before_events = Indicator.objects.count(), AuditEvent.objects.count()
    data = {"code": "NEW", "name": "Nuevo", **fields}
    # when
    with pytest.raises(ValidationError) as info:
        services.indicator_create(
            actor=planner,
            plan=world.plan,
            node=world.node,
            code=data.pop("code"),
            name=data.pop("name"),
            **data,
        )
    # then
    assert error_field in info.value.message_dict
    assert Indicator.objects.count() == before_indicators
    assert AuditEvent.objects.count() == before_events


def test_node_of_another_plan_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.indicator_create(
            actor=world.users["planner"], plan=world.plan, node=world.other_node, code="X", name="X"
        )
    assert "node" in info.value.message_dict


def test_failed_update_leaves_the_sheet_unchanged(world: Any) -> None:
    indicator = services.indicator_create(
        actor=world.users["planner"], plan=world.plan, node=None, code="I1", name="Uno"
    )
    with pytest.raises(ValidationError):
        services.indicator_update(
            actor=world.users["planner"], indicator=indicator, name="Cambiado", threshold_amber=Decimal("95")
        )
    indicator.refresh_from_db()
    assert indicator.name == "Uno" and indicator.threshold_amber == Decimal("70")


def test_only_planners_create_and_reporters_cannot(world: Any) -> None:
    for who in ("reporter", "approver", "observer", "other_admin", "outsider"):
        with pytest.raises(PermissionDenied):
            services.indicator_create(actor=world.users[who], plan=world.plan, node=None, code="X", name="X")
    assert not Indicator.objects.exists()


def test_direction_stored_or_inferred_from_targets(world: Any) -> None:
    # given
    planner = world.users["planner"]
    stored = services.indicator_create(
        actor=planner, plan=world.plan, node=None, code="S", name="Guardada", direction="decreasing"
    )
    inferred = services.indicator_create(
        actor=planner, plan=world.plan, node=None, code="N", name="Inferida", baseline_value=Decimal("40")
    )
    # when
    services.targets_set(actor=planner, indicator=inferred, values={"2026": "30", "2027": "20"})
    services.targets_set(actor=planner, indicator=stored, values={"2026": "30", "2027": "50"})
    # then
    assert stored.direction == "decreasing"
    assert inferred.direction == ""
    assert (
        indicator_sheet(indicator=stored).direction,
        indicator_sheet(indicator=stored).direction_inferred,
    ) == (
        "decreasing",
        False,
    )
    sheet = indicator_sheet(indicator=inferred)
    assert (sheet.direction, sheet.direction_inferred) == ("decreasing", True)


def test_targets_set_update_remove_and_audit(world: Any) -> None:
    # given
    planner = world.users["planner"]
    indicator = services.indicator_create(actor=planner, plan=world.plan, node=None, code="I", name="I")
    # when
    target = services.target_set(actor=planner, indicator=indicator, period="2026T1", value="12,5")
    services.targets_set(actor=planner, indicator=indicator, values={"2025": 10, "2026T1": "13"})
    # then
    target.refresh_from_db()
    assert target.value == Decimal("13")
    assert {t.period.code: t.value for t in Target.objects.filter(indicator=indicator)} == {
        "2025": Decimal("10"),
        "2026T1": Decimal("13"),
    }
    events = AuditEvent.objects.filter(target_type__model="target").values_list("action", flat=True)
    assert sorted(events) == ["created", "created", "updated"]
    # an empty value removes
    services.targets_set(actor=planner, indicator=indicator, values={"2025": ""})
    assert list(Target.objects.filter(indicator=indicator).values_list("period__code", flat=True)) == [
        "2026T1"
    ]


def test_bad_targets_write_none(world: Any) -> None:
    planner = world.users["planner"]
    indicator = services.indicator_create(actor=planner, plan=world.plan, node=None, code="I", name="I")
    with pytest.raises(ValidationError) as info:
        services.targets_set(
            actor=planner, indicator=indicator, values={"2025": 10, "2025X": 3, "2026": "mucho"}
        )
    assert set(info.value.message_dict) == {"2025X", "2026"}
    assert not Target.objects.exists()
    with pytest.raises(PermissionDenied):
        services.target_set(actor=world.users["reporter"], indicator=indicator, period="2025", value=1)


def test_targets_outside_the_plan_horizon_are_refused(world: Any) -> None:
    world.plan.horizon_start, world.plan.horizon_end = 2025, 2030
    world.plan.save()
    indicator = services.indicator_create(
        actor=world.users["planner"], plan=world.plan, node=None, code="I", name="I"
    )
    with pytest.raises(ValidationError):
        services.target_set(actor=world.users["planner"], indicator=indicator, period="2031", value=1)
    services.target_set(actor=world.users["planner"], indicator=indicator, period="2030S2", value=1)


def test_catalogue_has_every_general_indicator_of_the_seed() -> None:
    catalogue = general_catalogue()
    by_group = {g.key: len(entries) for g, entries in catalogue.by_group()}
    # Seed 003 §7.1: 3 legal, 6 dissemination, 5 institutionalisation, 4 concertation.
    assert by_group == {"legal": 3, "dissemination": 6, "institutionalisation": 5, "concertation": 4}
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert len({e["key"] for e in raw["indicators"]}) == 18
    for entry in catalogue.entries:
        assert entry.means_of_verification and entry.seed_text and entry.level == "management"
        assert entry.direction == "increasing" and "Seed 003" in entry.citation


def test_catalogue_adopt_is_idempotent(world: Any) -> None:
    # given
    planner = world.users["planner"]
    keys = [e.key for e in general_catalogue().entries]
    # when
    first = services.catalogue_adopt(actor=planner, plan=world.plan, keys=keys, node=world.node)
    second = services.catalogue_adopt(actor=planner, plan=world.plan, keys=keys)
    # then
    assert len(first) == len(keys) == 18
    assert [i.pk for i in first] == [i.pk for i in second]
    assert Indicator.objects.filter(plan=world.plan).count() == 18
    legal = Indicator.objects.get(plan=world.plan, catalogue_key="LEG-01")
    assert legal.level == "management" and legal.node == world.node
    assert "Resolución de Aprobación del PE" in legal.means_of_verification
    assert "§7.1" in legal.justification and legal.direction == "increasing"
    with pytest.raises(ValidationError):
        services.catalogue_adopt(actor=planner, plan=world.plan, keys=["NOPE"])
    with pytest.raises(PermissionDenied):
        services.catalogue_adopt(actor=world.users["reporter"], plan=world.plan, keys=keys[:1])


def test_catalogue_adopt_avoids_a_code_already_used(world: Any) -> None:
    planner = world.users["planner"]
    services.indicator_create(actor=planner, plan=world.plan, node=None, code="IG-LEG-01", name="Propio")
    [adopted] = services.catalogue_adopt(actor=planner, plan=world.plan, keys=["LEG-01"])
    assert adopted.code == "IG-LEG-01-2"


def test_physical_progress_10_80_10(world: Any) -> None:
    # given
    planner, reporter = world.users["planner"], world.users["reporter"]
    with translation.override("en"):
        start, execution, closure = services.milestone_set(
            actor=planner, node=world.node, milestones=services.milestone_template()
        )
    assert [m.name for m in (start, execution, closure)] == ["Start", "Execution", "Closure"]
    # when
    services.milestone_progress_set(actor=reporter, milestone=start, period="2026T1", percent=100)
    services.milestone_progress_set(actor=reporter, milestone=execution, period="2026T2", percent="50")
    # then
    progress = project_physical_progress(node=world.node, period=period_get_or_create("2026T2"))
    assert progress.value == pytest.approx(0.5)
    assert [round(r.contribution, 6) for r in progress.rows] == [0.1, 0.4, 0.0]
    with translation.override("en"):
        text = project_physical_progress(node=world.node, period=period_get_or_create("2026T2")).explanation
    assert "0.10 × 100 % + 0.80 × 50 % + 0.10 × 0 % = 50.0 %" in text[0]
    assert "Closure" in text[-1]
    # earlier period: only the start counted
    assert project_physical_progress(
        node=world.node, period=period_get_or_create("2026T1")
    ).value == pytest.approx(0.1)


def test_milestone_rules(world: Any) -> None:
    planner, reporter = world.users["planner"], world.users["reporter"]
    [m] = services.milestone_set(
        actor=planner, node=world.node, milestones=[services.MilestoneSpec("Obra", Decimal("1"))]
    )
    with pytest.raises(ValidationError):
        services.milestone_progress_set(actor=reporter, milestone=m, period="2026", percent=101)
    with pytest.raises(PermissionDenied):
        services.milestone_progress_set(actor=world.users["observer"], milestone=m, period="2026", percent=10)
    with pytest.raises(PermissionDenied):
        services.milestone_set(actor=reporter, node=world.node, milestones=[])
    services.milestone_progress_set(actor=reporter, milestone=m, period="2026", percent=10)
    with pytest.raises(ValidationError):  # it has progress: it cannot be dropped
        services.milestone_set(actor=planner, node=world.node, milestones=[])
    with pytest.raises(ValidationError):
        services.milestone_set(
            actor=planner,
            node=world.node,
            milestones=[
                services.MilestoneSpec("A", Decimal("-1")),
                services.MilestoneSpec("A", Decimal("1")),
            ],
        )
    assert Milestone.objects.filter(node=world.node).count() == 1


def test_financial_progress(world: Any) -> None:
    reporter = world.users["reporter"]
    row = services.financial_progress_set(
        actor=reporter, node=world.node, period="2026", programmed="200000", executed=Decimal("150000")
    )
    assert row.currency == "PEN"
    result = project_financial_progress(node=world.node, period=period_get_or_create("2026"))
    assert result.value == pytest.approx(0.75)
    with translation.override("en"):
        text = project_financial_progress(node=world.node, period=period_get_or_create("2026")).explanation[0]
    assert "150000 / 200000 PEN = 75.0 %" in text
    with pytest.raises(ValidationError) as info:
        services.financial_progress_set(
            actor=reporter, node=world.node, period="2026", programmed=-1, executed=-2
        )
    assert set(info.value.message_dict) == {"programmed", "executed"}
    assert project_financial_progress(node=world.node, period=period_get_or_create("2027")).value is None


def test_corrective_actions_and_follow_up(world: Any) -> None:
    # given
    planner, reporter = world.users["planner"], world.users["reporter"]
    indicator = services.indicator_create(actor=planner, plan=world.plan, node=world.node, code="I", name="I")
    # when
    action = services.corrective_action_create(
        actor=planner,
        plan=world.plan,
        title="Reprogramar obra",
        responsible="Gerencia de Obras",
        indicator=indicator,
        due_date=datetime.date(2026, 12, 31),
    )
    services.corrective_action_follow_up_add(
        actor=reporter, action=action, text="Se reprogramó", status="in_progress"
    )
    # then
    action.refresh_from_db()
    assert action.status == "in_progress"
    assert action.follow_up[0]["text"] == "Se reprogramó" and action.follow_up[0]["by"] == "reporter"
    with pytest.raises(PermissionDenied):
        services.corrective_action_create(actor=reporter, plan=world.plan, title="X", responsible="Y")
    with pytest.raises(PermissionDenied):
        services.corrective_action_follow_up_add(actor=world.users["observer"], action=action, text="Nada")
    with pytest.raises(ValidationError):
        services.corrective_action_create(
            actor=planner, plan=world.plan, title="X", responsible="Y", node=world.other_node
        )
    services.corrective_action_update(actor=planner, action=action, status="done")
    assert CorrectiveAction.objects.get().status == "done"
    assert AuditEvent.objects.filter(target_type__model="correctiveaction").count() == 3


def test_indicator_with_measurements_cannot_be_deleted(world: Any) -> None:
    planner = world.users["planner"]
    indicator = services.indicator_create(actor=planner, plan=world.plan, node=None, code="I", name="I")
    other = services.indicator_create(actor=planner, plan=world.plan, node=None, code="J", name="J")
    Measurement.objects.create(indicator=indicator, period=period_get_or_create("2025"), value=1)
    with pytest.raises(ValidationError):
        services.indicator_delete(actor=planner, indicator=indicator)
    services.indicator_delete(actor=planner, indicator=other)
    assert list(Indicator.objects.values_list("code", flat=True)) == ["I"]


def test_baseline_today_is_accepted(world: Any) -> None:
    indicator = services.indicator_create(
        actor=world.users["planner"],
        plan=world.plan,
        node=None,
        code="I",
        name="I",
        baseline_date=timezone.localdate(),
        baseline_value=Decimal("3"),
    )
    assert indicator.baseline_value == 3


def test_an_indicator_can_hang_from_a_deeper_node(world: Any) -> None:
    child = node_create(
        actor=world.users["planner"], plan=world.plan, parent=world.node, code="E1.1", title="Obj"
    )
    indicator = services.indicator_create(
        actor=world.users["planner"], plan=world.plan, node=child, code="I", name="I"
    )
    assert indicator.node == child
