"""The feed formats: CSV columns, Suricata and Snort rules, the RPZ zone, STIX (lightly)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import idna
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from jisp.core.testing import Cast
from jisp.intel import exports
from jisp.intel.services import indicators as service
from jisp.intel.testing import make_indicator
from jisp.intel.tests.test_feeds import bearer, body, later, lines, pull

# --- escaping ---------------------------------------------------------------------------------


def test_content_escapes_the_four_special_characters_as_hex() -> None:
    assert exports.content('a;b"c\\d|e') == "a|3B|b|22|c|5C|d|7C|e"


def test_content_writes_controls_and_non_ascii_as_utf8_hex() -> None:
    assert exports.content("x\ny") == "x|0A|y"
    assert exports.content("日") == "|E6 97 A5|"
    assert exports.content(";;") == "|3B 3B|"


def test_msg_escapes_with_backslashes() -> None:
    assert exports.msg('say "hi"; c:\\x') == 'say \\"hi\\"\\; c:\\\\x'
    assert exports.msg("two\nlines") == "two lines"


def test_sids_are_stable_and_unique_per_rule() -> None:
    assert exports.sid(7, 0) == 1_000_000_070
    assert exports.sid(7, 2) == 1_000_000_072
    assert exports.sid(8, 0) == 1_000_000_080


def test_rev_grows_with_the_change_time() -> None:
    now = timezone.now()
    assert exports.rev(now + timedelta(seconds=1)) > exports.rev(now) > 150_000_000


# --- CSV --------------------------------------------------------------------------------------


def test_csv_has_the_columns_and_the_decayed_confidence(client: Client, cast: Cast) -> None:
    seen = timezone.now() - timedelta(days=30)
    indicator = make_indicator(
        cast.org_a, "ipv4", "45.77.10.7", confidence=80, labels=["ddos", "botnet"],
        malware="Mirai", first_seen=seen, last_seen=seen,
    )  # fmt: skip
    rows = lines(pull(client, cast.member_b, "csv/"))
    assert rows[0] == (
        "kind,value,confidence,tlp,first_seen,last_seen,valid_until,labels,malware,stix_id"
    )
    kind, value, confidence, tlp, first, last, until, labels, malware, stix_id = rows[1].split(",")
    assert (kind, value, tlp, until, labels, malware) == (
        "ipv4", "45.77.10.7", "green", "", "botnet;ddos", "Mirai",
    )  # fmt: skip
    assert confidence == "40"  # 30 days: one half-life of an address
    assert first == last and first.endswith("Z")
    assert stix_id == indicator.stix_id


def test_csv_can_be_narrowed_to_kinds(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "ipv4", "45.77.10.7")
    make_indicator(cast.org_a, "domain", "evil.xyz")
    make_indicator(cast.org_a, "md5", "0123456789abcdef0123456789abcdef")
    rows = lines(pull(client, cast.member_b, "csv/", kind="domain,md5"))
    assert sorted(r.split(",")[0] for r in rows[1:]) == ["domain", "md5"]


def test_csv_quotes_values_with_commas(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "url", "http://evil.xyz/a,b?x=1")
    rows = lines(pull(client, cast.member_b, "csv/"))
    assert '"http://evil.xyz/a,b?x=1"' in rows[1]


# --- Suricata and Snort -----------------------------------------------------------------------


def rules_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_suricata_rules_cover_addresses_domains_and_urls(client: Client, cast: Cast) -> None:
    ip = make_indicator(cast.org_a, "ipv4", "45.77.10.7", malware="Emotet")
    net = make_indicator(cast.org_a, "cidr", "45.77.12.0/24")
    domain = make_indicator(cast.org_a, "domain", "evil.xyz")
    url = make_indicator(cast.org_a, "url", 'http://bad.xyz/a;b"c?q=1')
    make_indicator(cast.org_a, "sha256", "ab" * 32)
    make_indicator(cast.org_a, "email", "phish@evil.xyz")
    text = body(pull(client, cast.member_b, "suricata/"))
    rules = rules_of(text)
    assert len(rules) == 2 + 2 + 3 + 1
    by_sid = {int(re.search(r"sid:(\d+);", r).group(1)): r for r in rules}  # type: ignore[union-attr]
    assert by_sid[exports.sid(ip.pk, 0)].startswith(
        'alert ip $HOME_NET any -> 45.77.10.7 any (msg:"JISP ipv4 45.77.10.7 (Emotet) outbound";'
    )
    assert "alert ip 45.77.12.0/24 any -> $HOME_NET any" in by_sid[exports.sid(net.pk, 1)]
    dns = by_sid[exports.sid(domain.pk, 0)]
    assert 'dns.query; dotprefix; content:".evil.xyz"; nocase; endswith;' in dns
    assert (
        'tls.sni; dotprefix; content:".evil.xyz"; nocase; endswith;'
        in by_sid[exports.sid(domain.pk, 1)]
    )
    http = by_sid[exports.sid(url.pk, 0)]
    assert 'http.host; content:"bad.xyz"; bsize:7;' in http
    assert "http.uri; content:" in http
    assert 'content:"/a|3B|b%22c?q=1"' in http  # ";" is hex (the URL form encodes the quote)
    assert 'msg:"JISP url http://bad.xyz/a\\;b' in http
    assert f"rev:{exports.rev(url.changed_at)};" in http
    assert "filesha256:jisp-sha256.txt" in text  # the hash rule to add, commented out
    assert "phish@" not in text
    for rule in rules:
        assert rule.endswith(";)")
        assert rule.count("(") >= 1


def test_snort_rules_match_dns_names_in_wire_form(client: Client, cast: Cast) -> None:
    domain = make_indicator(cast.org_a, "domain", "a-b.evil.xyz")
    make_indicator(cast.org_a, "url", "http://bad.xyz:8080/x")
    rules = rules_of(body(pull(client, cast.member_b, "snort/")))
    assert len(rules) == 2
    dns = next(r for r in rules if f"sid:{exports.sid(domain.pk, 0)};" in r)
    assert dns.startswith("alert udp $HOME_NET any -> any 53 ")
    assert 'content:"|03|a-b|04|evil|03|xyz|00|"; nocase;' in dns
    http = next(r for r in rules if "http_uri" in r)
    assert 'content:"/x"; http_uri;' in http
    assert 'content:"Host|3A 20|bad.xyz:8080|0D 0A|"; http_header; nocase;' in http


def test_a_rules_delta_names_the_removed_sids(client: Client, cast: Cast) -> None:
    domain = make_indicator(cast.org_a, "domain", "evil.xyz")
    with later(10):
        since = pull(client, cast.member_b, "suricata/")["X-JISP-Next-Since"]
    with later(20):
        service.revoke(None, cast.analyst, domain)
        text = body(pull(client, cast.member_b, "suricata/", since=since))
    removed = [line for line in text.splitlines() if line.startswith("#removed")]
    assert removed == [f"#removed sid:{exports.sid(domain.pk, slot)}" for slot in range(3)]
    assert rules_of(text) == []


# --- RPZ --------------------------------------------------------------------------------------


def test_the_rpz_zone_blocks_each_domain_and_its_subdomains(client: Client, cast: Cast) -> None:
    indicator = make_indicator(cast.org_a, "domain", "evil.xyz")
    make_indicator(cast.org_a, "domain", "オリンピック.xyz")
    make_indicator(cast.org_a, "ipv4", "45.77.10.7")
    response = pull(client, cast.member_b, "rpz/")
    text = body(response)
    records = [line for line in text.splitlines() if line and not line.startswith(";")]
    assert records[0] == "$TTL 300"
    soa = records[1].split()
    assert soa[:3] == ["@", "IN", "SOA"]
    assert int(soa[5]) >= int(indicator.changed_at.timestamp())
    assert records[2] == "@ IN NS localhost."
    assert "evil.xyz CNAME ." in records
    assert "*.evil.xyz CNAME ." in records
    assert f"{idna.encode('オリンピック.xyz').decode()} CNAME ." in records
    assert "45.77.10.7" not in text
    assert response["Content-Type"].startswith("text/dns")


def test_the_rpz_serial_grows_with_changes(client: Client, cast: Cast) -> None:
    indicator = make_indicator(cast.org_a, "domain", "evil.xyz")

    def serial() -> int:
        text = body(pull(client, cast.member_b, "rpz/"))
        return int(next(line for line in text.splitlines() if " SOA " in line).split()[5])

    first = serial()
    with later(10):
        service.revoke(None, cast.analyst, indicator)
        assert serial() > first


def test_rpz_names_skip_what_a_zone_cannot_carry() -> None:
    assert exports.rpz_name("evil.xyz", "rpz.example") == "evil.xyz"
    assert exports.rpz_name("ドメイン.jp", "rpz.example") == "xn--eckwd4c7c.jp"
    assert exports.rpz_name("a;b.xyz", "rpz.example") is None
    assert exports.rpz_name("a b.xyz", "rpz.example") is None
    long = ".".join(["a" * 60] * 4) + ".xyz"  # 248 characters
    assert exports.rpz_name(long, "rpz.example") is None


def test_an_rpz_delta_is_an_nsupdate_script(client: Client, cast: Cast) -> None:
    gone = make_indicator(cast.org_a, "domain", "gone.xyz")
    with later(10):
        since = pull(client, cast.member_b, "rpz/")["X-JISP-Next-Since"]
    with later(20):
        service.revoke(None, cast.analyst, gone)
        make_indicator(cast.org_a, "domain", "new.xyz")
        text = body(pull(client, cast.member_b, "rpz/", since=since, zone="rpz.example.jp"))
    assert text.splitlines() == [
        "zone rpz.example.jp.",
        "update delete gone.xyz.rpz.example.jp. CNAME",
        "update delete *.gone.xyz.rpz.example.jp. CNAME",
        "update add new.xyz.rpz.example.jp. 300 CNAME .",
        "update add *.new.xyz.rpz.example.jp. 300 CNAME .",
        "send",
    ]


def test_it_refuses_a_bad_zone_name(client: Client, cast: Cast) -> None:
    assert pull(client, cast.member_b, "rpz/", zone="a b;c").status_code == 400


# --- STIX -------------------------------------------------------------------------------------


def test_the_stix_feed_is_a_bundle_of_the_visible_indicators(client: Client, cast: Cast) -> None:
    pytest.importorskip("jisp.intel.stix.export")
    make_indicator(cast.org_a, "domain", "evil.xyz")
    response = client.get("/intel/feeds/stix/", headers=bearer(cast.member_b))
    bundle: Any = json.loads(body(response))
    assert bundle["type"] == "bundle"
    patterns = [o.get("pattern", "") for o in bundle.get("objects", [])]
    assert any("evil.xyz" in p for p in patterns)


def test_the_clock_in_tests_is_real() -> None:
    # time_machine is used above through ``later``; keep the import honest.
    assert time_machine is not None


def test_the_fast_warninglist_filter_agrees_with_the_lists(cast: Cast) -> None:
    from jisp.intel import warninglists
    from jisp.intel.models import Asset

    Asset.objects.create(organisation=cast.org_b, kind="network", value="45.77.12.0/24")
    pairs = [
        ("ipv4", "8.8.8.8"), ("ipv4", "10.1.2.3"), ("ipv4", "45.77.12.9"), ("ipv4", "45.77.10.7"),
        ("cidr", "10.0.0.0/8"), ("cidr", "0.0.0.0/0"), ("cidr", "45.0.0.0/8"),
        ("ipv6", "2001:db8::1"), ("ipv6", "2400:8500::1"), ("domain", "www.google.com"),
        ("domain", "evil.xyz"), ("url", "http://10.0.0.1/x"), ("url", "https://www.google.com/"),
        ("url", "http://evil.xyz/a"), ("email", "a@gmail.com"), ("email", "a@example.com"),
        ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("md5", "0123456789abcdef0123456789abcdef"),
    ]  # fmt: skip
    expected = {pair for pair, hits in warninglists.check_many(pairs).items() if hits}
    assert exports.warninglisted(pairs) == expected
    assert ("ipv4", "45.77.12.9") in expected and ("ipv4", "45.77.10.7") not in expected


def test_the_fast_warninglist_filter_sees_the_edges_of_listed_networks(cast: Cast) -> None:
    from jisp.intel import warninglists
    from jisp.intel.models import Asset

    Asset.objects.create(organisation=cast.org_b, kind="network", value="45.77.12.0/24")
    Asset.objects.create(organisation=cast.org_b, kind="network", value="45.77.12.128/25")
    Asset.objects.create(organisation=cast.org_b, kind="network", value="2400:8500::/32")
    addresses = [
        "45.77.11.255", "45.77.12.0", "45.77.12.255", "45.77.13.0", "9.255.255.255", "10.0.0.0",
        "10.255.255.255", "11.0.0.0", "1.0.0.0", "255.255.255.255",
    ]  # fmt: skip
    addresses6 = ["2400:84ff:ffff:ffff:ffff:ffff:ffff:ffff", "2400:8500::", "2400:8501::"]
    pairs = [("ipv4", v) for v in addresses] + [("ipv6", v) for v in addresses6]
    pairs += [("cidr", "45.77.12.0/32"), ("cidr", "45.77.12.0/23")]
    expected = {pair for pair, hits in warninglists.check_many(pairs).items() if hits}
    assert exports.warninglisted(pairs) == expected
    assert ("ipv4", "45.77.12.255") in expected and ("ipv4", "45.77.13.0") not in expected
