"""Dashboard pages: breakdowns with their numbers, missing shown as missing, permissions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from rumbo.plans.services import plan_create
from tests.factories import UnitFactory
from tests.indicators.rollup.tree_builder import indicator, measure, node, target


@pytest.fixture
def board(world: Any, superuser: Any) -> dict[str, Any]:
    """E (axis) → O1 (weight 2; I1 80 of 100) and O2 (weight 3; I2 50 of 100); O3 (weight 5; I3 no value)."""
    plan = plan_create(
        actor=superuser, entity=world.entity, plan_type=world.plan.plan_type, name="Plan tablero"
    )
    e = node(superuser, plan, "E")
    o1 = node(superuser, plan, "O1", parent=e, weight="2")
    o2 = node(superuser, plan, "O2", parent=e, weight="3")
    o3 = node(superuser, plan, "O3", parent=e, weight="5")
    i1 = indicator(plan, o1, "I1", target=100, value=80, evidence=1)
    i2 = indicator(plan, o2, "I2", target=100, value=50)
    i3 = indicator(plan, o3, "I3", target=100)
    measure(i1, 40, period="2025T2")
    target(i1, 100, period="2025T2")
    return {"plan": plan, "E": e, "O1": o1, "O2": o2, "O3": o3, "I1": i1, "I2": i2, "I3": i3}


def client_for(user: Any = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def text(response: Any) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", response.content.decode()))


def test_dashboard_shows_axis_progress_with_its_breakdown(world: Any, board: dict[str, Any]) -> None:
    # when an observer opens the dashboard for 2025T3
    response = client_for(world.users["observer"]).get(
        f"/seguimiento/planes/{board['plan'].pk}/tablero/?periodo=2025T3"
    )
    # then the axis shows 62.0 % = 0.4 × 80 % + 0.6 × 50 %, with O3 left out as missing
    assert response.status_code == 200
    html = text(response)
    assert "62.0 %" in html
    assert "How is this calculated?" in html
    assert "0.4 × 80.0 % + 0.6 × 50.0 % = 62.0 %" in html
    assert "Without data, left out (not counted as 0): O3 Nodo O3." in html
    assert f'href="/seguimiento/planes/{board["plan"].pk}/nodos/{board["O1"].pk}/?periodo=2025T3"' in html
    assert "axis-chart-spec" in html
    assert "vendor/vega/vega-lite.min.js" in html
    assert 'name="periodo"' in html and 'value="2025T2"' in html


def test_dashboard_defaults_to_the_latest_period_with_approved_values(
    world: Any, board: dict[str, Any]
) -> None:
    response = client_for(world.users["observer"]).get(f"/seguimiento/planes/{board['plan'].pk}/tablero/")
    assert response.status_code == 200
    assert response.context["period"].code == "2025T3"


def test_dashboard_with_a_bad_period_says_so_and_shows_the_default(world: Any, board: dict[str, Any]) -> None:
    response = client_for(world.users["observer"]).get(
        f"/seguimiento/planes/{board['plan'].pk}/tablero/?periodo=otoño"
    )
    assert response.status_code == 200
    assert "is not a period" in text(response)
    assert response.context["period"].code == "2025T3"


def test_a_period_without_data_shows_no_data_not_zero(world: Any, board: dict[str, Any]) -> None:
    response = client_for(world.users["observer"]).get(
        f"/seguimiento/planes/{board['plan'].pk}/tablero/?periodo=2031T1"
    )
    html = text(response)
    assert response.status_code == 200
    assert "no data" in html
    assert not re.search(r"(?<![\d.])0\.0 %", html)
    assert response.context["rollup"].roots[0].progress is None


def test_node_page_has_the_breakdown_table(world: Any, board: dict[str, Any]) -> None:
    response = client_for(world.users["observer"]).get(
        f"/seguimiento/planes/{board['plan'].pk}/nodos/{board['E'].pk}/?periodo=2025T3"
    )
    assert response.status_code == 200
    html = text(response)
    table = html[html.index('class="table table-sm align-middle mb-2 breakdown"') :]
    # O1: raw 2, share 0.400, value 0.800, 0.320; O2: raw 3, share 0.600, value 0.500, 0.300; O3: missing
    assert re.search(
        r"O1 Nodo O1</a></td><td class=\"text-end\">2</td><td class=\"text-end\">0.400</td>"
        r"<td class=\"text-end\">0.800 <span class=\"text-muted\">\(80.0 %\)</span></td>"
        r"<td class=\"text-end\">0.320</td>",
        table,
    )
    assert "0.600" in table and "0.300" in table
    assert re.search(
        r"O3 Nodo O3</a></td><td class=\"text-end\">5</td><td class=\"text-end\" colspan=\"3\">"
        r"<span class=\"badge light-missing\">no data</span> left out",
        table,
    )
    assert "0.620 (62.0 %)" in table
    assert "weights entered do not add up to 1" in html


def test_node_page_lists_its_indicators_with_their_breakdown(world: Any, board: dict[str, Any]) -> None:
    response = client_for(world.users["observer"]).get(
        f"/seguimiento/planes/{board['plan'].pk}/nodos/{board['O1'].pk}/?periodo=2025T3"
    )
    html = text(response)
    assert "Achievement = value / target = 80 / 100 = 80.0 % (increasing indicator)" in html
    assert "1 piece of evidence" in html
    assert f'href="/seguimiento/indicadores/{board["I1"].pk}/?periodo=2025T3"' in html


def test_node_of_another_plan_is_404(world: Any, board: dict[str, Any]) -> None:
    response = client_for(world.users["observer"]).get(
        f"/seguimiento/planes/{board['plan'].pk}/nodos/{world.node.pk}/"
    )
    assert response.status_code == 404


def test_indicator_page_shows_chart_breakdown_and_measurements(world: Any, board: dict[str, Any]) -> None:
    measure(board["I1"], 77, period="2025T4", status="draft")
    response = client_for(world.users["observer"]).get(
        f"/seguimiento/indicadores/{board['I1'].pk}/?periodo=2025T3"
    )
    assert response.status_code == 200
    html = text(response)
    assert "indicator-chart-spec" in html
    assert '"layer"' in html  # the Vega-Lite spec, built in Python
    assert "Achievement = value / target = 80 / 100 = 80.0 %" in html
    assert "Acta 1" in html and "https://example.org/0" in html
    assert "Draft" in html  # the observer may read private data: drafts are listed


def test_indicator_without_value_says_missing(world: Any, board: dict[str, Any]) -> None:
    response = client_for(world.users["observer"]).get(
        f"/seguimiento/indicadores/{board['I3'].pk}/?periodo=2025T3"
    )
    html = text(response)
    assert "No approved value for 2025T3: shown as missing" in html
    assert 'id="achievement">no data' in html


def test_territory_view_shows_units_and_missing(world: Any, board: dict[str, Any]) -> None:
    north, south = UnitFactory(code="990001", name="Norte"), UnitFactory(code="990002", name="Sur")
    board["plan"].units.set([north, south])
    measure(board["I1"], 45, unit=north)
    response = client_for(world.users["observer"]).get(
        f"/seguimiento/planes/{board['plan'].pk}/territorios/?periodo=2025T3"
    )
    assert response.status_code == 200
    html = text(response)
    assert "Norte" in html and "Sur" in html
    assert "45.0 %" in html
    assert "light-missing" in html


# --- permissions -----------------------------------------------------------------------------


def test_published_plan_is_public(world: Any, superuser: Any) -> None:
    plan = world.public_plan
    ind = indicator(plan, plan.nodes.first(), "P", target=10, value=5)
    measure(ind, 9, period="2025T3", status="draft", version=2)
    anonymous = client_for()
    for url in (
        f"/seguimiento/planes/{plan.pk}/tablero/",
        f"/seguimiento/planes/{plan.pk}/nodos/{plan.nodes.first().pk}/",
        f"/seguimiento/planes/{plan.pk}/territorios/",
        f"/seguimiento/indicadores/{ind.pk}/",
    ):
        assert anonymous.get(url).status_code == 200, url
    # citizens see approved values only
    html = text(anonymous.get(f"/seguimiento/indicadores/{ind.pk}/?periodo=2025T3"))
    assert "Only approved values are shown." in html
    assert "Draft" not in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 404),
        ("outsider", 404),
        ("other_admin", 404),
        ("observer", 200),
        ("overseer", 200),
        ("reporter", 200),
    ],
)
def test_private_plan_is_hidden_from_outsiders(world: Any, who: str | None, status: int) -> None:
    plan = world.plan
    ind = indicator(plan, world.node, "PR", target=10, value=5)
    client = client_for(world.users[who] if who else None)
    for url in (
        f"/seguimiento/planes/{plan.pk}/tablero/",
        f"/seguimiento/planes/{plan.pk}/nodos/{world.node.pk}/",
        f"/seguimiento/planes/{plan.pk}/territorios/",
        f"/seguimiento/indicadores/{ind.pk}/",
    ):
        assert client.get(url).status_code == status, (who, url)


def test_dashboard_and_api_query_counts_do_not_grow_with_the_plan(world: Any, superuser: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.indicators.rollup.test_rollup import _plan_of

    small, big = _plan_of(world, superuser, 20), _plan_of(world, superuser, 200)
    client = client_for(world.users["observer"])
    counts = []
    for plan in (small, big):
        for url in (
            f"/seguimiento/planes/{plan.pk}/tablero/?periodo=2025T3",
            f"/api/v1/plans/{plan.pk}/progress",
        ):
            client.get(url)  # warm the session and the caches
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.append(len(ctx.captured_queries))
    assert counts[:2] == counts[2:], counts


def test_indicator_page_links_measurements_and_evidence_files(world: Any, board: dict[str, Any]) -> None:
    from rumbo.indicators.models import Evidence, Measurement

    m = Measurement.objects.get(indicator=board["I1"], period__code="2025T3")
    doc = Evidence.objects.create(
        measurement=m, kind="file", name="informe.pdf", content_type="application/pdf"
    )
    html = text(
        client_for(world.users["observer"]).get(f"/seguimiento/indicadores/{board['I1'].pk}/?periodo=2025T3")
    )
    assert f'href="/seguimiento/evidencias/{doc.pk}/"' in html
    assert f'href="/seguimiento/mediciones/{m.pk}/"' in html
