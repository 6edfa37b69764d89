"""Pages work under the Content-Security-Policy, and text from the database stays text.

The `page` fixture fails any test during which Chromium blocked a script or a style, so these
tests only need to drive the pages that run the most JavaScript of their own.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SQUARE = {"type": "Polygon", "coordinates": [[[-77, -7], [-76, -7], [-76, -6], [-77, -6], [-77, -7]]]}
HOSTILE = '<img src=x onerror="window.__owned=1">Rioja'


def _with_path(unit: Any) -> Any:
    unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


def test_the_policy_header_forbids_inline_scripts(client: Any) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src-attr")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_the_api_documentation_renders_from_vendored_files(page: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{page.base_url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert all(url.startswith(page.base_url) or url.startswith("data:") for url in requested), requested


def test_a_hostile_unit_name_is_shown_as_text_in_the_map_tooltip(page: Any) -> None:
    # given a province whose district carries markup in its name
    province = _with_path(
        UnitFactory(code="2299", name="Provincia", kind="province", depth=2, geometry=SQUARE)
    )
    _with_path(UnitFactory(code="229901", name=HOSTILE, parent=province, depth=3, geometry=SQUARE))
    # when a citizen opens the province and points at the district on the map
    page.goto(f"{page.base_url}/territorio/{province.pk}/")
    page.wait_for_selector("#map path.leaflet-interactive")
    page.locator("#map path.leaflet-interactive").last.hover(force=True)
    tooltip = page.wait_for_selector(".leaflet-tooltip")
    # then the name reads as typed and nothing ran
    assert HOSTILE in tooltip.inner_text()
    assert page.evaluate("window.__owned") is None
    assert page.locator(".leaflet-tooltip img").count() == 0
