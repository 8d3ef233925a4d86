"""Warninglists: known-benign values, the members' own assets, batch checks."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from jisp.intel import warninglists
from jisp.intel.choices import AssetKind
from jisp.intel.models import Asset
from jisp.intel.warninglists import LISTS, OWN_ASSETS, Hit, check, check_many

pytestmark = pytest.mark.django_db


def lists(kind: str, value: str, **kwargs: Any) -> set[str]:
    return {hit.list_id for hit in check(kind, value, **kwargs)}


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("ipv4", "8.8.8.8", {"public-dns"}),
        ("ipv4", "1.1.1.1", {"public-dns"}),
        ("ipv4", "9.9.9.9", {"public-dns"}),
        ("ipv4", "208.67.222.222", {"public-dns"}),
        ("ipv6", "2001:4860:4860::8888", {"public-dns"}),
        ("ipv6", "2606:4700:4700::1111", {"public-dns", "cdn-cloud"}),
        ("ipv4", "10.20.30.40", {"private-networks"}),
        ("ipv4", "172.31.255.255", {"private-networks"}),
        ("ipv4", "192.168.1.1", {"private-networks"}),
        ("ipv4", "100.64.0.1", {"private-networks"}),
        ("ipv6", "fd12:3456::1", {"private-networks"}),
        ("ipv4", "127.0.0.1", {"special-networks"}),
        ("ipv4", "169.254.169.254", {"special-networks"}),
        ("ipv4", "224.0.0.251", {"special-networks"}),
        ("ipv4", "255.255.255.255", {"special-networks"}),
        ("ipv4", "0.0.0.0", {"special-networks"}),  # noqa: S104
        ("ipv6", "::1", {"special-networks"}),
        ("ipv6", "fe80::1", {"special-networks"}),
        ("ipv6", "ff02::1", {"special-networks"}),
        ("ipv4", "192.0.2.1", {"documentation"}),
        ("ipv4", "198.51.100.7", {"documentation"}),
        ("ipv4", "203.0.113.200", {"documentation"}),
        ("ipv6", "2001:db8::1", {"documentation"}),
        ("ipv4", "104.16.1.1", {"cdn-cloud"}),
        ("domain", "example.com", {"documentation"}),
        ("domain", "www.example.co.jp", {"documentation"}),
        ("domain", "phish.example", {"documentation"}),
        ("domain", "printer.local", {"special-domains"}),
        ("domain", "foo.localhost", {"special-domains"}),
        ("domain", "x.test", {"special-domains"}),
        ("domain", "router.home.arpa", {"special-domains"}),
        ("domain", "dns.google", {"public-dns"}),
        ("domain", "google.com", {"popular-domains"}),
        ("domain", "maps.google.com", {"popular-domains"}),
        ("domain", "yahoo.co.jp", {"popular-domains"}),
        ("domain", "line.me", {"popular-domains"}),
        ("domain", "bucket.s3.amazonaws.com", {"cdn-cloud"}),
        ("domain", "abc.googleusercontent.com", {"cdn-cloud"}),
        ("domain", "e1234.a.akamaiedge.net", {"cdn-cloud"}),
        ("domain", "Microsoft.COM.", {"popular-domains"}),
        ("url", "https://docs.google.com/forms/x", {"popular-domains"}),
        ("url", "http://8.8.8.8/", {"public-dns"}),
        ("url", "http://[::1]:8080/", {"special-networks"}),
        ("url", "http://evil.example.com/x", {"documentation"}),
        ("email", "someone@example.com", {"documentation"}),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e", {"empty-file"}),
        ("sha1", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", {"empty-file"}),
        (
            "sha256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            {"empty-file"},
        ),
        ("md5", "44d88612fea8a8f36de82e1278abb02f", {"test-files"}),
        ("cidr", "10.0.0.0/16", {"private-networks"}),
        ("cidr", "8.8.8.0/24", {"public-dns"}),
        ("cidr", "192.0.0.0/16", {"special-networks", "documentation"}),
    ],
)
def test_it_warns_about_known_benign_values(kind: str, value: str, expected: set[str]) -> None:
    assert lists(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("ipv4", "45.33.32.156"),
        ("ipv4", "8.8.8.9"),
        ("ipv6", "2400:4050::1"),
        ("domain", "evil-phish.jp"),
        ("domain", "notgoogle.com"),
        ("domain", "google.com.evil.jp"),
        ("domain", "examplecom.jp"),
        ("url", "https://evil-phish.jp/google.com"),
        ("email", "attacker@gmail.com"),
        ("email", "google.com@evil.jp"),
        ("md5", "9e107d9d372bb6826bd81d3542a419d6"),
        ("cidr", "45.33.0.0/16"),
        ("domain", "not a domain"),
        ("ipv4", "010.1.1.1"),
    ],
)
def test_it_does_not_warn_about_ordinary_or_invalid_values(kind: str, value: str) -> None:
    assert check(kind, value) == []


@translation.override("en")
def test_a_hit_says_which_list_which_entry_and_why() -> None:
    (hit,) = check("ipv4", "8.8.8.8")
    assert hit == Hit(
        "public-dns",
        "Public DNS resolvers",
        str(LISTS["public-dns"][1]),
        "8.8.8.8/32",
    )
    (hit,) = check("domain", "maps.google.com")
    assert hit.entry == "google.com"


def test_titles_and_reasons_are_translated() -> None:
    with translation.override("ja"):
        (hit,) = check("ipv4", "8.8.8.8")
        assert str(hit.title) == "パブリックDNSリゾルバ"


def test_every_data_file_has_a_title_and_valid_entries() -> None:
    from jisp.intel.indicators import normalise

    ids = set()
    for path in warninglists.DATA.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["id"] == path.stem
        assert data["id"] in LISTS
        assert data["description"]
        ids.add(data["id"])
        for domain in data.get("domains", []):
            assert domain == domain.lower().strip(".")
        for value in data.get("hashes", []):
            kind = {32: "md5", 40: "sha1", 64: "sha256"}[len(value)]
            assert normalise(kind, value) == value
    assert ids | {OWN_ASSETS} == set(LISTS)


@translation.override("en")
def test_the_organisations_own_assets_warn(cast: Any) -> None:
    Asset.objects.create(organisation=cast.org_a, kind=AssetKind.DOMAIN, value="rail-op.jp")
    Asset.objects.create(organisation=cast.org_b, kind=AssetKind.NETWORK, value="198.18.0.0/24")
    Asset.objects.create(organisation=cast.org_b, kind=AssetKind.NETWORK, value="45.33.32.0/24")
    hits = check("domain", "www.rail-op.jp")
    assert [(h.list_id, h.entry, h.organisation_id) for h in hits] == [
        (OWN_ASSETS, "rail-op.jp", cast.org_a.pk)
    ]
    assert "member organisation" in hits[0].reason
    assert lists("ipv4", "45.33.32.156") == {OWN_ASSETS}
    assert lists("url", "https://45.33.32.1/") == {OWN_ASSETS}
    assert lists("email", "staff@rail-op.jp") == {OWN_ASSETS}
    assert lists("cidr", "45.33.0.0/16") == {OWN_ASSETS}
    assert lists("ipv4", "198.18.0.5") == {"documentation", OWN_ASSETS}


def test_with_a_user_only_the_assets_they_may_see_are_used_and_named(cast: Any) -> None:
    Asset.objects.create(organisation=cast.org_b, kind=AssetKind.NETWORK, value="45.33.32.0/24")
    # Another member must not learn that the network is org B's.
    assert check("ipv4", "45.33.32.156", user=cast.member_a) == []
    assert check("ipv4", "45.33.32.156", user=cast.outsider) == []
    (hit,) = check("ipv4", "45.33.32.156", user=cast.member_b)
    assert cast.org_b.name in hit.reason
    (hit,) = check("ipv4", "45.33.32.156", user=cast.analyst)
    assert cast.org_b.name in hit.reason
    # Without a user (the system): the warning, without the organisation's name.
    (hit,) = check("ipv4", "45.33.32.156")
    assert cast.org_b.name not in hit.reason


def test_invalid_assets_are_skipped(cast: Any) -> None:
    Asset.objects.create(organisation=cast.org_a, kind=AssetKind.NETWORK, value="not a network")
    Asset.objects.create(organisation=cast.org_a, kind=AssetKind.DOMAIN, value="no domain")
    assert check("ipv4", "45.33.32.1") == []


def test_check_many_answers_every_pair_as_given() -> None:
    pairs = [
        ("ipv4", "8.8.8.8"),
        ("domain", "Google.com."),
        ("domain", "evil-phish.jp"),
        ("ipv4", "8.8.8.8"),
        ("md5", "nonsense"),
    ]
    result = check_many(pairs)
    assert set(result) == set(pairs)
    assert [h.list_id for h in result[("domain", "Google.com.")]] == ["popular-domains"]
    assert result[("domain", "evil-phish.jp")] == []
    assert result[("md5", "nonsense")] == []


def test_check_many_reads_the_assets_once_and_is_fast(cast: Any) -> None:
    for i in range(50):
        Asset.objects.create(
            organisation=cast.org_a, kind=AssetKind.NETWORK, value=f"45.{i}.0.0/16"
        )
        Asset.objects.create(
            organisation=cast.org_b, kind=AssetKind.DOMAIN, value=f"m{i}.example.jp"
        )
    pairs: list[tuple[str, str]] = []
    for i in range(2500):
        pairs += [
            ("ipv4", f"45.{i % 100}.{i % 256}.1"),
            ("domain", f"host{i}.m{i % 100}.example.jp"),
            ("url", f"https://site{i}.example.org/path/{i}"),
            ("md5", f"{i:032x}"),
        ]
    warninglists.check("ipv4", "8.8.8.8")  # the static lists, read once per process
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = check_many(pairs)
        elapsed = time.perf_counter() - started
    assert len(queries) == 1
    assert len(result) == 10_000
    assert sum(1 for hits in result.values() if any(h.list_id == OWN_ASSETS for h in hits)) == 2500
    assert elapsed < 1.0, f"{elapsed:.2f} s for 10,000 values"


def test_listed_answers_which_normalised_values_are_on_a_list(cast: Any) -> None:
    Asset.objects.create(organisation=cast.org_a, kind=AssetKind.DOMAIN, value="rail-op.jp")
    pairs = [
        ("ipv4", "8.8.8.8"),
        ("domain", "www.rail-op.jp"),
        ("email", "attacker@gmail.com"),
        ("url", "https://evil-phish.jp/"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
        ("ipv4", "not an address"),
    ]
    assert warninglists.listed(pairs) == {
        ("ipv4", "8.8.8.8"),
        ("domain", "www.rail-op.jp"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
    }
