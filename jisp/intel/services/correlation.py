"""Correlation: the same value across indicators, topics, reports, cases and sightings.

The text of every topic, report and case is indexed as ``Mention`` rows (``index_text``, called
by the receivers in ``jisp.intel.receivers`` whenever one is saved). ``related`` then answers,
for one value, everything a person may see that names it -- each kind of item through its own
rule of the access policy (topics by ``readable_topics``, reports by ``visible_reports`` and
not when redacted, indicators and sightings by ``visible``). Cases are listed for the centre's
staff and auditors only: a case's text is the centre's own notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, QuerySet

from jisp.core import policy
from jisp.intel.choices import MentionSource
from jisp.intel.models import MAX_VALUE_LENGTH, Indicator, Mention, Sighting

#: Mentions kept per item (a pasted log must not make a million rows).
MAX_MENTIONS = 2000
#: Items of each kind listed by ``related``.
RELATED_LIMIT = 50


def found_values(text: str) -> list[tuple[str, str]]:
    """(kind, value) of every indicator value in ``text``, once each, in order of appearance."""
    from jisp.intel.extract import extract

    seen: dict[tuple[str, str], None] = {}
    for found in extract(text or ""):
        if len(found.value) <= MAX_VALUE_LENGTH:
            seen.setdefault((str(found.kind), found.value), None)
    return list(seen)


@transaction.atomic
def index_text(source: str, object_id: int, text: str) -> int:
    """Replace the mentions of one topic, report or case by the values found in ``text``;
    return how many there are now."""
    wanted = found_values(text)[:MAX_MENTIONS]
    current = set(
        Mention.objects.filter(source=source, object_id=object_id).values_list("kind", "value")
    )
    keep = set(wanted)
    gone = current - keep
    if gone:
        ids = [
            pk
            for pk, kind, value in Mention.objects.filter(
                source=source, object_id=object_id
            ).values_list("pk", "kind", "value")
            if (kind, value) in gone
        ]
        Mention.objects.filter(pk__in=ids).delete()
    Mention.objects.bulk_create(
        [
            Mention(source=source, object_id=object_id, kind=kind, value=value)
            for kind, value in wanted
            if (kind, value) not in current
        ],
        ignore_conflicts=True,
    )
    return len(keep)


def forget(source: str, object_id: int) -> None:
    """Drop the mentions of an item that is gone."""
    Mention.objects.filter(source=source, object_id=object_id).delete()


def topic_text(topic: Any) -> str:
    return "\n".join((topic.title or "", topic.summary or "", topic.body or ""))


def report_text(report: Any) -> str:
    return "\n".join(
        (
            report.title or "",
            report.description or "",
            report.affected_systems or "",
            report.indicators or "",
        )
    )


def case_text(case: Any) -> str:
    return "\n".join((case.title or "", case.impact_note or ""))


@dataclass
class Related:
    """What one person may see that names one value."""

    kind: str
    value: str
    indicators: list[Indicator] = field(default_factory=list)
    topics: list[Any] = field(default_factory=list)
    reports: list[Any] = field(default_factory=list)
    cases: list[Any] = field(default_factory=list)
    sightings_count: int = 0
    sightings_organisations: int = 0
    sightings_last_seen: datetime | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.indicators or self.topics or self.reports or self.cases or self.sightings_count
        )


def _mentioned(source: str, kind: str, value: str) -> QuerySet[Mention]:
    return Mention.objects.filter(source=source, kind=kind, value=value)


def related(user: Any, kind: str, value: str, *, exclude: Indicator | None = None) -> Related:
    """Everything the person may see that names ``value`` (already normalised): indicators of
    every source, topics, reports, cases, and the count and last time of the sightings."""
    from jisp.incidents.models import Case, Report
    from jisp.intel.services.sightings import visible_sightings
    from jisp.sharing.services.topics import readable_topics

    result = Related(kind=kind, value=value)
    indicators = policy.visible(
        user, Indicator.objects.filter(kind=kind, value=value).select_related("organisation")
    ).order_by("-changed_at", "-id")
    if exclude is not None:
        indicators = indicators.exclude(pk=exclude.pk)
    result.indicators = list(indicators[:RELATED_LIMIT])

    topic_ids = _mentioned(MentionSource.TOPIC, kind, value).values("object_id")
    result.topics = list(
        readable_topics(user)
        .filter(pk__in=topic_ids)
        .order_by("-published_at", "-id")[:RELATED_LIMIT]
    )
    report_ids = _mentioned(MentionSource.REPORT, kind, value).values("object_id")
    reports = policy.visible_reports(
        user, Report.objects.filter(pk__in=report_ids).select_related("organisation")
    ).order_by("-created_at", "-id")
    # A redacted report does not show the text that names the value: it is not listed.
    rows = list(reports[:RELATED_LIMIT])
    grants = policy.report_grants(user, rows)
    result.reports = [r for r in rows if grants.get(r.pk) not in (None, policy.REPORT_REDACTED)]
    # A case's text (its title and the centre's impact assessment) is the centre's: others
    # find the same value through their reports instead.
    case_ids = _mentioned(MentionSource.CASE, kind, value).values("object_id")
    if policy.access(user).sees_all_below_red:
        result.cases = list(
            policy.visible_cases(user, Case.objects.filter(pk__in=case_ids)).order_by(
                "-opened_at", "-id"
            )[:RELATED_LIMIT]
        )
    stats = visible_sightings(
        user, Sighting.objects.filter(indicator__kind=kind, indicator__value=value)
    ).aggregate(n=Count("id"), orgs=Count("organisation_id", distinct=True), last=Max("last_seen"))
    result.sightings_count = stats["n"] or 0
    result.sightings_organisations = stats["orgs"] or 0
    result.sightings_last_seen = stats["last"]
    return result
