"""The Redis path of background work, for real: a delivery job goes through Redis and is run.

Skipped unless ``REDIS_URL`` is set (CI sets it). The job is enqueued on a ``RedisHuey`` of its own
(not immediate), taken off the queue and executed in this process, like a consumer does.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from huey import RedisHuey

from jisp.core import tasks
from jisp.core.choices import Channel, DeliveryState
from jisp.core.models import Delivery
from jisp.core.services.notifications import notify
from jisp.core.testing import Cast

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")


@pytest.fixture
def huey() -> Iterator[RedisHuey]:
    queue = RedisHuey(f"jisp-test-{uuid.uuid4().hex[:12]}", url=REDIS_URL, immediate=False)
    try:
        yield queue
    finally:
        queue.storage.flush_all()


def test_a_delivery_job_goes_through_redis_and_is_sent(
    cast: Cast, huey: RedisHuey, django_capture_on_commit_callbacks: Any
) -> None:
    job = huey.task(name="core.deliver_notification")(tasks.deliver_notification.call_local)
    with django_capture_on_commit_callbacks(execute=False):  # not through the test-mode queue
        [notification] = notify([cast.member_b], "core.message", title="Through Redis")
    delivery = Delivery.objects.get(notification=notification, channel=Channel.EMAIL)

    job(delivery.pk)
    assert huey.pending_count() == 1
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.PENDING

    message = huey.dequeue()
    assert message is not None
    assert message.args == (delivery.pk,)
    huey.execute(message)

    assert huey.pending_count() == 0
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert delivery.attempts == 1
    assert [m.to for m in mail.outbox] == [[cast.member_b.email]]
