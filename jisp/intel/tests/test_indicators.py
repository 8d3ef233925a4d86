"""Indicator values: normalisation, validation messages, type guessing, confidence decay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from jisp.intel.choices import IndicatorKind
from jisp.intel.indicators import (
    DECAY_HALF_LIFE_DAYS,
    effective_confidence,
    guess_kind,
    normalise,
    parse,
)


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are checked in English (the Japanese ones in their own tests)."""
    with translation.override("en"):
        yield


def message(kind: str, value: str) -> str:
    """The refusal's message, in the active language."""
    with pytest.raises(ValidationError) as info:
        normalise(kind, value)
    (text,) = info.value.message_dict["value"]
    return text


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("ipv4", "192.0.2.1", "192.0.2.1"),
        ("ipv4", " 198.51.100.7\n", "198.51.100.7"),
        ("ipv4", "0.0.0.0", "0.0.0.0"),  # noqa: S104
        ("ipv4", "255.255.255.255", "255.255.255.255"),
        ("ipv4", "１９２．０．２．１", "192.0.2.1"),
        ("ipv6", "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("ipv6", "[2001:db8::1]", "2001:db8::1"),
        ("ipv6", "::1", "::1"),
        ("ipv6", "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("cidr", "192.0.2.0/24", "192.0.2.0/24"),
        ("cidr", "10.0.0.0/8", "10.0.0.0/8"),
        ("cidr", "192.0.2.1/32", "192.0.2.1/32"),
        ("cidr", "0.0.0.0/0", "0.0.0.0/0"),
        ("cidr", "2001:DB8::/32", "2001:db8::/32"),
        ("domain", "Example.COM.", "example.com"),
        ("domain", "WWW.example.co.jp", "www.example.co.jp"),
        ("domain", "日本語.jp", "xn--wgv71a119e.jp"),
        ("domain", "ＥＸＡＭＰＬＥ。ｃｏｍ", "example.com"),
        ("domain", "bücher.de", "xn--bcher-kva.de"),
        ("domain", "straße.de", "xn--strae-oqa.de"),
        ("domain", "xn--wgv71a119e.jp", "xn--wgv71a119e.jp"),
        ("domain", "_dmarc.example.com", "_dmarc.example.com"),
        ("domain", "r3---sn-abc.googlevideo.com", "r3---sn-abc.googlevideo.com"),
        ("domain", "例え.テスト", "xn--r8jz45g.xn--zckzah"),
        ("url", "HTTP://Example.COM", "http://example.com/"),
        ("url", "http://example.com:80/a", "http://example.com/a"),
        ("url", "https://example.com:443/", "https://example.com/"),
        ("url", "https://example.com:8443/", "https://example.com:8443/"),
        ("url", "http://example.com:0080/", "http://example.com/"),
        ("url", "http://example.com/a/./b/../c", "http://example.com/a/c"),
        ("url", "http://example.com/%7euser/%2f%41", "http://example.com/~user/%2FA"),
        ("url", "http://example.com/a%e3%81%82", "http://example.com/a%E3%81%82"),
        ("url", "http://example.com/あ b", "http://example.com/%E3%81%82%20b"),
        ("url", "http://example.com/100%", "http://example.com/100%25"),
        ("url", "http://example.com/x#fragment", "http://example.com/x"),
        ("url", "http://example.com?q=1&r=%7e", "http://example.com/?q=1&r=~"),
        ("url", "http://example.com/?", "http://example.com/"),
        (
            "url",
            "https://例え.jp/ログイン",
            "https://xn--r8jz45g.jp/%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3",
        ),
        ("url", "http://192.0.2.1:8080/x", "http://192.0.2.1:8080/x"),
        ("url", "http://[2001:DB8::1]:80/", "http://[2001:db8::1]/"),
        ("url", "ftp://files.example.com/a.zip", "ftp://files.example.com/a.zip"),
        ("url", "ftp://files.example.com:21/", "ftp://files.example.com/"),
        ("url", "http://user:pa ss@example.com/", "http://user:pa%20ss@example.com/"),
        ("url", "http://good.example@evil.example/", "http://good.example@evil.example/"),
        ("url", "http://evil.example\\@good.example/", "http://evil.example/@good.example/"),
        ("email", "Taro.Yamada@Example.CO.JP", "Taro.Yamada@example.co.jp"),
        ("email", "taro..@docomo.ne.jp", "taro..@docomo.ne.jp"),
        ("email", "info@日本語.jp", "info@xn--wgv71a119e.jp"),
        ("email", "a+tag@example.com.", "a+tag@example.com"),
        ("md5", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
        (
            "sha1",
            "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        ),
        (
            "sha256",
            " e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
    ],
)
def test_it_normalises_every_kind(kind: str, value: str, expected: str) -> None:
    assert normalise(kind, value) == expected
    assert normalise(kind, expected) == expected


@pytest.mark.parametrize(
    ("kind", "value", "fragment"),
    [
        ("ipv4", "", "Enter a value"),
        ("ipv4", "   ", "Enter a value"),
        ("ipv4", "1.2.3", "four numbers"),
        ("ipv4", "1.2.3.4.5", "four numbers"),
        ("ipv4", "a.b.c.d", "four numbers"),
        ("ipv4", "1.2.3.4/32", "four numbers"),
        ("ipv4", "256.1.1.1", "from 0 to 255"),
        ("ipv4", "010.1.1.1", "leading zeros"),
        ("ipv4", "10.1.1.01", "leading zeros"),
        ("ipv4", "1.2.3\t.4", "control characters"),
        ("ipv6", "2001:db8::1::1", "IPv6 address"),
        ("ipv6", "2001:db8::g", "IPv6 address"),
        ("ipv6", "192.0.2.1", "IPv6 address"),
        ("ipv6", "fe80::1%eth0", "zone index"),
        ("cidr", "192.0.2.0", "a slash and a prefix length"),
        ("cidr", "192.0.2.0/", "a slash and a prefix length"),
        ("cidr", "192.0.2.0/x", "a slash and a prefix length"),
        ("cidr", "192.0.2.0/024", "without leading zeros"),
        ("cidr", "192.0.2.0/33", "from 0 to 32"),
        ("cidr", "2001:db8::/129", "from 0 to 128"),
        ("cidr", "10.1.2.3/8", "the network is 10.0.0.0/8"),
        ("cidr", "2001:db8::1/32", "the network is 2001:db8::/32"),
        ("cidr", "010.0.0.0/8", "leading zeros"),
        ("domain", "com", "at least two labels"),
        ("domain", "localhost", "at least two labels"),
        ("domain", "a..example.com", "empty label"),
        ("domain", ".example.com", "empty label"),
        ("domain", "example.com..", "empty label"),
        ("domain", "-bad.example.com", "does not start or end with a hyphen"),
        ("domain", "bad-.example.com", "does not start or end with a hyphen"),
        ("domain", "exa mple.com", "letters, digits, hyphens"),
        ("domain", "*.example.com", "letters, digits, hyphens"),
        ("domain", "example.com/path", "letters, digits, hyphens"),
        ("domain", "a" * 64 + ".com", "at most 63"),
        ("domain", ".".join(["a" * 63] * 4) + ".com", "at most 253"),
        ("domain", "example.c_m", "top-level domain"),
        ("domain", "example.123", "top-level domain"),
        ("domain", "1.2.3", "top-level domain"),
        ("domain", "xn--zz.com", "not a valid internationalised label"),
        ("domain", "example.xn--", "not a valid internationalised label"),
        ("domain", "a\u200d.com", "not a valid internationalised label"),
        ("url", "example.com/path", "with its scheme"),
        ("url", "//example.com/", "with its scheme"),
        ("url", "http:example.com", "with its scheme"),
        ("url", "javascript://alert(1)", "“javascript” URLs are not accepted"),
        ("url", "mailto:a@example.com", "“mailto” URLs are not accepted"),
        ("url", "hxxp://example.com/", "defanged"),
        ("url", "http:///path", "no host name"),
        ("url", "http://:80/", "no host name"),
        ("url", "http://localhost/", "The URL's host: A domain name has at least two labels"),
        ("url", "http://010.1.1.1/", "The URL's host: An IPv4 address with leading zeros"),
        ("url", "http://1.2.3/", "four numbers"),
        ("url", "http://example.com:99999/", "from 1 to 65535"),
        ("url", "http://example.com:0/", "from 1 to 65535"),
        ("url", "http://example.com:x/", "from 1 to 65535"),
        ("url", "http://[2001:db8::1/", "no closing bracket"),
        ("url", "http://[2001:db8::1]x/", "with its scheme"),
        ("url", "http://[zz::1]/", "IPv6 address"),
        ("url", "http://example.com/" + "a" * 2048, "at most 2048 characters"),
        ("url", "http://example.com/" + "あ" * 500, "at most 2048 characters"),
        ("url", "http://example.com/a\nb", "control characters"),
        ("email", "no-at-sign.example.com", "such as someone@example.com"),
        ("email", "@example.com", "such as someone@example.com"),
        ("email", "someone@", "such as someone@example.com"),
        ("email", "a b@example.com", "not allowed in an e-mail address"),
        ("email", "<a>@example.com", "not allowed in an e-mail address"),
        ("email", "a" * 65 + "@example.com", "at most 64 characters"),
        ("email", "someone@localhost", "After the @: A domain name has at least two labels"),
        ("email", "a@" + ".".join(["a" * 62] * 4) + ".com", "at most 253"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427", "MD5 hashes are 32 hexadecimal characters"),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e0", "this value has 33"),
        ("sha1", "d41d8cd98f00b204e9800998ecf8427e", "SHA-1 hashes are 40"),
        ("sha256", "da39a3ee5e6b4b0d3255bfef95601890afd80709", "SHA-256 hashes are 64"),
        ("md5", "g41d8cd98f00b204e9800998ecf8427e", "hexadecimal digits"),
        ("md5", "0x41d8cd98f00b204e9800998ecf8427e", "hexadecimal digits"),
        ("md5", "d41d8cd98f00b204 e9800998ecf8427e", "hexadecimal digits"),
        ("domain", "x" * 3000, "too long"),
    ],
)
def test_it_refuses_bad_values_with_a_clear_message(kind: str, value: str, fragment: str) -> None:
    assert fragment in message(kind, value)


def test_it_refuses_an_unknown_kind_on_the_kind_field() -> None:
    with pytest.raises(ValidationError) as info:
        normalise("mac", "00:11:22:33:44:55")
    assert info.value.message_dict == {"kind": ["Unknown indicator type."]}


def test_messages_are_translated_into_japanese() -> None:
    with translation.override("ja"):
        text = message("ipv4", "010.1.1.1")
    assert "010" in text
    assert "ゼロ" in text


@pytest.mark.parametrize(
    ("value", "kind", "normalised"),
    [
        ("192.0.2.1", "ipv4", "192.0.2.1"),
        ("2001:db8::1", "ipv6", "2001:db8::1"),
        ("[2001:db8::1]", "ipv6", "2001:db8::1"),
        ("192.0.2.0/24", "cidr", "192.0.2.0/24"),
        ("2001:db8::/32", "cidr", "2001:db8::/32"),
        ("Example.com", "domain", "example.com"),
        ("日本語.jp", "domain", "xn--wgv71a119e.jp"),
        ("https://example.com/x", "url", "https://example.com/x"),
        ("someone@example.com", "email", "someone@example.com"),
        ("d41d8cd98f00b204e9800998ecf8427e", "md5", "d41d8cd98f00b204e9800998ecf8427e"),
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1", None),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256", None),
    ],
)
def test_it_guesses_the_kind(value: str, kind: str, normalised: str | None) -> None:
    assert guess_kind(value) == kind
    guessed, result = parse(value)
    assert guessed == kind
    assert type(guessed) is str
    if normalised is not None:
        assert result == normalised


@pytest.mark.parametrize(
    "value", ["", "hello", "1.2.3", "010.1.1.1", "abc123", "10.1.2.3/8", "a@b", "http://x"]
)
def test_it_guesses_nothing_for_what_is_not_an_indicator(value: str) -> None:
    assert guess_kind(value) is None


def test_parse_explains_a_value_of_no_known_shape() -> None:
    with pytest.raises(ValidationError) as info:
        parse("hello")
    assert "not an indicator of a known type" in info.value.message_dict["value"][0]


def test_parse_gives_the_message_of_the_type_the_value_looks_like() -> None:
    with pytest.raises(ValidationError) as info:
        parse("10.1.2.3/8")
    assert "10.0.0.0/8" in info.value.message_dict["value"][0]
    with pytest.raises(ValidationError) as info:
        parse("d41d8cd98f00b204e9800998ecf8427e00")
    assert "this value has 34" in info.value.message_dict["value"][0]


def test_parse_with_a_kind_uses_that_kind() -> None:
    assert parse("Example.com.", "domain") == ("domain", "example.com")
    with pytest.raises(ValidationError):
        parse("192.0.2.1", "domain")


NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_confidence_halves_after_one_half_life() -> None:
    assert DECAY_HALF_LIFE_DAYS["ipv4"] == 30
    assert effective_confidence(80, NOW - timedelta(days=30), "ipv4", NOW) == 40
    assert effective_confidence(80, NOW - timedelta(days=60), "ipv4", NOW) == 20
    assert effective_confidence(80, NOW - timedelta(days=90), "domain", NOW) == 40
    assert effective_confidence(80, NOW - timedelta(days=90), "url", NOW) == 40
    assert effective_confidence(80, NOW - timedelta(days=90), "email", NOW) == 40


def test_confidence_of_hashes_does_not_decay() -> None:
    for kind in ("md5", "sha1", "sha256"):
        assert effective_confidence(90, NOW - timedelta(days=3650), kind, NOW) == 90


def test_confidence_without_last_seen_or_from_the_future_is_kept() -> None:
    assert effective_confidence(70, None, "ipv4", NOW) == 70
    assert effective_confidence(70, NOW + timedelta(days=5), "ipv4", NOW) == 70
    assert effective_confidence(70, NOW, "ipv4", NOW) == 70


def test_confidence_is_rounded_and_clamped() -> None:
    assert effective_confidence(75, NOW - timedelta(days=30), "ipv4", NOW) == 38
    assert effective_confidence(100, NOW - timedelta(days=3650), "ipv4", NOW) == 0
    assert effective_confidence(150, None, "ipv4", NOW) == 100
    assert effective_confidence(-5, None, "ipv4", NOW) == 0


def test_every_kind_has_a_half_life_entry() -> None:
    assert set(DECAY_HALF_LIFE_DAYS) == set(IndicatorKind.values)


# --- properties ----------------------------------------------------------------------------------

LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
TLD = st.sampled_from(["com", "jp", "net", "org", "xn--zckzah", "tokyo"])
DOMAIN = st.builds(lambda ls, t: ".".join([*ls, t]), st.lists(LABEL, min_size=1, max_size=4), TLD)


def idempotent(kind: str, value: str) -> None:
    try:
        once = normalise(kind, value)
    except ValidationError:
        return
    assert normalise(kind, once) == once


@settings(max_examples=300, deadline=None)
@given(st.ip_addresses(v=4))
def test_ipv4_normalisation_is_idempotent_and_exact(address: object) -> None:
    assert normalise("ipv4", str(address)) == str(address)


@settings(max_examples=300, deadline=None)
@given(st.ip_addresses(v=6))
def test_ipv6_normalisation_is_idempotent(address: object) -> None:
    once = normalise("ipv6", str(address).upper())
    assert once == normalise("ipv6", once) == str(address)


@settings(max_examples=200, deadline=None)
@given(st.ip_addresses(v=4), st.integers(0, 32))
def test_cidr_normalisation_is_idempotent(address: object, length: int) -> None:
    idempotent("cidr", f"{address}/{length}")


@settings(max_examples=300, deadline=None)
@given(st.one_of(DOMAIN, st.text(max_size=40)))
def test_domain_normalisation_is_idempotent(value: str) -> None:
    idempotent("domain", value)


@settings(max_examples=200, deadline=None)
@given(DOMAIN)
def test_generated_domains_are_valid(value: str) -> None:
    assert normalise("domain", value.upper() + ".") == value


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["http", "HTTPS", "ftp", "wss"]),
    DOMAIN,
    st.one_of(st.none(), st.integers(1, 65535)),
    st.text(max_size=30),
    st.text(max_size=20),
)
def test_url_normalisation_is_idempotent(
    scheme: str, host: str, port: int | None, path: str, query: str
) -> None:
    authority = host if port is None else f"{host}:{port}"
    idempotent("url", f"{scheme}://{authority}/{path}?{query}")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_url_normalisation_of_any_text_is_idempotent(text: str) -> None:
    idempotent("url", "http://example.com/" + text)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,20}", fullmatch=True), DOMAIN)
def test_email_normalisation_is_idempotent(local: str, domain: str) -> None:
    value = normalise("email", f"{local}@{domain.upper()}")
    assert value == f"{local}@{domain}"
    assert normalise("email", value) == value


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["md5", "sha1", "sha256"]), st.binary(min_size=32, max_size=32))
def test_hash_normalisation_is_idempotent(kind: str, data: bytes) -> None:
    length = {"md5": 32, "sha1": 40, "sha256": 64}[kind]
    value = (data.hex() * 2)[:length].upper()
    assert normalise(kind, value) == value.lower() == normalise(kind, value.lower())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(IndicatorKind.values), st.text(max_size=80))
def test_any_text_either_normalises_idempotently_or_gives_a_value_error(
    kind: str, text: str
) -> None:
    try:
        once = normalise(kind, text)
    except ValidationError as exc:
        errors = exc.message_dict
    else:
        errors = {}
        assert normalise(kind, once) == once
        assert guess_kind(once) in {kind, None}
    assert list(errors) in ([], ["value"])


def test_guess_kind_checks_syntax_not_real_top_level_domains() -> None:
    # A file name is a well-formed domain name; jisp.intel.extract filters those in free text.
    assert guess_kind("report.pdf") == "domain"
