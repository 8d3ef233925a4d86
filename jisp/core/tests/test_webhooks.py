"""Webhooks page: add (https, public or allowed hosts), secret shown to its owner, test, delete."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from jisp.core.models import AuditEvent, Webhook
from jisp.core.testing import Cast
from jisp.core.tests.test_outbound import Receiver, fake_dns

URL = "core:webhooks"


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Made-up names only: a public one and an internal one. Nothing is sent by these tests."""
    answers = {"hooks.example.test": ["93.184.216.34"], "intranet.example.test": ["10.3.2.1"]}
    monkeypatch.setattr(socket, "getaddrinfo", fake_dns(answers))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def add(client: Any, name: str, url: str) -> Any:
    return client.post(reverse(URL), {"action": "add", "name": name, "url": url})


def test_it_asks_to_sign_in(client: Any) -> None:
    assert client.get(reverse(URL)).status_code == 302


def test_it_adds_an_https_webhook_and_shows_its_secret_once(cast: Cast, signed_in: Any) -> None:
    client = signed_in(cast.member_a)
    response = add(client, "SOC", "https://hooks.example.test/jisp")
    assert response.status_code == 200
    hook = Webhook.objects.get()
    assert (hook.user, hook.name, hook.url) == (
        cast.member_a,
        "SOC",
        "https://hooks.example.test/jisp",
    )
    assert hook.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="core.webhook.changed")
    assert event.data["change"] == "created"
    assert hook.secret not in json.dumps(event.data)

    later = client.get(reverse(URL))
    assert hook.secret not in later.content.decode()
    assert "https://hooks.example.test/jisp" in later.content.decode()


def test_it_shows_the_secret_again_to_its_owner_only(cast: Cast, signed_in: Any) -> None:
    hook = Webhook.objects.create(user=cast.member_a, name="SOC", url="https://hooks.example.test/")
    response = signed_in(cast.member_a).post(reverse(URL), {"action": "reveal", "webhook": hook.pk})
    assert response.status_code == 200
    assert hook.secret in response.content.decode()
    other = signed_in(cast.admin_a).post(reverse(URL), {"action": "reveal", "webhook": hook.pk})
    assert other.status_code == 404
    assert hook.secret not in other.content.decode()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.test/jisp", "https://"),
        ("https://intranet.example.test/jisp", "public addresses"),
        ("https://10.0.0.8/jisp", "public addresses"),
        ("https://169.254.169.254/latest", "public addresses"),
        ("https://nowhere.example.test/", "could not be found"),
        ("ftp://hooks.example.test/", "URL"),
        ("not a url", "URL"),
    ],
)
def test_it_refuses_an_address_it_must_not_send_to(
    url: str, message: str, cast: Cast, signed_in: Any
) -> None:
    client = signed_in(cast.member_b)  # English
    response = add(client, "Bad", url)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["url"])
    assert message in errors or "valid" in errors
    assert not Webhook.objects.exists()


def test_it_accepts_plain_http_to_a_host_the_operator_allows(cast: Cast, signed_in: Any) -> None:
    response = add(signed_in(cast.member_a), "Local", "http://127.0.0.1:8088/hook")
    assert response.status_code == 200
    assert Webhook.objects.get().url == "http://127.0.0.1:8088/hook"


def test_it_refuses_loopback_when_the_operator_does_not_allow_it(
    cast: Cast, signed_in: Any, settings: Any
) -> None:
    settings.OUTBOUND_ALLOW = []
    for url in ("http://127.0.0.1:8088/hook", "https://[::1]:8443/hook"):
        assert add(signed_in(cast.member_a), "Local", url).status_code == 400
    assert not Webhook.objects.exists()


def test_it_requires_a_name(cast: Cast, signed_in: Any) -> None:
    response = add(signed_in(cast.member_a), "   ", "https://hooks.example.test/")
    assert response.status_code == 400
    assert "name" in response.context["form"].errors


def test_it_lists_only_ones_own_webhooks(cast: Cast, signed_in: Any) -> None:
    Webhook.objects.create(user=cast.member_a, name="Mine", url="https://hooks.example.test/a")
    Webhook.objects.create(
        user=cast.member_a2, name="Colleague's", url="https://hooks.example.test/b"
    )
    response = signed_in(cast.member_a).get(reverse(URL))
    names = [hook.name for hook, _last in response.context["rows"]]
    assert names == ["Mine"]


def test_it_deletes_ones_own_webhook(cast: Cast, signed_in: Any) -> None:
    hook = Webhook.objects.create(user=cast.member_a, name="SOC", url="https://hooks.example.test/")
    response = signed_in(cast.member_a).post(reverse("core:webhook_delete", args=[hook.pk]))
    assert response.status_code == 302
    assert not Webhook.objects.exists()
    event = AuditEvent.objects.get(action="core.webhook.changed")
    assert event.data["change"] == "deleted"


@pytest.mark.parametrize("who", ["member_a2", "admin_a", "commander", "member_b"])
def test_it_answers_404_for_someone_elses_webhook(who: str, cast: Cast, signed_in: Any) -> None:
    hook = Webhook.objects.create(user=cast.member_a, name="SOC", url="https://hooks.example.test/")
    client = signed_in(getattr(cast, who))
    assert client.post(reverse("core:webhook_delete", args=[hook.pk])).status_code == 404
    assert client.post(reverse(URL), {"action": "test", "webhook": hook.pk}).status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_delete_accepts_only_post(cast: Cast, signed_in: Any) -> None:
    hook = Webhook.objects.create(user=cast.member_a, name="SOC", url="https://hooks.example.test/")
    response = signed_in(cast.member_a).get(reverse("core:webhook_delete", args=[hook.pk]))
    assert response.status_code == 405


def test_the_test_button_sends_a_signed_request_and_shows_the_result(
    cast: Cast, signed_in: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    hook = Webhook.objects.create(user=cast.member_a, name="SOC", url=f"{receiver.url}/in")
    client = signed_in(cast.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(URL), {"action": "test", "webhook": hook.pk})
    assert response.status_code == 302
    [request] = receiver.requests
    assert request["headers"]["x-jisp-signature"].startswith("sha256=")
    page = client.get(reverse(URL))
    [(_hook, last)] = page.context["rows"]
    assert last.state == "sent"
    assert last.response_status == 200


def test_it_answers_400_for_an_unknown_action(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.member_a).post(reverse(URL), {"action": "explode"})
    assert response.status_code == 400


def test_adding_a_webhook_tells_its_owner_in_their_language(
    cast: Cast, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    from jisp.core.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        add(signed_in(cast.member_b), "SOC", "https://hooks.example.test/jisp")
    notification = Notification.objects.get(recipient=cast.member_b, kind="core.security")
    assert notification.title == "A webhook was added to your account"
    assert "“SOC” now receives your notifications at https://hooks.example.test/jisp" in (
        notification.body
    )
    assert [m.to for m in mail.outbox] == [[cast.member_b.email]]
