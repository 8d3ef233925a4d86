"""The access policy for threat intelligence, written a second time and checked for everyone.

Every person of the cast, against indicators, sightings and TAXII collections at every TLP level
and audience (the combinations the policy refuses are refused when written), and against verdict
requests, answers and assets. The single-item answers (``can_view``, ``can_read_collection``) and
the queryset filters (``visible``, ``collection_objects``, ``visible_verdict_requests``,
``visible_assets``) must agree with the rules below and with each other.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from jisp.core import policy
from jisp.core.choices import TLP, Audience
from jisp.core.models import Sector
from jisp.core.testing import Cast
from jisp.intel.models import Asset, Indicator, Sighting, StixObject, TaxiiCollection
from jisp.intel.services import sightings, verdicts
from jisp.intel.testing import make_indicator

CENTRE = {"analyst", "commander", "auditor"}
ORG_A = {"member_a", "member_a2", "admin_a"}
OTHERS = {"member_b", "responder", "vendor_analyst"}  # members of other organisations
WIDE = {TLP.CLEAR, TLP.GREEN, TLP.AMBER}
#: What the policy admits: below AMBER+STRICT every audience; AMBER+STRICT only the named ones
#: and the centre; RED only named people.
ADMITTED = {
    (tlp, audience)
    for tlp, audience in product(TLP.values, Audience.values)
    if tlp in WIDE
    or (tlp == TLP.AMBER_STRICT and audience in {"organisations", "people", "centre"})
    or (tlp == TLP.RED and audience == "people")
}


def expected_view(person: str, tlp: str, audience: str, author: str = "member_a") -> bool:
    """An item of org_a by ``author``; audience lists name electricity / org_b / member_b."""
    if person == author:
        return True
    if audience == "people" and person == "member_b":
        return True
    if tlp == TLP.RED or person == "outsider":
        return False
    if person in ORG_A | CENTRE:
        return True
    if audience == "everyone":
        return tlp in WIDE
    if audience == "sectors":
        return tlp in WIDE and person == "member_b"
    if audience == "organisations":
        return person == "member_b"
    return False


def lists(cast: Cast, audience: str) -> dict[str, Any]:
    return {
        "sectors": [Sector.objects.get(code="electricity")] if audience == "sectors" else [],
        "organisations": [cast.org_b] if audience == "organisations" else [],
        "people": [cast.member_b] if audience == "people" else [],
    }


@pytest.mark.parametrize(("tlp", "audience"), list(product(TLP.values, Audience.values)))
def test_indicators_are_seen_as_the_rules_say(cast: Cast, tlp: str, audience: str) -> None:
    if (tlp, audience) not in ADMITTED:
        with pytest.raises(ValidationError):
            make_indicator(cast.org_a, "domain", "evil.example", cast.member_a, tlp=tlp,
                           audience=audience, **lists(cast, audience))  # fmt: skip
        assert not Indicator.objects.exists()
        assert not StixObject.objects.exists()
        return
    indicator = make_indicator(
        cast.org_a, "domain", "evil.example", cast.member_a, tlp=tlp, audience=audience,
        **lists(cast, audience),
    )  # fmt: skip
    for name, person in cast.everyone.items():
        expected = expected_view(name, tlp, audience)
        fresh = Indicator.objects.get(pk=indicator.pk)
        assert policy.can_view(person, fresh) == expected, (name, tlp, audience)
        listed = policy.visible(person, Indicator.objects.filter(pk=indicator.pk)).exists()
        assert listed == expected, (name, tlp, audience)
        # Its STIX versions (what TAXII and the exports serve) carry the same sharing.
        versions = policy.visible(person, StixObject.objects.filter(indicator=indicator))
        assert versions.exists() == expected, (name, tlp, audience)
        # Changing: the author, org_a's administrator, the centre's staff; never auditors.
        may_change = expected and name in {"member_a", "admin_a", "analyst", "commander"}
        assert policy.can_change(person, fresh) == may_change, (name, tlp, audience)


@pytest.mark.parametrize(("tlp", "audience"), sorted(ADMITTED))
def test_sightings_are_seen_as_the_rules_say(cast: Cast, tlp: str, audience: str) -> None:
    """A sighting by member_a of an indicator everyone may see, shared as given."""
    indicator = make_indicator(cast.centre, "ipv4", "203.0.113.9", cast.analyst)
    data = sightings.SightingInput(count=3, tlp=tlp, audience=audience, **lists(cast, audience))
    sighting = sightings.report_sighting(None, cast.member_a, indicator, data)
    assert sighting.organisation_id == cast.org_a.pk
    for name, person in cast.everyone.items():
        expected = expected_view(name, tlp, audience)
        fresh = Sighting.objects.get(pk=sighting.pk)
        assert policy.can_view(person, fresh) == expected, (name, tlp, audience)
        listed = sightings.visible_sightings(person).filter(pk=sighting.pk).exists()
        assert listed == expected, (name, tlp, audience)


def test_a_sighting_of_an_indicator_one_may_not_see_is_not_listed(cast: Cast) -> None:
    indicator = make_indicator(cast.org_a, "ipv4", "203.0.113.9", cast.member_a,
                               tlp=TLP.AMBER, audience=Audience.CENTRE)  # fmt: skip
    data = sightings.SightingInput(tlp=TLP.GREEN, audience=Audience.EVERYONE)
    sighting = sightings.report_sighting(None, cast.admin_a, indicator, data)
    assert policy.can_view(cast.member_b, sighting)  # the sighting alone is shared widely...
    assert not sightings.visible_sightings(cast.member_b).exists()  # ...its indicator is not


def expected_collection(person: str, tlp: str, audience: str) -> bool:
    """A collection of the scope (sector railways / organisation org_a), read by ``person``."""
    if audience == "people" or tlp == TLP.RED or (tlp, audience) not in ADMITTED:
        return False
    if person == "outsider":
        return False
    if person in CENTRE:
        return True
    if audience == "everyone":
        return True
    if audience in ("sectors", "organisations"):
        return person in ORG_A
    return False


@pytest.mark.parametrize(("tlp", "audience"), list(product(TLP.values, Audience.values)))
def test_collections_are_read_as_the_rules_say(cast: Cast, tlp: str, audience: str) -> None:
    railways = Sector.objects.get(code="railways")
    collection = TaxiiCollection.objects.create(
        alias=f"c-{tlp}-{audience}".replace("+", "-"), title="c", tlp=tlp, audience=audience,
        sector=railways if audience == "sectors" else None,
        organisation=cast.org_a if audience == "organisations" else None,
    )  # fmt: skip
    served_object = None
    if (tlp, audience) in ADMITTED:
        # An object of exactly this scope from another organisation (org_b).
        indicator = make_indicator(
            cast.org_b, "domain", "scope.example", cast.member_b, tlp=tlp, audience=audience,
            sectors=[railways] if audience == "sectors" else [],
            organisations=[cast.org_a] if audience == "organisations" else [],
            people=[cast.member_a] if audience == "people" else [],
        )  # fmt: skip
        served_object = StixObject.objects.get(indicator=indicator)
    for name, person in cast.everyone.items():
        expected = expected_collection(name, tlp, audience)
        assert policy.can_read_collection(person, collection) == expected, (name, tlp, audience)
        served = policy.collection_objects(person, collection, StixObject.objects.all())
        if served_object is not None:
            assert served.filter(pk=served_object.pk).exists() == expected, (name, tlp, audience)
        else:
            assert not served.exists()
        writes = policy.can_write_collection(person, collection)
        assert writes == (name in {"analyst", "commander"}), (name, tlp, audience)


@pytest.mark.parametrize("share", [True, False])
def test_verdict_requests_are_seen_as_the_rules_say(cast: Cast, share: bool) -> None:
    vr = verdicts.request_verdict(
        None, cast.analyst, kind="domain", value="olympic-live.example", vendors=[cast.vendor],
        question="有害ですか", on_behalf_of=cast.org_a, share_with_member=share,
    )  # fmt: skip
    answer = vr.answers.get()
    verdicts.answer_verdict(None, cast.vendor_analyst, answer, verdict="harmful",
                            confidence=90, notes="Phishing kit")  # fmt: skip
    for name, person in cast.everyone.items():
        sees = name in CENTRE or name == "vendor_analyst" or (share and name in ORG_A)
        listed = verdicts.visible_requests(person).filter(pk=vr.pk).exists()
        assert listed == sees, (name, share)
        assert policy.can_answer_verdict(person, answer) == (name == "vendor_analyst"), name
        shown = verdicts.answers_for(person, vr)
        if name in CENTRE:
            assert [(a.vendor, a.verdict) for a in shown] == [(cast.vendor.display_name,
                                                              "harmful")]  # fmt: skip
        elif name == "vendor_analyst":
            assert [(a.vendor, a.own) for a in shown] == [(cast.vendor.display_name, True)]
        elif share and name in ORG_A:
            assert [a.vendor for a in shown] == ["Vendor 1"]
            assert all(a.answered_by == "" and a.vendor_id is None for a in shown)
        else:
            assert shown == [], name
        assert verdicts.sees_combined(person, vr) == (name in CENTRE or (share and name in ORG_A))
        assert verdicts.sees_context(person, vr) == (name in CENTRE)


def test_assets_are_seen_and_managed_as_the_rules_say(cast: Cast) -> None:
    asset = Asset.objects.create(organisation=cast.org_a, kind="domain", value="rail.example")
    for name, person in cast.everyone.items():
        seen = policy.visible_assets(person, Asset.objects.all()).filter(pk=asset.pk).exists()
        assert seen == (name in ORG_A | CENTRE), name
        manages = policy.can_manage_assets(person, cast.org_a.pk)
        assert manages == (name in {"admin_a", "analyst", "commander"}), name


def test_only_the_centres_staff_manage_intelligence(cast: Cast) -> None:
    managers = {name for name, p in cast.everyone.items() if policy.can_manage_intel(p)}
    assert managers == {"analyst", "commander"}
