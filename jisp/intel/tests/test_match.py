"""POST /api/v1/intel/match: known values with their context, for what the caller may see."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent
from jisp.core.services import accounts
from jisp.core.testing import Cast
from jisp.intel.models import Sighting
from jisp.intel.services import indicators as service
from jisp.intel.testing import make_indicator

MATCH = "/api/v1/intel/match"


def bearer(user: Any, scope: str = "read") -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.create_api_token(None, user, 't', scope, 30)[1]}"}


def post(client: Client, user: Any, payload: Any, scope: str = "read") -> Any:
    return client.post(
        MATCH, json.dumps(payload), content_type="application/json", headers=bearer(user, scope)
    )


def matches(client: Client, user: Any, values: list[str]) -> dict[str, Any]:
    response = post(client, user, {"values": values})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["matches"])
    return {m["input"]: m for m in body["matches"]}


def test_it_answers_known_values_with_their_context(client: Client, cast: Cast) -> None:
    seen = timezone.now() - timedelta(days=30)
    indicator = make_indicator(
        cast.org_a, "ipv4", "45.77.10.7", confidence=80, labels=["ddos"], malware="Mirai",
        sources=["JPCERT/CC"], first_seen=seen, last_seen=seen,
    )  # fmt: skip
    found = matches(client, cast.member_b, ["45.77.10.7", "45.77.10.8", "not a value"])
    assert list(found) == ["45.77.10.7"]
    match = found["45.77.10.7"]
    assert (match["kind"], match["value"], match["sightings"], match["warninglists"]) == (
        "ipv4", "45.77.10.7", 0, [],
    )  # fmt: skip
    (hit,) = match["indicators"]
    assert hit["id"] == indicator.pk
    assert hit["stix_id"] == indicator.stix_id
    assert hit["via"] == "exact"
    assert hit["confidence"] == 40  # decayed: one half-life
    assert (hit["tlp"], hit["labels"], hit["malware"], hit["sources"]) == (
        "green", ["ddos"], "Mirai", ["JPCERT/CC"],
    )  # fmt: skip
    assert hit["first_seen"].endswith("Z")
    assert hit["false_positive"] is False
    assert hit["valid_until"] is None


def test_it_normalises_the_inputs(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "domain", "evil.xyz")
    found = matches(client, cast.member_b, ["EVIL.xyz."])
    assert found["EVIL.xyz."]["value"] == "evil.xyz"


def test_a_subdomain_matches_its_parent_domains(client: Client, cast: Cast) -> None:
    parent = make_indicator(cast.org_a, "domain", "evil.xyz")
    found = matches(client, cast.member_b, ["a.b.evil.xyz", "notevil.xyz"])
    assert list(found) == ["a.b.evil.xyz"]
    (hit,) = found["a.b.evil.xyz"]["indicators"]
    assert (hit["id"], hit["via"], hit["value"]) == (parent.pk, "parent_domain", "evil.xyz")


def test_an_address_matches_the_networks_holding_it(client: Client, cast: Cast) -> None:
    net = make_indicator(cast.org_a, "cidr", "45.77.0.0/16")
    net6 = make_indicator(cast.org_a, "cidr", "2400:8500::/32")
    found = matches(client, cast.member_b, ["45.77.10.7", "45.78.0.1", "2400:8500::1"])
    assert sorted(found) == ["2400:8500::1", "45.77.10.7"]
    assert [(h["id"], h["via"]) for h in found["45.77.10.7"]["indicators"]] == [(net.pk, "network")]
    assert found["2400:8500::1"]["indicators"][0]["id"] == net6.pk


def test_a_url_matches_its_hosts_domain(client: Client, cast: Cast) -> None:
    domain = make_indicator(cast.org_a, "domain", "evil.xyz")
    url = make_indicator(cast.org_a, "url", "http://www.evil.xyz/login")
    found = matches(client, cast.member_b, ["http://www.evil.xyz/login", "https://evil.xyz/x"])
    first = {(h["id"], h["via"]) for h in found["http://www.evil.xyz/login"]["indicators"]}
    assert first == {(url.pk, "exact"), (domain.pk, "host")}
    assert [(h["id"], h["via"]) for h in found["https://evil.xyz/x"]["indicators"]] == [
        (domain.pk, "host")
    ]


def test_it_matches_only_what_the_caller_may_see(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "domain", "secret.xyz", tlp=TLP.AMBER, audience=Audience.CENTRE)
    make_indicator(
        cast.org_a, "domain", "strict.xyz", tlp=TLP.AMBER_STRICT,
        audience=Audience.ORGANISATIONS, organisations=[cast.org_b],
    )  # fmt: skip
    values = ["secret.xyz", "strict.xyz", "www.secret.xyz"]
    assert matches(client, cast.vendor_analyst, values) == {}
    assert sorted(matches(client, cast.member_b, values)) == ["strict.xyz"]
    assert sorted(matches(client, cast.analyst, values)) == [
        "secret.xyz", "strict.xyz", "www.secret.xyz",
    ]  # fmt: skip
    assert matches(client, cast.outsider, values) == {}


def test_it_flags_false_positives_and_skips_withdrawn_ones(client: Client, cast: Cast) -> None:
    wrong = make_indicator(cast.org_a, "domain", "wrong.xyz")
    gone = make_indicator(cast.org_a, "domain", "gone.xyz")
    service.mark_false_positive(None, cast.analyst, wrong, "our test site")
    service.revoke(None, cast.analyst, gone)
    found = matches(client, cast.member_b, ["wrong.xyz", "gone.xyz"])
    assert list(found) == ["wrong.xyz"]
    assert found["wrong.xyz"]["indicators"][0]["false_positive"] is True


def test_it_counts_only_the_sightings_the_caller_may_see(client: Client, cast: Cast) -> None:
    indicator = make_indicator(cast.org_a, "domain", "evil.xyz")
    now = timezone.now()
    for org, tlp, audience, count in (
        (cast.org_b, TLP.GREEN, Audience.EVERYONE, 3),
        (cast.org_a, TLP.AMBER, Audience.CENTRE, 5),
    ):
        Sighting.objects.create(
            indicator=indicator, organisation=org, tlp=tlp, audience=audience, count=count,
            first_seen=now, last_seen=now,
        )  # fmt: skip
    assert matches(client, cast.member_b, ["evil.xyz"])["evil.xyz"]["sightings"] == 3
    assert matches(client, cast.analyst, ["evil.xyz"])["evil.xyz"]["sightings"] == 8


def test_it_shows_warninglist_hits(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "ipv4", "8.8.8.8")
    (hit,) = matches(client, cast.member_b, ["8.8.8.8"])["8.8.8.8"]["warninglists"]
    assert hit["list"] == "public-dns"
    assert hit["title"] and hit["reason"]


def test_it_reads_values_out_of_log_lines(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "domain", "evil.xyz")
    make_indicator(cast.org_a, "ipv4", "45.77.10.7")
    text = (
        "Jul 24 09:30:01 proxy: GET hxxp://cdn.evil[.]xyz/a.js from 10.0.0.5\n"
        "Jul 24 09:30:02 fw: deny 10.0.0.5 -> 45.77.10.7:443\n"
    )
    response = post(client, cast.member_b, {"text": text})
    assert response.status_code == 200, response.content
    got = {m["value"] for m in response.json()["matches"]}
    assert got == {"http://cdn.evil.xyz/a.js", "45.77.10.7"}


def test_a_read_token_may_match(client: Client, cast: Cast) -> None:
    assert post(client, cast.vendor_analyst, {"values": ["x.xyz"]}, "read").status_code == 200


def test_it_refuses_a_caller_without_a_token(client: Client, cast: Cast) -> None:
    client.force_login(cast.analyst)
    response = client.post(MATCH, {"values": ["x.xyz"]}, content_type="application/json")
    assert response.status_code == 401


def test_it_refuses_an_empty_request(client: Client, cast: Cast) -> None:
    for payload in ({}, {"values": []}, {"text": "nothing to see"}):
        response = post(client, cast.member_b, payload)
        assert response.status_code == 422, payload
        assert response.json()["detail"][0]["msg"]


def test_it_refuses_values_and_text_together(client: Client, cast: Cast) -> None:
    assert post(client, cast.member_b, {"values": ["a.xyz"], "text": "a.xyz"}).status_code == 422


def test_it_refuses_more_than_100000_values(client: Client, cast: Cast) -> None:
    response = post(client, cast.member_b, {"values": ["a"] * 100_001})
    assert response.status_code == 422
    assert "100,000" in response.json()["detail"][0]["msg"]


def test_it_refuses_values_that_are_not_strings(client: Client, cast: Cast) -> None:
    assert post(client, cast.member_b, {"values": [1, {"a": 2}]}).status_code == 422


def test_it_records_the_count_never_the_values(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "domain", "evil.xyz")
    matches(client, cast.member_b, ["evil.xyz", "other.xyz"])
    event = AuditEvent.objects.get(action="intel.match")
    assert event.actor_id == cast.member_b.pk
    assert event.data == {"count": 2, "matched": 1}
    assert "evil" not in json.dumps(event.data)


def test_it_answers_in_few_queries(client: Client, cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(30):
        make_indicator(cast.org_a, "domain", f"d{i}.evil.xyz")
    values = [f"www.d{i}.evil.xyz" for i in range(30)] + ["45.77.10.7"]
    with CaptureQueriesContext(connection) as queries:
        assert len(matches(client, cast.member_b, values)) == 30
    assert len(queries) <= 15


def test_it_takes_100000_values_in_one_request_and_refuses_more(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "ipv4", "45.77.10.7")
    values = [f"10.{i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(99_999)] + ["45.77.10.7"]
    assert len(json.dumps({"values": values})) > 1024 * 1024  # above the API's usual cap
    found = matches(client, cast.member_b, values)
    assert list(found) == ["45.77.10.7"]
    response = post(client, cast.member_b, {"values": [*values, "45.77.10.8"]})
    assert response.status_code == 422
