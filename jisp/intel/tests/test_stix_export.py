"""STIX export: a valid bundle (stix2-validator), deterministic ids, only what the person sees."""

from __future__ import annotations

import json
from typing import Any

import stix2
from stix2validator import ValidationOptions, validate_string

from jisp.core.choices import TLP, Audience
from jisp.intel.models import Indicator
from jisp.intel.stix.export import bundle_chunks, observable
from jisp.intel.stix.objects import TLP_MARKINGS
from jisp.intel.testing import make_indicator
from jisp.sharing.testing import make_topic

#: Strict (every SHOULD is an error) except two accepted SHOULDs: "indicator-properties" (an
#: indicator without a description) and "relationship-types" (``based-on`` from an indicator to
#: an observable is permitted by STIX 2.1 but not in its list of suggested targets).
OPTIONS = ValidationOptions(
    strict=True, version="2.1", disabled=["indicator-properties", "relationship-types"]
)


def export(user: Any) -> dict[str, Any]:
    text = "".join(bundle_chunks(user, Indicator.objects.all()))
    results = validate_string(text, OPTIONS)
    assert results.is_valid, [str(e) for e in results.errors]
    assert not results.warnings, [str(w) for w in results.warnings]
    return json.loads(text)


def by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def test_the_export_is_a_valid_bundle_with_observables_and_relationships(cast: Any) -> None:
    make_indicator(cast.org_a, "domain", "evil.example", cast.member_a, malware="Emotet")
    make_indicator(cast.org_a, "ipv4", "198.51.100.7", cast.member_a, tlp=TLP.AMBER)
    make_indicator(cast.org_a, "sha256", "a" * 64, cast.member_a)
    make_indicator(cast.org_a, "url", "http://evil.example/login", cast.member_a)
    make_indicator(cast.org_a, "email", "bad@evil.example", cast.member_a)
    make_indicator(cast.org_a, "cidr", "203.0.113.0/24", cast.member_a)
    make_indicator(cast.org_a, "ipv6", "2001:db8::1", cast.member_a)
    bundle = export(cast.analyst)
    assert len(by_type(bundle, "indicator")) == 7
    assert {o["type"] for o in bundle["objects"]} >= {
        "domain-name", "ipv4-addr", "ipv6-addr", "file", "url", "email-addr", "malware",
        "relationship", "marking-definition",
    }  # fmt: skip
    kinds = sorted(r["relationship_type"] for r in by_type(bundle, "relationship"))
    assert kinds == ["based-on"] * 7 + ["indicates"]
    markings = {m["id"] for m in by_type(bundle, "marking-definition")}
    assert markings == {TLP_MARKINGS[TLP.CLEAR], TLP_MARKINGS[TLP.GREEN], TLP_MARKINGS[TLP.AMBER]}


def test_observable_ids_are_those_stix2_computes() -> None:
    assert observable("ipv4", "198.51.100.7")["id"] == stix2.IPv4Address(value="198.51.100.7").id
    assert observable("domain", "evil.example")["id"] == stix2.DomainName(value="evil.example").id
    assert observable("url", "http://x.example/")["id"] == stix2.URL(value="http://x.example/").id
    sha = "b" * 64
    assert observable("sha256", sha)["id"] == stix2.File(hashes={"SHA-256": sha}).id


def test_two_exports_give_the_same_objects(cast: Any) -> None:
    make_indicator(cast.org_a, "domain", "evil.example", cast.member_a, malware="Emotet")
    first, second = export(cast.analyst), export(cast.analyst)
    assert first["objects"] == second["objects"]
    assert first["id"] != second["id"]


def test_it_hides_what_the_person_may_not_see(cast: Any) -> None:
    make_indicator(cast.org_a, "domain", "public.example", cast.member_a)
    make_indicator(
        cast.org_a, "domain", "rail.example", cast.member_a, tlp=TLP.AMBER,
        audience=Audience.SECTORS, sectors=[cast.org_a.sector],
    )  # fmt: skip
    make_indicator(
        cast.org_a, "domain", "centre.example", cast.member_a, tlp=TLP.AMBER,
        audience=Audience.CENTRE,
    )  # fmt: skip
    seen = {
        name: sorted(o["name"] for o in by_type(export(person), "indicator"))
        for name, person in cast.everyone.items()
    }
    assert seen["member_b"] == ["public.example"]
    assert seen["vendor_analyst"] == ["public.example"]
    assert seen["outsider"] == []
    assert seen["member_a2"] == ["centre.example", "public.example", "rail.example"]
    assert seen["analyst"] == ["centre.example", "public.example", "rail.example"]


def test_linked_topics_become_reports_for_those_who_may_read_them(cast: Any) -> None:
    ind = make_indicator(cast.org_a, "domain", "evil.example", cast.member_a)
    open_topic = make_topic(cast.analyst, "フィッシング注意喚起")
    closed = make_topic(cast.analyst, "センター限り", tlp=TLP.AMBER, audience=Audience.CENTRE)
    ind.topics.add(open_topic, closed)
    reports = by_type(export(cast.analyst), "report")
    assert sorted(r["name"] for r in reports) == ["センター限り", "フィッシング注意喚起"]
    assert all(r["object_refs"] == [ind.stix_id] for r in reports)
    reports = by_type(export(cast.member_b), "report")
    assert [r["name"] for r in reports] == ["フィッシング注意喚起"]


def test_an_empty_selection_is_an_empty_valid_bundle(cast: Any) -> None:
    bundle = export(cast.member_a)
    assert bundle["type"] == "bundle"
    assert bundle["objects"] == []
