"""The auditors' pages: the audit log with filters, and daily sign-in statistics.

The log can hold millions of rows, so the list filters on indexed columns (time, action, person,
organisation) and pages by position ("rows older than the last one shown", one extra row telling
whether there is a next page) instead of counting the whole table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from jisp.core import audit, policy
from jisp.core.forms.audit import (
    AuditFilterForm,
    SigninPeriodForm,
    encode_cursor,
    start_of_day,
)
from jisp.core.models import AuditEvent, Organisation, User

PER_PAGE = 100
#: Up to this many people matching the e-mail filter are looked up by id (see ``_filtered``).
MAX_PEOPLE_LOOKUP = 200
#: Height of the sign-in chart's drawing area (SVG user units), and each day's slot width.
CHART_HEIGHT = 100
CHART_SLOT = 10


def _require_auditor(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not policy.can_read_audit_log(request.user):
        raise Http404


def _filtered(data: dict[str, Any]) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("action_prefix"):
        events = events.filter(action__startswith=data["action_prefix"].strip())
    term = (data.get("person") or "").strip()
    if term:
        # A selective term goes through the people table and the (actor, at) index; a term that
        # matches very many people is unselective, so scanning the newest rows finds matches fast.
        ids = list(
            User.objects.filter(email__icontains=term).values_list("pk", flat=True)[
                : MAX_PEOPLE_LOOKUP + 1
            ]
        )
        if len(ids) <= MAX_PEOPLE_LOOKUP:
            events = events.filter(actor_id__in=ids)
        else:
            events = events.filter(actor_email__icontains=term)
    organisation = (data.get("organisation") or "").strip()
    if organisation.isdigit():
        events = events.filter(organisation_id=int(organisation))
    elif organisation:
        matching = Organisation.objects.filter(
            Q(name__icontains=organisation)
            | Q(name_en__icontains=organisation)
            | Q(short_name__icontains=organisation)
        ).values("pk")
        events = events.filter(organisation_id__in=matching)
    if data.get("via"):
        events = events.filter(via=data["via"])
    if data.get("date_from"):
        events = events.filter(at__gte=start_of_day(data["date_from"]))
    if data.get("date_to"):
        events = events.filter(at__lt=start_of_day(data["date_to"] + timedelta(days=1)))
    return events


def audit_log(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = AuditFilterForm(request.GET)
    status = 200
    data: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
    else:
        status = 400
    events = _filtered(data).select_related("organisation").order_by("-at", "-id")
    cursor = data.get("before")
    if cursor is not None:
        at, pk = cursor
        events = events.filter(at__lte=at).exclude(at=at, id__gte=pk)
    rows = list(events[: PER_PAGE + 1])
    next_url = ""
    if len(rows) > PER_PAGE:
        rows = rows[:PER_PAGE]
        params = {k: str(v) for k, v in request.GET.items() if k != "before" and v}
        params["before"] = encode_cursor(rows[-1].at, rows[-1].pk)
        next_url = "?" + urlencode(params)
    first_url = ""
    if cursor is not None:
        params = {k: str(v) for k, v in request.GET.items() if k != "before" and v}
        first_url = "?" + urlencode(params)
    for row in rows:
        row.description = audit.describe(row.action)  # type: ignore[attr-defined]
    context = {
        "nav": "audit",
        "form": form,
        "events": rows,
        "next_url": next_url,
        "first_url": first_url,
    }
    return render(request, "core/audit/log.html", context, status=status)


def signins(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = SigninPeriodForm(request.GET)
    status = 200
    if not form.is_valid():
        status = 400
        form = SigninPeriodForm({})
        form.is_valid()
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    since, until = start_of_day(start), start_of_day(end + timedelta(days=1))
    counted = {row["day"]: row for row in audit.daily_signins(since=since, until=until)}
    days = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        row = counted.get(day, {})
        days.append({"day": day, "signins": row.get("signins", 0), "people": row.get("people", 0)})
    peak = max((d["signins"] for d in days), default=0)
    highest = peak or 1
    for index, d in enumerate(days):
        height = round(d["signins"] * CHART_HEIGHT / highest)
        d["x"] = index * CHART_SLOT + 1
        d["height"] = height
        d["y"] = CHART_HEIGHT - height
    people_in_period = (
        AuditEvent.objects.filter(action=audit.SIGNIN_SUCCEEDED, at__gte=since, at__lt=until)
        .exclude(actor_id=None)
        .values("actor_id")
        .distinct()
        .count()
    )
    context = {
        "nav": "audit",
        "form": form if status == 200 else SigninPeriodForm(request.GET),
        "days": days,
        "total": sum(d["signins"] for d in days),
        "people_in_period": people_in_period,
        "peak": peak,
        "chart_width": len(days) * CHART_SLOT,
        "chart_height": CHART_HEIGHT,
        "bar_width": CHART_SLOT - 2,
        "start": start,
        "end": end,
    }
    return render(request, "core/audit/signins.html", context, status=status)
