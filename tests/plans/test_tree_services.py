from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rumbo.core.models import AuditEvent
from rumbo.plans.models import Node
from rumbo.plans.selectors import plan_tree, plan_tree_nested
from rumbo.plans.services import (
    ChildrenRule,
    node_create,
    node_delete,
    node_move,
    node_shift,
    node_update,
    parse_weight,
)


def _codes(plan: Any) -> list[str]:
    return [r.code for r in plan_tree(plan=plan).rows]


@pytest.fixture
def tree(world: Any) -> dict[str, Node]:
    """E1 (existing) → O1 → P1, P2 ; E2 → O2"""
    actor, plan = world.users["planner"], world.plan
    e1 = world.node
    o1 = node_create(actor=actor, plan=plan, parent=e1, code="O1", title="Objetivo 1")
    p1 = node_create(actor=actor, plan=plan, parent=o1, code="P1", title="Programa 1", weight="2")
    p2 = node_create(actor=actor, plan=plan, parent=o1, code="P2", title="Programa 2", weight="3")
    e2 = node_create(actor=actor, plan=plan, parent=None, code="E2", title="Eje 2")
    o2 = node_create(actor=actor, plan=plan, parent=e2, code="O2", title="Objetivo 2")
    return {"E1": e1, "O1": o1, "P1": p1, "P2": p2, "E2": e2, "O2": o2}


def test_nodes_get_paths_depths_and_levels_from_their_parent(world: Any, tree: dict[str, Node]) -> None:
    # given the tree fixture
    p1 = Node.objects.get(pk=tree["P1"].pk)
    # then
    assert p1.path == f"/{tree['E1'].pk}/{tree['O1'].pk}/{p1.pk}/"
    assert p1.depth == 3
    assert p1.level.name == "Programa"
    assert _codes(world.plan) == ["E1", "O1", "P1", "P2", "E2", "O2"]


def test_tree_shares_normalise_sibling_weights_and_report_groups_that_do_not_add_up(
    world: Any, tree: dict[str, Node]
) -> None:
    summary = plan_tree(plan=world.plan)
    shares = {r.code: r.share for r in summary.rows}
    # P1 and P2 weigh 2 and 3: they count 40 % and 60 %
    assert shares["P1"] == pytest.approx(0.4)
    assert shares["P2"] == pytest.approx(0.6)
    assert shares["E1"] == pytest.approx(0.5)
    assert summary.unnormalised_groups[tree["O1"].pk] == Decimal("5")


def test_all_zero_weights_give_no_share_instead_of_dividing_by_zero(
    world: Any, tree: dict[str, Node]
) -> None:
    actor = world.users["planner"]
    node_update(actor=actor, node=tree["P1"], weight="0")
    node_update(actor=actor, node=tree["P2"], weight="0")
    shares = {r.code: r.share for r in plan_tree(plan=world.plan).rows}
    assert shares["P1"] is None and shares["P2"] is None


def test_duplicate_code_in_the_same_plan_is_refused_in_spanish(world: Any, tree: dict[str, Node]) -> None:
    with pytest.raises(ValidationError) as exc:
        node_create(actor=world.users["planner"], plan=world.plan, parent=None, code="O1", title="Otro")
    assert "ya se usa" in str(exc.value.message_dict["code"][0])


def test_same_code_in_another_plan_is_allowed(world: Any, tree: dict[str, Node]) -> None:
    node = node_create(
        actor=world.users["planner"], plan=world.public_plan, parent=None, code="O1", title="Otro"
    )
    assert node.code == "O1"


@pytest.mark.parametrize(
    "raw, expected",
    [("0,25", "0.25"), ("1.234,5", "1234.5"), ("1,234.5", "1234.5"), (" 2 ", "2"), ("0.5", "0.5")],
)
def test_weights_accept_spanish_decimal_commas(raw: str, expected: str) -> None:
    assert parse_weight(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["-1", "abc", "NaN", "1e9"])
def test_bad_weights_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        parse_weight(raw)


def test_move_carries_the_subtree_and_updates_paths_depths_and_levels(
    world: Any, tree: dict[str, Node]
) -> None:
    # when O1 (with P1, P2) moves under O2
    node_move(actor=world.users["planner"], node=tree["O1"], new_parent=tree["O2"])
    # then
    p1 = Node.objects.get(pk=tree["P1"].pk)
    o1 = Node.objects.get(pk=tree["O1"].pk)
    assert o1.depth == 3 and o1.level.name == "Programa"
    assert p1.depth == 4 and p1.level.name == "Proyecto / acción"
    assert p1.path == f"/{tree['E2'].pk}/{tree['O2'].pk}/{o1.pk}/{p1.pk}/"
    assert _codes(world.plan) == ["E1", "E2", "O2", "O1", "P1", "P2"]


