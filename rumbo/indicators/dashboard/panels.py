"""Panels that modules above monitoring add to the plan dashboard (dependency inversion: the
investments module registers its execution panel here from its AppConfig.ready, so monitoring
never imports it).

A panel is a function `(request, plan, period) -> str` returning ready HTML ("" to show nothing).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from rumbo.indicators.models import Period
from rumbo.plans.models import Plan

DashboardPanel = Callable[[HttpRequest, Plan, Period], str]
_PANELS: dict[str, DashboardPanel] = {}


def dashboard_panel_register(*, key: str, panel: DashboardPanel) -> None:
    """Add (or replace) the panel known as `key`; panels are shown in registration order."""
    _PANELS[key] = panel


def dashboard_panels_render(*, request: HttpRequest, plan: Plan, period: Period) -> list[SafeString]:
    """The HTML of every registered panel for this plan and period (empty ones left out)."""
    rendered = (panel(request, plan, period) for panel in _PANELS.values())
    return [mark_safe(html) for html in rendered if html]  # panels render their own templates
