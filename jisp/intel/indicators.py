"""Indicator values: strict normalisation and validation, guessing the type, confidence decay.

One value has one written form, so that the same indicator from two sources is one row, a match
is a dictionary look-up, and exports are stable. ``normalise(kind, value)`` returns that form or
raises ``ValidationError({"value": message})`` (``{"kind": message}`` for an unknown type), the
message translated into the active language. ``normalise`` is idempotent.

The rules, per type:

- **ipv4**: four decimal numbers 0-255. Leading zeros (``010.1.1.1``) are *refused*: some software
  reads them as octal (010 = 8), others as decimal, so the value is ambiguous; the message asks for
  the number as meant. Full-width digits are accepted (NFKC).
- **ipv6**: any form ``ipaddress`` reads, written compressed and lower-case (``2001:db8::1``);
  ``[...]`` brackets are removed; zone ids (``%eth0``) are refused.
- **cidr**: address ``/`` prefix length (IPv4 or IPv6). Host bits set (``10.1.2.3/8``) are *refused*
  with a message naming the network (``10.0.0.0/8``): the person meant one or the other.
- **domain**: lower case, one trailing dot removed, internationalised names to punycode (UTS 46,
  non-transitional, so ``ß`` stays ``ß``), full-width letters and dots (``。``) mapped. Labels of
  1-63 characters from letters, digits, hyphens (not first or last) and underscores (seen in real
  subdomains such as ``_dmarc``); at least two labels; at most 253 characters; the last label
  letters only or an ``xn--`` name. ``xn--`` labels must be valid punycode.
- **url**: ``scheme://host[:port]/path?query`` with a scheme from ``URL_SCHEMES`` (defanged
  ``hxxp`` is turned back by ``jisp.intel.extract``, not here). Scheme and host lower-case, the host
  normalised as a domain or an IP address, the scheme's default port removed, percent-encoding
  normalised (upper-case hex, unreserved characters decoded, other characters encoded as UTF-8),
  ``.`` and ``..`` path segments resolved, an empty path written ``/``, the fragment dropped, the
  query kept (an empty ``?`` dropped), user information kept. At most 2,048 characters.
- **email**: split at the last ``@``; the local part is kept as written (case matters to some
  servers; Japanese carriers' old addresses with ``..`` are accepted), at most 64 characters of
  RFC 5322 ``atext``, dots or non-ASCII letters; the domain normalised as a domain.
- **md5 / sha1 / sha256**: hexadecimal, lower case, exactly 32 / 40 / 64 characters.
"""

from __future__ import annotations

import ipaddress
import math
import re
import string
import unicodedata
from collections.abc import Callable
from datetime import datetime

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jisp.intel.choices import IndicatorKind

#: Longest value accepted, of any type (a URL's limit; the others are far shorter).
MAX_LENGTH = 2048

#: URL schemes accepted, with their default ports (removed from the canonical form).
URL_SCHEMES: dict[str, int] = {
    "http": 80,
    "https": 443,
    "ftp": 21,
    "ftps": 990,
    "sftp": 22,
    "ws": 80,
    "wss": 443,
}

#: Half-life of an indicator's confidence, in days since it was last seen; ``None``: no decay.
#: Addresses change hands quickly (dynamic, cloud and botnet addresses), domains and URLs more
#: slowly, a file's hash identifies the same file for ever.
DECAY_HALF_LIFE_DAYS: dict[str, float | None] = {
    IndicatorKind.IPV4: 30,
    IndicatorKind.IPV6: 30,
    IndicatorKind.CIDR: 30,
    IndicatorKind.DOMAIN: 90,
    IndicatorKind.URL: 90,
    IndicatorKind.EMAIL: 90,
    IndicatorKind.MD5: None,
    IndicatorKind.SHA1: None,
    IndicatorKind.SHA256: None,
}

#: Length of each hash type's value, in hexadecimal characters.
HASH_LENGTHS: dict[str, int] = {"md5": 32, "sha1": 40, "sha256": 64}
_HASH_NAMES: dict[str, str] = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256"}

_IPV4 = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})", re.ASCII)
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?", re.ASCII)
_TLD = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]+", re.ASCII)
_HEX = re.compile(r"[0-9a-f]+", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):", re.ASCII)
_ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~.")

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_SUB_DELIMS = "!$&'()*+,;="
_PCT_PATTERNS: dict[str, re.Pattern[str]] = {
    # Either a percent-escape, or one character that must be escaped in that part.
    part: re.compile(r"%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~" + re.escape(_SUB_DELIMS + extra) + "]")
    for part, extra in (("path", ":@/"), ("query", ":@/?"), ("userinfo", ":"))
}


