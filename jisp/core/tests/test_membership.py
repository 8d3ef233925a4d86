"""Changing a person's role in an organisation, or removing it."""

from __future__ import annotations

from django.urls import reverse

from jisp.core.models import AuditEvent, Membership
from jisp.core.testing import make_person


def url(membership: Membership) -> str:
    return reverse("core:membership", args=[membership.pk])


def test_it_changes_a_role_and_records_it(cast, signed_in):
    target = Membership.objects.get(user=cast.member_a, organisation=cast.org_a)
    response = signed_in(cast.admin_a).post(
        url(target), {"action": "set_role", "role": "org_admin"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:organisation", args=[cast.org_a.pk])
    target.refresh_from_db()
    assert target.role == "org_admin"
    event = AuditEvent.objects.get(action="core.membership.changed")
    assert event.actor == cast.admin_a
    assert event.organisation_id == cast.org_a.pk
    assert event.data == {"person": cast.member_a.pk, "old_role": "member", "new_role": "org_admin"}


def test_it_removes_a_membership_and_records_it(cast, signed_in):
    target = Membership.objects.get(user=cast.member_a2)
    response = signed_in(cast.admin_a).post(url(target), {"action": "remove"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert AuditEvent.objects.filter(action="core.membership.removed", actor=cast.admin_a).exists()


def test_it_refuses_a_centre_role_from_an_organisation_administrator(cast, signed_in):
    target = Membership.objects.get(user=cast.member_a)
    response = signed_in(cast.admin_a).post(url(target), {"action": "set_role", "role": "analyst"})
    assert response.status_code == 403
    assert list(response.context["messages"])
    target.refresh_from_db()
    assert target.role == "member"
    assert not AuditEvent.objects.filter(action="core.membership.changed").exists()


def test_it_keeps_the_last_administrator(cast, signed_in):
    own = Membership.objects.get(user=cast.admin_a)
    client = signed_in(cast.admin_a)
    response = client.post(url(own), {"action": "set_role", "role": "member"})
    assert response.status_code == 400
    assert list(response.context["messages"])
    assert client.post(url(own), {"action": "remove"}).status_code == 400
    own.refresh_from_db()
    assert own.role == "org_admin"


def test_it_lets_an_administrator_step_down_when_another_remains(cast, signed_in):
    make_person("second@rail.example", cast.org_a, "org_admin")
    own = Membership.objects.get(user=cast.admin_a)
    response = signed_in(cast.admin_a).post(url(own), {"action": "set_role", "role": "member"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.role == "member"


def test_it_refuses_members_with_403(cast, signed_in):
    target = Membership.objects.get(user=cast.member_a2)
    response = signed_in(cast.member_a).post(url(target), {"action": "remove"})
    assert response.status_code == 403
    assert Membership.objects.filter(pk=target.pk).exists()


def test_it_hides_other_organisations_memberships_with_404(cast, signed_in):
    target = Membership.objects.get(user=cast.member_b)
    assert signed_in(cast.admin_a).post(url(target), {"action": "remove"}).status_code == 404
    assert signed_in(cast.admin_a).post(reverse("core:membership", args=[99999])).status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()


def test_it_lets_the_centre_manage_any_organisation(cast, signed_in):
    target = Membership.objects.get(user=cast.member_b)
    response = signed_in(cast.analyst).post(
        url(target), {"action": "set_role", "role": "org_admin"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == "org_admin"


def test_it_rejects_bad_input_with_400(cast, signed_in):
    target = Membership.objects.get(user=cast.member_a)
    client = signed_in(cast.admin_a)
    assert client.post(url(target), {"action": "explode"}).status_code == 400
    assert client.post(url(target), {"action": "set_role"}).status_code == 400
    assert client.post(url(target), {"action": "set_role", "role": "emperor"}).status_code == 400
    assert client.get(url(target)).status_code == 405
    target.refresh_from_db()
    assert target.role == "member"


def test_it_sends_home_someone_who_removed_their_last_way_in(cast, signed_in):
    cast.org_a.listed = False
    cast.org_a.save(update_fields=["listed"])
    make_person("second@rail.example", cast.org_a, "org_admin")
    own = Membership.objects.get(user=cast.admin_a)
    response = signed_in(cast.admin_a).post(url(own), {"action": "remove"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
