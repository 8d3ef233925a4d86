"""Background work of the sharing app: notification fan-out and the daily digest.

Jobs take primary keys and reload inside (``jisp.sharing.services.fanout``); they are enqueued by
the fan-out hooks once the transaction commits. Fan-out jobs are not retried: a second run would
tell the first batches twice. The digest runs every 15 minutes and sends each person theirs at the
hour they chose (``jisp.sharing.services.digest``).
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jisp.sharing.services import digest, fanout

logger = logging.getLogger(__name__)


@db_task(retries=0, name="sharing.fanout_topic_published")
def fanout_topic_published(topic_id: int) -> None:
    fanout.send_topic_published(topic_id)


@db_task(retries=0, name="sharing.fanout_topic_updated")
def fanout_topic_updated(topic_id: int) -> None:
    fanout.send_topic_updated(topic_id)


@db_task(retries=0, name="sharing.fanout_review_requested")
def fanout_review_requested(topic_id: int) -> None:
    fanout.send_review_requested(topic_id)


@db_task(retries=0, name="sharing.fanout_review_done")
def fanout_review_done(topic_id: int) -> None:
    fanout.send_review_done(topic_id)


@db_task(retries=0, name="sharing.fanout_ack_reminder")
def fanout_ack_reminder(topic_id: int, organisation_ids: list[int]) -> None:
    fanout.send_ack_reminder(topic_id, organisation_ids)


@db_task(retries=0, name="sharing.fanout_comment_posted")
def fanout_comment_posted(comment_id: int) -> None:
    fanout.send_comment_posted(comment_id)


@db_periodic_task(crontab(minute="*/15"), name="sharing.send_digests")
def send_digests() -> None:
    sent = digest.send_due_digests()
    if sent:
        logger.info("sent %s daily digests", sent)
