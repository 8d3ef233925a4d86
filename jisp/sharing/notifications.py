"""The kinds of notification the sharing app sends (registered with the core service)."""

from django.utils.translation import gettext_lazy as _

from jisp.core.choices import Channel
from jisp.core.services.notifications import register_kind

TOPIC_IMPORTANT = "sharing.topic.important"
TOPIC_PUBLISHED = "sharing.topic.published"
TOPIC_UPDATED = "sharing.topic.updated"
TOPIC_COMMENT = "sharing.topic.comment"
TOPIC_MENTION = "sharing.topic.mention"
TOPIC_REVIEW = "sharing.topic.review"
TOPIC_ACK_REMINDER = "sharing.topic.ack_reminder"
DIGEST = "sharing.digest"

register_kind(
    TOPIC_IMPORTANT,
    _("Important topics"),
    {Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK},
    _("Sent at once when an important topic you may read is published."),
)
register_kind(
    TOPIC_PUBLISHED,
    _("Other new topics"),
    {Channel.IN_APP},
    _("Alerts and information: in the platform, and in your daily digest."),
)
register_kind(
    TOPIC_UPDATED,
    _("Changes to topics you read"),
    {Channel.IN_APP},
    _("A topic you have read has a new version."),
)
register_kind(
    TOPIC_COMMENT,
    _("Comments on topics you follow"),
    {Channel.IN_APP},
)
register_kind(TOPIC_MENTION, _("Mentions of you"), {Channel.IN_APP, Channel.EMAIL})
register_kind(
    TOPIC_REVIEW,
    _("Topics waiting for review"),
    {Channel.IN_APP, Channel.EMAIL},
    _("For the centre: a member's topic waits for review; for authors: the review's outcome."),
)
register_kind(
    TOPIC_ACK_REMINDER,
    _("Acknowledgement reminders"),
    {Channel.IN_APP, Channel.EMAIL},
    _("Your organisation has not yet acknowledged an important topic."),
)
register_kind(
    DIGEST,
    _("Daily digest"),
    {Channel.EMAIL},
    _("One e-mail a day with the topics published since the last one."),
)
