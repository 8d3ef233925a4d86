"""The JSON API of topics: list, search, read, post, update, comment, acknowledge.

Mounted at ``/api/v1/topics`` by ``jisp.api``, which signs the caller in (token or session),
checks the token's scope, answers errors as ``{"detail": ...}`` and records every call. Every
operation starts from ``services.topics.readable_topics(user)`` (the access policy): a topic the
caller may not see answers 404; one they see but may not change answers 403. What the caller may
not learn is never put in an answer: the true source of a topic published on a member's behalf
(nor its author's name, nor its source's comments' authors), and whom a topic was shared with
(only its source organisation and the centre see the lists).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from jisp.core import audit, policy
from jisp.core.api import PathId, api_user
from jisp.core.choices import OrganisationCategory
from jisp.core.models import Membership, Organisation, Sector, User
from jisp.core.schemas import ERRORS_READ, ERRORS_WRITE, Page, PageIn, paginate
from jisp.sharing.models import LIST_ORDER, Acknowledgement, Comment, Topic
from jisp.sharing.schemas import (
    AcknowledgeIn,
    AckOut,
    CommentIn,
    CommentOut,
    SearchFilters,
    TopicDetailOut,
    TopicFilters,
    TopicIn,
    TopicOut,
    TopicPatchIn,
    VersionOut,
)
from jisp.sharing.services import comments as comment_service
from jisp.sharing.services import following, listing
from jisp.sharing.services import topics as topic_service
from jisp.sharing.services.topics import TopicInput

logger = logging.getLogger(__name__)

router = Router(tags=["topics"])


class TopicPage(Page[TopicOut]):
    pass


class VersionPage(Page[VersionOut]):
    pass


class CommentPage(Page[CommentOut]):
    pass


def _topic_or_404(user: User, pk: int) -> Topic:
    queryset = topic_service.readable_topics(user).select_related("organisation", "created_by")
    return policy.get_visible_or_404(user, queryset, pk=pk)


# --- What the caller may know ------------------------------------------------------------------


def _centre_ref() -> dict[str, Any]:
    centre = (
        Organisation.objects.filter(category=OrganisationCategory.CENTRE).order_by("pk").first()
    )
    if centre is None:
        return {"id": 0, "name": _("the coordination centre")}
    return {"id": centre.pk, "name": centre.display_name}


def _source(user: User, topic: Topic, centre: dict[str, Any] | None = None) -> dict[str, Any]:
    """The source as the caller may know it; the centre for a source kept anonymous."""
    shown = topic_service.shown_source(user, topic)
    if shown is None:
        return centre if centre is not None else _centre_ref()
    return {"id": shown.pk, "name": shown.display_name}


def _source_hidden(user: User, topic: Topic) -> bool:
    return topic.anonymous and topic_service.shown_source(user, topic) is None


def _summary(user: User, topic: Topic, centre: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": topic.pk,
        "title": topic.title,
        "summary": topic.summary,
        "category": topic.category,
        "category_label": str(topic.get_category_display()),
        "tlp": topic.tlp,
        "audience": topic.audience,
        "tags": [tag.name for tag in topic.tags.all()],
        "professional": topic.professional,
        "pinned": topic.pinned,
        "requires_ack": topic.requires_ack,
        "status": topic.status,
        "version": topic.version,
        "source": _source(user, topic, centre),
        "published_at": topic.published_at,
        "updated_at": topic.updated_at,
        "valid_until": topic.valid_until,
        "view_count": topic.view_count,
        "viewer_count": topic.viewer_count,
        "unread": bool(getattr(topic, "unread", False)),
        "changed": bool(getattr(topic, "changed", False)),
        "needs_ack": bool(getattr(topic, "needs_ack", False)),
    }


def _detail(user: User, topic: Topic) -> dict[str, Any]:
    listing.mark_rows(user, [topic])
    a = policy.access(user)
    hidden = _source_hidden(user, topic)
    author = topic.created_by
    acks: list[Acknowledgement] = []
    if topic.requires_ack and a.organisation_ids:
        acks = list(
            Acknowledgement.objects.filter(
                topic=topic, organisation_id__in=a.organisation_ids
            ).select_related("organisation")
        )
    lists = None
    if listing.knows_recipients(user, topic):
        lists = {
            "sectors": [
                {"id": s.pk, "code": s.code, "name": s.name} for s in topic.audience_sectors.all()
            ],
            "organisations": [
                {"id": o.pk, "name": o.display_name} for o in topic.audience_organisations.all()
            ],
            "people": [{"id": p.pk, "name": p.name} for p in topic.audience_people.all()],
        }
    return {
        **_summary(user, topic),
        "body": topic.body,
        "body_html": topic.body_html,
        "actions": list(topic.actions),
        "author": None if hidden or author is None else {"id": author.pk, "name": author.name},
        "versions_count": topic.versions.count(),
        "comments_count": topic.comments.count(),
        "attachments": [
            {
                "id": f.pk,
                "filename": f.filename,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "url": reverse("sharing:attachment", args=[f.pk]),
                "created_at": f.created_at,
            }
            for f in topic.attachments.all()
        ],
        "acknowledgements": [_ack(ack) for ack in acks],
        "audience_lists": lists,
        "following": following.state_of(user, topic=topic),
    }


def _ack(ack: Acknowledgement) -> dict[str, Any]:
    return {
        "organisation": {"id": ack.organisation_id, "name": ack.organisation.display_name},
        "read_at": ack.read_at,
        "actioned_at": ack.actioned_at,
        "note": ack.note,
    }


def _comments(user: User, topic: Topic, rows: list[Comment]) -> list[dict[str, Any]]:
    """Comments as the caller sees them: when the topic's source is kept from the caller, the
    names of its source's people are too (a name would give the source away)."""
    hidden: set[int] = set()
    if _source_hidden(user, topic):
        authors = {c.author_id for c in rows if c.author_id}
        hidden = set(
            Membership.objects.filter(
                organisation_id=topic.organisation_id, user_id__in=authors
            ).values_list("user_id", flat=True)
        )
        if topic.created_by_id:
            hidden.add(topic.created_by_id)
    return [
        {
            "id": c.pk,
            "parent": c.parent_id,
            "author": (
                None
                if c.author is None or c.author_id in hidden
                else {"id": c.author.pk, "name": c.author.name}
            ),
            "body": c.body,
            "created_at": c.created_at,
            "edited_at": c.edited_at,
        }
        for c in rows
    ]


