"""The test cast: people whose access differs, so every view is tested across roles for free.

``make_cast()`` builds them in the database; the ``cast`` fixture (``jisp/conftest.py``) gives
them to every test. Everyone signs in with ``PASSWORD``; those whose role requires two-factor
sign-in have ``TOTP_SECRET`` confirmed (use ``totp_code()`` for a current code).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyotp
from django.utils import timezone

from jisp.core.choices import OrganisationCategory, Role
from jisp.core.models import Membership, Organisation, Sector, User

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, at: float | None = None) -> str:
    totp = pyotp.TOTP(secret)
    return totp.now() if at is None else totp.at(at)


@dataclass
class Cast:
    centre: Organisation
    org_a: Organisation  # a railway operator
    org_b: Organisation  # an electricity operator (another sector)
    agency: Organisation
    vendor: Organisation
    member_a: User
    member_a2: User
    admin_a: User
    member_b: User
    analyst: User
    commander: User
    auditor: User
    responder: User
    vendor_analyst: User
    outsider: User  # signed in, but without any membership

    @property
    def everyone(self) -> dict[str, User]:
        return {name: value for name, value in vars(self).items() if isinstance(value, User)}


def make_person(
    email: str,
    organisation: Organisation | None,
    role: str = Role.MEMBER,
    *,
    name: str = "",
    two_factor: bool | None = None,
    language: str = "ja",
) -> User:
    user = User.objects.create_user(
        email, PASSWORD, name=name or email.split("@")[0], language=language
    )
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    from jisp.core.choices import TWO_FACTOR_ROLES

    if two_factor or (two_factor is None and role in TWO_FACTOR_ROLES):
        user.totp_secret = TOTP_SECRET
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return user


def make_cast() -> Cast:
    railways = Sector.objects.get(code="railways")
    electricity = Sector.objects.get(code="electricity")
    centre = Organisation.objects.get(category=OrganisationCategory.CENTRE)
    org_a = Organisation.objects.create(
        name="東日本旅客鉄道テスト",
        name_en="Test Railway East",
        category=OrganisationCategory.OPERATOR,
        sector=railways,
    )
    org_b = Organisation.objects.create(
        name="関東電力テスト",
        name_en="Test Power Kanto",
        category=OrganisationCategory.OPERATOR,
        sector=electricity,
    )
    agency = Organisation.objects.create(
        name="情報セキュリティ機構テスト",
        name_en="Test Security Agency",
        category=OrganisationCategory.AGENCY,
    )
    vendor = Organisation.objects.create(
        name="脅威情報テスト株式会社",
        name_en="Test CTI Vendor",
        category=OrganisationCategory.VENDOR,
    )
    return Cast(
        centre=centre,
        org_a=org_a,
        org_b=org_b,
        agency=agency,
        vendor=vendor,
        member_a=make_person("alice@rail.example", org_a, name="鈴木 愛"),
        member_a2=make_person("aki@rail.example", org_a, name="佐藤 明"),
        admin_a=make_person("admin@rail.example", org_a, Role.ORG_ADMIN, name="高橋 修"),
        member_b=make_person("bob@power.example", org_b, name="田中 博", language="en"),
        analyst=make_person("analyst@centre.example", centre, Role.ANALYST, name="伊藤 彩"),
        commander=make_person("commander@centre.example", centre, Role.COMMANDER, name="渡辺 剛"),
        auditor=make_person("auditor@centre.example", centre, Role.AUDITOR, name="山本 恵"),
        responder=make_person(
            "responder@agency.example", agency, Role.AGENCY_RESPONDER, name="中村 誠"
        ),
        vendor_analyst=make_person(
            "vendor@cti.example", vendor, Role.VENDOR_ANALYST, name="Emma Clarke", language="en"
        ),
        outsider=make_person("nobody@nowhere.example", None, name="小林 空"),
    )


def _po_messages(text: str) -> dict[bytes, bytes]:
    """The translated, non-fuzzy entries of a PO file, keyed as in an MO file."""
    import ast

    result: dict[bytes, bytes] = {}
    entries: list[tuple[dict[str, str], bool]] = [({}, False)]
    key = ""
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            entries.append(({}, False))
        elif line.startswith("#,") and "fuzzy" in line:
            entries[-1] = (entries[-1][0], True)
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entries[-1][0][key] += ast.literal_eval(line)
        else:
            key, _sep, rest = line.partition(" ")
            entries[-1][0][key] = ast.literal_eval(rest)
    for entry, fuzzy in entries:
        if "msgid" not in entry or fuzzy:
            continue
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = entry["msgctxt"] + "\x04" + msgid
        if "msgid_plural" in entry:
            msgid += "\0" + entry["msgid_plural"]
            value = "\0".join(entry[k] for k in sorted(entry) if k.startswith("msgstr["))
        else:
            value = entry.get("msgstr", "")
        if value.strip("\0"):
            result[msgid.encode()] = value.encode()
    return result


def compile_catalogs(folder: Path) -> Path:
    """Compile every ``jisp/locale/ja/LC_MESSAGES/parts/*.po`` into ``folder`` as one catalog.

    For tests that check Japanese text before the parts are merged and compiled: put the
    returned folder first in ``settings.LOCALE_PATHS``. Pure Python (no gettext tools needed).
    """
    import struct

    parts = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES" / "parts"
    messages: dict[bytes, bytes] = {}
    for po in sorted(parts.glob("*.po")):
        try:
            found = _po_messages(po.read_text(encoding="utf-8"))
        except (ValueError, SyntaxError, KeyError):
            continue  # a part being written by someone else: msgfmt will report it
        for msgid, value in found.items():
            messages.setdefault(msgid, value)
    keys = sorted(messages)
    ids = b"".join(k + b"\0" for k in keys)
    strs = b"".join(messages[k] + b"\0" for k in keys)
    start = 28 + 16 * len(keys)
    table: list[int] = []
    offset = 0
    for k in keys:
        table += [len(k), start + offset]
        offset += len(k) + 1
    offset = start + len(ids)
    for k in keys:
        table += [len(messages[k]), offset]
        offset += len(messages[k]) + 1
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    target = Path(folder) / "ja" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    (target / "django.mo").write_bytes(header + struct.pack(f"<{len(table)}I", *table) + ids + strs)
    return Path(folder)
