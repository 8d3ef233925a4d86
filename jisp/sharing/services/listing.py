"""Listing topics: the filters of the list page and the API, and the per-row marks.

Shared by ``jisp.sharing.views.reading`` and ``jisp.sharing.api`` so both filter identically.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jisp.core import policy
from jisp.core.models import Organisation, Sector
from jisp.sharing import search
from jisp.sharing.choices import TopicStatus
from jisp.sharing.models import Acknowledgement, Topic, TopicView
from jisp.sharing.services import topics as topic_service


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in Japan (the site's time zone), as an aware time."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def sector_q(user: Any, sector: Sector) -> Q:
    """Topics addressed to ``sector`` or written by one of its organisations.

    Without leaking what the policy keeps quiet: a topic's other addressees are known only to its
    source organisation and the centre (so "addressed to this sector" counts for others only when
    it is one of their own sectors), and the true source of a topic published on a member's behalf
    only to the source and the centre.
    """
    a = policy.access(user)
    through: Any = Topic.audience_sectors.through
    addressed = Q(Exists(through.objects.filter(topic_id=OuterRef("pk"), sector_id=sector.pk)))
    from_sector = Q(organisation_id__in=Organisation.objects.filter(sector=sector).values("pk"))
    if a.sees_all_below_red:
        return addressed | from_sector
    own = Q(organisation_id__in=a.organisation_ids)
    if sector.pk not in a.sector_ids:
        addressed &= own
    return addressed | (from_sector & (Q(anonymous=False) | own))


def filter_topics(user: Any, data: dict[str, Any]) -> QuerySet[Topic]:
    topics = topic_service.readable_topics(user)
    if (data.get("q") or "").strip():
        topics = search.search(topics, data["q"])
    if data.get("category"):
        topics = topics.filter(category=data["category"])
    if data.get("tlp"):
        topics = topics.filter(tlp=data["tlp"])
    if (data.get("tag") or "").strip():
        topics = topics.filter(tags__name=data["tag"].strip())
    if data.get("sector") is not None:
        topics = topics.filter(sector_q(user, data["sector"]))
    if data.get("date_from"):
        topics = topics.filter(published_at__gte=start_of_day(data["date_from"]))
    if data.get("date_to"):
        topics = topics.filter(published_at__lt=start_of_day(data["date_to"] + timedelta(days=1)))
    if data.get("unread"):
        read_current = TopicView.objects.filter(
            topic_id=OuterRef("pk"), user_id=user.pk, version__gte=OuterRef("version")
        )
        topics = topics.filter(~Exists(read_current))
    if data.get("needs_ack"):
        pending = Acknowledgement.objects.filter(
            Q(read_at__isnull=True) | Q(actioned_at__isnull=True),
            topic_id=OuterRef("pk"),
            organisation_id__in=policy.access(user).organisation_ids,
        )
        topics = topics.filter(Exists(pending), requires_ack=True, status=TopicStatus.PUBLISHED)
    if data.get("professional"):
        topics = topics.filter(professional=True)
    return topics


def mark_rows(user: Any, rows: list[Topic]) -> None:
    """Per row, for ``jisp.sharing.rows.topic_rows``: its URL, the source as this person may
    know it, unread / changed since read, and "needs my organisation's acknowledgement".
    Two queries, whatever the number of rows."""
    ids = [t.pk for t in rows]
    read = dict(
        TopicView.objects.filter(user_id=user.pk, topic_id__in=ids).values_list(
            "topic_id", "version"
        )
    )
    ack_ids = [t.pk for t in rows if t.requires_ack and t.is_published]
    org_ids = policy.access(user).organisation_ids
    pending: set[int] = set()
    if ack_ids and org_ids:
        pending = set(
            Acknowledgement.objects.filter(
                Q(read_at__isnull=True) | Q(actioned_at__isnull=True),
                topic_id__in=ack_ids,
                organisation_id__in=org_ids,
            ).values_list("topic_id", flat=True)
        )
    for topic in rows:
        version = read.get(topic.pk)
        topic.source = topic_service.shown_source(user, topic)  # type: ignore[attr-defined]
        topic.unread = version is None  # type: ignore[attr-defined]
        topic.changed = version is not None and version < topic.version  # type: ignore[attr-defined]
        topic.needs_ack = topic.pk in pending  # type: ignore[attr-defined]


def tag_names(topic_ids: list[int]) -> dict[int, list[str]]:
    """The tag names of these topics, by topic, in name order, in one query (for the rows of
    a list: ``prefetch_related`` and a related manager built per row cost more Python than the
    rest of the rows together)."""
    names: dict[int, list[str]] = {pk: [] for pk in topic_ids}
    if topic_ids:
        links = Topic.tags.through.objects.filter(topic_id__in=topic_ids).order_by("tag__name")
        for topic_id, name in links.values_list("topic_id", "tag__name"):
            names[topic_id].append(name)
    return names


def knows_recipients(user: Any, topic: Topic) -> bool:
    """Whether the person may see the lists a topic was shared with (sectors, organisations,
    people): the source organisation and the centre (with its auditors); nobody else."""
    a = policy.access(user)
    return a.sees_all_below_red or topic.organisation_id in a.organisation_ids
