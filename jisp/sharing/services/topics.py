"""Named actions on topics: write a version, submit, review, publish, withdraw, read, acknowledge.

Views and the API parse and authorise with ``jisp.core.policy``; these functions do the work,
atomically, record it in the audit log, and hand notification to ``jisp.sharing.services.fanout``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from jisp.core import audit, policy
from jisp.core.choices import Audience, OrganisationCategory, Role
from jisp.core.models import Organisation, Sector, User
from jisp.sharing import search
from jisp.sharing.choices import TopicCategory, TopicStatus
from jisp.sharing.models import Acknowledgement, Tag, Topic, TopicVersion, TopicView, ViewEvent

# --- Markdown ------------------------------------------------------------------------------------

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em",
    "code", "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip


def render_markdown(text: str) -> str:
    """Markdown to safe HTML: raw HTML is escaped, then only plain tags and http(s)/mailto links
    survive the sanitiser (no script, no event handlers, no javascript: or data: URLs)."""
    html = _markdown.render(text or "")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


# --- Reading -----------------------------------------------------------------------------------


def readable_topics(user: Any, queryset: QuerySet[Topic] | None = None) -> QuerySet[Topic]:
    """Published topics the person may see, their own unpublished ones (drafts, waiting for
    review, returned) and, for the centre, every topic waiting for review."""
    qs = Topic.objects.all() if queryset is None else queryset
    a = policy.access(user)
    own = Q(created_by_id=a.user_id) & ~Q(status=TopicStatus.PUBLISHED)
    review = Q(status=TopicStatus.PENDING_REVIEW) if a.is_centre_staff else Q(pk__in=[])
    return policy.visible(user, qs).filter(Q(status=TopicStatus.PUBLISHED) | own | review)


def can_read(user: Any, topic: Topic) -> bool:
    """Whether ``readable_topics(user)`` holds this one topic (the same rules, for an item already
    loaded: no query for a topic addressed to everyone or to the person's own organisation)."""
    published = topic.status == TopicStatus.PUBLISHED
    own = topic.created_by_id is not None and topic.created_by_id == getattr(user, "pk", None)
    review = topic.status == TopicStatus.PENDING_REVIEW and policy.access(user).is_centre_staff
    return (published or own or review) and policy.can_view(user, topic)


def shown_source(user: Any, topic: Topic) -> Organisation | None:
    """The source organisation as this person may know it: None means "the coordination centre"
    (a topic published anonymously on a member's behalf, seen by anyone but its source, the
    centre and auditors)."""
    if not topic.anonymous:
        return topic.organisation
    a = policy.access(user)
    if a.sees_all_below_red or topic.organisation_id in a.organisation_ids:
        return topic.organisation
    return None


def targeted_organisations(topic: Topic) -> QuerySet[Organisation]:
    """The organisations a topic is addressed to (for acknowledgements): its audience, without the
    centre and the source itself."""
    qs = Organisation.objects.filter(is_active=True).exclude(
        Q(category=OrganisationCategory.CENTRE) | Q(pk=topic.organisation_id)
    )
    if topic.audience == Audience.EVERYONE:
        return qs
    if topic.audience == Audience.SECTORS:
        return qs.filter(sector__in=topic.audience_sectors.all())
    if topic.audience == Audience.ORGANISATIONS:
        return qs.filter(pk__in=topic.audience_organisations.all())
    if topic.audience == Audience.PEOPLE:
        return qs.filter(memberships__user__in=topic.audience_people.all()).distinct()
    return qs.none()


def record_view(user: User, topic: Topic, *, now: datetime | None = None) -> None:
    """Count one view: the person's reading row (first/last time, count, version read), the topic's
    totals and the hourly tally behind the "most viewed" ranking.

    Three writes in one transaction (one statement on PostgreSQL, sent with its BEGIN and COMMIT
    and committed without waiting for the disk when the transaction is the function's own), each
    an upsert (``INSERT ... ON CONFLICT DO UPDATE``) so that two tabs of the same person at the
    same moment both count and neither fails; no savepoints, no read before the write."""
    now = now or timezone.now()
    a = policy.access(user)
    org_id = min(a.organisation_ids) if a.organisation_ids else None
    hour = now.replace(minute=0, second=0, microsecond=0)
    at, hour_at = (connection.ops.adapt_datetimefield_value(v) for v in (now, hour))
    reading = [topic.pk, user.pk, org_id, topic.version, at, at]
    if connection.vendor == "postgresql":
        # The three writes as one statement (data-modifying CTEs), committed without waiting for
        # the disk when the transaction is the function's own: a view counter may lose the last
        # fraction of a second in a crash of the database server. Not when the caller's
        # transaction holds more (an audit record).
        params = [*reading, topic.pk, topic.pk, hour_at]
        owned = not connection.in_atomic_block
        if owned and not connection.settings_dict["OPTIONS"].get("server_side_binding"):
            # BEGIN, SET LOCAL, the statement and COMMIT sent together: one round trip, not
            # four (client-side binding, Django's default, allows several statements).
            connection.ensure_connection()
            with connection.cursor() as cursor:
                try:
                    cursor.execute(_RECORD_VIEW_PG_OWN, params)
                except Exception:
                    cursor.execute("ROLLBACK")  # the failed transaction block is the session's
                    raise
            return
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            if owned:
                cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(_RECORD_VIEW_PG, params)
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_UPSERT_READING, reading)
        (count,) = cursor.fetchone()
        cursor.execute(_COUNT_VIEW, [int(count == 1), topic.pk])
        cursor.execute(_UPSERT_TALLY, [topic.pk, hour_at])


