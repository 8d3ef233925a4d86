"""The incidents area's front page: where each person starts, by what they do on the platform.

A member reports and follows its reports and consultations; an agency, a vendor or law
enforcement answers support requests and reads the reports routed to it; the centre works the
case queue, the situation reports and the duty log. Counts are one aggregate query each.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jisp.core import policy
from jisp.incidents.choices import OPEN_STATES, SupportState
from jisp.incidents.models import Case, Report, SupportRequest
from jisp.incidents.services.support import ELIGIBLE_CATEGORIES


@login_required
def incidents_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    a = policy.access(user)
    centre = a.sees_all_below_red
    counts: dict[str, Any] = {}
    if a.is_member:
        own = Report.objects.filter(organisation_id__in=a.organisation_ids)
        counts["drafts"] = own.filter(status="draft").count()
        counts["my_open_cases"] = Case.objects.filter(
            organisation_id__in=a.organisation_ids, state__in=OPEN_STATES
        ).count()
        counts["support_waiting"] = SupportRequest.objects.filter(
            organisation_id__in=a.organisation_ids, state=SupportState.REQUESTED
        ).count()
    if centre:
        counts["open_cases"] = Case.objects.filter(state__in=OPEN_STATES).count()
        counts["new_cases"] = Case.objects.filter(state="new").count()
        counts["escalations"] = Case.objects.filter(state__in=OPEN_STATES, for_sitrep=True).count()
    context = {
        "nav": "incidents",
        "centre": centre,
        "can_work": policy.can_work_cases(user),
        "supporter": a.is_member and not centre and _is_supporter(a),
        "counts": counts,
    }
    return render(request, "incidents/home.html", context)


def _is_supporter(a: policy.Access) -> bool:
    """Whether the person belongs to an organisation the centre may ask for support."""
    from jisp.core.models import Organisation

    return Organisation.objects.filter(
        pk__in=a.organisation_ids,
        category__in=ELIGIBLE_CATEGORIES,
    ).exists()
