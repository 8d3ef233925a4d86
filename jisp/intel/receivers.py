"""Signal receivers of the intel app: correlation indexing and the assets alerts.

Imported once from ``IntelConfig.ready()``. Every receiver defers its work until the transaction
commits (the audience lists of a topic are written after the topic itself, and nothing must be
indexed or alerted for a change that is rolled back), then enqueues it for the worker
(``tasks.py``); a failure to enqueue is logged, never raised into the save that caused it.

* a topic, report or case saved: its text is indexed as mentions (``correlation.index_text``);
  a published topic or a sent report then alerts the owners of the assets it names;
* a topic, report or case deleted: its mentions go;
* ``signals.indicator_shared`` / ``signals.sighting_reported``: the assets alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from jisp.incidents.models import Case, Report
from jisp.intel import signals
from jisp.intel.choices import MentionSource
from jisp.intel.models import Indicator, Sighting
from jisp.sharing.models import Topic

logger = logging.getLogger(__name__)

#: The fields whose change means re-reading an item's text (or alerting on its publication).
TOPIC_FIELDS = frozenset({"title", "summary", "body", "status"})
REPORT_FIELDS = frozenset(
    {"title", "description", "affected_systems", "indicators", "status"}
)  # fmt: skip
CASE_FIELDS = frozenset({"title", "impact_note"})


def _safely(work: Callable[[], Any], what: str) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except Exception:
            logger.exception("intel: %s failed", what)

    return run


def _concerns(update_fields: Any, fields: frozenset[str]) -> bool:
    return update_fields is None or bool(set(update_fields) & fields)


def _index_and_alert(model: type[Any], pk: int, source: str) -> None:
    """Enqueue the indexing (and alerts) of one item once the transaction commits."""
    from jisp.intel import tasks

    label = model._meta.label
    transaction.on_commit(
        _safely(lambda: tasks.index_and_alert(label, pk, source), f"{source} indexing")
    )


@receiver(post_save, sender=Topic, dispatch_uid="intel.topic_saved")
def topic_saved(sender: Any, instance: Topic, update_fields: Any = None, **kwargs: Any) -> None:
    if not _concerns(update_fields, TOPIC_FIELDS):
        return
    _index_and_alert(Topic, instance.pk, MentionSource.TOPIC)


@receiver(post_save, sender=Report, dispatch_uid="intel.report_saved")
def report_saved(sender: Any, instance: Report, update_fields: Any = None, **kwargs: Any) -> None:
    if not _concerns(update_fields, REPORT_FIELDS):
        return
    _index_and_alert(Report, instance.pk, MentionSource.REPORT)


@receiver(post_save, sender=Case, dispatch_uid="intel.case_saved")
def case_saved(sender: Any, instance: Case, update_fields: Any = None, **kwargs: Any) -> None:
    if not _concerns(update_fields, CASE_FIELDS):
        return
    _index_and_alert(Case, instance.pk, MentionSource.CASE)


def _forget(source: str) -> Callable[..., None]:
    def gone(sender: Any, instance: Any, **kwargs: Any) -> None:
        from jisp.intel.services.correlation import forget

        forget(source, instance.pk)

    return gone


topic_deleted = _forget(MentionSource.TOPIC)
report_deleted = _forget(MentionSource.REPORT)
case_deleted = _forget(MentionSource.CASE)
post_delete.connect(topic_deleted, sender=Topic, dispatch_uid="intel.topic_deleted")
post_delete.connect(report_deleted, sender=Report, dispatch_uid="intel.report_deleted")
post_delete.connect(case_deleted, sender=Case, dispatch_uid="intel.case_deleted")


@receiver(signals.indicator_shared, dispatch_uid="intel.indicator_alerts")
def indicator_shared(sender: Any, indicator_ids: Any = (), **kwargs: Any) -> None:
    """Sent after commit already: the alerts are enqueued for the worker."""
    from jisp.intel import tasks

    ids = list(indicator_ids)
    _safely(lambda: tasks.alert_for_ids(Indicator._meta.label, ids), "indicator alerts")()


@receiver(signals.sighting_reported, dispatch_uid="intel.sighting_alerts")
def sighting_reported(sender: Any, sighting_ids: Any = (), **kwargs: Any) -> None:
    from jisp.intel import tasks

    ids = list(sighting_ids)
    _safely(lambda: tasks.alert_for_ids(Sighting._meta.label, ids), "sighting alerts")()
