"""Helpers for browser tests (the `browser` and `page` fixtures live in tests/conftest.py so every
folder shares one Chromium)."""

from __future__ import annotations

from typing import Any


def login(page: Any, username: str, password: str = "clave-segura-123") -> None:
    page.goto(page.base_url + "/entrar/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/entrar/" not in url)
