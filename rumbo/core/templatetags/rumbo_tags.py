from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`{{ row|get_item:column }}` — a value from a dict by a key held in a variable."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""