_UPSERT_READING = f"""
    INSERT INTO {TopicView._meta.db_table} AS v
        (topic_id, user_id, organisation_id, version, count, first_at, last_at)
    VALUES (%s, %s, %s, %s, 1, %s, %s)
    ON CONFLICT (topic_id, user_id) DO UPDATE
        SET count = v.count + 1, last_at = excluded.last_at, version = excluded.version
    RETURNING count
"""  # noqa: S608  (table names from the models, values as parameters)
_COUNT_VIEW = f"""
    UPDATE {Topic._meta.db_table}
    SET view_count = view_count + 1, viewer_count = viewer_count + %s WHERE id = %s
"""  # noqa: S608
_UPSERT_TALLY = f"""
    INSERT INTO {ViewEvent._meta.db_table} AS e (topic_id, hour, count) VALUES (%s, %s, 1)
    ON CONFLICT (hour, topic_id) DO UPDATE SET count = e.count + 1
"""  # noqa: S608
_RECORD_VIEW_PG = f"""
    WITH reading AS ({_UPSERT_READING}),
    topic AS (
        UPDATE {Topic._meta.db_table}
        SET view_count = view_count + 1,
            viewer_count = viewer_count
                + (SELECT CASE WHEN count = 1 THEN 1 ELSE 0 END FROM reading)
        WHERE id = %s
    ),
    tally AS (
        INSERT INTO {ViewEvent._meta.db_table} AS e (topic_id, hour, count) VALUES (%s, %s, 1)
        ON CONFLICT (hour, topic_id) DO UPDATE SET count = e.count + 1
    )
    SELECT 1
"""  # noqa: S608
_RECORD_VIEW_PG_OWN = f"""
    BEGIN; SET LOCAL synchronous_commit = off; {_RECORD_VIEW_PG}; COMMIT
"""


def version_diff(old: TopicVersion, new: TopicVersion) -> list[tuple[str, list[str]]]:
    """What changed between two versions, field by field, as unified-diff lines."""
    changes = []
    for field, label in [("title", _("Title")), ("summary", _("Summary")), ("body", _("Details"))]:
        a, b = getattr(old, field).splitlines(), getattr(new, field).splitlines()
        if a != b:
            lines = list(difflib.unified_diff(a, b, lineterm="", n=2))[2:]
            changes.append((str(label), lines))
    if old.actions != new.actions:
        lines = list(difflib.unified_diff(old.actions, new.actions, lineterm="", n=1))[2:]
        changes.append((str(_("Recommended actions")), lines))
    return changes


# --- Writing -------------------------------------------------------------------------------------


@dataclass
class TopicInput:
    """What an author sends: validated by ``save_topic``."""

    title: str
    summary: str
    body: str = ""
    actions: Sequence[str] = ()
    category: str = TopicCategory.INFORMATION
    tags: Sequence[str] = ()
    tlp: str = "amber"
    audience: str = Audience.EVERYONE
    sectors: Sequence[Sector] = ()
    organisations: Sequence[Organisation] = ()
    people: Sequence[User] = ()
    professional: bool = False
    valid_until: datetime | None = None
    pinned: bool = False
    requires_ack: bool = False
    change_note: str = ""


