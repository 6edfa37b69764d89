"""Fast JSON responses (orjson) for large payloads such as trees and GeoJSON."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse


def json_response(data: Any, *, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type=content_type)