def test_move_deeper_than_configured_levels_creates_a_generic_level(
    world: Any, tree: dict[str, Node]
) -> None:
    actor = world.users["planner"]
    p3 = node_create(actor=actor, plan=world.plan, parent=tree["P1"], code="A1", title="Acción")
    node_move(actor=actor, node=tree["E2"], new_parent=p3)
    o2 = Node.objects.get(pk=tree["O2"].pk)
    assert o2.depth == 6 and o2.level.name == "Nivel 6"


def test_moving_a_node_under_its_own_descendant_is_refused(world: Any, tree: dict[str, Node]) -> None:
    with pytest.raises(ValidationError):
        node_move(actor=world.users["planner"], node=tree["E1"], new_parent=tree["P1"])
    assert Node.objects.get(pk=tree["E1"].pk).parent_id is None


def test_shift_reorders_siblings(world: Any, tree: dict[str, Node]) -> None:
    node_shift(actor=world.users["planner"], node=tree["P2"], offset=-1)
    assert _codes(world.plan) == ["E1", "O1", "P2", "P1", "E2", "O2"]
    node_shift(actor=world.users["planner"], node=Node.objects.get(pk=tree["E2"].pk), offset=-1)
    assert _codes(world.plan)[:2] == ["E2", "O2"]


def test_delete_with_subtree_removes_all_descendants_and_records_each(
    world: Any, tree: dict[str, Node]
) -> None:
    deleted = node_delete(actor=world.users["planner"], node=tree["E1"], children=ChildrenRule.DELETE)
    assert deleted == 4
    assert _codes(world.plan) == ["E2", "O2"]
    assert AuditEvent.objects.filter(action="deleted", scope_id=world.plan.pk).count() == 4


def test_delete_promoting_children_keeps_them_in_the_place_of_the_node(
    world: Any, tree: dict[str, Node]
) -> None:
    node_delete(actor=world.users["planner"], node=tree["O1"], children=ChildrenRule.PROMOTE)
    assert _codes(world.plan) == ["E1", "P1", "P2", "E2", "O2"]
    p1 = Node.objects.get(pk=tree["P1"].pk)
    assert p1.parent_id == tree["E1"].pk and p1.depth == 2 and p1.level.name == "Objetivo estratégico"


def test_updates_are_audited_with_before_and_after(world: Any, tree: dict[str, Node]) -> None:
    node_update(actor=world.users["planner"], node=tree["P1"], title="Programa uno", weight="0,5")
    event = AuditEvent.objects.filter(action="updated", target_id=str(tree["P1"].pk)).latest("id")
    assert event.actor == world.users["planner"]
    assert event.changes["title"] == ["Programa 1", "Programa uno"]
    assert event.changes["weight"] == ["2.000000", "0.500000"]


def test_reporter_and_observer_cannot_edit_the_tree(world: Any) -> None:
    for role in ("reporter", "observer", "committee_member", "approver"):
        with pytest.raises(PermissionDenied):
            node_create(actor=world.users[role], plan=world.plan, parent=None, code="Z", title="Z")


def test_an_administrator_of_another_entity_cannot_touch_this_plan(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        node_update(actor=world.users["other_admin"], node=world.node, title="hackeado")
    assert Node.objects.get(pk=world.node.pk).title == "Eje uno"


def test_nested_tree_has_children_in_order(world: Any, tree: dict[str, Node]) -> None:
    nested = plan_tree_nested(plan=world.plan)
    assert [n["code"] for n in nested] == ["E1", "E2"]
    assert [n["code"] for n in nested[0]["children"][0]["children"]] == ["P1", "P2"]


def test_tree_read_is_a_constant_number_of_queries(
    world: Any, tree: dict[str, Node], django_assert_num_queries: Any
) -> None:
    actor = world.users["planner"]
    for i in range(30):
        node_create(actor=actor, plan=world.plan, parent=tree["P1"], code=f"X{i}", title=f"Acción {i}")
    with django_assert_num_queries(2):  # the levels, then every node
        rows = plan_tree(plan=world.plan).rows
    assert len(rows) == 36


def _queries_for(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_tree_page_and_tree_api_query_counts_do_not_grow_with_the_tree(
    world: Any, tree: dict[str, Node]
) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.users["planner"])
    urls = [f"/planes/{world.plan.pk}/", f"/api/v1/plans/{world.plan.pk}/tree"]
    small = [_queries_for(client, url) for url in urls]
    # when the tree grows tenfold, with deeper levels and more siblings
    actor = world.users["planner"]
    parent = tree["P2"]
    for i in range(60):
        parent = node_create(
            actor=actor,
            plan=world.plan,
            parent=parent if i % 10 else tree["O2"],
            code=f"N{i}",
            title=f"Nodo {i}",
        )
    big = [_queries_for(client, url) for url in urls]
    # then both pages run the same number of queries
    assert big == small