def _validate(user: Any, data: TopicInput, current: Topic | None = None) -> None:
    """Refuse bad input, field by field. ``current``: the topic being edited (what it already has,
    e.g. a pin set by the centre or an end of validity now past, is not refused again)."""
    errors: dict[str, Any] = {}
    if not data.title.strip() or len(data.title) > 200:
        errors["title"] = _("Give a title of at most 200 characters.")
    if not data.summary.strip():
        errors["summary"] = _("Write a short summary in plain language.")
    if len(data.body) > 200_000:
        errors["body"] = _("The details are too long (at most 200,000 characters).")
    if data.category not in TopicCategory.values:
        errors["category"] = _("Unknown category.")
    if len(data.actions) > 30 or any(len(a) > 500 for a in data.actions):
        errors["actions"] = _("At most 30 recommended actions of 500 characters each.")
    if len(data.tags) > 20 or any(not t.strip() or len(t) > 50 for t in data.tags):
        errors["tags"] = _("At most 20 tags of 1 to 50 characters.")
    unchanged_until = current is not None and data.valid_until == current.valid_until
    if data.valid_until is not None and data.valid_until <= timezone.now() and not unchanged_until:
        errors["valid_until"] = _("The end of validity must be in the future.")
    a = policy.access(user)
    pinned_before = current is not None and current.pinned
    ack_before = current is not None and current.requires_ack
    if not a.is_centre_staff and (
        (data.pinned and not pinned_before) or (data.requires_ack and not ack_before)
    ):
        errors["pinned"] = _(
            "Only the coordination centre pins topics or asks for acknowledgement."
        )
    try:
        policy.validate_sharing(
            data.tlp, data.audience, sectors=data.sectors, organisations=data.organisations,
            people=data.people,
        )  # fmt: skip
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _apply(topic: Topic, data: TopicInput) -> None:
    topic.title = data.title.strip()
    topic.summary = data.summary.strip()
    topic.body = data.body
    topic.body_html = render_markdown(data.body)
    topic.actions = [a.strip() for a in data.actions if a.strip()]
    topic.category = data.category
    topic.tlp = data.tlp
    topic.audience = data.audience
    topic.professional = data.professional
    topic.valid_until = data.valid_until
    topic.pinned = data.pinned
    topic.requires_ack = data.requires_ack
    topic.search_text = search.index_text(
        topic.title, topic.summary, topic.body, " ".join(topic.actions), " ".join(data.tags)
    )


def _set_lists(topic: Topic, data: TopicInput) -> None:
    topic.audience_sectors.set(data.sectors if data.audience == Audience.SECTORS else [])
    topic.audience_organisations.set(
        data.organisations if data.audience == Audience.ORGANISATIONS else []
    )
    topic.audience_people.set(data.people if data.audience == Audience.PEOPLE else [])
    tags = []
    for name in dict.fromkeys(t.strip() for t in data.tags):
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    topic.tags.set(tags)


def _snapshot(topic: Topic, user: Any, note: str) -> TopicVersion:
    return TopicVersion.objects.create(
        topic=topic, number=topic.version, title=topic.title, summary=topic.summary,
        actions=topic.actions, body=topic.body, change_note=note[:300], created_by=user,
    )  # fmt: skip


def _source_for(user: Any, organisation: Organisation | None) -> Organisation:
    a = policy.access(user)
    if organisation is not None:
        if organisation.pk not in a.organisation_ids:
            raise PermissionDenied(_("You may only post for your own organisation."))
        return organisation
    if not a.organisation_ids:
        raise PermissionDenied(_("You need a membership to post topics."))
    if a.centre_ids:
        return Organisation.objects.get(pk=min(a.centre_ids))
    return Organisation.objects.get(pk=min(a.organisation_ids))


