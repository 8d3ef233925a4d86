"""The centre's case queue: open cases first, filtered and sorted, in a fixed number of queries.

``case_queue(user, filters)`` starts from ``policy.visible_cases`` (so nobody gets more than the
policy allows) and applies the filters of the queue page and of the API. Unknown or empty filter
values are ignored; the default is the open cases (``OPEN_STATES``), newest first, which the
index ``incidents_case_queue`` (state, -opened_at) serves.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from jisp.core import policy
from jisp.incidents.choices import OPEN_STATES, CaseState, ReportCategory, ReportKind, Severity
from jisp.incidents.models import Case

SORTS = ("newest", "oldest", "severity", "updated")

#: What a member (not the centre) may filter and sort its cases by.
MEMBER_FILTERS = frozenset({"state", "category", "kind", "sort"})
MEMBER_SORTS = frozenset({"newest", "oldest"})

_SEVERITY_RANK = {
    Severity.CRITICAL: 0,
    Severity.HIGH: 1,
    Severity.MEDIUM: 2,
    Severity.LOW: 3,
}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if hasattr(value, "pk"):
        return int(value.pk)
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in {"1", "true", "yes", "on"}


def overdue_q(now: Any = None) -> Q:
    """Open cases not acknowledged in time, or whose reporter waits too long for an answer."""
    now = now or timezone.now()
    ack_limit = now - timedelta(minutes=settings.CASE_ACK_MINUTES)
    response_limit = now - timedelta(minutes=settings.CASE_RESPONSE_MINUTES)
    return Q(state__in=OPEN_STATES) & (
        Q(acknowledged_at__isnull=True, opened_at__lt=ack_limit)
        | Q(
            first_response_at__isnull=True,
            organisation__isnull=False,
            opened_at__lt=response_limit,
        )
    )


def case_queue(user: Any, filters: dict[str, Any]) -> QuerySet[Case]:
    """The cases of the queue for ``user`` with ``filters``:

    ``state`` (a state, "all"; default: the open ones), ``severity``, ``category``, ``kind``,
    ``assignee`` ("me", "none" or an id), ``organisation`` (id), ``organisation_name`` (part of
    its name), ``sector`` (id), ``for_sitrep``,
    ``overdue``, ``q`` (text in the title) and ``sort`` (newest, oldest, severity, updated).
    """
    qs = policy.visible_cases(user, Case.objects.all())
    if not policy.access(user).sees_all_below_red:
        # Severity, assignment, the sitrep flag, response times and (for a supporting
        # organisation) the title and the reporter are the centre's: no filter may probe them.
        filters = {k: v for k, v in filters.items() if k in MEMBER_FILTERS}
        if filters.get("sort") not in MEMBER_SORTS:
            filters["sort"] = "newest"
    state = filters.get("state") or ""
    if state == "all":
        pass
    elif state in CaseState.values:
        qs = qs.filter(state=state)
    else:
        qs = qs.filter(state__in=sorted(OPEN_STATES))
    severity = filters.get("severity")
    if severity in Severity.values:
        qs = qs.filter(severity=severity)
    category = filters.get("category")
    if category in ReportCategory.values:
        qs = qs.filter(category=category)
    kind = filters.get("kind")
    if kind in ReportKind.values:
        qs = qs.filter(kind=kind)
    assignee = filters.get("assignee")
    if assignee == "me":
        qs = qs.filter(assignee_id=getattr(user, "pk", None))
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee not in (None, ""):
        assignee_id = _as_int(assignee)
        qs = qs.filter(assignee_id=assignee_id) if assignee_id else qs.none()
    organisation = filters.get("organisation")
    if organisation not in (None, ""):
        organisation_id = _as_int(organisation)
        qs = qs.filter(organisation_id=organisation_id) if organisation_id else qs.none()
    organisation_name = (filters.get("organisation_name") or "").replace("\x00", "").strip()
    if organisation_name:
        qs = qs.filter(
            Q(organisation__name__icontains=organisation_name[:200])
            | Q(organisation__name_en__icontains=organisation_name[:200])
            | Q(organisation__short_name__icontains=organisation_name[:200])
        )
    sector = filters.get("sector")
    if sector not in (None, ""):
        sector_id = _as_int(sector)
        qs = qs.filter(organisation__sector_id=sector_id) if sector_id else qs.none()
    for_sitrep = filters.get("for_sitrep")
    if for_sitrep not in (None, ""):
        qs = qs.filter(for_sitrep=_truthy(for_sitrep))
    if _truthy(filters.get("overdue")):
        qs = qs.filter(overdue_q())
    text = (filters.get("q") or "").replace("\x00", "").strip()
    if text:
        qs = qs.filter(title__icontains=text[:200])
    sort = filters.get("sort") or "newest"
    if sort == "oldest":
        qs = qs.order_by("opened_at", "id")
    elif sort == "updated":
        qs = qs.order_by("-updated_at", "-id")
    elif sort == "severity":
        rank = When_(
            *[When(severity=value, then=Value(order)) for value, order in _SEVERITY_RANK.items()],
            default=Value(9),
            output_field=IntegerField(),
        )
        qs = qs.annotate(severity_rank=rank).order_by("severity_rank", "-opened_at", "-id")
    else:
        qs = qs.order_by("-opened_at", "-id")
    # Prefetched for the page's rows, not joined: PostgreSQL would join every filtered case to
    # its organisation (hashing all 10,000) before sorting and keeping 50.
    return qs.prefetch_related("organisation", "assignee")
