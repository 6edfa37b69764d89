from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def rumbo(request: HttpRequest) -> dict[str, Any]:
    return {
        "RUMBO_TILE_URL": settings.RUMBO_TILE_URL,
        "LOGIN_LOCKOUT_MINUTES": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
