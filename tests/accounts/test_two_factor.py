"""Two-factor authentication (TOTP): set-up, the code step at sign-in and its accounting in
django-axes, replays, recovery codes, turning it off, the administrator's reset, and the
obligation for staff."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pyotp
import pytest
from axes.models import AccessAttempt
from django.contrib.admin.sites import site as admin_site
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import Client, RequestFactory
from django.utils.translation import gettext as _

from rumbo.accounts import services, sign_in
from rumbo.accounts.admin import RumboUserAdmin
from rumbo.accounts.models import RecoveryCode, TwoFactor, User
from rumbo.accounts.views import SignInView
from rumbo.core.models import AuditAction, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "una-clave-larga-2026"
SETUP_URL = "/cuenta/dos-factores/"
CODE_URL = "/entrar/codigo/"
MIDDLEWARE = "rumbo.accounts.middleware.TwoFactorMiddleware"


@dataclass
class Clock:
    """The time the services read when they check an app code; tests move it by 30-s steps."""

    now: float

    def tick(self, steps: int = 1) -> None:
        self.now += 30 * steps


def test_the_site_wires_the_code_step(settings: Any) -> None:
    """config/ routes /entrar/ to the sign-in with the code step, and the middleware is on."""
    from django.urls import resolve

    assert resolve("/entrar/").func.view_class is SignInView
    assert MIDDLEWARE in settings.MIDDLEWARE


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # a second into a time step, so a test never straddles a step by accident
    clock = Clock(now=(int(time.time()) // 30) * 30 + 1.0)
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: clock.now))
    return clock


def app_code(secret: str, clock: Clock) -> str:
    """What the authenticator app shows now."""
    return pyotp.TOTP(secret).at(clock.now)


@pytest.fixture
def person(db: Any) -> User:
    user = UserFactory(username="ana")
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class Enrolled:
    user: User
    secret: str
    recovery: list[str]


@pytest.fixture
def enrolled(person: User, clock: Clock) -> Enrolled:
    setup = services.two_factor_enrolment_start(actor=person)
    recovery = services.two_factor_confirm(actor=person, code=app_code(setup.secret, clock))
    clock.tick()  # the set-up spent the current step
    return Enrolled(user=person, secret=setup.secret, recovery=recovery)


def password_step(client: Client, username: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post("/entrar/", {"username": username, "password": password, **extra})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def failures(username: str) -> int:
    total = AccessAttempt.objects.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


def two_factor_events(user: User) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(User), target_id=str(user.pk)
        ).order_by("id")
    )


# --- set-up ------------------------------------------------------------------------------------


def test_the_account_page_links_to_the_set_up(person: User) -> None:
    client = Client()
    client.force_login(person)
    html = client.get("/cuenta/tokens/").content.decode()
    assert f'href="{SETUP_URL}"' in html and 'id="two-factor"' in html


def test_set_up_shows_a_drawn_qr_code_and_the_key_and_a_code_from_the_app_turns_it_on(
    person: User, clock: Clock
) -> None:
    # given a signed-in user on the set-up page
    client = Client()
    client.force_login(person)
    page = client.get(SETUP_URL)
    html = page.content.decode()
    # then the QR code is an SVG drawn by the site, and the key is shown in groups of four
    assert page.status_code == 200
    assert re.search(r'<img id="two-factor-qr" src="data:image/svg\+xml', html)
    shown = re.search(r'id="two-factor-secret"[^>]*>([A-Z2-7 ]+)</code>', html)
    assert shown is not None
    groups = shown.group(1).split(" ")
    assert all(len(g) == 4 for g in groups[:-1]) and 0 < len(groups[-1]) <= 4
    secret = "".join(groups)
    assert TwoFactor.objects.get(user=person).secret == secret
    # nothing the Content-Security-Policy would block: no inline script or style, no handler
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)
    # a reload shows the same key (the app may have scanned it already)
    assert secret in client.get(SETUP_URL).content.decode().replace(" ", "")

    # when the user types the code the app computes from that key
    done = client.post(SETUP_URL, {"code": app_code(secret, clock)})

    # then it is on, and ten recovery codes are shown once and stored only as salted hashes
    assert done.status_code == 200
    two_factor = TwoFactor.objects.get(user=person)
    assert two_factor.confirmed_at is not None
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.content.decode())
    assert len(codes) == 10 == len(set(codes))
    stored = list(RecoveryCode.objects.filter(two_factor=two_factor).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not any(code.replace("-", "") in h or code in h for code in codes for h in stored)
    # and the set-up is in the audit trail
    (event,) = two_factor_events(person)
    assert event.action == AuditAction.UPDATED and event.actor_id == person.pk
    assert event.changes["two_factor"] == [False, True]
    # the page now shows the set-up as on, without the key
    assert secret not in client.get(SETUP_URL).content.decode().replace(" ", "")


def test_a_wrong_code_does_not_turn_it_on(person: User, clock: Clock) -> None:
    client = Client()
    client.force_login(person)
    client.get(SETUP_URL)
    secret = TwoFactor.objects.get(user=person).secret
    wrong = f"{(int(app_code(secret, clock)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP_URL, {"code": wrong})
    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert TwoFactor.objects.get(user=person).confirmed_at is None
    assert not RecoveryCode.objects.exists() and not two_factor_events(person)


# --- the code step at sign-in ------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_right_password(enrolled: Enrolled, clock: Clock) -> None:
    client = Client()
    # when the password is right
    response = password_step(client, "ana", next="/planes/")
    # then the user is not signed in yet, only expected at the code step
    assert response.status_code == 302 and response["Location"] == CODE_URL
    assert not signed_in(client)
    assert client.get("/cuenta/tokens/").status_code == 302  # to the sign-in page
    pending_key = client.session.session_key
    # when the right code follows
    response = client.post(CODE_URL, {"code": app_code(enrolled.secret, clock)})
    # then the user is signed in, on a new session key, and lands where they were going
    assert response.status_code == 302 and response["Location"] == "/planes/"
    assert signed_in(client) and client.session.session_key != pending_key
    assert sign_in.PENDING_KEY not in client.session
    assert client.get("/cuenta/tokens/").status_code == 200


def test_users_without_two_factor_sign_in_with_the_password_alone(person: User) -> None:
    client = Client()
    response = password_step(client, "ana")
    assert response.status_code == 302 and response["Location"] == "/" and signed_in(client)


def test_the_destination_after_the_code_must_be_on_this_site(enrolled: Enrolled, clock: Clock) -> None:
    client = Client()
    password_step(client, "ana", next="https://evil.example/robar")
    response = client.post(CODE_URL, {"code": app_code(enrolled.secret, clock)})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_wrong_code_is_refused_and_counted_like_a_wrong_password_until_the_lockout(
    enrolled: Enrolled, clock: Clock, settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    right = app_code(enrolled.secret, clock)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    # one wrong password, then the right one
    assert password_step(client, "ana", "mala").status_code == 200
    assert password_step(client, "ana").status_code == 302
    # a wrong code is refused and counted with the wrong password
    refused = client.post(CODE_URL, {"code": wrong})
    assert refused.status_code == 200 and refused.context["error"] == _("The code is not right.")
    assert not signed_in(client) and failures("ana") == 2
    # the third failure locks the account: axes' lockout page, and the code step is gone
    locked = client.post(CODE_URL, {"code": wrong})
    assert locked.status_code == 429 and not signed_in(client)
    assert failures("ana") == 3
    assert sign_in.PENDING_KEY not in client.session
    # now not even the right password and the right code get in, from any address
    assert password_step(client, "ana").status_code == 429
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert password_step(other, "ana").status_code == 429 and not signed_in(other)


def test_the_code_step_is_refused_once_the_account_is_locked(
    enrolled: Enrolled, clock: Clock, settings: Any
) -> None:
    # given a code step opened before someone else's failures locked the account
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    password_step(client, "ana")
    attacker = Client(REMOTE_ADDR="10.1.1.1")
    for _n in range(2):
        password_step(attacker, "ana", "mala")
    # then even the right code is not accepted
    response = client.post(CODE_URL, {"code": app_code(enrolled.secret, clock)})
    assert response.status_code == 429 and not signed_in(client)


def test_a_code_is_accepted_once_in_its_time_step(enrolled: Enrolled, clock: Clock) -> None:
    code = app_code(enrolled.secret, clock)
    first = Client()
    password_step(first, "ana")
    assert first.post(CODE_URL, {"code": code}).status_code == 302 and signed_in(first)
    # someone who saw the code tries it in the same 30 seconds, with the password
    second = Client()
    password_step(second, "ana")
    replayed = second.post(CODE_URL, {"code": code})
    assert replayed.status_code == 200 and not signed_in(second)
    assert replayed.context["error"] == _("That code was already used. Wait for the next one in your app.")
    assert failures("ana") == 1
    # the next code of the app works
    clock.tick()
    assert second.post(CODE_URL, {"code": app_code(enrolled.secret, clock)}).status_code == 302


def test_a_code_of_the_previous_or_next_step_is_accepted_for_clock_drift(
    enrolled: Enrolled, clock: Clock
) -> None:
    client = Client()
    password_step(client, "ana")
    late = pyotp.TOTP(enrolled.secret).at(clock.now, counter_offset=1)
    assert client.post(CODE_URL, {"code": late}).status_code == 302
    clock.tick(5)
    client = Client()
    password_step(client, "ana")
    too_old = pyotp.TOTP(enrolled.secret).at(clock.now, counter_offset=-2)
    assert client.post(CODE_URL, {"code": too_old}).status_code == 200 and not signed_in(client)


def test_a_recovery_code_signs_in_once_and_is_audited(enrolled: Enrolled) -> None:
    code = enrolled.recovery[0]
    client = Client()
    password_step(client, "ana")
    # typed in capitals and without the dash, as people do
    response = client.post(CODE_URL, {"code": code.replace("-", "").upper()})
    assert response.status_code == 302 and signed_in(client)
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1
    used = two_factor_events(enrolled.user)[-1]
    assert used.actor_id == enrolled.user.pk and used.changes == {"recovery_codes_left": [10, 9]}
    # the same code a second time is refused
    again = Client()
    password_step(again, "ana")
    assert again.post(CODE_URL, {"code": code}).status_code == 200 and not signed_in(again)
    # another one still works
    assert again.post(CODE_URL, {"code": enrolled.recovery[1]}).status_code == 302


def test_the_code_step_expires_after_five_minutes(enrolled: Enrolled, clock: Clock) -> None:
    client = Client()
    password_step(client, "ana")
    session = client.session
    pending = session[sign_in.PENDING_KEY]
    assert 290 < pending["expires_at"] - time.time() <= 300
    session[sign_in.PENDING_KEY] = {**pending, "expires_at": time.time() - 1}
    session.save()
    response = client.post(CODE_URL, {"code": app_code(enrolled.secret, clock)})
    assert response.status_code == 302 and response["Location"] == "/entrar/"
    assert not signed_in(client) and sign_in.PENDING_KEY not in client.session


def test_there_is_no_code_step_without_the_password(enrolled: Enrolled, clock: Clock) -> None:
    response = Client().post(CODE_URL, {"code": app_code(enrolled.secret, clock)})
    assert response.status_code == 302 and response["Location"] == "/entrar/"


def test_the_admin_login_page_sends_to_the_sign_in_page_with_the_code_step(enrolled: Enrolled) -> None:
    client = Client()
    for response in (
        client.get("/admin/login/?next=/admin/"),
        client.post("/admin/login/?next=/admin/", {"username": "ana", "password": PASSWORD}),
    ):
        assert response.status_code == 302 and response["Location"] == "/entrar/?next=/admin/"
    assert not signed_in(client)


def test_a_session_that_never_gave_the_code_is_sent_to_the_code_step(
    enrolled: Enrolled, clock: Clock
) -> None:
    # given a staff member with two-factor whose session was opened without the code (before
    # the set-up, or by another login view)
    enrolled.user.is_staff = True
    enrolled.user.save()
    client = Client()
    client.force_login(enrolled.user)
    # then the next request signs them out and asks for the code, keeping where they were going
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == CODE_URL and not signed_in(client)
    response = client.post(CODE_URL, {"code": app_code(enrolled.secret, clock)})
    assert response.status_code == 302 and response["Location"] == "/admin/" and signed_in(client)
    assert client.get("/admin/").status_code == 200


# --- turning it off, new recovery codes --------------------------------------------------------


def signed_in_with_code(enrolled: Enrolled, clock: Clock) -> Client:
    client = Client()
    password_step(client, enrolled.user.username)
    assert client.post(CODE_URL, {"code": app_code(enrolled.secret, clock)}).status_code == 302
    clock.tick()
    return client


def test_turning_it_off_needs_the_password_and_a_code(enrolled: Enrolled, clock: Clock) -> None:
    client = signed_in_with_code(enrolled, clock)
    code = app_code(enrolled.secret, clock)
    # a wrong password is refused (and counted)
    client.post("/cuenta/dos-factores/desactivar/", {"password": "mala", "code": code})
    assert TwoFactor.objects.filter(user=enrolled.user).exists() and failures("ana") == 1
    # without a code it is refused
    client.post("/cuenta/dos-factores/desactivar/", {"password": PASSWORD, "code": ""})
    assert TwoFactor.objects.filter(user=enrolled.user).exists()
    # with both it is off, in the audit trail, and the password alone signs in again
    response = client.post("/cuenta/dos-factores/desactivar/", {"password": PASSWORD, "code": code})
    assert response.status_code == 302 and response["Location"] == "/cuenta/tokens/"
    assert not TwoFactor.objects.filter(user=enrolled.user).exists() and not RecoveryCode.objects.exists()
    off = two_factor_events(enrolled.user)[-1]
    assert off.changes == {"two_factor": [True, False]} and off.actor_id == enrolled.user.pk
    fresh = Client()
    assert password_step(fresh, "ana").status_code == 302 and signed_in(fresh)


def test_new_recovery_codes_replace_the_old_ones(enrolled: Enrolled, clock: Clock) -> None:
    client = signed_in_with_code(enrolled, clock)
    response = client.post("/cuenta/dos-factores/codigos/", {"code": app_code(enrolled.secret, clock)})
    assert response.status_code == 200
    new = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(enrolled.recovery)
    assert two_factor_events(enrolled.user)[-1].changes == {"recovery_codes_left": [10, 10]}
    old = Client()
    password_step(old, "ana")
    assert old.post(CODE_URL, {"code": enrolled.recovery[0]}).status_code == 200
    assert old.post(CODE_URL, {"code": new[0]}).status_code == 302


# --- administrators ----------------------------------------------------------------------------


def test_a_superuser_resets_two_factor_from_the_admin_and_it_is_audited(
    enrolled: Enrolled, superuser: Any
) -> None:
    admin = Client()
    admin.force_login(superuser)
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "two_factor_reset", "_selected_action": [enrolled.user.pk]},
    )
    assert response.status_code == 302
    assert not TwoFactor.objects.filter(user=enrolled.user).exists()
    reset = two_factor_events(enrolled.user)[-1]
    assert reset.actor_id == superuser.pk and reset.changes == {"two_factor": [True, False]}
    client = Client()
    assert password_step(client, "ana").status_code == 302 and signed_in(client)


def test_staff_who_are_not_superusers_do_not_get_the_reset_action(db: Any) -> None:
    staff = UserFactory(username="staff", is_staff=True)
    request = RequestFactory().get("/admin/accounts/user/")
    request.user = staff
    assert "two_factor_reset" not in RumboUserAdmin(User, admin_site).get_actions(request)
    with pytest.raises(Exception, match="superuser"):
        services.two_factor_reset(actor=staff, user=staff)


def test_the_command_resets_two_factor(enrolled: Enrolled, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("rumbo_2fa_reset", "ana")
    assert not TwoFactor.objects.filter(user=enrolled.user).exists()
    reset = two_factor_events(enrolled.user)[-1]
    assert reset.actor_id is None and reset.changes == {"two_factor": [True, False]}
    assert "ana" in capsys.readouterr().out
    call_command("rumbo_2fa_reset", "ana")  # nothing left to reset: says so, no new event
    assert len(two_factor_events(enrolled.user)) == 2
    with pytest.raises(CommandError):
        call_command("rumbo_2fa_reset", "nadie")


# --- required for staff ------------------------------------------------------------------------


def test_staff_without_two_factor_are_sent_to_set_it_up_when_required(
    person: User, clock: Clock, settings: Any
) -> None:
    person.is_staff = True
    person.save()
    client = Client()
    client.force_login(person)
    # not required: nothing happens
    assert client.get("/cuenta/tokens/").status_code == 200
    settings.RUMBO_REQUIRE_2FA_FOR_STAFF = True
    # required: every page sends them to the set-up, with the way back
    response = client.get("/cuenta/tokens/")
    assert response.status_code == 302 and response["Location"] == f"{SETUP_URL}?next=%2Fcuenta%2Ftokens%2F"
    assert client.get("/admin/").status_code == 302
    # the set-up, the health check and static files stay reachable
    assert client.get(SETUP_URL).status_code == 200
    assert client.get("/health/").status_code != 302
    assert client.get("/static/rumbo/rumbo.css").status_code != 302
    # once set up, the way is open and they cannot turn it off
    secret = TwoFactor.objects.get(user=person).secret
    done = client.post(SETUP_URL, {"code": app_code(secret, clock), "next": "/cuenta/tokens/"})
    assert 'href="/cuenta/tokens/"' in done.content.decode()
    assert client.get("/cuenta/tokens/").status_code == 200
    clock.tick()
    client.post("/cuenta/dos-factores/desactivar/", {"password": PASSWORD, "code": app_code(secret, clock)})
    assert TwoFactor.objects.filter(user=person, confirmed_at__isnull=False).exists()
    # signing out stays possible
    assert client.post("/salir/").status_code == 302 and not signed_in(client)


def test_people_who_are_not_staff_are_not_obliged(person: User, settings: Any) -> None:
    settings.RUMBO_REQUIRE_2FA_FOR_STAFF = True
    client = Client()
    client.force_login(person)
    assert client.get("/cuenta/tokens/").status_code == 200


def test_a_superuser_counts_as_staff_for_the_obligation(superuser: Any, settings: Any) -> None:
    settings.RUMBO_REQUIRE_2FA_FOR_STAFF = True
    superuser.is_staff = False
    superuser.save()
    client = Client()
    client.force_login(superuser)
    assert client.get("/").status_code == 302