# --- Input -------------------------------------------------------------------------------------


def _sectors(codes: list[str]) -> list[Sector]:
    found = {s.code: s for s in Sector.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(
            {"sectors": _("Unknown sector: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    return [found[code] for code in dict.fromkeys(codes)]


def _organisations(user: User, ids: list[int]) -> list[Organisation]:
    qs = Organisation.objects.filter(is_active=True, pk__in=ids)
    found = {o.pk: o for o in policy.visible_organisations(user, qs)}
    if set(ids) - set(found):
        raise ValidationError({"organisations": _("Choose organisations from the directory.")})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _people(user: User, ids: list[int]) -> list[User]:
    qs = User.objects.filter(is_active=True, pk__in=ids)
    found = {p.pk: p for p in policy.visible_people(user, qs)}
    if set(ids) - set(found):
        raise ValidationError({"people": _("Choose people you can see in the directory.")})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _input(user: User, payload: TopicIn) -> TopicInput:
    return TopicInput(
        title=payload.title,
        summary=payload.summary,
        body=payload.body,
        actions=list(payload.actions),
        category=payload.category,
        tags=list(payload.tags),
        tlp=payload.tlp,
        audience=payload.audience,
        sectors=_sectors(payload.sectors),
        organisations=_organisations(user, payload.organisations),
        people=_people(user, payload.people),
        professional=payload.professional,
        valid_until=payload.valid_until,
        pinned=payload.pinned,
        requires_ack=payload.requires_ack,
    )


def _patched(user: User, topic: Topic, payload: TopicPatchIn) -> TopicInput:
    """The topic as it is, with the fields that were sent replaced."""
    sent = payload.model_fields_set
    data = TopicInput(
        title=topic.title,
        summary=topic.summary,
        body=topic.body,
        actions=list(topic.actions),
        category=topic.category,
        tags=[tag.name for tag in topic.tags.all()],
        tlp=topic.tlp,
        audience=topic.audience,
        sectors=list(topic.audience_sectors.all()),
        organisations=list(topic.audience_organisations.all()),
        people=list(topic.audience_people.all()),
        professional=topic.professional,
        valid_until=topic.valid_until,
        pinned=topic.pinned,
        requires_ack=topic.requires_ack,
        change_note=payload.change_note,
    )
    for name in ("title", "summary", "body", "category", "tlp", "audience"):
        if name in sent and getattr(payload, name) is not None:
            setattr(data, name, getattr(payload, name))
    for name in ("professional", "pinned", "requires_ack"):
        if name in sent and getattr(payload, name) is not None:
            setattr(data, name, getattr(payload, name))
    if "valid_until" in sent:
        data.valid_until = payload.valid_until
    if "actions" in sent:
        data.actions = list(payload.actions or [])
    if "tags" in sent:
        data.tags = list(payload.tags or [])
    if "sectors" in sent:
        data.sectors = _sectors(list(payload.sectors or []))
    if "organisations" in sent:
        data.organisations = _organisations(user, list(payload.organisations or []))
    if "people" in sent:
        data.people = _people(user, list(payload.people or []))
    return data


# --- Lists -------------------------------------------------------------------------------------


def _filtered(user: User, filters: TopicFilters) -> QuerySet[Topic] | None:
    """The same filters as the list page (``views.reading``), plus ``since`` and ``status``."""
    sector = None
    if filters.sector:
        sector = Sector.objects.filter(code=filters.sector).first()
        if sector is None:
            return None
    data = {
        "q": filters.q or "",
        "category": filters.category or "",
        "tlp": filters.tlp or "",
        "tag": filters.tag or "",
        "sector": sector,
        "date_from": None,
        "date_to": None,
        "unread": filters.unread,
        "needs_ack": filters.needs_ack,
        "professional": filters.professional,
    }
    topics = listing.filter_topics(user, data)
    if filters.since is not None:
        topics = topics.filter(published_at__gte=filters.since)
    if filters.status:
        topics = topics.filter(status=filters.status)
    return (
        topics.select_related("organisation")
        .prefetch_related("tags")
        .order_by(*LIST_ORDER)  # the list page's order, read in its index's order
    )


def _page(user: User, filters: TopicFilters) -> dict[str, Any]:
    topics = _filtered(user, filters)
    if topics is None:
        return {"count": 0, "items": []}
    page = paginate(topics, filters)
    rows: list[Topic] = page["items"]
    listing.mark_rows(user, rows)
    centre = _centre_ref()
    page["items"] = [_summary(user, topic, centre) for topic in rows]
    return page


@router.get(
    "",
    response={200: TopicPage, **ERRORS_READ},
    summary="Topics",
    description=(
        "The topics the caller may read, newest first (pinned ones on top), with the filters of "
        "the list page. Paginated with `limit` / `offset`: `{count, items}`."
    ),
)
def topic_list(request: HttpRequest, filters: Query[TopicFilters]) -> dict[str, Any]:
    return _page(api_user(request), filters)


@router.get(
    "/search",
    response={200: TopicPage, **ERRORS_READ},
    summary="Search topics",
    description=(
        "Full-text search in Japanese and English (`q` is required); the other filters of the "
        "list apply too."
    ),
)
def topic_search(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    if not filters.q:
        raise ValidationError({"q": _("Enter the words to search for.")})
    return _page(api_user(request), filters)


# --- One topic ---------------------------------------------------------------------------------


@router.get(
    "/{id}",
    response={200: TopicDetailOut, **ERRORS_READ},
    summary="One topic",
    description=(
        "The topic with its text, attachments and the caller's acknowledgements. Reading it "
        "counts as a view."
    ),
)
def topic_detail(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    topic = _topic_or_404(user, id)
    result = _detail(user, topic)
    if topic.is_published:
        audit.record_view(request, topic)
        try:
            topic_service.record_view(user, topic)
        except Exception:  # counting must never fail the answer
            logger.exception("could not record a view of topic %s", topic.pk)
    return result


@router.get(
    "/{id}/versions",
    response={200: VersionPage, **ERRORS_READ},
    summary="Versions of a topic",
    description="Newest first, each with its change note.",
)
def topic_versions(request: HttpRequest, id: PathId, page: Query[PageIn]) -> dict[str, Any]:
    topic = _topic_or_404(api_user(request), id)
    return paginate(topic.versions.order_by("-number"), page)


@router.post(
    "",
    response={201: TopicDetailOut, **ERRORS_WRITE},
    summary="Post a topic",
    description=(
        "Write a topic (a token with the write scope). The centre's topics are published at "
        "once; a member's go to the centre's review first. `publish: false` keeps a draft."
    ),
)
def topic_create(request: HttpRequest, payload: TopicIn) -> Status:
    user = api_user(request)
    organisation = None
    if payload.organisation is not None:
        organisation = Organisation.objects.filter(pk=payload.organisation).first()
        if organisation is None:
            raise PermissionDenied(_("You may only post for your own organisation."))
    topic = topic_service.create_topic(
        request, user, _input(user, payload), organisation=organisation, publish=payload.publish
    )
    return Status(201, _detail(user, _topic_or_404(user, topic.pk)))


@router.patch(
    "/{id}",
    response={200: TopicDetailOut, **ERRORS_WRITE},
    summary="Change a topic",
    description=(
        "Write a new version: the fields sent replace the current ones, `change_note` says what "
        "changed. Its author, its organisation's administrators and the centre may."
    ),
)
def topic_update(request: HttpRequest, id: PathId, payload: TopicPatchIn) -> dict[str, Any]:
    user = api_user(request)
    topic = _topic_or_404(user, id)
    if not policy.can_change(user, topic):
        raise PermissionDenied(_("You may not edit this topic."))
    topic = topic_service.update_topic(request, user, topic, _patched(user, topic, payload))
    return _detail(user, _topic_or_404(user, topic.pk))


# --- Comments ----------------------------------------------------------------------------------


@router.get(
    "/{id}/comments",
    response={200: CommentPage, **ERRORS_READ},
    summary="Comments on a topic",
    description="Oldest first; a reply names the comment it answers in `parent`.",
)
def comment_list(request: HttpRequest, id: PathId, page: Query[PageIn]) -> dict[str, Any]:
    user = api_user(request)
    topic = _topic_or_404(user, id)
    result = paginate(topic.comments.select_related("author").order_by("created_at", "id"), page)
    result["items"] = _comments(user, topic, result["items"])
    return result


@router.post(
    "/{id}/comments",
    response={201: CommentOut, **ERRORS_WRITE},
    summary="Comment on a topic",
    description=(
        "Post a comment, or a reply with `parent`. `@name@example.org` mentions a person who "
        "may read the topic."
    ),
)
def comment_post(request: HttpRequest, id: PathId, payload: CommentIn) -> Status:
    user = api_user(request)
    topic = _topic_or_404(user, id)
    parent = None
    if payload.parent is not None:
        parent = topic.comments.filter(pk=payload.parent).first()
        if parent is None:
            raise ValidationError({"parent": _("You can only reply to a comment on this topic.")})
    comment = comment_service.post_comment(request, user, topic, payload.body, parent=parent)
    comment = Comment.objects.select_related("author").get(pk=comment.pk)
    return Status(201, _comments(user, topic, [comment])[0])


# --- Acknowledgements --------------------------------------------------------------------------


@router.post(
    "/{id}/acknowledge",
    response={200: AckOut, **ERRORS_WRITE},
    summary="Acknowledge a topic",
    description=(
        "Confirm for one of the caller's organisations that it read the topic and, with "
        "`actioned`, acted on it. Only for topics that ask for acknowledgement."
    ),
)
def acknowledge(request: HttpRequest, id: PathId, payload: AcknowledgeIn) -> dict[str, Any]:
    user = api_user(request)
    topic = _topic_or_404(user, id)
    own = policy.access(user).organisation_ids
    org_id = payload.organisation
    if org_id is None:
        addressed = set(
            Acknowledgement.objects.filter(topic=topic, organisation_id__in=own).values_list(
                "organisation_id", flat=True
            )
        )
        choices = addressed or set(own)
        if len(choices) != 1:
            raise ValidationError(
                {"organisation": _("Say which of your organisations acknowledges.")}
            )
        org_id = choices.pop()
    if org_id not in own:
        raise PermissionDenied(_("You may only acknowledge for your own organisation."))
    organisation = Organisation.objects.get(pk=org_id)
    ack = topic_service.acknowledge(
        request, user, topic, organisation, actioned=payload.actioned, note=payload.note
    )
    return _ack(ack)
