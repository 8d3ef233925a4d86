"""Extraction: every indicator in free text (a report, an e-mail, a vendor PDF's text).

``extract(text)`` returns the indicators found, normalised (``jisp.intel.indicators``), each with
the text as written, whether it was defanged, and its offset; the first of each value only, in
the order of the text. The person reviews the list before anything is saved.

What is found:

- URLs with a scheme (``http``, ``https``, ``ftp``, ``ftps``, ``sftp``, ``ws``, ``wss``), also
  defanged: ``hxxp``, ``hXXps``, ``h**p``, ``h[tt]p``, ``fxp``; ``[:]//``, ``[://]``, ``(:)//``;
  and any of the dot and at forms below in the host. A URL ends at a space, a quote, ``<>`` or
  any non-ASCII character (Japanese prose right after a URL is not part of it: browsers show
  such paths percent-encoded); closing brackets and punctuation at the end are dropped unless
  balanced. A host name without a scheme (``example[.]com/x``) is found as a domain.
- E-mail addresses, also with ``[@]``, ``(@)``, ``{@}``, ``[at]``, ``(at)``, ``{at}``.
- IPv4 addresses (also ``1.2.3[.]4``), IPv6 addresses, networks (``192.0.2.0/24``). A dotted
  number with more or fewer than four parts, or written after ``v``/``ver``/``version``, is a
  version number, not an address; so is one with leading zeros (refused by ``normalise``).
- Domain names, with the dots written ``.``, ``[.]``, ``(.)``, ``{.}``, ``[dot]``, ``(dot)``,
  ``{dot}`` or `` dot ``. Internationalised names are found in their ``xn--`` form only: in
  Japanese text nothing separates a Unicode name from the words around it.
- MD5, SHA-1 and SHA-256 hashes: whole hexadecimal words of exactly 32, 40 or 64 characters with
  at least one digit and one letter (a 32-digit number is not a hash).

Values in Japanese text need no spaces around them: 「悪性ドメインexample[.]comへの通信」 gives
``example.com``; only ASCII letters, digits and the characters of the forms above can be part of a
value.

False positives. A domain's last label must be a real top-level domain (``TLDS``: the common
generic ones and every two-letter country code), so ``report.pdf``, ``invoice.docx`` and
``script.js`` are not domains. Some top-level domains are also common file extensions
(``AMBIGUOUS_TLDS``: ``.zip``, ``.mov``, ``.py``, ``.sh``, ``.md``, ``.so`` ...): a name ending in
one is taken only when it was defanged or is the host of a URL or an e-mail address, so
``setup.py`` and ``libfoo.so`` are skipped but ``evil[.]zip`` is found. Matches do not overlap: a
URL's host and an e-mail address's domain are part of those, not separate domains.

Speed: a first regular expression keeps only the stretches of printable ASCII that could hold an
indicator (skipping Japanese text in C), then one compiled pattern per type runs over those.
1 MB of mixed English and Japanese text with 4,000 indicators takes about 0.3 s on the
development machine (2 cores, loaded); ``jisp/intel/tests/test_extract.py`` measures it and
fails above 1 s.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from jisp.intel.choices import IndicatorKind
from jisp.intel.indicators import HASH_LENGTHS, normalise

# fmt: off
_GENERIC_TLDS = """
com net org info biz edu gov mil int arpa name pro mobi asia tel travel jobs coop aero museum cat
post xxx onion xyz top club online site website space tech store shop live life icu vip work link
click buzz fun monster rest cyou bond sbs cfd quest lol uno win bid loan loans download racing
review reviews stream trade date faith party science men cricket accountant cloud app dev page
zip mov one run cab inc blog news email support services solutions network systems digital world
today company global group media agency center host hosting wiki ltd llc bar best cam casa city
cool design expert family finance financial fit games game gold guru help how ink kim land lat
love market money moe ninja plus pics pink red sale school social software studio team tips tools
vin wang watch webcam zone band beer bet casino poker video art mom boo foo rocks capital
exchange bank insurance credit tax legal law academy events cafe photo photos gallery express
directory domains institute international management marketing partners properties security
shopping technology university works xin ren tokyo osaka nagoya yokohama kyoto okinawa ryukyu
google microsoft apple amazon yahoo example
"""
_COUNTRY_TLDS = """
ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo bq br bs bt
bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es
et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id
ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu
lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np
nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk
sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy
uz va vc ve vg vi vn vu wf ws ye yt za zm zw
"""
# fmt: on

#: Top-level domains a found name may end in (``xn--`` ones are always accepted); ``example``
#: (reserved for documentation, RFC 2606) too, for training material and demonstrations.
TLDS = frozenset(_GENERIC_TLDS.split()) | frozenset(_COUNTRY_TLDS.split())

#: Real top-level domains that are also common file extensions (or code): a name ending in one
#: is taken only when defanged, or as a URL's host or an e-mail address's domain.
AMBIGUOUS_TLDS = frozenset(
    [
        "zip",
        "mov",
        "app",
        "one",
        "run",
        "cab",
        "inc",
        "name",
        "py",
        "sh",
        "pl",
        "md",
        "rs",
        "cc",
        "so",
        "pm",
        "mk",
        "tf",
        "ml",
        "mo",
        "ps",
    ]
)


@dataclass(frozen=True, slots=True)
class Found:
    """One indicator found in text."""

    kind: str
    #: The normalised value.
    value: str
    #: The text as written (defanged forms included).
    original: str
    #: Whether it was written defanged (``hxxp``, ``[.]`` ...).
    defanged: bool
    #: Offset of ``original`` in the text.
    start: int


_DOT = r"(?:\.|[ ]?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})[ ]?|[ ]dot[ ])"
_DOT4 = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
_AT = r"(?:@|[ ]?(?:\[@\]|\(@\)|\{@\}|\[at\]|\(at\)|\{at\})[ ]?)"
_LABEL = r"[a-z0-9_-]{1,63}+"
_NAME = rf"(?:{_LABEL}{_DOT})+{_LABEL}(?![a-z0-9_-])"
_V4 = rf"(?:[0-9]{{1,3}}+{_DOT4}){{3}}[0-9]{{1,3}}+"
_V6 = r"(?=[0-9a-f]{0,4}:[0-9a-f]{0,4}:)[0-9a-f:]{2,39}+(?:\.[0-9]{1,3}){0,3}"
_FLAGS = re.ASCII | re.IGNORECASE

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        IndicatorKind.URL.value,
        re.compile(
            r"(?<![a-z0-9])(h(?:tt|xx|\*\*|\[tt\])ps?|f[tx]ps?|sftp|wss?)"
            r"(?:://|\[:\]//|\(:\)//|\[://\])"
            r"[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%{}\\]+",
            _FLAGS,
        ),
    ),
    (
        IndicatorKind.EMAIL.value,
        re.compile(rf"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]{{1,64}}+{_AT}{_NAME}", _FLAGS),
    ),
    (
        IndicatorKind.CIDR.value,
        re.compile(rf"(?<![a-z0-9_.:])(?:{_V4}|{_V6})/[0-9]{{1,3}}+", _FLAGS),
    ),
    (
        IndicatorKind.IPV4.value,
        re.compile(rf"(?<![a-z0-9_.])({_V4})(?![0-9]|{_DOT4}[0-9])", _FLAGS),
    ),
    (IndicatorKind.IPV6.value, re.compile(rf"(?<![a-z0-9_:.])({_V6})(?![a-z0-9_])", _FLAGS)),
    (IndicatorKind.DOMAIN.value, re.compile(rf"(?<![a-z0-9_\-.]){_NAME}", _FLAGS)),
    (
        IndicatorKind.SHA256.value,  # any of the three: the length decides
        re.compile(r"(?<![a-z0-9_])[0-9a-f]{32,64}+(?![a-z0-9_])", _FLAGS),
    ),
]

_SEPARATOR = r"[\[({](?:\.|dot|at|@)[\])}]"
# A stretch of printable ASCII (with the spaces of " dot ", " [.] ", " [at] " ...) that has a
# character some indicator needs, or starts with a hash-long hexadecimal run. It starts with a
# character class, so the regular expression engine skips Japanese text quickly.
_NEEDED = ".:@[({=,;|/\"'"
_OTHER = "[" + "".join(re.escape(chr(c)) for c in range(0x21, 0x7F) if chr(c) not in _NEEDED) + "]"
_SEGMENT = re.compile(
    rf"[!-~](?<![!-~][!-~])"  # the first character of a stretch
    rf"(?:(?<=[{re.escape(_NEEDED)}])|(?={_OTHER}*+[{re.escape(_NEEDED)}])"
    rf"|(?<=[0-9a-f])(?=[0-9a-f]{{31}})|(?=[!-~]*+[ ](?:dot|{_SEPARATOR})))"
    rf"[!-~]*(?:(?:[ ](?=dot|{_SEPARATOR})|(?<=dot)[ ]|(?<=[\])}}])[ ])[!-~]+)*",
    _FLAGS,
)
_REFANG = re.compile(
    r"[ ]?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})[ ]?|[ ]dot[ ]"
    r"|[ ]?(?:\[@\]|\(@\)|\{@\}|\[at\]|\(at\)|\{at\})[ ]?"
    r"|\[://\]|\[:\]|\(:\)",
    _FLAGS,
)
_SCHEMES = re.compile(r"h(?:tt|xx|\*\*|\[tt\])p(s?)|f[tx]p(s?)|(sftp|wss?)", _FLAGS)
_VERSION_BEFORE = re.compile(r"(?:(?<![a-z])(?:version|ver\.?|v)|バージョン)[ ]?$", _FLAGS)
_HASH_KINDS = {n: k for k, n in HASH_LENGTHS.items()}
_CLOSING = {")": "(", "]": "[", "}": "{"}


def extract(text: str) -> list[Found]:
    """Every indicator in ``text``, normalised, first occurrence of each value, in text order."""
    # The patterns run over the "interesting" stretches of printable ASCII only (those with a
    # dot, colon, at sign, bracket or a long hexadecimal run), joined by line breaks: a fraction
    # of prose, almost nothing of Japanese. Each stretch is whole (the characters around it are
    # outside every pattern), so a match in it is a match in the text.
    pieces: list[str] = []
    starts: list[int] = []  # where each piece starts in the joined text
    origins: list[int] = []  # and in ``text``
    length = 0
    for m in _SEGMENT.finditer(text):
        piece = m.group()
        pieces.append(piece)
        starts.append(length)
        origins.append(m.start())
        length += len(piece) + 1
    joined = "\n".join(pieces)
    candidates: list[tuple[int, int, Found]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(joined):
            i = bisect.bisect_right(starts, m.start()) - 1
            found = _candidate(kind, text, m.group(), origins[i] + m.start() - starts[i])
            if found is not None:
                candidates.append((found.start, -len(found.original), found))
    candidates.sort(key=lambda c: (c[0], c[1]))
    result: list[Found] = []
    seen: set[tuple[str, str]] = set()
    end = 0
    for start, negative_length, found in candidates:
        if start < end:
            continue  # inside a longer match (a URL's host, an e-mail address's domain ...)
        end = start - negative_length
        if (found.kind, found.value) not in seen:
            seen.add((found.kind, found.value))
            result.append(found)
    return result


def refang(text: str) -> str:
    """``text`` with the defanged dots, at signs and colons written plainly (not the scheme)."""
    if "[" not in text and "(" not in text and "{" not in text and " " not in text:
        return text
    return _REFANG.sub(_refang_one, text)


def _refang_one(m: re.Match[str]) -> str:
    token = m.group().strip().lower()
    if "." in token or "dot" in token:
        return "."
    if "@" in token or "at" in token:
        return "@"
    return "://" if "//" in token else ":"


def _candidate(kind: str, text: str, original: str, start: int) -> Found | None:
    if kind == IndicatorKind.URL:
        original = _trim_url(original)
        scheme = _SCHEMES.match(original)
        assert scheme is not None
        plain = (
            "http" + scheme.group(1)
            if scheme.group(1) is not None
            else "ftp" + scheme.group(2)
            if scheme.group(2) is not None
            else scheme.group(3).lower()
        )
        cleaned = plain + refang(original[scheme.end() :])
        defanged = cleaned != original[: scheme.end()].lower() + original[scheme.end() :]
    elif kind == IndicatorKind.SHA256:
        kind = _HASH_KINDS.get(len(original), "")
        has_digit = any(c.isdigit() for c in original)
        if not kind or not has_digit or original.isdigit():
            return None
        cleaned, defanged = original, False
    else:
        cleaned = refang(original)
        defanged = cleaned != original
        if kind == IndicatorKind.IPV4 and _VERSION_BEFORE.search(text, max(0, start - 9), start):
            return None
        if kind == IndicatorKind.IPV6 and cleaned.endswith(":") and not cleaned.endswith("::"):
            cleaned, original = cleaned[:-1], original[:-1]
        if kind == IndicatorKind.IPV6 and cleaned == "::":
            return None
        if kind == IndicatorKind.DOMAIN:
            tld = cleaned.rsplit(".", 1)[-1].lower()
            if not tld.startswith("xn--") and (
                tld not in TLDS or (tld in AMBIGUOUS_TLDS and not defanged)
            ):
                return None
    value = _normalised(kind, cleaned)
    if value is None:
        return None
    return Found(kind=kind, value=value, original=original, defanged=defanged, start=start)


@functools.lru_cache(maxsize=65536)
def _normalised(kind: str, value: str) -> str | None:
    """``normalise`` or ``None``; cached, as text repeats its values (the message is not kept,
    so the active language does not matter)."""
    try:
        return normalise(kind, value)
    except ValidationError:
        return None


def _trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence rather than the URL, and unbalanced closing
    brackets (a URL in parentheses, a Markdown link)."""
    while url:
        last = url[-1]
        if last in ".,;:!?'*" or (last in _CLOSING and url.count(_CLOSING[last]) < url.count(last)):
            url = url[:-1]
        else:
            break
    return url
