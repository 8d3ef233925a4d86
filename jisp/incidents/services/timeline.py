"""The two primitives every incidents service builds on: a timeline entry, and opening a case.

``add_entry`` is the only way a line is added to a case's timeline (it is never edited);
``open_case`` turns a submitted report into a case (every report becomes one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from jisp.incidents.choices import EntryAudience, EntryKind
from jisp.incidents.models import Case, Report, SupportRequest, TimelineEntry


def add_entry(
    case: Case,
    kind: str,
    *,
    author: Any = None,
    body: str = "",
    audience: str = EntryAudience.CENTRE,
    support_request: SupportRequest | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> TimelineEntry:
    """Append one line to the case's timeline.

    ``audience`` says who besides the centre reads it: the reporter (the conversation and the
    state changes the reporter should know of) or the organisation of ``support_request``.
    ``data`` is JSON-able and shown only to whoever sees the entry.
    """
    if audience == EntryAudience.SUPPORT and support_request is None:
        raise ValueError("a support entry names its support request")
    return TimelineEntry.objects.create(
        case=case,
        kind=kind,
        audience=audience,
        support_request=support_request,
        author=author,
        body=body,
        data=data or {},
        created_at=at or timezone.now(),
    )


@transaction.atomic
def open_case(report: Report, *, actor: Any = None, at: datetime | None = None) -> Case:
    """The case of a submitted report (made once; a second call returns the same case)."""
    existing = Case.objects.filter(report=report).first()
    if existing is not None:
        return existing
    now = at or report.submitted_at or timezone.now()
    case = Case.objects.create(
        report=report,
        kind=report.kind,
        title=report.title,
        organisation_id=report.organisation_id,
        category=report.category,
        tlp=report.tlp,
        event_impact=report.event_impact,
        public_awareness=report.public_awareness,
        for_sitrep=report.event_impact == "yes" or report.public_awareness == "yes",
        opened_at=now,
    )
    add_entry(
        case,
        EntryKind.CREATED,
        author=actor or report.reporter,
        audience=EntryAudience.REPORTER,
        data={"channel": report.channel},
        at=now,
    )
    return case