def _bad(message: str) -> ValidationError:
    return ValidationError({"value": message})


def normalise(kind: str, value: str) -> str:
    """The canonical form of ``value`` as an indicator of type ``kind``.

    Raises ``ValidationError`` with ``{"kind": ...}`` for an unknown type, ``{"value": ...}`` for a
    value that is not one of that type, with a message saying what is wrong."""
    if kind not in _NORMALISERS:
        raise ValidationError({"kind": _("Unknown indicator type.")})
    value = value.strip()
    if not value:
        raise _bad(_("Enter a value."))
    if len(value) > MAX_LENGTH:
        raise _bad(
            _("The value is too long: at most %(limit)s characters.") % {"limit": MAX_LENGTH}
        )
    if _CONTROL.search(value):
        raise _bad(_("The value contains control characters (such as a line break or a tab)."))
    return _NORMALISERS[kind](value)


def guess_kind(value: str) -> str | None:
    """The type of a valid indicator value, or ``None`` if it is not one of any type."""
    try:
        return parse(value)[0]
    except ValidationError:
        return None


def parse(value: str, kind: str | None = None) -> tuple[str, str]:
    """``(kind, normalised value)``; the type guessed from the value's shape when not given.

    Raises ``ValidationError`` like ``normalise``; a value of no recognisable shape gets a message
    listing the types."""
    if kind is None:
        kind = _shape(value)
        if kind is None:
            raise _bad(
                _(
                    "This is not an indicator of a known type: an IP address, a network, a domain "
                    "name, a URL, an e-mail address or an MD5, SHA-1 or SHA-256 hash."
                )
            )
    return kind, normalise(kind, value)


def _shape(value: str) -> str | None:
    """The type a value looks like, without validating it (for the error message of that type)."""
    v = unicodedata.normalize("NFKC", value.strip())
    if "://" in v:
        return IndicatorKind.URL.value
    if len(v) >= 16 and _HEX.fullmatch(v.lower()):
        by_length = {n: k for k, n in HASH_LENGTHS.items()}
        if len(v) in by_length:
            return by_length[len(v)]
        raise _bad(
            _(
                "A hash has 32 (MD5), 40 (SHA-1) or 64 (SHA-256) hexadecimal characters; "
                "this value has %(length)s."
            )
            % {"length": len(v)}
        )
    if "@" in v:
        return IndicatorKind.EMAIL.value
    if "/" in v:
        return IndicatorKind.CIDR.value
    if ":" in v:
        return IndicatorKind.IPV6.value
    if v and all(c.isdigit() or c == "." for c in v) and v.isascii():
        return IndicatorKind.IPV4.value
    if "." in v:
        return IndicatorKind.DOMAIN.value
    return None


def effective_confidence(
    confidence: int, last_seen: datetime | None, kind: str, now: datetime
) -> int:
    """The confidence decayed by the time since ``last_seen``, halving every
    ``DECAY_HALF_LIFE_DAYS[kind]`` days (no decay without a half-life or a last-seen time, nor
    before ``last_seen``). Rounded to the nearest whole number, within 0-100."""
    half_life = DECAY_HALF_LIFE_DAYS.get(kind)
    confidence = max(0, min(100, int(confidence)))
    if last_seen is None or not half_life:
        return confidence
    age_days = (now - last_seen).total_seconds() / 86400
    if age_days <= 0:
        return confidence
    return math.floor(confidence * 0.5 ** (age_days / half_life) + 0.5)


# --- addresses -----------------------------------------------------------------------------------


