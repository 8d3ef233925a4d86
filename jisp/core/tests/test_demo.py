"""The demo data set (`jisp demo`) and the `jisp totp` helper."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from io import StringIO
from typing import Any

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from jisp.core import audit, policy
from jisp.core.choices import CENTRE_ROLES, TWO_FACTOR_ROLES, OrganisationCategory, Role
from jisp.core.demo import loader
from jisp.core.models import AuditEvent, Membership, Notification, Organisation, Sector, User
from jisp.core.services import accounts

HISTORY_END = date(2024, 6, 14)  # a Friday: the history is fixed, whatever the day of the run


def run_demo(*args: str, **options: Any) -> str:
    out = StringIO()
    call_command("demo", *args, history_end=HISTORY_END, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Load the demo once for this module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_demo()
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded: str, db: Any) -> str:
    return loaded


def printed_accounts(output: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in output.splitlines():
        match = re.match(r"^(.+?)\s{2,}(\S+@\S+)\s+(\S+)\s+(\S+)$", line)
        if match:
            rows.append(match.groups())
    return rows  # type: ignore[return-value]


def test_it_loads_330_organisations_and_1800_people(demo: str) -> None:
    assert Organisation.objects.count() == 330
    assert User.objects.count() == 1800
    assert Membership.objects.count() >= 1800
    assert "Loaded 323 organisations" in demo


def test_it_uses_every_category_and_every_sector(demo: str) -> None:
    categories = set(Organisation.objects.values_list("category", flat=True))
    assert categories == set(OrganisationCategory.values)
    used = set(
        Organisation.objects.filter(category=OrganisationCategory.OPERATOR).values_list(
            "sector__code", flat=True
        )
    )
    assert used == set(Sector.objects.values_list("code", flat=True))
    assert len(used) == 22
    assert Organisation.objects.filter(category=OrganisationCategory.OPERATOR).count() == 200


def test_it_keeps_the_reference_organisations(demo: str) -> None:
    assert Organisation.objects.filter(category=OrganisationCategory.CENTRE).count() == 1
    for short in ("MIC", "FSA", "MLIT", "METI", "MOJ", "NPA", "CAS", "MHLW", "MOFA", "JSA"):
        assert Organisation.objects.filter(category="ministry", short_name=short).count() == 1
    for short in ("NICT", "IPA", "JPCERT/CC", "JC3"):
        assert Organisation.objects.filter(category="agency", short_name=short).exists()


def test_it_staffs_every_centre_role(demo: str) -> None:
    centre = Organisation.objects.get(category=OrganisationCategory.CENTRE)
    roles = set(Membership.objects.filter(organisation=centre).values_list("role", flat=True))
    assert roles >= set(CENTRE_ROLES) | {Role.AUDITOR, Role.ORG_ADMIN}


def test_every_organisation_has_one_to_three_administrators(demo: str) -> None:
    for org in Organisation.objects.all():
        admins = Membership.objects.filter(organisation=org, role=Role.ORG_ADMIN).count()
        assert 1 <= admins <= 3, org.name


def test_every_two_factor_role_has_a_confirmed_secret(demo: str) -> None:
    needing = User.objects.filter(memberships__role__in=TWO_FACTOR_ROLES).distinct()
    assert needing.count() > 300
    assert not needing.filter(totp_confirmed_at__isnull=True).exists()
    assert not needing.filter(totp_secret="").exists()
    members_only = User.objects.exclude(memberships__role__in=TWO_FACTOR_ROLES)
    assert not members_only.exclude(totp_secret="").exists()


def test_every_address_is_on_a_reserved_example_domain(demo: str) -> None:
    emails = list(User.objects.values_list("email", flat=True))
    assert all(loader.is_demo_address(email) for email in emails)
    assert len({email.rsplit("@", 1)[1] for email in emails}) == 330


def test_people_have_japanese_and_english_names(demo: str) -> None:
    person = User.objects.get(email=loader.featured_accounts(loader.build_plan())[0][1])
    assert re.match(r"^\S+ \S+$", person.name) and person.name_en
    assert User.objects.filter(language="en").count() > 20


def test_the_printed_sign_ins_work(demo: str) -> None:
    rows = printed_accounts(demo)
    assert [row[0] for row in rows] == [str(Role(role).label) for role in loader.FEATURED_ROLES]
    for (label, email, password, secret), role in zip(rows, loader.FEATURED_ROLES, strict=True):
        user = User.objects.get(email=email)
        assert user.check_password(password), label
        assert role in policy.access(user).roles, label
        if role in TWO_FACTOR_ROLES:
            assert secret == user.totp_secret
            assert accounts.verify_totp(None, user, pyotp.TOTP(secret).now())
        else:
            assert secret == "-"
    assert "jisp totp <email>" in demo


def test_the_printed_accounts_have_notifications(demo: str) -> None:
    for _role, email, _secret in loader.featured_accounts(loader.build_plan()):
        notes = Notification.objects.filter(recipient__email=email)
        assert notes.count() == 3
        assert notes.filter(read_at__isnull=True).count() == 2


def test_the_sign_in_history_covers_30_days_with_weekday_peaks(demo: str) -> None:
    rows = list(audit.daily_signins())
    assert len(rows) == 30
    assert rows[-1]["day"] == HISTORY_END
    total = sum(row["signins"] for row in rows)
    assert 2000 <= total <= 10000
    weekday = [row["signins"] for row in rows if row["day"].weekday() < 5]
    weekend = [row["signins"] for row in rows if row["day"].weekday() >= 5]
    assert sum(weekday) / len(weekday) > 3 * sum(weekend) / len(weekend)
    assert AuditEvent.objects.filter(action=audit.SIGNIN_FAILED).exists()


def test_a_second_run_says_so_and_changes_nothing(demo: str) -> None:
    events = AuditEvent.objects.count()
    output = run_demo()
    assert "already loaded" in output
    assert printed_accounts(output) == printed_accounts(demo)
    assert Organisation.objects.count() == 330
    assert User.objects.count() == 1800
    assert AuditEvent.objects.count() == events


def test_reset_reloads_the_same_people_and_keeps_the_audit_log(demo: str) -> None:
    emails = sorted(User.objects.values_list("email", flat=True))
    events = AuditEvent.objects.count()
    output = run_demo("--reset")
    assert "Deleted 323 demo organisations and 1800 demo people" in output
    assert sorted(User.objects.values_list("email", flat=True)) == emails
    assert Organisation.objects.count() == 330
    assert AuditEvent.objects.count() == events  # nothing deleted, no history recorded twice


def test_reset_spares_people_outside_the_demo(demo: str) -> None:
    centre = Organisation.objects.get(category=OrganisationCategory.CENTRE)
    real = User.objects.create_user("someone@jisp.go.jp", "x" * 12, name="実在 太郎")
    Membership.objects.create(user=real, organisation=centre, role=Role.ANALYST)
    run_demo("--reset")
    assert User.objects.filter(email="someone@jisp.go.jp").exists()
    assert User.objects.count() == 1801


def test_the_plan_is_deterministic() -> None:
    first, second = loader.build_plan(2020), loader.build_plan(2020)
    assert first.emails == second.emails
    assert [o.name for o in first.orgs] == [o.name for o in second.orgs]
    assert [p.totp_secret for p in first.people] == [p.totp_secret for p in second.people]
    assert loader.build_plan(7).emails != first.emails
    now = timezone.now()
    assert loader.signin_history(first, HISTORY_END, now) == loader.signin_history(
        second, HISTORY_END, now
    )


def test_totp_prints_the_current_code_of_a_demo_account(demo: str) -> None:
    _role, email, secret = loader.featured_accounts(loader.build_plan())[2]
    out = StringIO()
    call_command("totp", email, stdout=out)
    assert out.getvalue().strip() == pyotp.TOTP(secret).now()


def test_totp_refuses_an_address_outside_the_demo_domains(db: Any) -> None:
    user = User.objects.create_user("chief@real-company.co.jp", "x" * 12, name="本物 一郎")
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = timezone.now()
    user.save()
    with pytest.raises(CommandError, match="Only demo accounts"):
        call_command("totp", "chief@real-company.co.jp", stdout=StringIO())


def test_totp_refuses_an_account_without_two_factor(demo: str) -> None:
    email = loader.featured_accounts(loader.build_plan())[0][1]  # a plain member
    with pytest.raises(CommandError, match="no two-factor"):
        call_command("totp", email, stdout=StringIO())
