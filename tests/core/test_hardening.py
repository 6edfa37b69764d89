"""Hardening against abuse: password guessing, floods of anonymous writes, API floods, HEAD for
monitors, the Content-Security-Policy on every page, and the production settings' own check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from rumbo.core.throttle import throttle_reset
from rumbo.investments.bank import services as bank_services
from rumbo.investments.models import Project
from tests.investments.bank.conftest import territory  # noqa: F401 — the fixture, shared
from tests.investments.bank.test_initiatives import _form

pytestmark = pytest.mark.django_db

PASSWORD = "una-clave-larga-2026"
DEFAULT_LIMITS = {
    "anonymous_write": "20/m",
    "tracking": "30/m",
    "api_token": "600/m",
    "api_anonymous": "300/m",
}


@pytest.fixture(autouse=True)
def _fresh_counters() -> Any:
    throttle_reset()
    yield
    throttle_reset()


@pytest.fixture
def admin_user(world: Any) -> Any:
    user = world.users["administrator"]
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client: Client, username: str, password: str) -> Any:
    return client.post("/entrar/", {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_twelve_wrong_passwords_lock_the_account_even_for_the_right_one(admin_user: Any) -> None:
    client = Client()
    answers = [_login(client, admin_user.username, f"mala-{n}").status_code for n in range(12)]
    # the first ten are checked and refused; from then on nothing is checked
    assert answers[:9] == [200] * 9 and answers[-1] == 429, answers
    locked = _login(client, admin_user.username, PASSWORD)
    assert locked.status_code == 429 and not _signed_in(client)
    text = locked.content.decode()
    assert "Acceso bloqueado" in text and "intentos fallidos" in text and "Vuelva a intentarlo" in text
    # and from another address too: the account itself is locked
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert _login(other, admin_user.username, PASSWORD).status_code == 429 and not _signed_in(other)


def test_an_administrator_unlocks_the_account(admin_user: Any) -> None:
    client = Client()
    for n in range(10):
        _login(client, admin_user.username, f"mala-{n}")
    assert _login(client, admin_user.username, PASSWORD).status_code == 429
    call_command("axes_reset_username", admin_user.username, verbosity=0)
    call_command("axes_reset_ip", "127.0.0.1", verbosity=0)
    assert _login(client, admin_user.username, PASSWORD).status_code == 302 and _signed_in(client)


def test_twenty_initiatives_in_a_minute_keep_only_those_within_the_limit(
    territory: Any,  # noqa: F811 — the fixture imported above
    settings: Any,
) -> None:
    settings.RUMBO_RATE_LIMITS = DEFAULT_LIMITS
    client = Client()
    answers = [
        client.post("/inversiones/proponer/", _form(territory, title=f"Idea {n}")).status_code
        for n in range(20)
    ]
    saved = bank_services.INITIATIVES_PER_HOUR
    assert answers == [302] * saved + [429] * (20 - saved), answers
    assert sorted(Project.objects.values_list("title", flat=True)) == sorted(
        f"Idea {n}" for n in range(saved)
    )


def test_anonymous_writes_past_the_limit_get_a_spanish_429(settings: Any) -> None:
    settings.RUMBO_RATE_LIMITS = {**DEFAULT_LIMITS, "anonymous_write": "3/m"}
    client = Client()
    answers = [client.post("/i18n/setlang/", {"language": "es", "next": "/"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Demasiadas solicitudes" in refused.content.decode()
    # another address is not affected
    assert Client(REMOTE_ADDR="10.0.0.2").post("/i18n/setlang/", {"language": "es"}).status_code == 302


def test_tracking_code_lookups_are_limited(settings: Any) -> None:
    settings.RUMBO_RATE_LIMITS = {**DEFAULT_LIMITS, "tracking": "5/m"}
    client = Client()
    answers = [client.get(f"/inversiones/seguimiento/codigo-{n:04d}/").status_code for n in range(6)]
    assert answers[:5] == [404] * 5 and answers[5] == 429


def test_the_api_answers_429_with_retry_after_past_the_limit(settings: Any) -> None:
    settings.RUMBO_RATE_LIMITS = {**DEFAULT_LIMITS, "api_anonymous": "2/m"}
    client = Client()
    answers = [client.get("/api/v1/plans") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0


def test_head_answers_like_get_on_pages_and_the_api(world: Any) -> None:
    client = Client()
    for url in ("/", f"/planes/{world.public_plan.pk}/", "/api/v1/plans", "/territorio/", "/health/"):
        got, head = client.get(url), client.head(url)
        assert head.status_code == got.status_code, url
        assert head.content == b"", url
        if got.status_code == 200:
            assert head["Content-Type"] == got["Content-Type"], url


def test_every_html_page_carries_the_policy(world: Any) -> None:
    client = Client()
    for url in ("/", f"/planes/{world.public_plan.pk}/", "/entrar/", "/inversiones/proponer/", "/no-existe/"):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        scripts = next(part for part in policy.split(";") if part.strip().startswith("script-src "))
        assert scripts.strip() == "script-src 'self'", (url, policy)


def test_not_found_shows_no_debug_information() -> None:
    response = Client().get("/no-existe/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode() and "urlpatterns" not in response.content.decode()


def test_the_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")},
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "RUMBO_URL": "https://rumbo.example.gob.pe",
        "RUMBO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
