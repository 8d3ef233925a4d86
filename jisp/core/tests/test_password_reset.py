"""Password reset: the mailed link (in the person's language), the new password, bad links."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jisp.core.models import AuditEvent, User
from jisp.core.testing import PASSWORD, Cast

URL = reverse("core:password_reset")
NEW_PASSWORD = "a brand new passphrase 42"


def ask(client: Client, email: str) -> Any:
    return client.post(URL, {"email": email})


def link_in(message: Any) -> str:
    found = re.search(re.escape(settings.SITE_URL) + r"(/password/reset/[^\s\"<]+/)", message.body)
    assert found, message.body
    return found.group(1)


def without_csrf(html: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


def test_it_shows_the_form(client: Client, db: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


def test_it_mails_a_japanese_link_to_a_japanese_reader(client: Client, cast: Cast) -> None:
    response = ask(client, cast.member_a.email)
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cast.member_a.email]
    assert "新しいパスワード" in message.subject
    assert "パスワード再設定" in message.body
    assert cast.member_a.name in message.body
    assert link_in(message).startswith("/password/reset/")
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'lang="ja"' in html
    assert "パスワード" in html
    event = AuditEvent.objects.get(action="core.password.reset_requested")
    assert event.actor_id == cast.member_a.pk


def test_it_mails_an_english_link_to_an_english_reader(client: Client, cast: Cast) -> None:
    # The page is in Japanese (no cookie), the mail in the reader's own language.
    ask(client, cast.member_b.email.upper())
    message = mail.outbox[0]
    assert message.subject == "JISP: choose a new password"
    assert "Someone asked to reset the password" in message.body
    assert "パスワード" not in message.body
    assert 'lang="en"' in message.alternatives[0][0]


def test_it_gives_the_same_answer_for_an_unknown_address(client: Client, cast: Cast) -> None:
    known = ask(client, cast.member_a.email)
    unknown = ask(client, "stranger@nowhere.example")
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(
        action="core.password.reset_requested", actor__isnull=True
    ).exists()


def test_it_sends_nothing_to_a_deactivated_account(client: Client, cast: Cast) -> None:
    User.objects.filter(pk=cast.member_a.pk).update(is_active=False)
    assert ask(client, cast.member_a.email).status_code == 200
    assert mail.outbox == []


def test_it_rejects_a_malformed_address(client: Client, db: Any) -> None:
    response = ask(client, "not an address")
    assert response.status_code == 400
    assert mail.outbox == []


def test_it_resets_the_password_through_the_mailed_link(client: Client, cast: Cast) -> None:
    ask(client, cast.member_a.email)
    link = link_in(mail.outbox[0])
    assert client.get(link).status_code == 200

    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("core:signin")
    cast.member_a.refresh_from_db()
    assert cast.member_a.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="core.password.reset", actor=cast.member_a).exists()

    signin = client.post(
        reverse("core:signin"), {"email": cast.member_a.email, "password": NEW_PASSWORD}
    )
    assert signin.status_code == 302
    assert signin.url == reverse("core:home")


def test_the_link_works_only_once(client: Client, cast: Cast) -> None:
    ask(client, cast.member_a.email)
    link = link_in(mail.outbox[0])
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.get(link)
    assert response.status_code == 400
    assert "新しいリンクを申請" in response.content.decode()


def test_a_reset_lifts_a_lock_out(client: Client, cast: Cast) -> None:
    User.objects.filter(pk=cast.member_a.pk).update(
        failed_signins=3, locked_until=timezone.now() + timedelta(minutes=10)
    )
    ask(client, cast.member_a.email)
    link = link_in(mail.outbox[0])
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    cast.member_a.refresh_from_db()
    assert cast.member_a.failed_signins == 0
    assert cast.member_a.locked_until is None


def test_it_refuses_a_weak_password(client: Client, cast: Cast) -> None:
    ask(client, cast.member_a.email)
    link = link_in(mail.outbox[0])
    response = client.post(link, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    cast.member_a.refresh_from_db()
    assert cast.member_a.check_password(PASSWORD)


def test_it_refuses_two_different_passwords(client: Client, cast: Cast) -> None:
    ask(client, cast.member_a.email)
    link = link_in(mail.outbox[0])
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": "something else"})
    assert response.status_code == 400
    cast.member_a.refresh_from_db()
    assert cast.member_a.check_password(PASSWORD)


def test_an_expired_link_shows_a_clear_page(client: Client, cast: Cast) -> None:
    ask(client, cast.member_a.email)
    link = link_in(mail.outbox[0])
    # A timestamp, not an aware datetime: the token generator reads the naive local clock.
    later = time.time() + settings.PASSWORD_RESET_TIMEOUT + 60
    with time_machine.travel(later, tick=False):
        response = client.get(link)
        assert response.status_code == 400
        response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert response.status_code == 400
    cast.member_a.refresh_from_db()
    assert cast.member_a.check_password(PASSWORD)


@pytest.mark.parametrize(
    "path",
    [
        "/password/reset/MQ/not-a-token/",
        "/password/reset/!!!/abc-def/",
        "/password/reset/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc-def/",
        "/password/reset/YWJj/abc-def/",
    ],
)
def test_a_bad_link_shows_a_clear_page(client: Client, cast: Cast, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "このリンクは使用できません" in response.content.decode()


def test_a_link_for_another_person_does_not_work(client: Client, cast: Cast) -> None:
    ask(client, cast.member_a.email)
    link = link_in(mail.outbox[0])
    _prefix, _reset, _uid, token = link.strip("/").split("/")
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    other = urlsafe_base64_encode(force_bytes(cast.member_b.pk))
    response = client.get(reverse("core:password_reset_confirm", args=[other, token]))
    assert response.status_code == 400
