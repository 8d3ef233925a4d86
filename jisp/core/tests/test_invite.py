"""Inviting a person to an organisation, and revoking an invitation."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from jisp.core.choices import OrganisationCategory
from jisp.core.models import AuditEvent, Invitation, Organisation
from jisp.core.services import accounts


def url(org: Organisation) -> str:
    return reverse("core:invite", args=[org.pk])


def test_it_invites_a_person_and_emails_a_bilingual_link(cast, signed_in, settings):
    settings.SITE_URL = "https://jisp.example"
    client = signed_in(cast.admin_a)
    assert client.get(url(cast.org_a)).status_code == 200
    response = client.post(url(cast.org_a), {"email": " New@Rail.Example ", "role": "member"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:organisation", args=[cast.org_a.pk])
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.organisation) == (
        "new@rail.example",
        "member",
        cast.org_a,
    )
    assert invitation.invited_by == cast.admin_a
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@rail.example"]
    assert "東日本旅客鉄道テスト" in message.subject and "Test Railway East" in message.subject
    link = re.search(r"https://jisp\.example/invitation/[\w-]+/", message.body)
    assert link is not None
    body = message.body
    assert body.index("東日本旅客鉄道テスト") < body.index("Test Railway East")  # Japanese first
    assert "Test Railway East on JISP" in body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert link.group(0) in html
    event = AuditEvent.objects.get(action="core.invitation.sent")
    assert event.actor == cast.admin_a
    assert event.organisation_id == cast.org_a.pk


def test_it_offers_only_the_roles_the_person_may_grant(cast, signed_in):
    response = signed_in(cast.admin_a).get(url(cast.org_a))
    assert [v for v, _l in response.context["form"].fields["role"].choices] == [
        "member",
        "org_admin",
    ]
    response = signed_in(cast.analyst).get(url(cast.centre))
    choices = {v for v, _l in response.context["form"].fields["role"].choices}
    assert {"analyst", "commander", "auditor", "member", "org_admin"} <= choices


def test_it_refuses_a_centre_role_from_an_organisation_administrator(cast, signed_in):
    response = signed_in(cast.admin_a).post(
        url(cast.org_a), {"email": "x@rail.example", "role": "analyst"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["role"]
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_it_refuses_members_with_403(cast, signed_in):
    client = signed_in(cast.member_a)
    assert client.get(url(cast.org_a)).status_code == 403
    assert (
        client.post(url(cast.org_a), {"email": "x@rail.example", "role": "member"}).status_code
        == 403
    )
    assert not Invitation.objects.exists()


def test_it_refuses_another_organisations_administrator(cast, signed_in):
    response = signed_in(cast.admin_a).post(
        url(cast.org_b), {"email": "x@p.example", "role": "member"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_it_answers_404_for_an_organisation_one_cannot_see(cast, signed_in):
    hidden = Organisation.objects.create(
        name="非公開", category=OrganisationCategory.VENUE, listed=False
    )
    assert signed_in(cast.admin_a).get(url(hidden)).status_code == 404
    assert signed_in(cast.analyst).get(url(hidden)).status_code == 200


def test_it_rejects_a_bad_address_with_400_and_saves_nothing(cast, signed_in):
    client = signed_in(cast.admin_a)
    for email in ("not an address", "", "a@b@c"):
        response = client.post(url(cast.org_a), {"email": email, "role": "member"})
        assert response.status_code == 400
        assert response.context["form"].errors["email"]
    assert client.post(url(cast.org_a), {}).status_code == 400
    assert not Invitation.objects.exists()


def test_it_refuses_to_invite_someone_who_already_has_the_role(cast, signed_in):
    response = signed_in(cast.admin_a).post(
        url(cast.org_a), {"email": "alice@rail.example", "role": "member"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"]


def test_it_revokes_an_open_invitation(cast, signed_in):
    invitation, _ = accounts.invite_person(
        None, cast.admin_a, cast.org_a, "x@rail.example", "member"
    )
    client = signed_in(cast.admin_a)
    revoke = reverse("core:invitation_revoke", args=[invitation.pk])
    assert client.get(revoke).status_code == 405
    response = client.post(revoke)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action="core.invitation.revoked", actor=cast.admin_a).exists()
    again = client.post(revoke)
    assert again.status_code == 400


def test_it_refuses_revocation_by_members_and_other_organisations(cast, signed_in):
    invitation, _ = accounts.invite_person(
        None, cast.admin_a, cast.org_a, "x@rail.example", "member"
    )
    revoke = reverse("core:invitation_revoke", args=[invitation.pk])
    assert signed_in(cast.member_a).post(revoke).status_code == 403
    assert signed_in(cast.member_b).post(revoke).status_code == 403
    cast.org_a.listed = False
    cast.org_a.save(update_fields=["listed"])
    assert signed_in(cast.member_b).post(revoke).status_code == 404
    assert (
        signed_in(cast.member_b).post(reverse("core:invitation_revoke", args=[9999])).status_code
        == 404
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
