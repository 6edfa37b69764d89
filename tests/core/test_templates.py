"""Template hygiene: Django's {# #} comments are one line only; a multi-line one is printed on
the page (as base.html once printed its note about htmx at the top of every page)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.test import Client

ROOT = Path(__file__).resolve().parents[2] / "rumbo"


def test_no_template_has_a_multi_line_short_comment() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in ROOT.rglob("*.html")
        for text in [path.read_text(encoding="utf-8")]
        for m in re.finditer(r"\{#(.*?)#\}", text, re.S)
        if "\n" in m.group(1)
    ]
    assert offenders == []


def test_the_home_page_prints_no_template_syntax(db: Any) -> None:
    body = Client().get("/").content.decode()
    assert "{#" not in body and "{%" not in body
