"""Background work of the intel app: indexing the values in topics, reports and cases
(correlation) and the alerts to the owners of the assets that shared intelligence names.

The receivers (``receivers.py``) enqueue these once the saving transaction commits, so neither a
topic's publication, a report's sending nor a feed's import waits for them. Jobs take primary
keys and reload the rows.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from huey.contrib.djhuey import db_task

from jisp.intel.choices import MentionSource


@db_task()
def index_and_alert(label: str, pk: int, source: str) -> None:
    """Index one topic's, report's or case's text as mentions, then alert on it (not cases: the
    centre's own notes alert nobody)."""
    from jisp.intel.services import assets, correlation

    model: Any = apps.get_model(label)
    item = model._default_manager.filter(pk=pk).first()
    if item is None:
        return
    texts: dict[str, Any] = {
        MentionSource.TOPIC: correlation.topic_text,
        MentionSource.REPORT: correlation.report_text,
        MentionSource.CASE: correlation.case_text,
    }
    correlation.index_text(source, pk, texts[source](item))
    if source != MentionSource.CASE:
        assets.alert_for([item])


@db_task()
def alert_for_ids(label: str, ids: list[int]) -> None:
    """Alert the owners of the assets these indicators or sightings touch."""
    from jisp.intel.services import assets

    assets.alert_for_ids(apps.get_model(label), ids)
