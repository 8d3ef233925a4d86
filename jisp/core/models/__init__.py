from jisp.core.models.audit import AuditEvent
from jisp.core.models.files import StoredFile
from jisp.core.models.notifications import (
    Delivery,
    Notification,
    NotificationPreference,
    Webhook,
)
from jisp.core.models.organisations import Organisation, Sector
from jisp.core.models.sharing import Shareable
from jisp.core.models.users import ApiToken, Invitation, Membership, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Delivery",
    "Invitation",
    "Membership",
    "Notification",
    "NotificationPreference",
    "Organisation",
    "Sector",
    "Shareable",
    "StoredFile",
    "User",
    "Webhook",
]