@transaction.atomic
def create_topic(
    request: HttpRequest | None,
    user: User,
    data: TopicInput,
    *,
    organisation: Organisation | None = None,
    publish: bool = True,
) -> Topic:
    """Write a new topic (version 1). ``publish``: the centre publishes at once; a member's topic
    goes to review when the centre requires it (``requires_review``), else it is published."""
    if policy.access(user).is_auditor and not policy.access(user).is_centre_staff:
        raise PermissionDenied(_("Auditors do not post topics."))
    _validate(user, data)
    source = _source_for(user, organisation)
    topic = Topic(organisation=source, created_by=user, status=TopicStatus.DRAFT)
    _apply(topic, data)
    topic.save()
    _set_lists(topic, data)
    _snapshot(topic, user, data.change_note)
    audit.record("sharing.topic.created", request=request, actor=user, obj=topic)
    if publish:
        submit_topic(request, user, topic)
    return topic


def requires_review(topic: Topic) -> bool:
    """Members' topics are reviewed by the centre before publication, unless the source is the
    centre itself (a setting per organisation can come later: today every member is reviewed)."""
    return topic.organisation.category != OrganisationCategory.CENTRE


@transaction.atomic
def update_topic(request: HttpRequest | None, user: User, topic: Topic, data: TopicInput) -> Topic:
    """A new version of the topic, with its change note; readers of older versions are told."""
    if not policy.can_change(user, topic):
        raise PermissionDenied(_("You may not edit this topic."))
    if topic.status == TopicStatus.WITHDRAWN:
        raise ValidationError(_("A withdrawn topic cannot be edited."))
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    _validate(user, data, current=locked)
    _apply(locked, data)
    locked.version += 1
    locked.save()
    _set_lists(locked, data)
    _snapshot(locked, user, data.change_note)
    audit.record("sharing.topic.updated", request=request, actor=user, obj=locked,
                 version=locked.version)  # fmt: skip
    if locked.is_published:
        if locked.requires_ack:  # newly asked for, or new addressees after an audience change
            ensure_acknowledgements(locked)
        from jisp.sharing.services import fanout

        fanout.on_commit(fanout.topic_updated, locked.pk)
    return locked


@transaction.atomic
def submit_topic(request: HttpRequest | None, user: User, topic: Topic) -> Topic:
    """Publish, or send to the centre's review if the source is a member."""
    if not policy.can_change(user, topic):
        raise PermissionDenied(_("You may not submit this topic."))
    if topic.status not in {TopicStatus.DRAFT, TopicStatus.REJECTED}:
        raise ValidationError(_("Only a draft can be submitted."))
    if requires_review(topic) and not policy.access(user).is_centre_staff:
        topic.status = TopicStatus.PENDING_REVIEW
        topic.save(update_fields=["status", "updated_at"])
        audit.record("sharing.topic.submitted", request=request, actor=user, obj=topic)
        from jisp.sharing.services import fanout

        fanout.on_commit(fanout.review_requested, topic.pk)
        return topic
    return _publish(request, user, topic)


def _publish(request: HttpRequest | None, user: User, topic: Topic) -> Topic:
    topic.status = TopicStatus.PUBLISHED
    topic.published_at = timezone.now()
    topic.save(update_fields=["status", "published_at", "updated_at"])
    if topic.requires_ack:
        ensure_acknowledgements(topic)
    audit.record("sharing.topic.published", request=request, actor=user, obj=topic)
    from jisp.sharing.services import fanout

    fanout.on_commit(fanout.topic_published, topic.pk)
    return topic


@transaction.atomic
def review_topic(
    request: HttpRequest | None,
    user: User,
    topic: Topic,
    *,
    approve: bool,
    anonymous: bool = False,
    note: str = "",
) -> Topic:
    """The centre approves (optionally publishing on the source's behalf) or returns a topic."""
    if not policy.access(user).is_centre_staff:
        raise PermissionDenied(_("Only the coordination centre reviews topics."))
    if topic.status != TopicStatus.PENDING_REVIEW:
        raise ValidationError(_("This topic is not waiting for review."))
    topic.reviewed_by = user
    topic.review_note = note[:2000]
    if not approve:
        topic.status = TopicStatus.REJECTED
        topic.save(update_fields=["reviewed_by", "review_note", "status", "updated_at"])
        audit.record("sharing.topic.returned", request=request, actor=user, obj=topic)
        from jisp.sharing.services import fanout

        fanout.on_commit(fanout.review_done, topic.pk)
        return topic
    topic.anonymous = anonymous
    topic.save(update_fields=["reviewed_by", "review_note", "anonymous", "updated_at"])
    audit.record("sharing.topic.approved", request=request, actor=user, obj=topic,
                 anonymous=anonymous)  # fmt: skip
    return _publish(request, user, topic)


