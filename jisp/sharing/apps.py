from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "jisp.sharing"
    label = "sharing"
    verbose_name = _("Sharing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jisp.core import audit
        from jisp.sharing import notifications  # noqa: F401  (registers the notification kinds)

        audit.register_actions(
            {
                "sharing.topic.created": _("Wrote a topic"),
                "sharing.topic.submitted": _("Sent a topic for review"),
                "sharing.topic.approved": _("Approved a topic"),
                "sharing.topic.returned": _("Returned a topic to its author"),
                "sharing.topic.published": _("Published a topic"),
                "sharing.topic.updated": _("Edited a topic (new version)"),
                "sharing.topic.withdrawn": _("Withdrew a topic"),
                "sharing.topic.viewed": _("Read a topic (TLP:AMBER or above)"),
                "sharing.topic.acknowledged": _("Acknowledged a topic"),
                "sharing.topic.reminded": _("Reminded organisations to acknowledge"),
                "sharing.attachment.added": _("Attached a file"),
                "sharing.attachment.downloaded": _("Downloaded an attachment"),
                "sharing.comment.posted": _("Commented on a topic"),
                "sharing.comment.deleted": _("Deleted a comment"),
                "sharing.subscription.changed": _("Changed what they follow"),
                "sharing.digest.changed": _("Changed their digest settings"),
            }
        )
