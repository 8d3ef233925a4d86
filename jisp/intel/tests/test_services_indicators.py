"""The indicator service: normalised values, STIX versions, sharing checks, who may change."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jisp.core import policy
from jisp.core.choices import TLP, Audience
from jisp.intel.models import Indicator, StixObject
from jisp.intel.services import indicators as service
from jisp.intel.testing import make_indicator


def test_create_writes_a_stix_version(cast: Any) -> None:
    ind = make_indicator(cast.org_a, "domain", "Example.COM.", cast.member_a)
    assert ind.value == "example.com"
    version = StixObject.objects.get(indicator=ind)
    body = json.loads(version.body)
    assert body["pattern"] == "[domain-name:value = 'example.com']"
    assert body["id"] == ind.stix_id
    assert version.tlp == ind.tlp


def test_every_change_is_a_new_version_with_increasing_date_added(cast: Any) -> None:
    ind = make_indicator(cast.org_a, "ipv4", "198.51.100.7", cast.member_a)
    service.mark_false_positive(None, cast.member_a, ind, "our own proxy")
    service.revoke(None, cast.member_a, ind)
    versions = list(StixObject.objects.filter(stix_id=ind.stix_id).order_by("date_added"))
    assert len(versions) == 3
    assert len({v.modified for v in versions}) == 3
    assert json.loads(versions[-1].body)["revoked"] is True


def test_same_value_twice_from_one_source_is_refused(cast: Any) -> None:
    make_indicator(cast.org_a, "domain", "evil.example", cast.member_a)
    with pytest.raises(ValidationError):
        make_indicator(cast.org_a, "domain", "EVIL.example", cast.member_a)
    assert Indicator.objects.count() == 1


def test_bad_sharing_is_refused_and_nothing_is_saved(cast: Any) -> None:
    with pytest.raises(ValidationError):
        make_indicator(cast.org_a, "domain", "evil.example", cast.member_a, tlp=TLP.RED)
    assert not Indicator.objects.exists()
    assert not StixObject.objects.exists()


def test_only_those_who_may_change_it_do(cast: Any) -> None:
    ind = make_indicator(
        cast.org_a, "domain", "evil.example", cast.member_a, tlp=TLP.AMBER,
        audience=Audience.CENTRE,
    )  # fmt: skip
    for person in (cast.member_b, cast.auditor, cast.vendor_analyst):
        with pytest.raises(PermissionDenied):
            service.revoke(None, person, ind)
    service.mark_false_positive(None, cast.analyst, ind, "CDN")
    assert policy.can_view(cast.member_a2, ind)
    assert not policy.can_view(cast.member_b, ind)
