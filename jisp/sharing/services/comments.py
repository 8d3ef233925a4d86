"""Named actions on comments: post (with mentions) and delete.

A comment is seen by whoever sees its topic, so every action first asks the access policy whether
the person may see the topic. Replies are one level deep: a reply to a reply joins the thread of
the top comment. Mentions are ``@`` followed by an e-mail address; only people who may see the
topic are mentioned, the others are ignored without a word (the answer must never confirm that an
address belongs to someone).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from jisp.core import audit, policy
from jisp.core.models import User
from jisp.sharing.models import Comment, Topic
from jisp.sharing.services import fanout

MAX_LENGTH = 5000
MAX_MENTIONS = 20

#: "@" + an e-mail address, not preceded by a word character (so "a@b.example" alone is not one).
_MENTION = re.compile(
    r"(?<![\w@.])@([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)",
    re.ASCII,
)


def mentioned_addresses(body: str) -> list[str]:
    """The e-mail addresses mentioned in ``body``, lower-cased, in order, without repeats."""
    found = dict.fromkeys(match.group(1).lower() for match in _MENTION.finditer(body))
    return list(found)[:MAX_MENTIONS]


def mentionable(topic: Topic, addresses: list[str], *, author: Any = None) -> list[User]:
    """The people among ``addresses`` who may see ``topic`` (never the author themself)."""
    if not addresses:
        return []
    people = User.objects.filter(email__in=addresses, is_active=True)
    if author is not None:
        people = people.exclude(pk=author.pk)
    return [person for person in people if policy.can_view(person, topic)]


def thread(topic: Topic) -> QuerySet[Comment]:
    """The topic's top comments in order, with their replies and authors prefetched."""
    return (
        topic.comments.filter(parent__isnull=True)
        .select_related("author")
        .prefetch_related("replies__author")
    )


@transaction.atomic
def post_comment(
    request: HttpRequest | None,
    user: User,
    topic: Topic,
    body: str,
    parent: Comment | None = None,
) -> Comment:
    """Post a comment (or a reply) on a topic the person may see.

    Raises ``PermissionDenied`` when the person may not see the topic (the caller answers 404) or
    may not write (auditors), ``ValidationError`` for an empty or too long body or a parent from
    another topic.
    """
    if not policy.can_view(user, topic):
        raise PermissionDenied(_("You may not comment on this topic."))
    a = policy.access(user)
    if a.is_auditor and not a.is_centre_staff:
        raise PermissionDenied(_("Auditors do not write comments."))
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": _("Write a comment.")})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"body": _("A comment has at most %(max)d characters.") % {"max": MAX_LENGTH}}
        )
    if parent is not None:
        if parent.topic_id != topic.pk:
            raise ValidationError({"parent": _("You can only reply to a comment on this topic.")})
        if parent.parent_id is not None:
            parent = parent.parent
    comment = Comment.objects.create(topic=topic, parent=parent, author=user, body=text)
    mentions = mentionable(topic, mentioned_addresses(text), author=user)
    if mentions:
        comment.mentions.set(mentions)
    audit.record(
        "sharing.comment.posted",
        request=request,
        actor=user,
        obj=topic,
        comment=comment.pk,
        reply_to=parent.pk if parent is not None else None,
        mentions=len(mentions),
    )
    fanout.on_commit(fanout.comment_posted, comment.pk)
    return comment


def can_delete(user: Any, comment: Comment) -> bool:
    """The author of a comment, or the centre's staff, while they may see its topic."""
    a = policy.access(user)
    if not policy.can_view(user, comment.topic):
        return False
    if a.is_centre_staff:
        return True
    return comment.author_id is not None and comment.author_id == a.user_id


@transaction.atomic
def delete_comment(request: HttpRequest | None, user: User, comment: Comment) -> None:
    """Delete a comment (and its replies, when it is a top comment)."""
    if not can_delete(user, comment):
        raise PermissionDenied(_("You may not delete this comment."))
    topic = comment.topic
    replies = comment.replies.count()
    comment_id = comment.pk
    comment.delete()
    audit.record(
        "sharing.comment.deleted",
        request=request,
        actor=user,
        obj=topic,
        comment=comment_id,
        replies=replies,
    )
