"""Webhook delivery to a real HTTP receiver on 127.0.0.1: signature, retries, refusals."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from jisp.core import tasks
from jisp.core.choices import TLP, Audience, Channel, DeliveryState
from jisp.core.models import Delivery, Notification, NotificationPreference, Webhook
from jisp.core.services import notifications
from jisp.core.services.notifications import notify
from jisp.core.testing import Cast
from jisp.core.tests.policyapp.models import Item
from jisp.core.tests.test_outbound import Receiver, fake_dns


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def hook(cast: Cast, receiver: Receiver) -> Webhook:
    NotificationPreference.objects.create(
        user=cast.member_a, kind="core.message", in_app=True, email=False, webhook=True
    )
    return Webhook.objects.create(user=cast.member_a, name="SOC", url=f"{receiver.url}/jisp")


@pytest.fixture(autouse=True)
def empty_schedule() -> Iterator[None]:
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


def send(cast: Cast, capture: Any, **kwargs: Any) -> Delivery:
    with capture(execute=True):
        [notification] = notify([cast.member_a], "core.message", title="Phishing", **kwargs)
    return Delivery.objects.get(notification=notification, channel=Channel.WEBHOOK)


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does (docs/notifications.md)."""
    timestamp = headers["x-jisp-timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(headers["x-jisp-signature"], f"sha256={expected}")


def test_it_posts_a_signed_json_notification(
    cast: Cast, hook: Webhook, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    delivery = send(cast, django_capture_on_commit_callbacks, body="Details", url="/x/1/")

    [request] = receiver.requests
    assert request["method"] == "POST"
    assert request["path"] == "/jisp"
    headers = request["headers"]
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "JISP-Webhook/1"
    assert abs(int(headers["x-jisp-timestamp"]) - timezone.now().timestamp()) < 60
    assert verify(hook.secret, headers, request["body"])
    assert not verify("another secret", headers, request["body"])
    payload = json.loads(request["body"])
    assert set(payload) == {"id", "kind", "title", "body", "url", "created_at", "data"}
    assert payload["id"] == delivery.notification_id
    assert payload["kind"] == "core.message"
    assert payload["title"] == "Phishing"
    assert payload["body"] == "Details"
    assert payload["url"] == "http://127.0.0.1:8000/x/1/"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert delivery.attempts == 1
    assert delivery.response_status == 200
    assert delivery.sent_at is not None


def test_it_retries_after_a_server_error_then_succeeds(
    cast: Cast, hook: Webhook, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.plan = [500, 200]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        delivery = send(cast, django_capture_on_commit_callbacks)
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.RETRYING
        assert delivery.attempts == 1
        assert delivery.response_status == 500
        assert delivery.last_error == "HTTP 500"
        assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=30)
        # The task scheduled the retry with huey.
        assert HUEY.scheduled_count() == 1

        assert tasks.deliver(delivery.pk) is None  # not due yet: nothing sent
        assert len(receiver.requests) == 1

        clock.shift(31)
        assert tasks.deliver(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert delivery.attempts == 2
    assert delivery.response_status == 200
    assert delivery.last_error == ""
    assert len(receiver.requests) == 2
    # Each attempt is signed afresh.
    assert all(verify(hook.secret, r["headers"], r["body"]) for r in receiver.requests)


def test_it_backs_off_and_fails_after_the_maximum_attempts(
    cast: Cast,
    hook: Webhook,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    receiver.plan = [503]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        delivery = send(cast, django_capture_on_commit_callbacks)
        delays = []
        for _ in range(3):
            delivery.refresh_from_db()
            clock.move_to(delivery.next_attempt_at)
            delays.append(tasks.deliver(delivery.pk))
    assert delays == [120.0, 480.0, None]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 4
    assert delivery.next_attempt_at is None
    assert delivery.last_error == "HTTP 503"
    assert len(receiver.requests) == 4
    assert tasks.deliver(delivery.pk) is None  # a failed delivery is not tried again
    assert len(receiver.requests) == 4


def test_it_retries_when_the_receiver_cannot_be_reached(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    NotificationPreference.objects.create(user=cast.member_a, kind="core.message", webhook=True)
    Webhook.objects.create(user=cast.member_a, name="Down", url=f"http://127.0.0.1:{port}/")
    delivery = send(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.response_status is None
    assert "ConnectError" in delivery.last_error or "Connect" in delivery.last_error


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "192.168.0.20", "::1"])
def test_it_refuses_a_private_target_without_sending_anything(
    address: str,
    cast: Cast,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.OUTBOUND_ALLOW = []
    monkeypatch.setattr(socket, "getaddrinfo", fake_dns({"hooks.member.test": [address]}))

    def no_connection(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr("httpx.Client.send", no_connection)
    monkeypatch.setattr(socket, "create_connection", no_connection)
    NotificationPreference.objects.create(user=cast.member_a, kind="core.message", webhook=True)
    Webhook.objects.create(user=cast.member_a, name="In", url="https://hooks.member.test/in")

    delivery = send(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.RETRYING
    assert delivery.last_error.startswith("OutboundRefused")
    assert delivery.response_status is None


def test_it_refuses_a_literal_loopback_target_when_loopback_is_not_allowed(
    cast: Cast,
    hook: Webhook,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.OUTBOUND_ALLOW = []
    delivery = send(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("OutboundRefused")
    assert receiver.requests == []


def test_it_does_not_send_to_a_deleted_or_turned_off_webhook(
    cast: Cast, hook: Webhook, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([cast.member_a], "core.message", title="x")
    hook.is_active = False
    hook.save()
    for callback in callbacks:
        callback()
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert delivery.state == DeliveryState.FAILED
    assert "removed or turned off" in delivery.last_error
    assert receiver.requests == []


def test_it_does_not_send_about_an_item_the_recipient_may_no_longer_see(
    cast: Cast, hook: Webhook, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    item = Item.objects.create(
        title="x",
        tlp=TLP.AMBER,
        audience=Audience.EVERYONE,
        organisation=cast.org_b,
        created_by=cast.member_b,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [notification] = notify([cast.member_a], "core.message", title="x", item=item)
    item.audience = Audience.CENTRE  # narrowed before the worker ran
    item.save()
    for callback in callbacks:
        callback()
    delivery = Delivery.objects.get(notification=notification, channel=Channel.WEBHOOK)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error == "the recipient may no longer see the item"
    assert receiver.requests == []


def test_a_delivery_is_attempted_once_even_if_its_job_runs_twice(
    cast: Cast, hook: Webhook, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        notify([cast.member_a], "core.message", title="x")
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)
    tasks.deliver(delivery.pk)
    tasks.deliver(delivery.pk)
    tasks.deliver_notification(delivery.pk)
    assert len(receiver.requests) == 1


def test_the_sweep_enqueues_deliveries_whose_job_was_lost(
    cast: Cast, hook: Webhook, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the jobs are never enqueued
        notify([cast.member_a], "core.message", title="lost")
    delivery = Delivery.objects.get(channel=Channel.WEBHOOK)

    assert notifications.requeue_lost_deliveries() == 0  # not late yet
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        tasks.requeue_lost_deliveries.call_local()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert len(receiver.requests) == 1


def test_the_test_button_sends_to_one_webhook(
    cast: Cast, hook: Webhook, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_test_webhook(None, cast.member_a, hook)
    [request] = receiver.requests
    payload = json.loads(request["body"])
    assert payload["data"] == {"test": True}
    assert Notification.objects.get().read_at is not None
