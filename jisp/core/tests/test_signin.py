"""The sign-in page: password step, lock-out, redirects and the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from jisp.core import audit
from jisp.core.choices import Role
from jisp.core.models import AuditEvent, User
from jisp.core.testing import PASSWORD, Cast, make_person
from jisp.core.views.accounts import PENDING_KEY

URL = reverse("core:signin")


def ja(msgid: str) -> str:
    with translation.override("ja"):
        return gettext(msgid)


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(URL, {"email": email, "password": password, **extra})


def signed_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def test_it_shows_the_form_in_japanese(client: Client, db: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert 'name="password"' in html
    assert 'autocomplete="current-password"' in html
    assert "ログイン" in html
    assert 'lang="ja"' in html


def test_it_signs_in_a_member_and_records_it(client: Client, cast: Cast) -> None:
    response = sign_in(client, "Alice@Rail.example")
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    assert signed_in_as(client) == cast.member_a.pk
    event = AuditEvent.objects.get(action=audit.SIGNIN_SUCCEEDED)
    assert event.actor_id == cast.member_a.pk


def test_it_rotates_the_session_key_on_sign_in(client: Client, cast: Cast) -> None:
    session = client.session
    session["before"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    sign_in(client, cast.member_a.email)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_it_goes_to_a_safe_next_page(client: Client, cast: Cast) -> None:
    response = sign_in(client, cast.member_a.email, next="/organisations/?page=2")
    assert response.url == "/organisations/?page=2"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/path", "http://testserver.evil.example/", "\\\\evil"],
)
def test_it_refuses_an_open_redirect(client: Client, cast: Cast, target: str) -> None:
    response = sign_in(client, cast.member_a.email, next=target)
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_it_rejects_a_wrong_password_and_records_it(client: Client, cast: Cast) -> None:
    response = sign_in(client, cast.member_a.email, "wrong password")
    assert response.status_code == 400
    assert ja("The e-mail address or the password is wrong.") in response.content.decode()
    assert signed_in_as(client) is None
    event = AuditEvent.objects.get(action=audit.SIGNIN_FAILED)
    assert event.actor_id == cast.member_a.pk
    assert event.data["reason"] == "password"
    cast.member_a.refresh_from_db()
    assert cast.member_a.failed_signins == 1


def test_it_does_not_tell_whether_an_address_has_an_account(client: Client, cast: Cast) -> None:
    known = sign_in(client, cast.member_a.email, "wrong password")
    unknown = sign_in(client, "nobody-here@rail.example", "wrong password")
    assert known.status_code == unknown.status_code == 400
    message = ja("The e-mail address or the password is wrong.")
    assert message in known.content.decode()
    assert message in unknown.content.decode()
    event = AuditEvent.objects.get(action=audit.SIGNIN_FAILED, actor__isnull=True)
    assert event.actor_email == "nobody-here@rail.example"


def test_it_rejects_an_empty_form(client: Client, db: Any) -> None:
    response = client.post(URL, {"email": "", "password": ""})
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()


def test_it_locks_the_account_after_too_many_failures(
    client: Client, cast: Cast, settings: Any
) -> None:
    settings.LOCKOUT_FAILURES = 3
    for _attempt in range(3):
        assert sign_in(client, cast.member_a.email, "wrong password").status_code == 400
    cast.member_a.refresh_from_db()
    assert cast.member_a.is_locked()
    assert AuditEvent.objects.filter(action="core.signin.locked").count() == 1

    # Even the right password is refused, with the lock-out message.
    response = sign_in(client, cast.member_a.email)
    assert response.status_code == 400
    assert ja("Too many failed attempts. Try again later.") in response.content.decode()
    assert signed_in_as(client) is None


def test_it_unlocks_the_account_after_the_lock_time(
    client: Client, cast: Cast, settings: Any
) -> None:
    settings.LOCKOUT_FAILURES = 2
    sign_in(client, cast.member_a.email, "wrong password")
    sign_in(client, cast.member_a.email, "wrong password")
    assert sign_in(client, cast.member_a.email).status_code == 400

    later = timezone.now() + timedelta(minutes=settings.LOCKOUT_MINUTES, seconds=5)
    with time_machine.travel(later, tick=False):
        response = sign_in(client, cast.member_a.email)
    assert response.status_code == 302
    assert signed_in_as(client) == cast.member_a.pk


def test_it_refuses_an_inactive_person_with_the_same_message(client: Client, cast: Cast) -> None:
    User.objects.filter(pk=cast.member_a.pk).update(is_active=False)
    response = sign_in(client, cast.member_a.email)
    assert response.status_code == 400
    assert ja("The e-mail address or the password is wrong.") in response.content.decode()


def test_it_sends_a_signed_in_person_home(client: Client, cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.member_a).get(URL)
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_it_asks_for_a_code_before_signing_in_someone_with_two_factor(
    client: Client, cast: Cast
) -> None:
    response = sign_in(client, cast.analyst.email, next="/organisations/")
    assert response.status_code == 302
    assert response.url == reverse("core:signin_two_factor")
    assert signed_in_as(client) is None
    pending = client.session[PENDING_KEY]
    assert pending["user"] == cast.analyst.pk
    assert pending["next"] == "/organisations/"
    assert not AuditEvent.objects.filter(action=audit.SIGNIN_SUCCEEDED).exists()


def test_it_asks_for_a_code_from_someone_who_chose_two_factor(client: Client, cast: Cast) -> None:
    person = make_person("volunteer@rail.example", cast.org_a, two_factor=True)
    response = sign_in(client, person.email)
    assert response.url == reverse("core:signin_two_factor")


def test_it_sends_someone_who_must_set_up_two_factor_to_the_setup(
    client: Client, cast: Cast
) -> None:
    admin = make_person("new-admin@rail.example", cast.org_a, Role.ORG_ADMIN, two_factor=False)
    response = sign_in(client, admin.email)
    assert response.status_code == 302
    assert signed_in_as(client) == admin.pk
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url == reverse("core:two_factor_setup")
