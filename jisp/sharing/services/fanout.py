"""Who is told what about topics: immediate notifications, follows and mutes, reminders, digests.

Every hook takes primary keys and only enqueues a worker job once the transaction commits
(``jisp.sharing.tasks``); the job calls the matching ``send_*`` function here, which does the work.
Every notification goes through ``jisp.core.services.notifications.notify(..., item=topic)``, so
the access policy decides once more who may be told. No title or body names the topic's source or
author (an anonymous topic's source must stay hidden) or any other recipient.

Rules (issue 3, "a busy day must not flood anyone"):

* important topics: at once (in-app, and e-mail / webhook by the person's preferences) to everyone
  who may read them, except their author and people who muted one of their tags or the topic;
* other topics: an in-app notification only to people who follow one of their tags or sectors
  and muted none; everyone else finds them in the list and in their daily digest;
* at most ``MAIL_CAP_PER_HOUR`` immediate e-mails per person and hour for the non-important kinds
  (``CAPPED_KINDS``): beyond it the person is still told in the platform, not by e-mail;
* recipients are handled ``BATCH`` at a time, each batch in one ``notify()`` call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jisp.core import policy
from jisp.core.choices import Channel, OrganisationCategory, Role
from jisp.core.models import Delivery, Membership, Notification, User
from jisp.core.services.notifications import notify
from jisp.sharing import notifications as kinds
from jisp.sharing.choices import TopicCategory, TopicStatus
from jisp.sharing.models import Acknowledgement, Comment, Topic, TopicVersion, TopicView
from jisp.sharing.services import following

logger = logging.getLogger(__name__)

#: People per ``notify()`` call.
BATCH = 500
#: Immediate e-mails per person and hour for the kinds below; important topics always go out.
MAIL_CAP_PER_HOUR = 5
CAPPED_KINDS = (
    kinds.TOPIC_PUBLISHED,
    kinds.TOPIC_UPDATED,
    kinds.TOPIC_COMMENT,
    kinds.TOPIC_MENTION,
    kinds.TOPIC_REVIEW,
)
#: Characters of a comment quoted in its notification.
EXCERPT = 200


# --- Hooks: called by the named actions, run in the worker ------------------------------------


def on_commit(function: Callable[..., Any], *args: Any) -> None:
    """Run ``function(*args)`` once the current transaction commits (in the worker when queued)."""
    transaction.on_commit(lambda: function(*args))


def _enqueue(task_name: str, *args: Any) -> None:
    """Enqueue the worker job once the transaction commits; a broker failure is logged."""

    def run() -> None:
        from jisp.sharing import tasks

        try:
            getattr(tasks, task_name)(*args)
        except Exception:
            logger.exception("sharing fan-out %s%r failed", task_name, args)

    transaction.on_commit(run)


def topic_published(topic_id: int) -> None:
    """A topic was published: important ones are sent at once, others wait for the digest."""
    _enqueue("fanout_topic_published", topic_id)


def topic_updated(topic_id: int) -> None:
    """A new version: people who read an earlier one are told it changed."""
    _enqueue("fanout_topic_updated", topic_id)


def review_requested(topic_id: int) -> None:
    """A member's topic waits for the centre's review."""
    _enqueue("fanout_review_requested", topic_id)


def review_done(topic_id: int) -> None:
    """The author learns that the centre returned their topic."""
    _enqueue("fanout_review_done", topic_id)


def ack_reminder(topic_id: int, organisation_ids: list[int]) -> None:
    """Remind the organisations that have not acknowledged an important topic."""
    _enqueue("fanout_ack_reminder", topic_id, list(organisation_ids))


def comment_posted(comment_id: int) -> None:
    """A comment: the people it mentions and the topic's followers are told."""
    _enqueue("fanout_comment_posted", comment_id)


# --- The work -------------------------------------------------------------------------------------


