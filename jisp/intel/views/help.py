"""Two reading pages: how to pull the product feeds and TAXII collections (for anyone), and the
centre's page of the indicators members are seeing now."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from jisp.core import policy
from jisp.intel.choices import IndicatorKind
from jisp.intel.models import TaxiiCollection
from jisp.intel.views.indicators import NAV

#: The product feeds other than the plain lists (``intel:feed`` in ``jisp.intel.urls.feeds``).
FEED_FORMATS = ("csv", "suricata", "snort", "rpz", "stix")


#: Days offered on the page of active indicators.
DAY_CHOICES = (1, 7, 30)


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _feed_url(request: HttpRequest, name: str, arg: str) -> str:
    return _absolute(request, reverse(f"intel:{name}", args=[arg]))


@login_required
def feeds_help(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not policy.access(user).is_member:
        raise Http404
    plain = [
        (label, _feed_url(request, "feed_plain", kind)) for kind, label in IndicatorKind.choices
    ]
    formats = {key: _feed_url(request, "feed", key) for key in FEED_FORMATS}
    formats["ip"] = _feed_url(request, "feed_plain", "ip")
    collections = [
        c
        for c in TaxiiCollection.objects.select_related("sector", "organisation")
        if policy.can_read_collection(user, c)
    ]
    context = {
        "nav": NAV,
        "plain": plain,
        "formats": formats,
        "taxii_url": _absolute(request, "/taxii2/"),
        "collections": collections,
        "tokens_url": reverse("core:tokens"),
    }
    return render(request, "intel/feeds_help.html", context)


@login_required
def active_indicators(request: HttpRequest) -> HttpResponse:
    """The indicators members reported seeing in the last days: the centre's staff and auditors."""
    user = request.user
    if not policy.access(user).sees_all_below_red:
        raise Http404
    from jisp.intel.services.sightings import active_indicators as active

    text = request.GET.get("days", "7")
    days = int(text) if text.isdigit() and int(text) in DAY_CHOICES else 7
    context = {
        "nav": NAV,
        "rows": active(user, days),
        "days": days,
        "day_choices": DAY_CHOICES,
    }
    return render(request, "intel/sightings/active.html", context)
