"""Telling people things: the kinds of notification, ``notify()``, preferences and webhooks.

``notify()`` is the one entry point for every app. It keeps to the access policy (nobody is told
about an item they may not see), writes one in-app ``Notification`` per person in their language,
one ``Delivery`` per further channel the person chose, and enqueues the deliveries once the
transaction commits. The deliveries themselves run in the worker (``jisp.core.tasks``).

Apps register their kinds once, from their ``AppConfig.ready()``::

    from jisp.core.services.notifications import register_kind
    register_kind("sharing.topic.important", _("Important topics"), {Channel.IN_APP, Channel.EMAIL})
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jisp.core import audit, outbound, policy
from jisp.core.choices import Channel, DeliveryState
from jisp.core.models import (
    Delivery,
    Notification,
    NotificationPreference,
    Shareable,
    User,
    Webhook,
)

logger = logging.getLogger(__name__)

#: Rows per INSERT and ids per ``IN (...)`` lookup: keeps every statement small on every database.
BATCH = 500
#: A delivery whose job should have run this long ago is taken as lost and enqueued again.
LOST_AFTER = timedelta(minutes=2)
TITLE_MAX = 200


# --- The kinds of notification ------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of notification: what people see in their preferences, and the default channels.

    ``mandatory`` channels cannot be turned off (e.g. e-mail for the security of one's account).
    """

    key: str
    label: Any
    default_channels: frozenset[str]
    description: Any = ""
    mandatory: frozenset[str] = frozenset()


_KINDS: dict[str, Kind] = {}


def register_kind(
    key: str,
    label: Any,
    default_channels: Iterable[str] = (Channel.IN_APP, Channel.EMAIL),
    description: Any = "",
    *,
    mandatory: Iterable[str] = (),
) -> Kind:
    """Register (or replace) a kind. Labels and descriptions should be lazy translations."""
    channels = frozenset(str(c) for c in default_channels)
    required = frozenset(str(c) for c in mandatory)
    unknown = (channels | required) - set(Channel.values)
    if unknown:
        raise ValueError(f"unknown channels for {key!r}: {sorted(unknown)}")
    kind = Kind(key, label, channels | required, description, required)
    _KINDS[key] = kind
    return kind


