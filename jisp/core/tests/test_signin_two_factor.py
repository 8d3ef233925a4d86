"""The second sign-in step: a TOTP code for people with two-factor sign-in."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from jisp.core import audit
from jisp.core.models import AuditEvent, User
from jisp.core.testing import PASSWORD, Cast, totp_code
from jisp.core.views.accounts import PENDING_KEY

URL = reverse("core:signin_two_factor")
NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def ja(msgid: str) -> str:
    with translation.override("ja"):
        return gettext(msgid)


def wrong_code() -> str:
    """A well-formed code that matches no step the server accepts now."""
    now = time.time()
    valid = {totp_code(at=now + offset) for offset in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def password_step(client: Client, user: User, **extra: str) -> None:
    response = client.post(
        reverse("core:signin"), {"email": user.email, "password": PASSWORD, **extra}
    )
    assert response.status_code == 302
    assert response.url == URL


def signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_it_shows_the_code_form_after_the_password(client: Client, cast: Cast) -> None:
    password_step(client, cast.analyst)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="code"' in html
    assert 'autocomplete="one-time-code"' in html


def test_it_signs_in_with_a_current_code_and_records_it(client: Client, cast: Cast) -> None:
    password_step(client, cast.analyst)
    response = client.post(URL, {"code": totp_code()})
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert signed_in_as(client) == cast.analyst.pk
    assert PENDING_KEY not in client.session
    event = AuditEvent.objects.get(action=audit.SIGNIN_SUCCEEDED)
    assert event.actor_id == cast.analyst.pk
    assert event.data["two_factor"] is True


def test_it_accepts_a_code_typed_with_a_space(client: Client, cast: Cast) -> None:
    password_step(client, cast.analyst)
    code = totp_code()
    response = client.post(URL, {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302
    assert signed_in_as(client) == cast.analyst.pk


def test_it_goes_on_to_the_page_asked_for(client: Client, cast: Cast) -> None:
    password_step(client, cast.analyst, next="/organisations/")
    response = client.post(URL, {"code": totp_code()})
    assert response.url == "/organisations/"


def test_it_refuses_a_wrong_code_and_records_it(client: Client, cast: Cast) -> None:
    password_step(client, cast.analyst)
    response = client.post(URL, {"code": wrong_code()})
    assert response.status_code == 400
    assert ja("This code is not right or was already used.") in response.content.decode()
    assert signed_in_as(client) is None
    assert AuditEvent.objects.filter(action="core.two_factor.failed").count() == 1
    assert AuditEvent.objects.filter(action=audit.SIGNIN_FAILED, data__reason="two_factor").exists()


def test_it_refuses_a_malformed_code(client: Client, cast: Cast) -> None:
    password_step(client, cast.analyst)
    response = client.post(URL, {"code": "12ab"})
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_it_refuses_a_code_used_before(client: Client, cast: Cast) -> None:
    code = totp_code()
    password_step(client, cast.analyst)
    assert client.post(URL, {"code": code}).status_code == 302
    client.post(reverse("core:signout"))

    password_step(client, cast.analyst)
    response = client.post(URL, {"code": code})
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_it_sends_back_to_signin_without_a_password_step(client: Client, db: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == reverse("core:signin")
    response = client.post(URL, {"code": totp_code()})
    assert response.url == reverse("core:signin")


def test_it_expires_the_password_step_after_five_minutes(
    client: Client, cast: Cast, frozen: Any
) -> None:
    password_step(client, cast.analyst)
    frozen.shift(timedelta(minutes=5, seconds=1))
    response = client.post(URL, {"code": totp_code()})
    assert response.status_code == 302
    assert response.url == reverse("core:signin")
    assert signed_in_as(client) is None
    assert PENDING_KEY not in client.session


def test_it_accepts_a_code_just_inside_five_minutes(
    client: Client, cast: Cast, frozen: Any
) -> None:
    password_step(client, cast.analyst)
    frozen.shift(timedelta(minutes=4, seconds=50))
    response = client.post(URL, {"code": totp_code()})
    assert response.url == reverse("core:home")


def test_it_locks_the_account_after_too_many_wrong_codes(
    client: Client, cast: Cast, settings: Any
) -> None:
    settings.LOCKOUT_FAILURES = 3
    password_step(client, cast.analyst)
    for _attempt in range(2):
        assert client.post(URL, {"code": wrong_code()}).status_code == 400
    response = client.post(URL, {"code": wrong_code()})
    assert response.status_code == 400
    assert ja("Too many failed attempts. Try again later.") in response.content.decode()
    cast.analyst.refresh_from_db()
    assert cast.analyst.is_locked()

    # The step is over: even the right code leads back to the password.
    response = client.post(URL, {"code": totp_code()})
    assert response.url == reverse("core:signin")
    assert signed_in_as(client) is None


def test_a_locked_account_cannot_pass_with_the_right_code(client: Client, cast: Cast) -> None:
    password_step(client, cast.analyst)
    User.objects.filter(pk=cast.analyst.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10)
    )
    response = client.post(URL, {"code": totp_code()})
    assert response.status_code == 400
    assert signed_in_as(client) is None
    assert not AuditEvent.objects.filter(action=audit.SIGNIN_SUCCEEDED).exists()


def test_a_deactivated_account_cannot_pass(client: Client, cast: Cast) -> None:
    password_step(client, cast.analyst)
    User.objects.filter(pk=cast.analyst.pk).update(is_active=False)
    response = client.post(URL, {"code": totp_code()})
    assert response.url == reverse("core:signin")
    assert signed_in_as(client) is None
