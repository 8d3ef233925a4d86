"""The page behind an invitation link: create an account, join, or a clear refusal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from jisp.core.choices import Role
from jisp.core.models import AuditEvent, Membership, User
from jisp.core.services import accounts


def invite_by_mail(client, org, email, role="member") -> str:
    """Invite through the page, as the signed-in client, and return the e-mailed link's path."""
    client.post(reverse("core:invite", args=[org.pk]), {"email": email, "role": role})
    match = re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", mail.outbox[-1].body)
    assert match is not None
    return match.group(1)


def new_account(**overrides):
    data = {
        "name": "新人 太郎",
        "password1": "a long and unusual passphrase 42",
        "password2": "a long and unusual passphrase 42",
        "language": "en",
    }
    data.update(overrides)
    return data


def test_it_creates_the_account_joins_and_signs_in(cast, client):
    client.force_login(cast.admin_a)
    link = invite_by_mail(client, cast.org_a, "newcomer@rail.example")
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert page.context["mode"] == "create"
    assert "newcomer@rail.example" in page.content.decode()
    response = client.post(link, new_account())
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    user = User.objects.get(email="newcomer@rail.example")
    assert user.name == "新人 太郎" and user.language == "en"
    assert user.check_password("a long and unusual passphrase 42")
    assert Membership.objects.filter(user=user, organisation=cast.org_a, role="member").exists()
    home = client.get(reverse("core:home"))
    assert home.status_code == 200 and home.context["user"] == user
    actions = set(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert actions == {"core.invitation.accepted", "core.signin.succeeded"}


def test_it_refuses_to_use_a_link_twice(cast, client):
    client.force_login(cast.admin_a)
    link = invite_by_mail(client, cast.org_a, "newcomer@rail.example")
    client.logout()
    client.post(link, new_account())
    client.logout()
    again = client.get(link)
    assert again.status_code == 404
    assert again.context["state"] == "used"
    assert client.post(link, new_account()).status_code == 404
    assert User.objects.filter(email="newcomer@rail.example").count() == 1


def test_it_answers_410_for_an_expired_link(cast, client, settings):
    client.force_login(cast.admin_a)
    link = invite_by_mail(client, cast.org_a, "late@rail.example")
    client.logout()
    later = timezone.now() + timedelta(days=settings.INVITATION_DAYS, minutes=1)
    with time_machine.travel(later, tick=False):
        response = client.get(link)
        assert response.status_code == 410
        assert response.context["state"] == "expired"
        assert client.post(link, new_account()).status_code == 410
    assert not User.objects.filter(email="late@rail.example").exists()


def test_it_answers_404_for_a_revoked_link(cast, client):
    client.force_login(cast.admin_a)
    link = invite_by_mail(client, cast.org_a, "gone@rail.example")
    client.post(reverse("core:invitation_revoke", args=[cast.org_a.invitations.get().pk]))
    client.logout()
    response = client.get(link)
    assert response.status_code == 404
    assert response.context["state"] == "revoked"


@pytest.mark.parametrize(
    "token",
    ["x", "0" * 43, "A" * 5000, "%00", "%E3%81%82" * 10, "..", "%F0%9F%92%A9", "null%0d%0aX: y"],
)
def test_it_answers_404_never_500_for_absurd_tokens(db, client, token):
    response = client.get(f"/invitation/{token}/")
    assert response.status_code == 404
    assert client.post(f"/invitation/{token}/", new_account()).status_code == 404


def test_it_refuses_mismatched_and_weak_passwords_and_saves_nothing(cast, client):
    _invitation, token = accounts.invite_person(
        None, cast.admin_a, cast.org_a, "n@rail.example", "member"
    )
    link = reverse("core:invitation_accept", args=[token])
    response = client.post(link, new_account(password2="something else entirely 1"))
    assert response.status_code == 400
    assert response.context["form"].errors["password2"]
    response = client.post(link, new_account(password1="12345678", password2="12345678"))
    assert response.status_code == 400
    assert response.context["form"].errors["password1"]
    response = client.post(link, new_account(name=""))
    assert response.status_code == 400
    assert not User.objects.filter(email="n@rail.example").exists()
    assert accounts.find_invitation(token) is not None


def test_it_asks_an_existing_account_to_sign_in_first(cast, client):
    _invitation, token = accounts.invite_person(
        None, cast.analyst, cast.org_b, "alice@rail.example", "member"
    )
    link = reverse("core:invitation_accept", args=[token])
    response = client.get(link)
    assert response.status_code == 200
    assert response.context["mode"] == "sign_in"
    assert response.context["signin_url"] == reverse("core:signin") + "?next=" + link.replace(
        "/", "%2F"
    )
    assert client.post(link, new_account()).status_code == 400
    assert not Membership.objects.filter(user=cast.member_a, organisation=cast.org_b).exists()


def test_it_lets_the_invited_person_join_when_signed_in(cast, signed_in):
    _invitation, token = accounts.invite_person(
        None, cast.analyst, cast.org_b, "alice@rail.example", "member"
    )
    link = reverse("core:invitation_accept", args=[token])
    client = signed_in(cast.member_a)
    page = client.get(link)
    assert page.status_code == 200 and page.context["mode"] == "join"
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:organisation", args=[cast.org_b.pk])
    assert Membership.objects.filter(user=cast.member_a, organisation=cast.org_b).exists()
    assert client.get(link).status_code == 404


def test_it_refuses_another_signed_in_account_with_403(cast, signed_in):
    _invitation, token = accounts.invite_person(
        None, cast.admin_a, cast.org_a, "n@rail.example", "member"
    )
    link = reverse("core:invitation_accept", args=[token])
    client = signed_in(cast.member_b)
    page = client.get(link)
    assert page.status_code == 403
    assert page.context["mode"] == "wrong_account"
    assert client.post(link).status_code == 403
    assert not Membership.objects.filter(user=cast.member_b, organisation=cast.org_a).exists()
    assert accounts.find_invitation(token) is not None


def test_it_sends_a_new_person_whose_role_needs_two_factor_to_set_it_up(cast, client):
    _invitation, token = accounts.invite_person(
        None, cast.admin_a, cast.org_a, "second-admin@rail.example", Role.ORG_ADMIN
    )
    link = reverse("core:invitation_accept", args=[token])
    assert client.post(link, new_account()).status_code == 302
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:two_factor_setup")
