"""Sightings: who may report one, validation, the centre told, and which indicators are active."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent, Notification
from jisp.core.testing import Cast
from jisp.intel.models import Sighting
from jisp.intel.notifications import SIGHTING_REPORTED
from jisp.intel.services.sightings import SightingInput, active_indicators, report_sighting
from jisp.intel.testing import make_indicator

NOW = datetime(2021, 7, 24, 5, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_member_reports_a_sighting_for_their_organisation(cast: Cast) -> None:
    indicator = make_indicator(cast.centre, "ipv4", "203.0.113.9", cast.analyst)
    data = SightingInput(count=12, first_seen=NOW - timedelta(hours=2), where="プロキシ")
    sighting = report_sighting(None, cast.member_a, indicator, data)
    assert sighting.organisation_id == cast.org_a.pk
    assert (sighting.tlp, sighting.audience) == (TLP.AMBER, Audience.CENTRE)
    assert sighting.last_seen == NOW
    assert AuditEvent.objects.filter(action="intel.sighting.reported").count() == 1


def test_the_centre_is_told_but_not_the_reporter(cast: Cast) -> None:
    indicator = make_indicator(cast.centre, "ipv4", "203.0.113.9", cast.analyst)
    report_sighting(None, cast.member_a, indicator, SightingInput())
    told = set(Notification.objects.filter(kind=SIGHTING_REPORTED).values_list(
        "recipient__email", flat=True))  # fmt: skip
    assert told == {cast.analyst.email, cast.commander.email}


def test_nobody_is_told_of_a_sighting_they_may_not_see(cast: Cast) -> None:
    indicator = make_indicator(cast.centre, "ipv4", "203.0.113.9", cast.analyst)
    data = SightingInput(tlp=TLP.RED, audience=Audience.PEOPLE, people=[cast.member_a2])
    report_sighting(None, cast.member_a, indicator, data)
    assert not Notification.objects.filter(kind=SIGHTING_REPORTED).exists()


def test_a_sighting_of_an_indicator_one_may_not_see_is_refused(cast: Cast) -> None:
    indicator = make_indicator(cast.org_a, "ipv4", "203.0.113.9", cast.member_a,
                               tlp=TLP.AMBER, audience=Audience.CENTRE)  # fmt: skip
    for person in (cast.member_b, cast.outsider, cast.vendor_analyst):
        with pytest.raises(PermissionDenied):
            report_sighting(None, person, indicator, SightingInput())
    with pytest.raises(PermissionDenied):  # auditors only read
        report_sighting(None, cast.auditor, indicator, SightingInput())
    assert not Sighting.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"count": 0}, "count"),
        ({"last_seen": NOW + timedelta(hours=1)}, "last_seen"),
        ({"first_seen": NOW, "last_seen": NOW - timedelta(hours=1)}, "first_seen"),
        ({"where": "x" * 301}, "where"),
        ({"tlp": TLP.RED, "audience": Audience.CENTRE}, "audience"),
        ({"audience": Audience.ORGANISATIONS}, "audience_organisations"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    indicator = make_indicator(cast.centre, "ipv4", "203.0.113.9", cast.analyst)
    with pytest.raises(ValidationError) as caught:
        report_sighting(None, cast.member_a, indicator, SightingInput(**fields))
    assert field in caught.value.message_dict
    assert not Sighting.objects.exists()
    assert not AuditEvent.objects.filter(action="intel.sighting.reported").exists()


def test_active_indicators_count_organisations_within_the_period(cast: Cast) -> None:
    busy = make_indicator(cast.centre, "ipv4", "203.0.113.9", cast.analyst)
    quiet = make_indicator(cast.centre, "domain", "olympic-live.com", cast.analyst)
    old = make_indicator(cast.centre, "domain", "old-phish.com", cast.analyst)
    report_sighting(None, cast.member_a, busy, SightingInput(count=5))
    report_sighting(None, cast.member_a2, busy, SightingInput(count=2))
    report_sighting(None, cast.member_b, busy, SightingInput(count=1))
    report_sighting(None, cast.member_b, quiet, SightingInput())
    report_sighting(None, cast.member_b, old, SightingInput(last_seen=NOW - timedelta(days=9)))
    rows = active_indicators(cast.analyst, days=7)
    assert [(r.indicator.pk, r.sightings, r.times_seen, r.organisations) for r in rows] == [
        (busy.pk, 3, 8, 2),
        (quiet.pk, 1, 1, 1),
    ]
    indicator, sightings_count, organisations, last_seen = rows[0]
    assert (indicator, sightings_count, organisations, last_seen) == (busy, 3, 2, NOW)
    # A member counts only what it may see: its own organisation's sightings.
    assert [(r.indicator.pk, r.sightings) for r in active_indicators(cast.member_a)] == [
        (busy.pk, 2)
    ]
    assert active_indicators(cast.vendor_analyst) == []
