"""The list of indicators a person may see, with the filters of the list page and the API.

``indicator_list`` starts from ``policy.visible`` (nothing else decides who sees what); the
filters only narrow that. The TLP filter is the person's choice of a level among the items they
may already see, not an access check.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from jisp.core import policy
from jisp.core.models import Organisation
from jisp.intel.models import Indicator

#: The orders a list may be sorted by (anything else falls back to the newest change first).
SORTS: dict[str, tuple[str, ...]] = {
    "-changed_at": ("-changed_at", "-id"),
    "changed_at": ("changed_at", "id"),
    "value": ("value", "id"),
    "-value": ("-value", "-id"),
    "kind": ("kind", "-changed_at", "-id"),  # by type, newest first (the index by kind)
    "-confidence": ("-confidence", "-changed_at", "-id"),
    "confidence": ("confidence", "-changed_at", "-id"),
    "-last_seen": ("-last_seen", "-id"),
    "last_seen": ("last_seen", "id"),
}
DEFAULT_SORT = "-changed_at"


def active_q(now: datetime | None = None) -> Q:
    """Indicators that are shared in exports: not withdrawn, not false positives, not expired."""
    now = now or timezone.now()
    return (
        Q(revoked=False, false_positive=False)
        & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    )  # fmt: skip


def _label_q(queryset: QuerySet[Indicator], label: str) -> QuerySet[Indicator]:
    """Indicators carrying the tag ``label`` (exactly). PostgreSQL answers ``contains`` on the
    JSON array; SQLite has no such lookup, so its stored text is searched for the quoted tag
    (Django writes JSON there with ASCII escapes, hence ``json.dumps``)."""
    if connection.vendor == "postgresql":
        return queryset.filter(labels__contains=[label])
    needle = json.dumps(label)
    return queryset.annotate(_labels_text=Cast("labels", TextField())).filter(
        _labels_text__contains=needle
    )


def indicator_list(
    user: Any,
    *,
    q: str = "",
    kind: str = "",
    tlp: str = "",
    label: str = "",
    source_org: Organisation | int | None = None,
    active: bool | None = None,
    false_positive: bool | None = None,
    since: datetime | None = None,
    sort: str = DEFAULT_SORT,
) -> QuerySet[Indicator]:
    """The indicators the person may see, narrowed by the filters given.

    ``q`` matches the value, the name or the malware family (case-insensitive, part of it);
    ``source_org`` is an organisation or its id; ``active`` True keeps only the indicators in
    exports (``active_q``), False only the others; ``since`` keeps those changed at or after it;
    ``sort`` is one of ``SORTS`` (another value sorts by the newest change).
    """
    qs = policy.visible(user, Indicator.objects.select_related("organisation"))
    q = (q or "").replace("\x00", "").strip()
    if q:
        qs = qs.filter(
            Q(value__icontains=q) | Q(name__icontains=q) | Q(malware__icontains=q)
        )  # fmt: skip
    if kind:
        qs = qs.filter(kind=kind)
    if tlp:
        qs = qs.filter(tlp=tlp)
    if label:
        qs = _label_q(qs, label.strip())
    if source_org is not None:
        qs = qs.filter(organisation_id=getattr(source_org, "pk", source_org))
    if active is True:
        qs = qs.filter(active_q())
    elif active is False:
        qs = qs.exclude(active_q())
    if false_positive is not None:
        qs = qs.filter(false_positive=false_positive)
    if since is not None:
        qs = qs.filter(changed_at__gte=since)
    return qs.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
