"""What the intel pages show beside an indicator: sighting counts, effective confidence, warnings.

Each helper reads through the access policy (sightings a person may not see are not counted) and
costs one query for a whole page of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Sum
from django.utils import timezone

from jisp.core import policy
from jisp.intel.models import Indicator, Sighting


@dataclass
class Row:
    """One line of an indicator list."""

    indicator: Indicator
    confidence: int
    sightings: int
    last_sighting: datetime | None


def effective_confidence(indicator: Indicator, now: datetime | None = None) -> int:
    """The confidence after decay since the indicator was last seen
    (``jisp.intel.indicators.effective_confidence``)."""
    from jisp.intel.indicators import effective_confidence as decayed

    return decayed(indicator.confidence, indicator.last_seen, indicator.kind, now or timezone.now())


def sighting_totals(user: Any, indicator_ids: Sequence[int]) -> dict[int, tuple[int, Any]]:
    """indicator id -> (times seen, last seen) over the sightings the person may see."""
    if not indicator_ids:
        return {}
    rows = (
        policy.visible(user, Sighting.objects.filter(indicator_id__in=list(indicator_ids)))
        .order_by()
        .values("indicator_id")
        .annotate(total=Sum("count"), n=Count("id"), last=Max("last_seen"))
    )
    return {r["indicator_id"]: (int(r["total"] or 0), r["last"]) for r in rows}


def rows(user: Any, indicators: Sequence[Indicator]) -> list[Row]:
    now = timezone.now()
    totals = sighting_totals(user, [i.pk for i in indicators])
    return [
        Row(
            indicator=i,
            confidence=effective_confidence(i, now),
            sightings=totals.get(i.pk, (0, None))[0],
            last_sighting=totals.get(i.pk, (0, None))[1],
        )
        for i in indicators
    ]


def warning_texts(kind: str, value: str, user: Any = None) -> list[str]:
    """The warninglists that hold the value, as readable lines (empty while none match). With
    ``user``, the members' assets counted are those the person may see."""
    from jisp.intel import warninglists

    return [hit_text(hit) for hit in warninglists.check(kind, value, user=user)]


def warning_texts_many(pairs: Sequence[tuple[str, str]], user: Any = None) -> dict[Any, list[str]]:
    """``warning_texts`` for many ``(kind, value)`` pairs at once."""
    from jisp.intel import warninglists

    hits = warninglists.check_many(pairs, user=user)
    return {pair: [hit_text(hit) for hit in found] for pair, found in hits.items()}


def hit_text(hit: Any) -> str:
    """One warninglist hit as a line: its list's title, why, and the entry matched."""
    return f"{hit.title}: {hit.reason} ({hit.entry})"
