"""Template tags behind the comment thread and the acknowledgement box of a topic's page.

The includes ``sharing/includes/comments.html`` and ``sharing/includes/ack_box.html`` need only
``topic`` (and the request's user) in their context: these tags fetch the rest, through the
access policy.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Q

from jisp.core import policy
from jisp.core.models import Membership, Organisation
from jisp.sharing.forms.comments import AcknowledgeForm
from jisp.sharing.models import Topic
from jisp.sharing.services import comments as comment_service
from jisp.sharing.services.comments import MAX_LENGTH
from jisp.sharing.services.topics import shown_source

register = template.Library()


@register.simple_tag(takes_context=True)
def topic_comments(context: Any, topic: Topic) -> dict[str, Any]:
    """The thread of ``topic`` for the person looking: comments with their replies, each with
    the author's organisation (hidden when it is the anonymous source the person may not know),
    and whether the person may delete it and write."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if topic is None or not policy.can_view(user, topic):
        return {"threads": [], "can_comment": False, "count": 0}
    a = policy.access(user)
    can_comment = not (a.is_auditor and not a.is_centre_staff)
    if getattr(topic, "comment_count", None) == 0:  # counted with the topic: nothing to read
        return {"threads": [], "count": 0, "can_comment": can_comment, "max_length": MAX_LENGTH}
    threads = list(comment_service.thread(topic))
    everyone = [c for top in threads for c in [top, *top.replies.all()]]
    author_ids = {c.author_id for c in everyone if c.author_id}
    first_org: dict[int | None, int] = {}
    source_people: set[int] = set()
    for user_id, org_id in (
        Membership.objects.filter(user_id__in=author_ids, organisation__is_active=True)
        .order_by("organisation_id")
        .values_list("user_id", "organisation_id")
    ):
        first_org.setdefault(user_id, org_id)
        if org_id == topic.organisation_id:
            source_people.add(user_id)
    hide_source = shown_source(user, topic) is None
    names = {
        org.pk: org.display_name
        for org in policy.visible_organisations(
            user, Organisation.objects.filter(pk__in=set(first_org.values()))
        )
    }
    for comment in everyone:
        hidden = hide_source and comment.author_id in source_people
        shown_org = first_org.get(comment.author_id)
        mine = comment.author_id is not None and comment.author_id == a.user_id
        # Marks read by the template (not model fields).
        setattr(comment, "hidden_source", hidden)  # noqa: B010
        setattr(comment, "organisation_name", "" if hidden else names.get(shown_org or 0, ""))  # noqa: B010
        setattr(comment, "deletable", a.is_centre_staff or mine)  # noqa: B010
    return {
        "threads": threads,
        "count": len(everyone),
        "can_comment": can_comment,
        "max_length": MAX_LENGTH,
    }


@register.simple_tag(takes_context=True)
def ack_box(context: Any, topic: Topic) -> dict[str, Any]:
    """What the acknowledgement box shows: for a targeted member, their organisations' rows; for
    the centre's staff, the counts. Empty when the topic asks for none."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if topic is None or not topic.requires_ack or not topic.is_published:
        return {"show": False}
    if not policy.can_view(user, topic):
        return {"show": False}
    a = policy.access(user)
    own = list(
        topic.acknowledgements.filter(organisation_id__in=a.organisation_ids)
        .select_related("organisation", "read_by", "actioned_by")
        .order_by("organisation__name")
    )
    box: dict[str, Any] = {"show": bool(own) or a.is_centre_staff, "own": own}
    box["several"] = len(own) > 1
    box["kinds"] = (AcknowledgeForm.READ, AcknowledgeForm.ACTIONED)
    if a.is_centre_staff:
        counts = topic.acknowledgements.aggregate(
            total=Count("pk"),
            read=Count("pk", filter=Q(read_at__isnull=False)),
            actioned=Count("pk", filter=Q(actioned_at__isnull=False)),
        )
        counts["pending"] = counts["total"] - counts["actioned"]
        box["counts"] = counts
    return box