def send_topic_published(topic_id: int) -> int:
    """Tell people about a newly published topic; return how many were told."""
    topic = _published(topic_id)
    if topic is None:
        return 0
    title = topic.title
    if topic.category == TopicCategory.IMPORTANT:
        # Muting a sector is for the everyday flow; a tag or the topic itself silences it.
        people = policy.audience_users(topic).exclude(
            pk__in=following.muted_user_ids(topic, sectors=False).values("user_id")
        )
        return _tell(
            people.exclude(pk=topic.created_by_id) if topic.created_by_id else people,
            kinds.TOPIC_IMPORTANT,
            topic,
            title=title,  # titles carry their own 【重要】 marks
            body=_text(
                gettext_noop("An important topic was published: %(summary)s"),
                summary=_excerpt(topic.summary),
            ),
        )
    people = User.objects.filter(pk__in=following.follower_user_ids(topic).values("user_id"))
    people = people.exclude(pk__in=following.muted_user_ids(topic).values("user_id"))
    if topic.created_by_id:
        people = people.exclude(pk=topic.created_by_id)
    return _tell(
        people,
        kinds.TOPIC_PUBLISHED,
        topic,
        title=_text(gettext_noop("New topic: %(title)s"), title=title),
        body=_text(
            gettext_noop("A topic you follow by tag or sector: %(summary)s"),
            summary=_excerpt(topic.summary),
        ),
    )


def send_topic_updated(topic_id: int) -> int:
    """Tell the people who read an earlier version (and did not mute the topic) that it changed."""
    topic = _published(topic_id)
    if topic is None:
        return 0
    latest = TopicVersion.objects.filter(topic=topic, number=topic.version).first()
    readers = TopicView.objects.filter(topic=topic, version__lt=topic.version).values("user_id")
    people = User.objects.filter(pk__in=readers).exclude(
        pk__in=following.muted_user_ids(topic, tags=False, sectors=False).values("user_id")
    )
    if latest is not None and latest.created_by_id:
        people = people.exclude(pk=latest.created_by_id)
    note = latest.change_note if latest is not None else ""
    return _tell(
        people,
        kinds.TOPIC_UPDATED,
        topic,
        title=_text(gettext_noop("Updated: %(title)s"), title=topic.title),
        body=_text(
            gettext_noop("Version %(version)s: %(note)s"), version=topic.version, note=note or "-"
        ),
        data={"version": topic.version},
    )


def send_review_requested(topic_id: int) -> int:
    """Tell the centre's duty officers and analysts that a topic waits for their review."""
    topic = Topic.objects.filter(pk=topic_id, status=TopicStatus.PENDING_REVIEW).first()
    if topic is None:
        return 0
    staff = User.objects.filter(
        pk__in=Membership.objects.filter(
            organisation__category=OrganisationCategory.CENTRE,
            organisation__is_active=True,
            role__in=[Role.DUTY_OFFICER, Role.ANALYST],
        ).values("user_id")
    )
    return _tell(
        staff,
        kinds.TOPIC_REVIEW,
        topic,
        title=_text(gettext_noop("Waiting for review: %(title)s"), title=topic.title),
        url=reverse("sharing:review", args=[topic.pk]),
    )


def send_review_done(topic_id: int) -> int:
    """Tell the author how the centre decided on their topic."""
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None or not topic.created_by_id:
        return 0
    if topic.status == TopicStatus.REJECTED:
        title = _text(gettext_noop("Returned by the reviewer: %(title)s"), title=topic.title)
    elif topic.status == TopicStatus.PUBLISHED:
        title = _text(gettext_noop("Published: %(title)s"), title=topic.title)
    else:
        return 0
    return _tell(
        User.objects.filter(pk=topic.created_by_id),
        kinds.TOPIC_REVIEW,
        topic,
        title=title,
        body=topic.review_note,
    )


def send_ack_reminder(topic_id: int, organisation_ids: Sequence[int]) -> int:
    """Remind the organisations still pending: their administrators, else all their members."""
    topic = _published(topic_id)
    if topic is None or not organisation_ids:
        return 0
    pending = list(
        Acknowledgement.objects.filter(topic=topic, organisation_id__in=list(organisation_ids))
        .filter(Q(read_at__isnull=True) | Q(actioned_at__isnull=True))
        .values_list("organisation_id", flat=True)
    )
    if not pending:
        return 0
    rows = Membership.objects.filter(
        organisation_id__in=pending, organisation__is_active=True, user__is_active=True
    ).values_list("organisation_id", "user_id", "role")
    admins: dict[int, set[int]] = {}
    members: dict[int, set[int]] = {}
    for org_id, user_id, role in rows:
        members.setdefault(org_id, set()).add(user_id)
        if role == Role.ORG_ADMIN:
            admins.setdefault(org_id, set()).add(user_id)
    ids: set[int] = set()
    for org_id, people in members.items():
        ids |= admins.get(org_id) or people
    return _tell(
        User.objects.filter(pk__in=sorted(ids)),
        kinds.TOPIC_ACK_REMINDER,
        topic,
        title=_text(gettext_noop("Please acknowledge: %(title)s"), title=topic.title),
        body=_text(
            gettext_noop(
                "Your organisation has not yet confirmed that it read and acted on this topic."
            )
        ),
    )