def _ipv4(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    m = _IPV4.fullmatch(value)
    if m is None:
        raise _bad(
            _(
                "Enter an IPv4 address: four numbers from 0 to 255 separated by dots, "
                "such as 192.0.2.1."
            )
        )
    parts = m.groups()
    if any(len(p) > 1 and p[0] == "0" for p in parts):
        raise _bad(
            _(
                "An IPv4 address with leading zeros (such as 010) is ambiguous: some software "
                "reads them as octal numbers. Write each number without leading zeros."
            )
        )
    if any(int(p) > 255 for p in parts):
        raise _bad(_("Each number of an IPv4 address is from 0 to 255."))
    return value


def _ipv6(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    if "%" in value:
        raise _bad(
            _("Write the IPv6 address without a zone index (the part from the percent sign on).")
        )
    try:
        return ipaddress.IPv6Address(value).compressed
    except ValueError:
        raise _bad(_("Enter an IPv6 address, such as 2001:db8::1.")) from None


def _cidr(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    address, slash, length = value.partition("/")
    if not slash or not length.isascii() or not length.isdigit():
        raise _bad(
            _(
                "Enter a network as an address, a slash and a prefix length, such as "
                "192.0.2.0/24 or 2001:db8::/32."
            )
        )
    if len(length) > 1 and length[0] == "0":
        raise _bad(_("Write the prefix length without leading zeros."))
    if ":" in address:
        address, limit = _ipv6(address), 128
    else:
        address, limit = _ipv4(address), 32
    if int(length) > limit:
        message = (
            _("The prefix length of an IPv6 network is from 0 to 128.")
            if limit == 128
            else _("The prefix length of an IPv4 network is from 0 to 32.")
        )
        raise _bad(message)
    network = ipaddress.ip_network(f"{address}/{int(length)}", strict=False)
    if network.network_address != ipaddress.ip_address(address):
        raise _bad(
            _(
                "The address has bits set beyond the prefix length: the network is %(network)s "
                "(or enter the address alone as an IP address)."
            )
            % {"network": network.with_prefixlen}
        )
    return network.with_prefixlen


# --- names ---------------------------------------------------------------------------------------


def _domain(value: str) -> str:
    name = value
    if not name.isascii():
        try:
            name = idna.uts46_remap(name, std3_rules=False, transitional=False)
        except idna.IDNAError:
            raise _bad(
                _("The domain name contains characters not allowed in domain names.")
            ) from None
    name = name.lower()
    if name.endswith("."):
        name = name[:-1]
    labels = name.split(".")
    if len(labels) < 2:
        raise _bad(
            _("A domain name has at least two labels separated by a dot, such as example.com.")
        )
    out = []
    for label in labels:
        if not label:
            raise _bad(
                _("A domain name cannot have an empty label (two dots in a row, or a leading dot).")
            )
        if not label.isascii():
            try:
                label = idna.alabel(label).decode("ascii")
            except (idna.IDNAError, UnicodeError):
                raise _bad(
                    _("“%(label)s” is not a valid internationalised label.") % {"label": label}
                ) from None
        elif label.startswith("xn--"):
            try:
                idna.ulabel(label)
            except (idna.IDNAError, UnicodeError):
                raise _bad(
                    _("“%(label)s” is not a valid internationalised label.") % {"label": label}
                ) from None
        if len(label) > 63:
            raise _bad(_("Each label of a domain name (between dots) is at most 63 characters."))
        if not _LABEL.fullmatch(label):
            raise _bad(
                _(
                    "“%(label)s”: a label of a domain name has letters, digits, hyphens and "
                    "underscores only, and does not start or end with a hyphen."
                )
                % {"label": label}
            )
        out.append(label)
    if not _TLD.fullmatch(out[-1]):
        raise _bad(
            _(
                "“%(label)s” cannot be a top-level domain: the last label has letters only "
                "(or is an xn-- name)."
            )
            % {"label": out[-1]}
        )
    result = ".".join(out)
    if len(result) > 253:
        raise _bad(_("A domain name is at most 253 characters."))
    return result


def _email(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        raise _bad(_("Enter an e-mail address, such as someone@example.com."))
    if len(local) > 64:
        raise _bad(_("The part of an e-mail address before the @ is at most 64 characters."))
    if not all(c in _ATEXT or (ord(c) > 127 and not c.isspace()) for c in local):
        raise _bad(_("The part before the @ has characters not allowed in an e-mail address."))
    try:
        domain = _domain(domain)
    except ValidationError as exc:
        raise _bad(
            _("After the @: %(message)s") % {"message": exc.message_dict["value"][0]}
        ) from None
    result = f"{local}@{domain}"
    if len(result) > 254:
        raise _bad(_("An e-mail address is at most 254 characters."))
    return result


# --- URLs ----------------------------------------------------------------------------------------


def _url(value: str) -> str:
    m = _SCHEME.match(value)
    if m is None:
        raise _bad(_("Enter a URL with its scheme, such as https://example.com/path."))
    scheme = m.group(1).lower()
    if scheme not in URL_SCHEMES:
        if scheme in {"hxxp", "hxxps", "fxp"}:
            raise _bad(_("The URL is defanged: write http, https or ftp instead of hxxp or fxp."))
        raise _bad(
            _("“%(scheme)s” URLs are not accepted; the schemes are: %(schemes)s.")
            % {"scheme": scheme, "schemes": ", ".join(URL_SCHEMES)}
        )
    if not value[m.end() :].startswith("//"):
        raise _bad(_("Enter a URL with its scheme, such as https://example.com/path."))
    rest = value[m.end() + 2 :]
    rest = rest.split("#", 1)[0]
    rest, question, query = rest.partition("?")
    # Browsers read a backslash before the query as a slash (WHATWG URL standard), so
    # "http://evil.example\\@good.example/" goes to evil.example: the same here.
    rest = rest.replace("\\", "/")
    slash = rest.find("/")
    authority, path = (rest, "") if slash < 0 else (rest[:slash], rest[slash:])
    userinfo, at, hostport = authority.rpartition("@")
    host, port = _split_port(hostport)
    if not host:
        raise _bad(_("The URL has no host name."))
    host = _url_host(host)
    if port:
        if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
            raise _bad(_("The port of a URL is a number from 1 to 65535."))
        port = "" if int(port) == URL_SCHEMES[scheme] else f":{int(port)}"
    user = _pct(userinfo, "userinfo") + "@" if at else ""
    path = _remove_dot_segments(_pct(path, "path")) or "/"
    query = "?" + _pct(query, "query") if question and query else ""
    result = f"{scheme}://{user}{host}{port}{path}{query}"
    if len(result) > MAX_LENGTH:
        raise _bad(_("A URL is at most %(limit)s characters.") % {"limit": MAX_LENGTH})
    return result


def _split_port(hostport: str) -> tuple[str, str]:
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise _bad(_("The IPv6 address of the URL's host has no closing bracket."))
        after = hostport[end + 1 :]
        if after and not after.startswith(":"):
            raise _bad(_("Enter a URL with its scheme, such as https://example.com/path."))
        return hostport[: end + 1], after[1:]
    host, colon, port = hostport.rpartition(":")
    return (host, port) if colon else (hostport, "")


def normalised_url_host(url: str) -> str:
    """The host of a normalised URL, as ``urlsplit(url).hostname`` gives it (~4 times faster):
    normalised, a URL has a path, no white space and its host in lower case."""
    rest = url.partition("://")[2]
    end = len(rest)
    for stop in "/?#":
        at = rest.find(stop, 0, end)
        if at >= 0:
            end = at
    netloc = rest[:end].rpartition("@")[2]
    if netloc.startswith("["):
        return netloc[1 : netloc.find("]")]
    return netloc.partition(":")[0]


def _url_host(host: str) -> str:
    try:
        if host.startswith("["):
            return f"[{_ipv6(host)}]"
        if all(c.isdigit() or c == "." for c in unicodedata.normalize("NFKC", host)):
            return _ipv4(host)
        return _domain(host)
    except ValidationError as exc:
        raise _bad(
            _("The URL's host: %(message)s") % {"message": exc.message_dict["value"][0]}
        ) from None


def _pct(text: str, part: str) -> str:
    """Percent-encoding normalised: upper-case escapes, unreserved characters decoded, every
    character not allowed in ``part`` encoded as UTF-8."""
    return _PCT_PATTERNS[part].sub(_pct_one, text)


def _pct_one(m: re.Match[str]) -> str:
    s = m.group()
    if s[0] == "%" and len(s) == 3:
        c = chr(int(s[1:], 16))
        return c if c in _UNRESERVED else s.upper()
    return "".join(f"%{b:02X}" for b in s.encode("utf-8", "surrogatepass"))


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for a path that is empty or starts with ``/``."""
    if "." not in path:
        return path
    segments = path.split("/")[1:]
    out: list[str] = []
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        if segment in {".", ".."}:
            if segment == ".." and out:
                out.pop()
            if i == last:
                out.append("")
        else:
            out.append(segment)
    return "/" + "/".join(out)


def _hash(kind: str) -> Callable[[str], str]:
    def normalise_hash(value: str) -> str:
        value = unicodedata.normalize("NFKC", value).lower()
        if not _HEX.fullmatch(value):
            raise _bad(_("A hash is written in hexadecimal digits (0-9 and a-f) only."))
        if len(value) != HASH_LENGTHS[kind]:
            raise _bad(
                _(
                    "%(name)s hashes are %(expected)s hexadecimal characters; "
                    "this value has %(length)s."
                )
                % {"name": _HASH_NAMES[kind], "expected": HASH_LENGTHS[kind], "length": len(value)}
            )
        return value

    return normalise_hash


_NORMALISERS: dict[str, Callable[[str], str]] = {
    IndicatorKind.IPV4: _ipv4,
    IndicatorKind.IPV6: _ipv6,
    IndicatorKind.CIDR: _cidr,
    IndicatorKind.DOMAIN: _domain,
    IndicatorKind.URL: _url,
    IndicatorKind.EMAIL: _email,
    IndicatorKind.MD5: _hash(IndicatorKind.MD5),
    IndicatorKind.SHA1: _hash(IndicatorKind.SHA1),
    IndicatorKind.SHA256: _hash(IndicatorKind.SHA256),
}
