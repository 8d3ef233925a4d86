"""The matching service's fast paths give what the slow ones give: inputs read by the short cut,
URL hosts, times read as text, and the answer written as JSON without dicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from jisp.core.testing import Cast
from jisp.intel import indicators, matching
from jisp.intel.models import Indicator, Sighting
from jisp.intel.testing import make_indicator

CANONICAL_URLS = [
    "http://evil.example/a/b.php",
    "https://evil.example/",
    "https://evil.example/login?user=a&next=/home?x=1",
    "http://198.51.100.7/gate.php",
    "ftp://files.evil.example/pub/x.tgz",
    "wss://ws.evil.example/socket;v=2",
    "http://a_b.evil-site.example/~me/!$&'()*+,;=:@",
]
OTHER_URLS = [
    "HTTP://evil.example/",
    "http://Evil.example/",
    "http://evil.example",
    "http://evil.example:80/",
    "http://evil.example:8080/",
    "http://evil.example/a/../b",
    "http://evil.example/./a",
    "http://evil.example/a/.",
    "http://evil.example/.well-known/x",
    "http://evil.example/%7euser",
    "http://evil.example/%2F",
    "http://evil.example/a b",
    "http://evil.example/?",
    "http://evil.example/#top",
    "http://user@evil.example/",
    "http://xn--bcher-kva.example/",
    "http://xn--zz.example/",
    "http://evil.example/a\\b",
    "http://010.1.2.3/",
    "http://1.2.3/",
    "http://evil.123/",
    "http://[2001:DB8::1]/",
    "hxxp://evil.example/",
    "gopher://evil.example/",
    "http://evil.example/ü",
    " http://evil.example/",
    "http://-evil.example/",
    "http://" + "a" * 64 + ".example/",
]


def _parse(value: str) -> tuple[str, str] | None:
    try:
        return indicators.parse(value)
    except ValidationError:
        return None


@pytest.mark.parametrize("url", CANONICAL_URLS)
def test_a_normalised_url_takes_the_short_cut(url: str) -> None:
    assert matching._CANONICAL.fullmatch(url) is not None
    assert matching.read(url) == _parse(url) == ("url", url)


@pytest.mark.parametrize("url", OTHER_URLS)
def test_any_other_url_is_read_as_parse_reads_it(url: str) -> None:
    assert matching.read(url) == _parse(url)


def test_the_host_of_a_normalised_url_is_urlsplits() -> None:
    for raw in [
        *CANONICAL_URLS,
        "http://user:pw@Evil.example:8080/a?b#c",
        "https://[2001:db8::1]:8443/x",
        "http://[2001:db8::1]/",
        "http://evil.example?x=1",
        "ftp://u%40x@198.51.100.7/",
    ]:
        _kind, url = indicators.parse(raw)
        assert indicators.normalised_url_host(url) == urlsplit(url).hostname, url


def _answer(cast: Cast, values: list[str], now: datetime) -> tuple[int, str, str]:
    count, text = matching.match_json(cast.member_b, values, now)
    expected = json.dumps(
        {"count": count, "matches": matching.match(cast.member_b, values, now)},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return count, text, expected


def test_the_json_answer_is_what_json_dumps_writes_of_the_matches(cast: Cast) -> None:
    now = timezone.now()
    seen = now - timedelta(days=45)
    times = [
        seen.replace(microsecond=0),
        seen.replace(microsecond=500),  # milliseconds 000, yet a fraction
        seen.replace(microsecond=999_999),
        seen.replace(microsecond=123_456),
    ]
    made = [
        make_indicator(
            cast.org_a, "ipv4", "45.77.10.7", labels=["ddos", "日本語 \"quoted\" \\ tab\t"],
            malware="Mirai", sources=["JPCERT/CC", "ü"], confidence=90,
        ),
        make_indicator(cast.org_a, "domain", "evil.xyz", labels=[], sources=["x"]),
        make_indicator(cast.org_a, "domain", "www.evil.xyz", confidence=70),
        make_indicator(cast.org_a, "cidr", "45.77.0.0/16", labels=["net"]),
        make_indicator(cast.org_a, "url", "http://evil.xyz/a.php", malware='"quoted"'),
        make_indicator(cast.org_a, "ipv4", "8.8.8.8"),
        make_indicator(cast.org_a, "sha256", "ab" * 32, confidence=100),
    ]  # fmt: skip
    for i, indicator in enumerate(made):
        Indicator.objects.filter(pk=indicator.pk).update(
            first_seen=times[i % 4] - timedelta(days=i),
            last_seen=times[(i + 1) % 4] if i != 5 else None,
            valid_until=times[(i + 2) % 4] + timedelta(days=400) if i % 2 else None,
        )
    Sighting.objects.create(
        indicator=made[0], organisation=cast.org_b, count=4, first_seen=now, last_seen=now
    )
    values = [
        "45.77.10.7", "a.www.evil.xyz", "http://evil.xyz/a.php", "8.8.8.8", "45.77.99.1",
        "AB" * 32, "45.77.10.7", "nothing", "http://WWW.evil.xyz/x", "someone@evil.xyz",
        "http://45.77.3.4/x",
    ]  # fmt: skip
    count, text, expected = _answer(cast, values, now)
    assert count == 9  # one input twice, one unknown
    assert text == expected
    answer = json.loads(text)["matches"]
    assert answer[0]["sightings"] == 4 and answer[3]["warninglists"]
    by_id = {hit["id"]: hit for match in answer for hit in match["indicators"]}
    assert len(by_id) == len(made)
    encoder = DjangoJSONEncoder()
    for indicator in Indicator.objects.filter(pk__in=by_id):
        hit = by_id[indicator.pk]
        for name in ("first_seen", "last_seen", "valid_until"):
            moment = getattr(indicator, name)
            assert hit[name] == (None if moment is None else encoder.default(moment)), name
        assert hit["confidence"] == indicators.effective_confidence(
            indicator.confidence, indicator.last_seen, indicator.kind, now
        )


def test_the_answer_is_the_same_whatever_the_slices_sent(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_indicator(cast.org_a, "domain", "evil.xyz")
    make_indicator(cast.org_a, "domain", "www.evil.xyz")
    make_indicator(cast.org_a, "url", "http://www.evil.xyz/a.php")
    make_indicator(cast.org_a, "cidr", "45.77.0.0/16")
    make_indicator(cast.org_a, "ipv4", "45.77.10.7")
    # each value is first sent with a later input than the one it also matches for
    values = ["a.www.evil.xyz", "45.77.10.7", "http://www.evil.xyz/a.php", "x.evil.xyz"]
    now = timezone.now()
    whole = matching.match_json(cast.member_b, values, now)
    monkeypatch.setattr(matching, "SLICE", 1)
    assert matching.match_json(cast.member_b, values, now) == whole
    assert whole[0] == 4


def test_the_json_answer_of_nothing_found_is_empty(cast: Cast) -> None:
    make_indicator(cast.org_a, "domain", "evil.xyz")
    now = timezone.now()
    for values in (["nothing"], ["good.xyz"]):
        count, text, expected = _answer(cast, values, now)
        assert (count, text) == (0, expected)


def test_times_are_read_exactly(cast: Cast) -> None:
    indicator = make_indicator(cast.org_a, "domain", "evil.xyz")
    for micro in (0, 1, 999_999):
        moment = datetime(2026, 1, 2, 3, 4, 5, micro, tzinfo=UTC)
        Indicator.objects.filter(pk=indicator.pk).update(last_seen=moment)
        (text,) = matching._visible(cast.member_b).values_list("last_seen_text", flat=True)
        assert datetime.fromisoformat(text).replace(tzinfo=UTC) == moment


def test_value_in_takes_texts_numbers_and_nothing(cast: Cast) -> None:
    indicator = make_indicator(cast.org_a, "domain", "evil.xyz")
    make_indicator(cast.org_a, "domain", "other.xyz")
    table = f'"{Indicator._meta.db_table}"'

    def found(column: str, values: list[object]) -> list[int]:
        rows = Indicator.objects.filter(matching.value_in(f"{table}.{column}", values))
        return list(rows.values_list("pk", flat=True))

    assert found('"value"', ["evil.xyz", "nothing.xyz", 'a"b\\c', "日本"]) == [indicator.pk]
    assert found('"id"', [indicator.pk, 10**12]) == [indicator.pk]
    assert found('"value"', []) == found('"id"', []) == []
