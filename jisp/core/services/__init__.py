"""Named actions of the core app; ``notify`` is the one entry to notifications."""

from jisp.core.services.notifications import notify

__all__ = ["notify"]