def get_kind(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise ValueError(f"unknown notification kind {key!r}; register it first") from None


def kinds() -> list[Kind]:
    """Every registered kind, in the order of registration."""
    return list(_KINDS.values())


register_kind(
    "core.invitation",
    gettext_lazy("Invitations"),
    (Channel.IN_APP, Channel.EMAIL),
    gettext_lazy("An invitation you sent was accepted, or you were added to an organisation."),
)
register_kind(
    "core.security",
    gettext_lazy("Security of your account"),
    (Channel.IN_APP, Channel.EMAIL),
    gettext_lazy(
        "Changes to your password, two-factor sign-in, API tokens and webhooks, and locked "
        "sign-ins. These always come in the platform and by e-mail."
    ),
    mandatory=(Channel.IN_APP, Channel.EMAIL),
)
register_kind(
    "core.message",
    gettext_lazy("Messages"),
    (Channel.IN_APP, Channel.EMAIL),
    gettext_lazy("Messages from the coordination centre and from the platform."),
)


def channels_for(kind: Kind, preference: NotificationPreference | None) -> frozenset[str]:
    """The channels one person gets ``kind`` on: their choice, else the defaults."""
    if preference is None:
        return kind.default_channels
    chosen = {
        channel
        for channel, on in (
            (Channel.IN_APP, preference.in_app),
            (Channel.EMAIL, preference.email),
            (Channel.WEBHOOK, preference.webhook),
        )
        if on
    }
    return frozenset(str(c) for c in chosen) | kind.mandatory


# --- notify() -----------------------------------------------------------------------------------


def notify(
    recipients: Iterable[User] | QuerySet[User],
    kind: str,
    *,
    title: Any,
    body: Any = "",
    url: str = "",
    data: dict[str, Any] | None = None,
    item: Shareable | None = None,
) -> list[Notification]:
    """Tell ``recipients`` something; return the notifications written (one per person told).

    * With ``item``, only the people the access policy lets see it are told; inactive people
      never are.
    * ``title`` and ``body`` may be lazy translations: each is rendered in the recipient's language.
    * ``url`` must be a path on this site (``/sharing/topics/12/``) or empty.
    * ``data`` (JSON-able) goes to the notification and webhooks as it is: never put other
      recipients in it. With ``item``, ``data["item"]`` names it (type and id).
    * A person who turned the in-app channel off still gets a row (deliveries hang on it), written
      as already read; a person with no channel at all is skipped.
    """
    spec = get_kind(kind)
    if url and not is_local_path(url):
        raise ValueError("a notification's url must be a path on this site")
    people = _recipients(recipients, item)
    if not people:
        return []
    payload = dict(data or {})
    if item is not None:
        payload["item"] = {"type": item._meta.label_lower, "id": item.pk}

    preferences = _preferences(people, kind)
    texts: dict[str, tuple[str, str]] = {}
    now = timezone.now()
    rows: list[Notification] = []
    plans: list[tuple[User, frozenset[str]]] = []
    for person in people:
        channels = channels_for(spec, preferences.get(person.pk))
        if not channels:
            continue
        text_title, text_body = _texts(texts, person.language, title, body)
        rows.append(
            Notification(
                recipient=person,
                kind=kind,
                title=text_title,
                body=text_body,
                url=url,
                data=payload,
                read_at=None if Channel.IN_APP in channels else now,
            )
        )
        plans.append((person, channels))
    if not rows:
        return []

    with transaction.atomic():
        notifications = Notification.objects.bulk_create(rows, batch_size=BATCH)
        hooks = _webhooks([p.pk for p, channels in plans if Channel.WEBHOOK in channels])
        deliveries: list[Delivery] = []
        for notification, (person, channels) in zip(notifications, plans, strict=True):
            if Channel.EMAIL in channels and person.email:
                deliveries.append(
                    Delivery(
                        notification=notification,
                        channel=Channel.EMAIL,
                        target=person.email,
                        next_attempt_at=now,
                    )
                )
            if Channel.WEBHOOK in channels:
                for hook in hooks.get(person.pk, []):
                    deliveries.append(
                        Delivery(
                            notification=notification,
                            channel=Channel.WEBHOOK,
                            target=hook.url,
                            webhook=hook,
                            next_attempt_at=now,
                        )
                    )
        created = Delivery.objects.bulk_create(deliveries, batch_size=BATCH)
        ids = [d.pk for d in created]
        if ids:
            transaction.on_commit(partial(enqueue_deliveries, ids))
    return notifications


def is_local_path(url: str) -> bool:
    """Whether ``url`` is a path on this site (no scheme, no host, no ``//`` or ``\\`` tricks)."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and not any(ch in url for ch in "\r\n\t\\")
    )


def _recipients(recipients: Iterable[User] | QuerySet[User], item: Shareable | None) -> list[User]:
    """Active people, each once, narrowed to those who may see ``item``."""
    if isinstance(recipients, QuerySet):
        qs = recipients.filter(is_active=True)
        if item is not None:
            qs = qs.filter(pk__in=policy.audience_users(item).values("pk"))
        return list(qs.order_by("pk"))
    people: dict[int, User] = {}
    for person in recipients:
        if person.is_active and person.pk is not None:
            people.setdefault(person.pk, person)
    if item is not None and people:
        allowed = set(policy.audience_users(item).values_list("pk", flat=True))
        people = {pk: person for pk, person in people.items() if pk in allowed}
    return list(people.values())


def _chunks(values: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _preferences(people: list[User], kind: str) -> dict[int, NotificationPreference]:
    """The people's preference rows for ``kind``: one query for a large set, else by ids."""
    qs = NotificationPreference.objects.filter(kind=kind)
    if len(people) > BATCH:
        wanted = {p.pk for p in people}
        return {row.user_id: row for row in qs if row.user_id in wanted}
    return {row.user_id: row for row in qs.filter(user_id__in=[p.pk for p in people])}


def _webhooks(user_ids: list[int]) -> dict[int, list[Webhook]]:
    hooks: dict[int, list[Webhook]] = {}
    for chunk in _chunks(user_ids):
        for hook in Webhook.objects.filter(user_id__in=chunk, is_active=True).order_by("pk"):
            hooks.setdefault(hook.user_id, []).append(hook)
    return hooks


def _texts(
    cache: dict[str, tuple[str, str]], language: str, title: Any, body: Any
) -> tuple[str, str]:
    code = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    if code not in cache:
        with translation.override(code):
            cache[code] = (" ".join(str(title).split())[:TITLE_MAX], str(body))
    return cache[code]


def enqueue_deliveries(ids: Iterable[int]) -> None:
    """Enqueue one delivery job per id. A broker failure is logged: the sweeper retries later."""
    from jisp.core import tasks

    for pk in ids:
        try:
            tasks.deliver_notification(pk)
        except Exception:
            logger.exception("could not enqueue delivery %s; the periodic sweep will", pk)


def requeue_lost_deliveries(now: Any = None, limit: int = 1000) -> int:
    """Enqueue again the pending or retrying deliveries whose job should have run by now."""
    now = now or timezone.now()
    due = (
        Delivery.objects.filter(state__in=[DeliveryState.PENDING, DeliveryState.RETRYING])
        .filter(Q(next_attempt_at__lte=now - LOST_AFTER) | Q(next_attempt_at__isnull=True))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(due)
    enqueue_deliveries(ids)
    return len(ids)


# --- The inbox ----------------------------------------------------------------------------------


def mark_read(user: User, notification: Notification) -> None:
    """Mark one of the person's notifications read (not audited: it changes nothing shared)."""
    if notification.recipient_id != user.pk:
        raise ValueError("not the person's notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Preferences --------------------------------------------------------------------------------


def preference_table(user: User) -> list[tuple[Kind, frozenset[str]]]:
    """Every registered kind with the channels the person gets it on now."""
    rows = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    return [(kind, channels_for(kind, rows.get(kind.key))) for kind in kinds()]


@transaction.atomic
def save_preferences(
    request: HttpRequest | None, user: User, choices: Mapping[str, Iterable[str]]
) -> list[str]:
    """Save the person's channels for each kind in ``choices``; return the kinds that changed.

    Mandatory channels stay on whatever was sent.
    """
    existing = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    changed: list[str] = []
    for key, channels in choices.items():
        kind = get_kind(key)
        wanted = frozenset(str(c) for c in channels) | kind.mandatory
        if wanted == channels_for(kind, existing.get(key)):
            continue
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=key,
            defaults={
                "in_app": Channel.IN_APP in wanted,
                "email": Channel.EMAIL in wanted,
                "webhook": Channel.WEBHOOK in wanted,
            },
        )
        changed.append(key)
    if changed:
        audit.record("core.preferences.changed", request=request, actor=user, kinds=changed)
    return changed


# --- Webhooks -----------------------------------------------------------------------------------


def validate_webhook_url(url: str) -> None:
    """Refuse a URL the guarded client would refuse, and plain http:// outside the allow-list.

    Raises ``ValidationError`` with a message in the active language.
    """
    try:
        parsed, addresses = outbound.check_url(url)
    except outbound.OutboundRefused:
        raise ValidationError(
            _("This address cannot receive webhooks: only public addresses may be used."),
            code="refused",
        ) from None
    except outbound.OutboundError:
        raise ValidationError(
            _("The host of this address could not be found."), code="unresolved"
        ) from None
    if parsed.scheme != "https" and not all(outbound.is_allowed_by_operator(a) for a in addresses):
        raise ValidationError(_("Use an https:// address."), code="https")


@transaction.atomic
def create_webhook(request: HttpRequest | None, user: User, name: str, url: str) -> Webhook:
    validate_webhook_url(url)
    hook = Webhook.objects.create(user=user, name=name.strip(), url=url)
    audit.record(
        "core.webhook.changed", request=request, actor=user, obj=hook, change="created", url=url
    )
    # A webhook sends the person's notifications elsewhere: tell them, in case it was not them.
    notify(
        [user],
        "core.security",
        title=gettext_lazy("A webhook was added to your account"),
        body=_lazy_text(
            gettext_noop(
                "“%(name)s” now receives your notifications at %(url)s. If you did not add it, "
                "delete it and change your password."
            ),
            name=hook.name,
            url=url,
        ),
        url=reverse("core:webhooks"),
    )
    return hook


@transaction.atomic
def delete_webhook(request: HttpRequest | None, user: User, hook: Webhook) -> None:
    if hook.user_id != user.pk:
        raise ValueError("not the person's webhook")
    audit.record(
        "core.webhook.changed",
        request=request,
        actor=user,
        obj=hook,
        change="deleted",
        url=hook.url,
    )
    hook.delete()


@transaction.atomic
def send_test_webhook(request: HttpRequest | None, user: User, hook: Webhook) -> Delivery:
    """Send a test notification to one webhook only (kept in the inbox as already read)."""
    if hook.user_id != user.pk:
        raise ValueError("not the person's webhook")
    with translation.override(user.language or settings.LANGUAGE_CODE):
        title = _("Test message from JISP")
        body = _("If you can read this, the webhook “%(name)s” works.") % {"name": hook.name}
    now = timezone.now()
    notification = Notification.objects.create(
        recipient=user,
        kind="core.message",
        title=title,
        body=body,
        data={"test": True},
        read_at=now,
    )
    delivery = Delivery.objects.create(
        notification=notification,
        channel=Channel.WEBHOOK,
        target=hook.url,
        webhook=hook,
        next_attempt_at=now,
    )
    audit.record("core.webhook.changed", request=request, actor=user, obj=hook, change="tested")
    transaction.on_commit(partial(enqueue_deliveries, [delivery.pk]))
    return delivery


def _lazy_text(message: str, **values: Any) -> Any:
    """``message`` translated when rendered (in each recipient's language), then filled in."""
    return lazy(lambda: _(message) % values, str)()


def last_deliveries(hooks: Iterable[Webhook]) -> dict[int, Delivery]:
    """The latest delivery of each webhook (one query per webhook: a person has a few)."""
    result: dict[int, Delivery] = {}
    for hook in hooks:
        latest = Delivery.objects.filter(webhook=hook).order_by("-created_at", "-pk").first()
        if latest is not None:
            result[hook.pk] = latest
    return result
