"""Setting up and turning off two-factor sign-in (TOTP), voluntary and required by role."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from jisp.core.choices import Role
from jisp.core.models import AuditEvent, User
from jisp.core.testing import Cast, make_person
from jisp.core.views.accounts import TOTP_SETUP_KEY

URL = reverse("core:two_factor_setup")
DISABLE = reverse("core:two_factor_disable")


def code_for(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def wrong_code_for(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + offset) for offset in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222") if c not in valid)


@pytest.fixture
def new_admin(cast: Cast) -> User:
    """An organisation administrator who has not set up two-factor sign-in yet."""
    return make_person("new-admin@rail.example", cast.org_a, Role.ORG_ADMIN, two_factor=False)


def test_it_sends_a_visitor_to_sign_in(client: Client, db: Any) -> None:
    assert client.get(URL).url.startswith(reverse("core:signin"))


def test_it_shows_a_qr_code_and_the_secret(client: Client, cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.member_a).get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    secret = client.session[TOTP_SETUP_KEY]
    assert secret in html
    assert '<img src="data:image/svg+xml' in html
    assert 'alt="' in html
    # The page obeys the Content-Security-Policy: no inline script or style.
    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html
    # The secret stays the same until confirmed.
    signed_in(cast.member_a).get(URL)
    assert client.session[TOTP_SETUP_KEY] == secret


def test_it_turns_two_factor_on_with_a_right_code(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    signed_in(cast.member_a).get(URL)
    secret = client.session[TOTP_SETUP_KEY]
    response = client.post(URL, {"code": code_for(secret)})
    assert response.status_code == 302
    assert response.url == reverse("core:profile")
    cast.member_a.refresh_from_db()
    assert cast.member_a.has_two_factor
    assert cast.member_a.totp_secret == secret
    assert TOTP_SETUP_KEY not in client.session
    assert AuditEvent.objects.filter(action="core.two_factor.enabled").count() == 1


def test_it_refuses_a_wrong_code(client: Client, cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a).get(URL)
    secret = client.session[TOTP_SETUP_KEY]
    response = client.post(URL, {"code": wrong_code_for(secret)})
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    cast.member_a.refresh_from_db()
    assert not cast.member_a.has_two_factor
    assert client.session[TOTP_SETUP_KEY] == secret


def test_a_required_setup_blocks_other_pages_then_continues_home(
    client: Client, new_admin: User
) -> None:
    client.force_login(new_admin)
    assert client.get(reverse("core:profile")).url == URL
    html = client.get(URL).content.decode()
    assert 'action="' + DISABLE + '"' not in html
    secret = client.session[TOTP_SETUP_KEY]
    response = client.post(URL, {"code": code_for(secret)})
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert client.get(reverse("core:profile")).status_code == 200


def test_it_shows_the_state_and_a_button_to_turn_it_off(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    person = make_person("careful@rail.example", cast.org_a, two_factor=True)
    response = signed_in(person).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{DISABLE}"' in html
    assert "<img" not in html


def test_it_turns_two_factor_off_for_a_member(client: Client, cast: Cast, signed_in: Any) -> None:
    person = make_person("careful@rail.example", cast.org_a, two_factor=True)
    response = signed_in(person).post(DISABLE)
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.has_two_factor
    assert AuditEvent.objects.filter(action="core.two_factor.disabled", actor=person).exists()


def test_it_refuses_to_turn_it_off_where_the_role_requires_it(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    html = signed_in(cast.analyst).get(URL).content.decode()
    assert f'action="{DISABLE}"' not in html
    response = client.post(DISABLE, follow=True)
    assert response.redirect_chain[0][0] == URL
    assert 'class="message error"' in response.content.decode()
    cast.analyst.refresh_from_db()
    assert cast.analyst.has_two_factor
    assert not AuditEvent.objects.filter(action="core.two_factor.disabled").exists()


def test_turning_off_refuses_get(client: Client, cast: Cast, signed_in: Any) -> None:
    person = make_person("careful@rail.example", cast.org_a, two_factor=True)
    assert signed_in(person).get(DISABLE).status_code == 405
    person.refresh_from_db()
    assert person.has_two_factor
