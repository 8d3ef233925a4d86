"""Topics (alerts, notices, information) and everything people do with them.

A ``Topic`` is a ``Shareable``: who sees it is decided by ``jisp.core.policy`` alone. Its text is
kept in versions; the topic row holds the current version's text, the sanitised HTML of its body
and the search tokens, so that lists, pages and search read one row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from jisp.core.models import Shareable, StoredFile
from jisp.sharing.choices import SubscriptionKind, TopicCategory, TopicStatus

#: The order of topic lists: pinned first, then the newest published; unpublished topics (no
#: publication time) last on every database (PostgreSQL puts NULLs first in a descending order;
#: migration 0005 gives it the matching index).
LIST_ORDER = [
    F("pinned").desc(),
    F("published_at").desc(nulls_last=True),
    F("id").desc(),
]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Topic(Shareable):
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"), help_text=_("In plain language, for readers who are not security experts.")
    )
    actions: models.JSONField[Any] = models.JSONField(
        _("recommended actions"), default=list, blank=True
    )
    body = models.TextField(_("details"), blank=True, help_text=_("Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    category = models.CharField(
        _("category"),
        max_length=16,
        choices=TopicCategory.choices,
        default=TopicCategory.INFORMATION,
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="topics")
    professional = models.BooleanField(
        _("professional"), default=False, help_text=_("Technical content for security experts.")
    )
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    requires_ack = models.BooleanField(
        _("requires acknowledgement"),
        default=False,
        help_text=_("Each targeted organisation confirms that it read and acted on it."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.DRAFT
    )
    anonymous = models.BooleanField(
        _("published on the source's behalf"),
        default=False,
        help_text=_("Members see the coordination centre as the source."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    viewer_count = models.PositiveIntegerField(_("readers"), default=0)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = LIST_ORDER
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [
            # The list's order (pinned first, newest first): pages read in index order, no sort.
            models.Index(
                fields=["-pinned", "-published_at", "-id"], name="sharing_topic_list_order"
            ),
            models.Index(fields=["status", "published_at"], name="sharing_topic_status_pub"),
            models.Index(fields=["category", "published_at"], name="sharing_topic_cat_pub"),
            models.Index(fields=["organisation", "status"], name="sharing_topic_org_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == TopicStatus.PUBLISHED


class TopicVersion(models.Model):
    """The text of a topic as it was at one version; the newest equals the topic's own text."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    actions: models.JSONField[Any] = models.JSONField(_("recommended actions"), default=list)
    body = models.TextField(_("details"), blank=True)
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["topic_id", "-number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="sharing_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} v{self.number}"


class Attachment(StoredFile):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="topics/%Y/%m/")


class Comment(models.Model):
    """A comment on a topic, or a reply to one (one level deep). Seen by whoever sees the topic."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("mentions")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["topic", "created_at"], name="sharing_comment_topic")]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.body[:40]}"


class TopicView(models.Model):
    """One person's reading of one topic: first and last time, how often, the last version read."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation_id = models.BigIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    count = models.PositiveIntegerField(default=1)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="sharing_view_unique")
        ]
        indexes = [
            models.Index(fields=["user", "topic"], name="sharing_view_user"),
            models.Index(fields=["first_at"], name="sharing_view_first"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.topic_id}"


class ViewEvent(models.Model):
    """Each single view, for the "most viewed in a period" ranking (counts per hour and topic)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hour", "topic"], name="sharing_viewevent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.hour:%Y-%m-%d %H}h: {self.count}"


class Acknowledgement(models.Model):
    """A targeted organisation's confirmation that it read, and then acted on, a topic."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="acknowledgements")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actioned_at = models.DateTimeField(_("actioned"), null=True, blank=True)
    actioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["topic", "organisation"], name="sharing_ack_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ack {self.topic_id}"


class Subscription(models.Model):
    """Following (or muting) a tag, a sector or a topic."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_subscriptions"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=SubscriptionKind.choices)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    sector = models.ForeignKey(
        "core.Sector", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    muted = models.BooleanField(_("muted"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "tag", "sector", "topic"], name="sharing_sub_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class ReaderSettings(models.Model):
    """A person's reading settings: the daily digest and when it comes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_settings"
    )
    digest_enabled = models.BooleanField(_("daily digest"), default=True)
    digest_hour = models.PositiveSmallIntegerField(_("digest time (hour, Japan time)"), default=8)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reader settings")
        verbose_name_plural = _("reader settings")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest_hour}h"
