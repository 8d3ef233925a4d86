"""Who is told what about topics: immediate notifications, follows and mutes, reminders, digests.

Every function takes primary keys (it may run in the worker) and asks the access policy through
``jisp.core.services.notifications.notify(..., item=topic)``: nobody is told about a topic they may
not see, and no message names the other recipients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction


def on_commit(function: Callable[..., Any], *args: Any) -> None:
    """Run ``function(*args)`` once the current transaction commits (in the worker when queued)."""
    transaction.on_commit(lambda: function(*args))


def topic_published(topic_id: int) -> None:
    """A topic was published: important ones are sent at once, others wait for the digest."""


def topic_updated(topic_id: int) -> None:
    """A new version: people who read an earlier one are told it changed."""


def review_requested(topic_id: int) -> None:
    """A member's topic waits for the centre's review."""


def review_done(topic_id: int) -> None:
    """The author learns that the centre returned their topic."""


def ack_reminder(topic_id: int, organisation_ids: list[int]) -> None:
    """Remind the organisations that have not acknowledged an important topic."""
