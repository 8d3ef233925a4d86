"""Background work of the core app: delivering notifications by e-mail and webhook.

Jobs take a ``Delivery`` primary key and reload it. ``deliver()`` is a plain function that makes
one attempt and returns the delay before the next one (or ``None`` when the delivery is done);
the ``deliver_notification`` task calls it and schedules the retry. A periodic sweep enqueues
again the deliveries whose job was lost (a worker or broker restart).

Webhook requests are signed: ``X-JISP-Signature: sha256=<hex HMAC-SHA256 of
"<X-JISP-Timestamp>.<raw body>" with the webhook's secret>`` (see ``docs/notifications.md``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jisp.core import outbound, policy
from jisp.core.choices import Channel, DeliveryState
from jisp.core.models import Delivery, Notification
from jisp.core.services import notifications
from jisp.core.services.notifications import get_kind

logger = logging.getLogger(__name__)

#: Seconds to wait after the 1st, 2nd, ... failed attempt (the last value repeats).
BACKOFF = (30, 120, 480, 1800, 7200)
#: A claimed delivery is not claimed again for this long (covers a slow attempt).
LEASE = timedelta(minutes=5)
#: A job may run this much before the time it was scheduled for (clocks of hosts differ).
EARLY = timedelta(seconds=5)
USER_AGENT = "JISP-Webhook/1"


class DeliveryFailed(Exception):
    """The target answered, but not with success."""


def backoff(attempts: int) -> int:
    """The delay after ``attempts`` failed attempts."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-JISP-Signature`` value of a webhook request."""
    message = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path else ""


def webhook_payload(notification: Notification) -> dict[str, Any]:
    """What a webhook receives: the notification as its recipient sees it, nothing more."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": absolute(notification.url),
        "created_at": notification.created_at.isoformat(),
        "data": notification.data,
    }


def deliver(delivery_id: int) -> float | None:
    """Make one attempt at a delivery; return the seconds until the next one, or ``None``.

    Safe to call twice for the same delivery: an attempt first claims the delivery, and only a
    pending or retrying delivery that is due can be claimed.
    """
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(
            pk=delivery_id, state__in=[DeliveryState.PENDING, DeliveryState.RETRYING]
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + EARLY))
        .update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("notification__recipient", "webhook").get(
        pk=delivery_id
    )
    problem = _undeliverable(delivery)
    if problem:
        _finish(delivery, DeliveryState.FAILED, error=problem)
        return None
    try:
        if delivery.channel == Channel.EMAIL:
            _send_email(delivery)
        elif delivery.channel == Channel.WEBHOOK:
            _send_webhook(delivery)
        else:
            _finish(delivery, DeliveryState.FAILED, error=f"unknown channel {delivery.channel}")
            return None
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, DeliveryFailed) else str(exc)
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            _finish(delivery, DeliveryState.FAILED, error=error)
            logger.warning("delivery %s failed for good: %s", delivery.pk, error)
            return None
        delay = backoff(delivery.attempts)
        _finish(
            delivery,
            DeliveryState.RETRYING,
            error=error,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        return float(delay)
    _finish(delivery, DeliveryState.SENT, sent_at=timezone.now())
    return None


@db_task(retries=0, name="core.deliver_notification")
def deliver_notification(delivery_id: int) -> None:
    delay = deliver(delivery_id)
    if delay is not None:
        deliver_notification.schedule(args=(delivery_id,), delay=delay)


@db_periodic_task(crontab(minute="*/5"), name="core.requeue_lost_deliveries")
def requeue_lost_deliveries() -> None:
    count = notifications.requeue_lost_deliveries()
    if count:
        logger.info("enqueued %s lost deliveries again", count)


# --- Internals ---------------------------------------------------------------------------------


def _finish(
    delivery: Delivery,
    state: str,
    *,
    error: str = "",
    sent_at: Any = None,
    next_attempt_at: Any = None,
) -> None:
    delivery.state = state
    delivery.last_error = error[:500]
    delivery.next_attempt_at = next_attempt_at
    fields = ["state", "last_error", "next_attempt_at", "response_status"]
    if sent_at is not None:
        delivery.sent_at = sent_at
        fields.append("sent_at")
    delivery.save(update_fields=fields)


def _undeliverable(delivery: Delivery) -> str:
    """Why the delivery must not be attempted (checked again at every attempt), or ``""``."""
    notification = delivery.notification
    person = notification.recipient
    if not person.is_active:
        return "the recipient is no longer active"
    ref = notification.data.get("item") if isinstance(notification.data, dict) else None
    if ref:
        # Access may have changed since the notification was written: ask the policy again.
        try:
            model = apps.get_model(str(ref["type"]))
            item = model._default_manager.get(pk=ref["id"])
        except (LookupError, KeyError, TypeError, ValueError, ObjectDoesNotExist):
            return "the item no longer exists"
        if not policy.can_view(person, item):
            return "the recipient may no longer see the item"
    if delivery.channel == Channel.EMAIL and not delivery.target:
        return "no e-mail address"
    if delivery.channel == Channel.WEBHOOK:
        hook = delivery.webhook
        if hook is None or not hook.is_active or hook.user_id != person.pk:
            return "the webhook was removed or turned off"
    return ""


def _send_email(delivery: Delivery) -> None:
    notification = delivery.notification
    person = notification.recipient
    language = person.language if person.language in dict(settings.LANGUAGES) else "ja"
    try:
        label = str(get_kind(notification.kind).label)
    except ValueError:
        label = notification.kind
    with translation.override(language):
        context = {
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
            "person": person,
            "notification": notification,
            "kind_label": label,
            "link": absolute(reverse("core:notification_open", args=[notification.pk])),
            "preferences_link": absolute(reverse("core:notification_preferences")),
        }
        text = render_to_string("core/mail/notification.txt", context)
        html = render_to_string("core/mail/notification.html", context)
    subject = f"[{settings.SITE_NAME}] {' '.join(notification.title.split())}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.target],
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
            "X-JISP-Kind": notification.kind,
        },
    )
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)


def _send_webhook(delivery: Delivery) -> None:
    hook = delivery.webhook
    assert hook is not None
    body = json.dumps(
        webhook_payload(delivery.notification),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-JISP-Timestamp": timestamp,
        "X-JISP-Signature": sign(hook.secret, timestamp, body),
        "X-JISP-Delivery": str(delivery.pk),
    }
    delivery.response_status = None
    response = outbound.post_json(hook.url, body, headers=headers)
    delivery.response_status = response.status_code
    if not response.ok:
        raise DeliveryFailed(f"HTTP {response.status_code}")
