"""E-mail delivery through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.utils import translation
from django.utils.functional import lazy

from jisp.core.choices import TLP, Audience, Channel, DeliveryState
from jisp.core.models import Delivery
from jisp.core.services.notifications import notify
from jisp.core.testing import Cast
from jisp.core.tests.policyapp.models import Item

active_language = lazy(lambda: f"Alert ({translation.get_language()})", str)


class Inbox:
    """The aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpts, message in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def test_it_mails_each_person_in_their_language(
    cast: Cast, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = notify(
            [cast.member_a, cast.member_b],
            "core.message",
            title=active_language(),
            body="Block 198.51.100.7 at the perimeter.",
            url="/sharing/topics/5/",
        )
    by_email = {n.recipient.email: n for n in result}

    [ja] = smtp.to(cast.member_a.email)
    assert ja["Subject"] == "[JISP] Alert (ja)"
    assert ja["Content-Language"] == "ja"
    assert ja["From"] == django_settings.DEFAULT_FROM_EMAIL
    text, html = parts(ja)
    link = f"http://127.0.0.1:8000/notifications/{by_email[cast.member_a.email].pk}/"
    assert link in text
    assert f'href="{link}"' in html
    assert "鈴木 愛 様" in text
    assert "JISPで開く" in text
    assert '<html lang="ja">' in html
    assert "Block 198.51.100.7 at the perimeter." in text

    [en] = smtp.to(cast.member_b.email)
    assert en["Subject"] == "[JISP] Alert (en)"
    assert en["Content-Language"] == "en"
    text, html = parts(en)
    assert "Dear 田中 博," in text
    assert "Open it in JISP:" in text
    assert f"/notifications/{by_email[cast.member_b.email].pk}/" in text
    assert '<html lang="en">' in html

    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_it_mails_nothing_about_an_item_to_people_who_may_not_see_it(
    cast: Cast, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    item = Item.objects.create(
        title="Railway outage",
        tlp=TLP.AMBER,
        audience=Audience.ORGANISATIONS,
        organisation=cast.org_a,
        created_by=cast.member_a2,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [cast.member_a, cast.member_b, cast.vendor_analyst, cast.analyst],
            "core.message",
            title="Railway outage at Station X",
            item=item,
        )
    recipients = {address for rcpts, _message in smtp.messages for address in rcpts}
    assert recipients == {cast.member_a.email, cast.analyst.email}
    assert smtp.to(cast.member_b.email) == []
    for _rcpts, message in smtp.messages:
        for address in (cast.member_b.email, cast.vendor_analyst.email):
            assert address not in message.as_string()


def test_it_escapes_the_texts_in_the_html_part(
    cast: Cast, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify([cast.member_b], "core.message", title="<b>x</b>", body="<script>alert(1)</script>")
    [message] = smtp.to(cast.member_b.email)
    _text, html = parts(message)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_it_retries_when_the_mail_server_is_down(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    with django_capture_on_commit_callbacks(execute=True):
        notify([cast.member_a], "core.message", title="x")
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.attempts == 1
    assert "Connection" in delivery.last_error
    assert delivery.next_attempt_at is not None
