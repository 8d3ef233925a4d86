"""Changing one's password: the old one first, the new one twice, the session kept."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.core.testing import PASSWORD, Cast

URL = reverse("core:password_change")
NEW_PASSWORD = "another long passphrase 7"


def test_it_sends_a_visitor_to_sign_in(client: Client, db: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:signin"))


def test_it_shows_the_form(client: Client, cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.member_a).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'name="{name}"' in html


def test_it_changes_the_password_and_keeps_the_session(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    signed_in(cast.member_a)
    response = client.post(
        URL,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("core:profile")
    cast.member_a.refresh_from_db()
    assert cast.member_a.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="core.password.changed", actor=cast.member_a).exists()
    assert client.get(reverse("core:profile")).status_code == 200


def test_it_ends_the_persons_other_sessions(client: Client, cast: Cast, signed_in: Any) -> None:
    other = Client()
    other.force_login(cast.member_a)
    signed_in(cast.member_a).post(
        URL,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert other.get(reverse("core:profile")).status_code == 302


def test_it_refuses_a_wrong_old_password(client: Client, cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a)
    response = client.post(
        URL,
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    cast.member_a.refresh_from_db()
    assert cast.member_a.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="core.password.changed").exists()


def test_it_refuses_a_weak_or_mismatched_password(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    signed_in(cast.member_a)
    for first, second in (("short", "short"), (NEW_PASSWORD, NEW_PASSWORD + "x")):
        response = client.post(
            URL, {"old_password": PASSWORD, "new_password1": first, "new_password2": second}
        )
        assert response.status_code == 400
    cast.member_a.refresh_from_db()
    assert cast.member_a.check_password(PASSWORD)
