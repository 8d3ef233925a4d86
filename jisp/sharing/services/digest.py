"""The daily digest: one e-mail a day with the topics published since the last one.

``send_due_digests()`` runs every 15 minutes in the worker. A person's digest is due when their
hour (Japan time, ``ReaderSettings.digest_hour``, default 8) has come today and they have not had
today's yet. It lists the non-important topics (important ones were sent at once) published since
their last digest that they may read and did not mute (by tag, sector or topic), grouped by
category: title, a plain excerpt of the summary, the TLP and a link — never the source, never who
else received it. Nothing to say: no mail. The mail is in the person's language.

Scale: people are handled ``BATCH`` at a time. For a batch, the candidate topics are read once, and
the access policy is asked once per topic which people of the batch may see it
(``policy.audience_users``); the only query per person is the claim of their digest (an UPDATE that
makes two workers never send the same digest twice).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from jisp.core import policy
from jisp.core.choices import TLP, Channel
from jisp.core.models import Membership, NotificationPreference, User
from jisp.core.services.notifications import channels_for, get_kind
from jisp.sharing import notifications as kinds
from jisp.sharing.choices import SubscriptionKind, TopicCategory, TopicStatus
from jisp.sharing.models import ReaderSettings, Subscription, Topic
from jisp.sharing.services.following import DEFAULT_DIGEST_HOUR

logger = logging.getLogger(__name__)

#: People per batch.
BATCH = 1000
#: Topics listed in one mail at most (the rest: "and N more").
MAX_ENTRIES = 100
#: Topics read per batch at most (a digest covers a day; this is far beyond a busy one).
MAX_TOPICS = 2000
#: A first digest, or one after a long pause, reaches back this far at most.
LONGEST_WINDOW = timedelta(days=7)
FIRST_WINDOW = timedelta(days=1)
#: Characters of the summary quoted per topic.
EXCERPT = 240
#: Levels whose summary stays out of e-mail (the title and the link only).
NO_EXCERPT = frozenset({TLP.AMBER_STRICT, TLP.RED})


@dataclass
class Entry:
    topic_id: int
    title: str
    excerpt: str
    tlp: str
    tlp_label: str
    category: str
    url: str
    published_at: datetime


@dataclass
class Digest:
    """One person's digest: their entries grouped by category, in the order of the categories."""

    user: User
    since: datetime
    entries: list[Entry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.entries)

    def groups(self) -> list[tuple[str, list[Entry]]]:
        shown = self.entries[:MAX_ENTRIES]
        return [
            (str(label), [e for e in shown if e.category == value])
            for value, label in TopicCategory.choices
            if any(e.category == value for e in shown)
        ]

    @property
    def more(self) -> int:
        return max(0, self.total - MAX_ENTRIES)


# --- Who is due --------------------------------------------------------------------------------


def _members() -> QuerySet[User]:
    return User.objects.filter(is_active=True).filter(
        Exists(Membership.objects.filter(user_id=OuterRef("pk"), organisation__is_active=True))
    )


