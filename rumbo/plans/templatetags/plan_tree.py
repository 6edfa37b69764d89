"""Renders the rows of a strategic tree.

A 10,000-node tree must render in well under 150 ms, which a template loop with per-row tags
cannot do, so the rows are built here with escaped string formatting. Row actions are not
repeated per row: one toolbar (in `_tree.html`) acts on the selected row (see tree.js).
"""

from __future__ import annotations

import gc
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from rumbo.plans.selectors import TreeRow

register = template.Library()


@register.simple_tag
def tree_rows(rows: list[TreeRow], flash: int | None = None) -> SafeString:
    parts: list[str] = []
    append = parts.append
    gc_was_enabled = gc.isenabled()
    gc.disable()  # ten thousand short strings: collection passes would only slow this down
    metas: dict[tuple[str, str, str], str] = {}  # few distinct (level, office, term) combinations
    for r in rows:
        key = (r.level_name, r.responsible, r.term_label)
        meta = metas.get(key)
        if meta is None:
            meta = metas[key] = " · ".join(escape(part) for part in key if part)
        share = "—" if r.share is None else f"{r.share * 100:.0f} %"
        code = escape(r.code)
        depth = r.depth
        append(
            f'<div class="row-node d{depth if depth < 9 else 8}{" flash" if r.id == flash else ""}" role="treeitem" '
            f'aria-level="{depth}" id="n{r.id}" data-code="{code}">'
            f'<span class="code">{code}</span><span class="title">{escape(r.title)} <span class="lvl">{meta}</span>'
            f'</span><span class="share" title="{r.weight:g}">{share}</span></div>'
        )
    if gc_was_enabled:
        gc.enable()
    return mark_safe("".join(parts))
