"""Named choices of the sharing app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TopicCategory(models.TextChoices):
    IMPORTANT = "important", _("Important")
    ALERT = "alert", _("Alert")
    INFORMATION = "information", _("Information")
    ADVISORY_ANSWER = "advisory_answer", _("Advisory answer")


class TopicStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_REVIEW = "pending_review", _("Waiting for review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Returned by the reviewer")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SubscriptionKind(models.TextChoices):
    TAG = "tag", _("Tag")
    SECTOR = "sector", _("Sector")
    TOPIC = "topic", _("Topic")


#: Attachments: at most this many bytes, and only these types (checked by content, not name).
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "application/json": ".json",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/zip": ".zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