def ensure_settings() -> int:
    """Give everyone who never chose a ``ReaderSettings`` row with the defaults (one query when
    nobody is missing)."""
    missing = list(
        _members()
        .filter(~Exists(ReaderSettings.objects.filter(user_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    rows = [
        ReaderSettings(user_id=pk, digest_enabled=True, digest_hour=DEFAULT_DIGEST_HOUR)
        for pk in missing
    ]
    ReaderSettings.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def _today_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def due(now: datetime) -> QuerySet[ReaderSettings]:
    """The settings rows of people whose digest is due at ``now``."""
    local = timezone.localtime(now)
    return (
        ReaderSettings.objects.filter(digest_enabled=True, digest_hour__lte=local.hour)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=_today_start(now)))
        .filter(user__in=_members())
        .select_related("user")
        .order_by("pk")
    )


def since_for(row: ReaderSettings, now: datetime) -> datetime:
    if row.last_digest_at is None:
        return now - FIRST_WINDOW
    return max(row.last_digest_at, now - LONGEST_WINDOW)


# --- What each one gets ------------------------------------------------------------------------


def build(rows: Sequence[ReaderSettings], now: datetime) -> list[Digest]:
    """The digests of these people (each may be empty), with a handful of queries in all."""
    if not rows:
        return []
    since = {row.user_id: since_for(row, now) for row in rows}
    user_ids = list(since)
    topics = list(
        Topic.objects.filter(
            status=TopicStatus.PUBLISHED,
            published_at__gt=min(since.values()),
            published_at__lte=now,
        )
        .exclude(category=TopicCategory.IMPORTANT)
        .prefetch_related("tags", "audience_sectors", "audience_organisations", "audience_people")
        .order_by("-published_at", "-pk")[:MAX_TOPICS]
    )
    readers: dict[int, set[int]] = {
        topic.pk: set(
            policy.audience_users(topic).filter(pk__in=user_ids).values_list("pk", flat=True)
        )
        for topic in topics
    }
    muted = _mutes(user_ids)
    site = settings.SITE_URL
    digests = []
    for row in rows:
        uid = row.user_id
        digest = Digest(user=row.user, since=since[uid])
        mine = muted.get(uid, set())
        for topic in topics:
            if uid not in readers[topic.pk] or topic.published_at is None:
                continue
            if topic.published_at <= since[uid] or topic.created_by_id == uid:
                continue
            if _is_muted(topic, mine):
                continue
            digest.entries.append(
                Entry(
                    topic_id=topic.pk,
                    title=topic.title,
                    excerpt="" if topic.tlp in NO_EXCERPT else _excerpt(topic.summary),
                    tlp=topic.tlp,
                    tlp_label=str(TLP(topic.tlp).label),
                    category=topic.category,
                    url=site + reverse("sharing:detail", args=[topic.pk]),
                    published_at=topic.published_at,
                )
            )
        digests.append(digest)
    return digests


def _mutes(user_ids: list[int]) -> dict[int, set[tuple[str, int]]]:
    result: dict[int, set[tuple[str, int]]] = {}
    rows = Subscription.objects.filter(user_id__in=user_ids, muted=True).values_list(
        "user_id", "kind", "tag_id", "sector_id", "topic_id"
    )
    for user_id, kind, tag_id, sector_id, topic_id in rows:
        targets: dict[str, int | None] = {
            SubscriptionKind.TAG: tag_id,
            SubscriptionKind.SECTOR: sector_id,
            SubscriptionKind.TOPIC: topic_id,
        }
        target = targets.get(kind)
        if target is not None:
            result.setdefault(user_id, set()).add((kind, target))
    return result


def _is_muted(topic: Topic, muted: set[tuple[str, int]]) -> bool:
    if not muted:
        return False
    if (SubscriptionKind.TOPIC, topic.pk) in muted:
        return True
    if any((SubscriptionKind.TAG, tag.pk) in muted for tag in topic.tags.all()):
        return True
    if topic.audience == "sectors":
        return any((SubscriptionKind.SECTOR, s.pk) in muted for s in topic.audience_sectors.all())
    return False


def _excerpt(text: str, length: int = EXCERPT) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


# --- Sending -----------------------------------------------------------------------------------


def render(digest: Digest) -> EmailMultiAlternatives:
    """The e-mail of one digest, in the person's language."""
    person = digest.user
    language = person.language if person.language in dict(settings.LANGUAGES) else "ja"
    with translation.override(language):
        context = {
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
            "person": person,
            "digest": digest,
            "groups": digest.groups(),
            "list_link": settings.SITE_URL + reverse("sharing:list"),
            "settings_link": settings.SITE_URL + reverse("sharing:following"),
        }
        subject = render_to_string("sharing/mail/digest.subject.txt", context)
        text = render_to_string("sharing/mail/digest.txt", context)
        html = render_to_string("sharing/mail/digest.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
            "X-JISP-Kind": kinds.DIGEST,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _wants_mail(user_ids: list[int]) -> set[int]:
    """The people whose notification settings keep the digest's e-mail on."""
    kind = get_kind(kinds.DIGEST)
    prefs = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(kind=kinds.DIGEST, user_id__in=user_ids)
    }
    return {uid for uid in user_ids if Channel.EMAIL in channels_for(kind, prefs.get(uid))}


def send_due_digests(now: datetime | None = None) -> int:
    """Send every due digest; return how many e-mails left. Safe to run on several workers."""
    now = now or timezone.now()
    ensure_settings()
    sent = 0
    last_pk = 0
    while True:
        rows = list(due(now).filter(pk__gt=last_pk)[:BATCH])
        if not rows:
            return sent
        last_pk = rows[-1].pk
        sent += _send_batch(rows, now)


def _send_batch(rows: list[ReaderSettings], now: datetime) -> int:
    wanted = _wants_mail([row.user_id for row in rows])
    digests = {d.user.pk: d for d in build([r for r in rows if r.user_id in wanted], now)}
    quiet = [r.pk for r in rows if not digests.get(r.user_id) or not digests[r.user_id].entries]
    # Nothing to say (or no e-mail wanted): today's digest is done all the same.
    ReaderSettings.objects.filter(pk__in=quiet).filter(
        Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=_today_start(now))
    ).update(last_digest_at=now)
    sent = 0
    connection: Any = None
    try:
        for row in rows:
            digest = digests.get(row.user_id)
            if digest is None or not digest.entries or not row.user.email:
                continue
            if not _claim(row, now):
                continue  # another worker took it
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()  # one connection for the batch, not one per mail
                message = render(digest)
                message.connection = connection
                message.send(fail_silently=False)
                sent += 1
            except Exception:
                logger.exception("could not send the digest of person %s", row.user_id)
                ReaderSettings.objects.filter(pk=row.pk).update(last_digest_at=row.last_digest_at)
                if connection is not None:
                    try:
                        connection.close()
                    except Exception:
                        logger.debug("the broken mail connection did not close", exc_info=True)
                connection = None  # a fresh connection for the next one
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:
                logger.exception("could not close the mail connection")
    return sent


def _claim(row: ReaderSettings, now: datetime) -> bool:
    previous = ReaderSettings.objects.filter(pk=row.pk, digest_enabled=True)
    if row.last_digest_at is None:
        previous = previous.filter(last_digest_at__isnull=True)
    else:
        previous = previous.filter(last_digest_at=row.last_digest_at)
    return previous.update(last_digest_at=now) == 1