def send_comment_posted(comment_id: int) -> int:
    """Tell the people a comment mentions, and the topic's followers; never its author."""
    comment = Comment.objects.select_related("topic").filter(pk=comment_id).first()
    if comment is None or not comment.topic.is_published:
        return 0
    topic = comment.topic
    url = reverse("sharing:detail", args=[topic.pk]) + f"#comment-{comment.pk}"
    excerpt = _excerpt(comment.body)
    mentioned = set(comment.mentions.values_list("pk", flat=True)) - {comment.author_id}
    told = 0
    if mentioned:
        told += _tell(
            User.objects.filter(pk__in=sorted(mentioned)),
            kinds.TOPIC_MENTION,
            topic,
            title=_text(gettext_noop("You were mentioned on: %(title)s"), title=topic.title),
            body=excerpt,
            url=url,
            data={"comment": comment.pk},
        )
    followers = (
        User.objects.filter(pk__in=following.topic_follower_ids(topic).values("user_id"))
        .exclude(pk__in=sorted(mentioned))
        .exclude(pk=comment.author_id or 0)
    )
    told += _tell(
        followers,
        kinds.TOPIC_COMMENT,
        topic,
        title=_text(gettext_noop("New comment on: %(title)s"), title=topic.title),
        body=excerpt,
        url=url,
        data={"comment": comment.pk},
    )
    return told


# --- Internals ----------------------------------------------------------------------------------


def _published(topic_id: int) -> Topic | None:
    return Topic.objects.filter(pk=topic_id, status=TopicStatus.PUBLISHED).first()


def _text(message: str, **values: Any) -> Any:
    """``message`` translated when rendered (in each recipient's language), then filled in."""
    return lazy(lambda: _(message) % values if values else _(message), str)()


def _excerpt(text: str, length: int = EXCERPT) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def _tell(
    people: QuerySet[User],
    kind: str,
    topic: Topic,
    *,
    title: Any,
    body: Any = "",
    url: str = "",
    data: dict[str, Any] | None = None,
) -> int:
    """``notify()`` ``people`` about ``topic`` in batches, keeping to the hourly e-mail cap."""
    url = url or reverse("sharing:detail", args=[topic.pk])
    ids = list(people.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    told = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        with transaction.atomic():
            capped = _over_cap(chunk) if kind in CAPPED_KINDS else set()
            sent = notify(
                User.objects.filter(pk__in=chunk),
                kind,
                title=title,
                body=body,
                url=url,
                data=data,
                item=topic,
            )
            if capped:
                _drop_mails([n for n in sent if n.recipient_id in capped])
        told += len(sent)
    return told


def _over_cap(user_ids: Sequence[int]) -> set[int]:
    """The people who had ``MAIL_CAP_PER_HOUR`` capped e-mails in the last hour already."""
    since = timezone.now() - timedelta(hours=1)
    rows = (
        Delivery.objects.filter(
            channel=Channel.EMAIL,
            created_at__gte=since,
            notification__recipient_id__in=list(user_ids),
            notification__kind__in=CAPPED_KINDS,
        )
        .values("notification__recipient_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=MAIL_CAP_PER_HOUR)
    )
    return {row["notification__recipient_id"] for row in rows}


def _drop_mails(sent: Iterable[Notification]) -> None:
    """Cancel the e-mails of these notifications before they leave (their jobs find nothing)."""
    ids = [n.pk for n in sent]
    if ids:
        Delivery.objects.filter(notification_id__in=ids, channel=Channel.EMAIL).delete()


__all__ = [
    "ack_reminder",
    "comment_posted",
    "on_commit",
    "review_done",
    "review_requested",
    "topic_published",
    "topic_updated",
]
