"""Japanese is complete: every string is translated, and the compiled catalogue agrees."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "jisp" / "locale" / "ja" / "LC_MESSAGES"


def parse_po(path: Path) -> list[dict[str, object]]:
    """Entries of a PO file: msgid (after its context and EOT, if any), msgid_plural, msgstr...,
    flags (enough for our catalogue)."""
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {}
    key = ""

    def unquote(text: str) -> str:
        return text.strip()[1:-1].encode("raw_unicode_escape").decode("unicode_escape")

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in current:
                if "msgctxt" in current:  # as gettext stores it: context EOT msgid
                    current["msgid"] = f"{current.pop('msgctxt')}\x04{current['msgid']}"
                entries.append(current)
            current, key = {}, ""
        elif line.startswith("#,"):
            current["flags"] = line[2:].strip()
        elif line.startswith("#"):
            continue
        elif m := re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line):
            key = m.group(1)
            current[key] = unquote(m.group(2))
        elif line.startswith('"') and key:
            current[key] = str(current[key]) + unquote(line)
    return entries


def test_every_string_is_translated_to_japanese() -> None:
    entries = [e for e in parse_po(LOCALE / "django.po") if e["msgid"]]
    assert len(entries) > 100
    untranslated = [
        e["msgid"] for e in entries if not any(v for k, v in e.items() if k.startswith("msgstr"))
    ]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in str(e.get("flags", ""))]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(LOCALE / "django.po"):
        msgid = str(entry["msgid"])
        if not msgid or "msgid_plural" in entry or "fuzzy" in str(entry.get("flags", "")):
            continue
        context, _, bare = msgid.rpartition("\x04")
        got = compiled.pgettext(context, bare) if context else compiled.gettext(msgid)
        if got != entry["msgstr"]:
            stale.append(msgid)
    assert stale == []
