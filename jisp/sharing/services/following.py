"""Following and muting tags, sectors and topics, and the person's digest settings.

A ``Subscription`` row follows (``muted=False``) or mutes (``muted=True``) one tag, one sector or
one topic; no row means neither. A topic's sectors are the sectors it is addressed to. The fan-out
(``jisp.sharing.services.fanout``) and the digest ask the querysets below who follows or muted what.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, TextChoices
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core import audit
from jisp.core.choices import Audience
from jisp.core.models import Sector, User
from jisp.sharing.choices import SubscriptionKind
from jisp.sharing.models import ReaderSettings, Subscription, Tag, Topic

#: The digest's time when the person chose none (hour, Japan time).
DEFAULT_DIGEST_HOUR = 8


class FollowState(TextChoices):
    FOLLOW = "follow", gettext_lazy("Follow")
    MUTE = "mute", gettext_lazy("Mute")
    NONE = "none", gettext_lazy("Neither")


# --- Who follows or muted what (for the fan-out and the digest) -------------------------------


def topic_tag_ids(topic: Topic) -> list[int]:
    return list(topic.tags.values_list("pk", flat=True))


def topic_sector_ids(topic: Topic) -> list[int]:
    """The sectors a topic is addressed to (none unless its audience is "sectors")."""
    if topic.audience != Audience.SECTORS:
        return []
    return list(topic.audience_sectors.values_list("pk", flat=True))


def follower_user_ids(topic: Topic) -> QuerySet[Subscription]:
    """Subscriptions (``.values("user_id")``) of people following one of the topic's tags or
    sectors."""
    q = Q(kind=SubscriptionKind.TAG, tag_id__in=topic_tag_ids(topic))
    sectors = topic_sector_ids(topic)
    if sectors:
        q |= Q(kind=SubscriptionKind.SECTOR, sector_id__in=sectors)
    return Subscription.objects.filter(q, muted=False)


def topic_follower_ids(topic: Topic) -> QuerySet[Subscription]:
    """Subscriptions of people following the topic itself."""
    return Subscription.objects.filter(kind=SubscriptionKind.TOPIC, topic=topic, muted=False)


def muted_user_ids(
    topic: Topic, *, tags: bool = True, sectors: bool = True
) -> QuerySet[Subscription]:
    """Subscriptions of people who muted the topic, or (when asked) one of its tags or sectors."""
    q = Q(kind=SubscriptionKind.TOPIC, topic=topic)
    if tags:
        q |= Q(kind=SubscriptionKind.TAG, tag_id__in=topic_tag_ids(topic))
    sector_ids = topic_sector_ids(topic) if sectors else []
    if sector_ids:
        q |= Q(kind=SubscriptionKind.SECTOR, sector_id__in=sector_ids)
    return Subscription.objects.filter(q, muted=True)


# --- One person's follows and mutes -----------------------------------------------------------


def _target(
    tag: Tag | None, sector: Sector | None, topic: Topic | None
) -> tuple[str, dict[str, Any]]:
    given = [(k, v) for k, v in (("tag", tag), ("sector", sector), ("topic", topic)) if v]
    if len(given) != 1:
        raise ValueError("name exactly one of tag, sector, topic")
    name, value = given[0]
    return name, {name: value}


def state_of(
    user: User, *, tag: Tag | None = None, sector: Sector | None = None, topic: Topic | None = None
) -> str:
    """``FollowState`` of the person for one tag, sector or topic."""
    kind, lookup = _target(tag, sector, topic)
    row = Subscription.objects.filter(user=user, kind=kind, **lookup).first()
    if row is None:
        return FollowState.NONE
    return FollowState.MUTE if row.muted else FollowState.FOLLOW


@transaction.atomic
def set_state(
    request: HttpRequest | None,
    user: User,
    state: str,
    *,
    tag: Tag | None = None,
    sector: Sector | None = None,
    topic: Topic | None = None,
) -> Subscription | None:
    """Follow, mute, or neither, one tag, sector or topic. The caller checks that the person may
    see the topic. Returns the subscription (``None`` for neither)."""
    if state not in FollowState.values:
        raise ValidationError({"state": _("Choose follow, mute or neither.")})
    kind, lookup = _target(tag, sector, topic)
    rows = list(
        Subscription.objects.select_for_update()
        .filter(user=user, kind=kind, **lookup)
        .order_by("pk")
    )
    before = (
        FollowState.NONE if not rows else FollowState.MUTE if rows[0].muted else FollowState.FOLLOW
    )
    if before == state and len(rows) <= 1:
        return rows[0] if rows else None
    # NULLs never clash in a unique constraint, so two clicks at once could write two rows.
    Subscription.objects.filter(pk__in=[r.pk for r in rows[1:]]).delete()
    row = rows[0] if rows else None
    if state == FollowState.NONE:
        if row is not None:
            row.delete()
        row = None
    elif row is None:
        row = Subscription.objects.create(
            user=user, kind=kind, muted=state == FollowState.MUTE, **lookup
        )
    elif row.muted != (state == FollowState.MUTE):
        row.muted = state == FollowState.MUTE
        row.save(update_fields=["muted"])
    audit.record(
        "sharing.subscription.changed",
        request=request,
        actor=user,
        obj=topic,
        kind=kind,
        target=lookup[kind].pk,
        state=str(state),
    )
    return row


def subscriptions_of(user: User) -> QuerySet[Subscription]:
    """The person's follows and mutes of tags and sectors (topics are listed separately)."""
    return (
        Subscription.objects.filter(user=user)
        .exclude(kind=SubscriptionKind.TOPIC)
        .select_related("tag", "sector")
        .order_by("kind", "muted", "tag__name", "sector__code")
    )


def topic_subscriptions_of(user: User) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(user=user, kind=SubscriptionKind.TOPIC)
        .select_related("topic")
        .order_by("-created_at", "-pk")
    )


@transaction.atomic
def remove_subscription(
    request: HttpRequest | None, user: User, subscription: Subscription
) -> None:
    if subscription.user_id != user.pk:
        raise ValueError("not the person's subscription")
    target = subscription.tag_id or subscription.sector_id or subscription.topic_id
    audit.record(
        "sharing.subscription.changed",
        request=request,
        actor=user,
        kind=subscription.kind,
        target=target,
        state=str(FollowState.NONE),
    )
    subscription.delete()


# --- Digest settings --------------------------------------------------------------------------


def reader_settings(user: User) -> ReaderSettings:
    """The person's settings; an unsaved row with the defaults when they never chose."""
    found = ReaderSettings.objects.filter(user=user).first()
    return found or ReaderSettings(user=user, digest_enabled=True, digest_hour=DEFAULT_DIGEST_HOUR)


@transaction.atomic
def save_reader_settings(
    request: HttpRequest | None, user: User, *, digest_enabled: bool, digest_hour: int
) -> ReaderSettings:
    if not 0 <= digest_hour <= 23:
        raise ValidationError({"digest_hour": _("Choose an hour from 0 to 23.")})
    row, _created = ReaderSettings.objects.select_for_update().get_or_create(user=user)
    if row.digest_enabled == digest_enabled and row.digest_hour == digest_hour and not _created:
        return row
    row.digest_enabled = digest_enabled
    row.digest_hour = digest_hour
    row.save(update_fields=["digest_enabled", "digest_hour"])
    audit.record(
        "sharing.digest.changed",
        request=request,
        actor=user,
        enabled=digest_enabled,
        hour=digest_hour,
    )
    return row
