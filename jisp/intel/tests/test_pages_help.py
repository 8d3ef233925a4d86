"""The page about feeds and TAXII, and the centre's page of active indicators."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.core.choices import TLP, Audience
from jisp.intel.models import TaxiiCollection
from jisp.intel.services.sightings import SightingInput, report_sighting
from jisp.intel.testing import make_indicator

pytestmark = pytest.mark.django_db

FEEDS = reverse("intel:feeds_help")
ACTIVE = reverse("intel:active_indicators")


def test_the_feeds_page_lists_only_readable_collections(cast: Any, signed_in: Any) -> None:
    TaxiiCollection.objects.all().delete()
    TaxiiCollection.objects.create(
        alias="green-all", title="Green for everyone", tlp=TLP.GREEN, audience=Audience.EVERYONE
    )
    TaxiiCollection.objects.create(
        alias="amber-power", title="Amber for Power", tlp=TLP.AMBER,
        audience=Audience.ORGANISATIONS, organisation=cast.org_b,
    )  # fmt: skip
    html = signed_in(cast.member_a).get(FEEDS).content.decode()
    assert "Green for everyone" in html
    assert "Amber for Power" not in html
    assert "/taxii2/" in html
    assert reverse("core:tokens") in html
    assert reverse("intel:feed", args=["csv"]) in html
    assert reverse("intel:feed_plain", args=["domain"]) in html
    html = signed_in(cast.member_b).get(FEEDS).content.decode()
    assert "Amber for Power" in html


def test_the_feeds_page_is_in_japanese_first(cast: Any, signed_in: Any) -> None:
    html = signed_in(cast.member_a).get(FEEDS).content.decode()
    assert "TAXII" in html
    assert "APIトークン" in html


def test_outsiders_get_no_feeds_page(cast: Any, signed_in: Any) -> None:
    assert signed_in(cast.outsider).get(FEEDS).status_code == 404


def test_the_centre_sees_the_active_indicators(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "active.example", cast.member_a)
    report_sighting(None, cast.member_b, indicator, SightingInput(count=2))
    report_sighting(None, cast.member_a, indicator, SightingInput(count=1))
    response = signed_in(cast.analyst).get(ACTIVE, {"days": "30"})
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert (row.indicator, row.organisations, row.times_seen) == (indicator, 2, 3)


def test_members_get_no_active_indicators_page(cast: Any, signed_in: Any) -> None:
    for person in (cast.member_a, cast.vendor_analyst, cast.responder):
        assert signed_in(person).get(ACTIVE).status_code == 404


def test_a_strange_period_falls_back_to_a_week(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.analyst).get(ACTIVE, {"days": "99999999999999"})
    assert response.context["days"] == 7
