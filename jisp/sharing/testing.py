"""Helpers for the sharing app's tests: topics made the way people make them.

``make_topic`` goes through the named actions (``create_topic`` / ``TopicInput``, then
``review_topic`` when asked), so the topic has its version, search tokens, tags, audience lists
and acknowledgement rows exactly as in real use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from jisp.core.models import Organisation, Sector, User
from jisp.sharing.choices import TopicStatus
from jisp.sharing.models import Topic
from jisp.sharing.services.topics import TopicInput, create_topic, review_topic


def make_topic(
    author: User,
    title: str = "不審メールに関する注意喚起",
    *,
    summary: str = "大会関係者を装った不審なメールが届いています。添付ファイルを開かないこと。",
    body: str = "",
    category: str = "information",
    tlp: str = "green",
    audience: str = "everyone",
    sectors: Sequence[Sector] = (),
    organisations: Sequence[Organisation] = (),
    people: Sequence[User] = (),
    tags: Sequence[str] = (),
    requires_ack: bool = False,
    publish: bool = True,
    approve_by: User | None = None,
    anonymous: bool = False,
    actions: Sequence[str] = (),
    professional: bool = False,
    pinned: bool = False,
    valid_until: datetime | None = None,
    organisation: Organisation | None = None,
    change_note: str = "",
) -> Topic:
    """A topic written by ``author``, as ``create_topic`` leaves it.

    With ``publish`` (default) the centre's topics are published at once; a member's topic goes
    to review, and is approved by ``approve_by`` (a centre user) when given — ``anonymous`` then
    publishes it on the source's behalf. With ``publish=False`` the topic stays a draft.
    """
    data = TopicInput(
        title=title,
        summary=summary,
        body=body,
        actions=list(actions),
        category=category,
        tags=list(tags),
        tlp=tlp,
        audience=audience,
        sectors=list(sectors),
        organisations=list(organisations),
        people=list(people),
        professional=professional,
        valid_until=valid_until,
        pinned=pinned,
        requires_ack=requires_ack,
        change_note=change_note,
    )
    topic = create_topic(None, author, data, organisation=organisation, publish=publish)
    if approve_by is not None and topic.status == TopicStatus.PENDING_REVIEW:
        topic = review_topic(None, approve_by, topic, approve=True, anonymous=anonymous)
    topic.refresh_from_db()
    return topic


def topic_input(topic: Topic, **changes: Any) -> TopicInput:
    """The ``TopicInput`` that would rewrite ``topic`` as it is, with ``changes`` applied
    (for tests that edit a topic through ``update_topic``)."""
    fields: dict[str, Any] = {
        "title": topic.title,
        "summary": topic.summary,
        "body": topic.body,
        "actions": list(topic.actions),
        "category": topic.category,
        "tags": [t.name for t in topic.tags.all()],
        "tlp": topic.tlp,
        "audience": topic.audience,
        "sectors": list(topic.audience_sectors.all()),
        "organisations": list(topic.audience_organisations.all()),
        "people": list(topic.audience_people.all()),
        "professional": topic.professional,
        "valid_until": topic.valid_until,
        "pinned": topic.pinned,
        "requires_ack": topic.requires_ack,
    }
    fields.update(changes)
    return TopicInput(**fields)
