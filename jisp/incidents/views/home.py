"""The incidents area's front door: the centre's case queue, or a member's own reports."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from jisp.core import policy


@login_required
def incidents_home(request: HttpRequest) -> HttpResponse:
    if policy.access(request.user).sees_all_below_red:
        return redirect("incidents:case_queue")
    return redirect("incidents:report_list")
