"""The eligibility engine on hand-made geometries: verdicts, the most specific rule, values
without a rule, no location, and a line crossing two zones."""

from __future__ import annotations

from shapely.geometry import LineString, Point, box

from rumbo.investments.eligibility import (
    ELIGIBLE,
    ELIGIBLE_WITH_CONDITIONS,
    NOT_ELIGIBLE,
    Rule,
    ServedNode,
    ZoningLayer,
    eligibility_combine,
    plan_alignment,
    zoning_check,
    zoning_check_many,
)

# Three zones side by side on a line of unit squares: residential [0,1], protected [1,2],
# industrial [2,3], and a square [3,4] whose value has no rule.
LAYER = ZoningLayer(
    layer_id=7,
    name="Zonificación",
    geometries=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(3, 0, 4, 1)],
    properties=[{"uso": "residencial"}, {"uso": "protección"}, {"uso": "industrial"}, {"uso": "minero"}],
    rules=[
        Rule("uso", "residencial", "allowed"),
        Rule("uso", "residencial", "conditional", sector="transport", note="estudio de tráfico"),
        Rule("uso", "protección", "forbidden", note="área protegida"),
        Rule("uso", "industrial", "conditional", note="licencia ambiental"),
    ],
)


def test_a_point_in_an_allowed_zone_is_allowed() -> None:
    result = zoning_check(geometry=Point(0.5, 0.5), sector="housing", layers=[LAYER])
    assert result.verdict == "allowed"
    assert [(z.value, z.verdict) for z in result.zones] == [("residencial", "allowed")]


def test_a_point_in_a_conditional_zone_is_conditional_with_the_rule_note() -> None:
    result = zoning_check(geometry=Point(2.5, 0.5), sector="housing", layers=[LAYER])
    assert result.verdict == "conditional"
    assert result.zones[0].note == "licencia ambiental"


def test_a_point_in_a_forbidden_zone_is_forbidden() -> None:
    result = zoning_check(geometry=Point(1.5, 0.5), sector="", layers=[LAYER])
    assert result.verdict == "forbidden"


def test_the_sector_specific_rule_beats_the_any_sector_rule() -> None:
    # given a residential zone allowed for any sector but conditional for transport
    point = Point(0.5, 0.5)
    # when a transport project and a housing project are checked there
    transport = zoning_check(geometry=point, sector="transport", layers=[LAYER])
    housing = zoning_check(geometry=point, sector="housing", layers=[LAYER])
    # then the transport one gets its own rule
    assert (transport.verdict, transport.zones[0].rule_sector) == ("conditional", "transport")
    assert (housing.verdict, housing.zones[0].rule_sector) == ("allowed", "")


def test_a_value_without_a_rule_is_listed_and_not_counted_as_allowed() -> None:
    result = zoning_check(geometry=Point(3.5, 0.5), sector="", layers=[LAYER])
    assert result.verdict == "no_rule"
    assert [(z.value, z.verdict) for z in result.zones] == [("minero", "no_rule")]
    assert any("minero" in line for line in result.explanation)


def test_without_a_location_the_zoning_is_not_checked() -> None:
    result = zoning_check(geometry=None, sector="", layers=[LAYER])
    assert result.verdict == "not_checked" and result.zones == []


def test_a_line_crossing_two_zones_takes_the_worst_verdict() -> None:
    # given a road from the residential zone into the protected one
    road = LineString([(0.2, 0.5), (1.5, 0.5)])
    # when it is checked
    result = zoning_check(geometry=road, sector="", layers=[LAYER])
    # then both zones are listed and the protected zone's verdict wins
    assert {(z.value, z.verdict) for z in result.zones} == {
        ("residencial", "allowed"),
        ("protección", "forbidden"),
    }
    assert result.verdict == "forbidden"


def test_a_line_over_a_ruled_zone_and_an_unruled_one_takes_the_ruled_verdict_and_lists_the_gap() -> None:
    result = zoning_check(geometry=LineString([(2.9, 0.5), (3.5, 0.5)]), sector="", layers=[LAYER])
    assert result.verdict == "conditional"
    assert {z.verdict for z in result.zones} == {"conditional", "no_rule"}


def test_the_bulk_check_gives_the_same_answers_as_one_by_one() -> None:
    geometries = [Point(0.5, 0.5), None, Point(1.5, 0.5), Point(9, 9), LineString([(0.5, 0.5), (2.5, 0.5)])]
    sectors = ["", "", "", "", "transport"]
    bulk = [r.verdict for r in zoning_check_many(geometries=geometries, sectors=sectors, layers=[LAYER])]
    single = [
        zoning_check(geometry=g, sector=s, layers=[LAYER]).verdict
        for g, s in zip(geometries, sectors, strict=True)
    ]
    assert bulk == single == ["allowed", "not_checked", "forbidden", "no_rule", "forbidden"]


def test_eligibility_needs_a_node_of_a_plan_of_the_entity() -> None:
    node = ServedNode(
        node_id=1, plan_id=10, plan_name="PAT", code="OE1", title="Agua segura", level="Objetivo"
    )
    zoning = zoning_check(geometry=Point(0.5, 0.5), sector="", layers=[LAYER])
    aligned = plan_alignment(nodes=[node], entity_plan_ids={10})
    foreign = plan_alignment(nodes=[node], entity_plan_ids={11})
    assert eligibility_combine(plan=aligned, zoning=zoning, checked_at="t")["verdict"] == ELIGIBLE
    assert eligibility_combine(plan=foreign, zoning=zoning, checked_at="t")["verdict"] == NOT_ELIGIBLE
    assert aligned["nodes"][0]["code"] == "OE1" and foreign["nodes"] == []


def test_zoning_turns_an_aligned_project_conditional_or_not_eligible() -> None:
    plan = plan_alignment(
        nodes=[ServedNode(node_id=1, plan_id=10, plan_name="PAT", code="OE1", title="x")],
        entity_plan_ids={10},
    )
    conditional = zoning_check(geometry=Point(2.5, 0.5), sector="", layers=[LAYER])
    forbidden = zoning_check(geometry=Point(1.5, 0.5), sector="", layers=[LAYER])
    stored = eligibility_combine(plan=plan, zoning=conditional, checked_at="2026-01-01T00:00:00")
    assert stored["verdict"] == ELIGIBLE_WITH_CONDITIONS
    assert set(stored) == {"checked_at", "verdict", "plan", "zoning_verdict", "zones", "explanation"}
    assert eligibility_combine(plan=plan, zoning=forbidden, checked_at="t")["verdict"] == NOT_ELIGIBLE
