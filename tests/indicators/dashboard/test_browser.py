"""In Chromium: a citizen opens a published plan's dashboard, sees the charts drawn by the
vendored Vega-Lite, opens a breakdown and drills down to an indicator."""

from __future__ import annotations

from typing import Any

import pytest

from tests.indicators.rollup.tree_builder import indicator, node, target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_reads_the_dashboard_and_drills_down(world: Any, superuser: Any, page: Any) -> None:
    # given a published plan with an axis and two indicators over two quarters
    plan = world.public_plan
    axis = plan.nodes.get(code="P1")
    objective = node(superuser, plan, "P1.1", parent=axis, weight="2")
    first = indicator(plan, objective, "AGUA", target=100, value=80, period="2025T3")
    target(first, 100, period="2025T2")
    from tests.indicators.rollup.tree_builder import measure

    measure(first, 60, period="2025T2")
    indicator(plan, axis, "VIAS", target=10, value="12.5", direction="decreasing", weight="2")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    # when a citizen opens the dashboard
    page.goto(f"{page.base_url}/seguimiento/planes/{plan.pk}/tablero/?periodo=2025T3")
    # then the axis chart is drawn (SVG) and the axis figure opens its breakdown
    page.wait_for_selector("[data-vega-spec] svg")
    summary = page.locator(f"#axis-{axis.pk} details.how > summary")
    summary.click()
    breakdown = page.locator(f"#axis-{axis.pk} .how-body")
    assert breakdown.is_visible()
    assert "80,0 %" in breakdown.inner_text()
    # and following the indicator link shows its chart and its formula
    breakdown.get_by_role("link", name="P1.1 Nodo P1.1").click()
    page.locator("#node-indicators").get_by_role("link", name="AGUA Indicador AGUA").click()
    page.wait_for_selector("[data-vega-spec] svg")
    assert "80 / 100" in page.locator("#breakdown").inner_text()
    assert errors == []