@transaction.atomic
def withdraw_topic(request: HttpRequest | None, user: User, topic: Topic, note: str = "") -> None:
    if not policy.can_change(user, topic):
        raise PermissionDenied(_("You may not withdraw this topic."))
    if topic.status == TopicStatus.WITHDRAWN:
        raise ValidationError(_("This topic is already withdrawn."))
    topic.status = TopicStatus.WITHDRAWN
    topic.review_note = note[:2000] or topic.review_note
    topic.save(update_fields=["status", "review_note", "updated_at"])
    audit.record("sharing.topic.withdrawn", request=request, actor=user, obj=topic)


# --- Acknowledgements ----------------------------------------------------------------------------


def ensure_acknowledgements(topic: Topic) -> int:
    """One acknowledgement row per targeted organisation (idempotent)."""
    have = set(topic.acknowledgements.values_list("organisation_id", flat=True))
    rows = [
        Acknowledgement(topic=topic, organisation_id=org_id)
        for org_id in targeted_organisations(topic).values_list("pk", flat=True)
        if org_id not in have
    ]
    Acknowledgement.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def acknowledge(
    request: HttpRequest | None,
    user: User,
    topic: Topic,
    organisation: Organisation,
    *,
    actioned: bool = False,
    note: str = "",
) -> Acknowledgement:
    """The person's organisation confirms "read" (and, with ``actioned``, "actioned")."""
    if not policy.can_view(user, topic) or not topic.is_published:
        raise PermissionDenied(_("You may not acknowledge this topic."))
    if not topic.requires_ack:
        raise ValidationError(_("This topic does not ask for acknowledgement."))
    if organisation.pk not in policy.access(user).organisation_ids:
        raise PermissionDenied(_("You may only acknowledge for your own organisation."))
    try:
        ack = Acknowledgement.objects.select_for_update().get(
            topic=topic, organisation=organisation
        )
    except Acknowledgement.DoesNotExist:
        raise ValidationError(
            _("Your organisation is not among this topic's addressees.")
        ) from None
    now = timezone.now()
    if ack.read_at is None:
        ack.read_at, ack.read_by = now, user
    if actioned and ack.actioned_at is None:
        ack.actioned_at, ack.actioned_by = now, user
    if note:
        ack.note = note[:500]
    ack.save()
    audit.record("sharing.topic.acknowledged", request=request, actor=user, obj=topic,
                 organisation=organisation, actioned=actioned)  # fmt: skip
    return ack


def pending_acknowledgements(topic: Topic) -> QuerySet[Acknowledgement]:
    """Targeted organisations that have not confirmed reading (or acting on) the topic."""
    return topic.acknowledgements.filter(
        Q(read_at__isnull=True) | Q(actioned_at__isnull=True)
    ).select_related("organisation")


def remind_pending(request: HttpRequest | None, user: User, topic: Topic) -> int:
    """The centre reminds the organisations that have not acknowledged yet; returns how many."""
    if not policy.access(user).is_centre_staff:
        raise PermissionDenied(_("Only the coordination centre sends reminders."))
    org_ids = list(pending_acknowledgements(topic).values_list("organisation_id", flat=True))
    Acknowledgement.objects.filter(topic=topic, organisation_id__in=org_ids).update(
        reminded_at=timezone.now()
    )
    audit.record("sharing.topic.reminded", request=request, actor=user, obj=topic,
                 organisations=len(org_ids))  # fmt: skip
    from jisp.sharing.services import fanout

    fanout.on_commit(fanout.ack_reminder, topic.pk, org_ids)
    return len(org_ids)


def people_with_role(organisation_ids: Iterable[int], roles: Iterable[str] = ()) -> QuerySet[User]:
    qs = User.objects.filter(
        is_active=True, memberships__organisation_id__in=list(organisation_ids)
    )
    if roles:
        qs = qs.filter(memberships__role__in=list(roles))
    return qs.distinct()


__all__ = [
    "Role",
    "TopicInput",
    "acknowledge",
    "create_topic",
    "readable_topics",
    "record_view",
    "render_markdown",
    "review_topic",
    "shown_source",
    "submit_topic",
    "update_topic",
    "withdraw_topic",
]
