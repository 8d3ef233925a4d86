"""The test cast: people whose access differs, so every view is tested across roles for free.

``make_cast()`` builds them in the database; the ``cast`` fixture (``jisp/conftest.py``) gives
them to every test. Everyone signs in with ``PASSWORD``; those whose role requires two-factor
sign-in have ``TOTP_SECRET`` confirmed (use ``totp_code()`` for a current code).
"""

from __future__ import annotations

from dataclasses import dataclass

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
