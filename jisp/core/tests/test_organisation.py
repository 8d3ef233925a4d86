"""One organisation's page: facts, its people as the viewer may see them, management controls."""

from __future__ import annotations

from django.urls import reverse

from jisp.core.models import Membership, Organisation, User
from jisp.core.services import accounts


def url(org: Organisation) -> str:
    return reverse("core:organisation", args=[org.pk])


def people(response) -> set[str]:
    return {row["person"].email for row in response.context["people"]}


def english(user: User) -> User:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_it_shows_category_sector_and_ministry_in_charge(cast, signed_in):
    english(cast.member_a)
    response = signed_in(cast.member_a).get(url(cast.org_a))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Critical-service operator" in text
    assert "Railways" in text
    ministry = cast.org_a.sector.ministry
    assert ministry.name_en in text
    assert reverse("core:organisation", args=[ministry.pk]) in text


def test_it_shows_a_member_the_people_of_their_own_organisation(cast, signed_in):
    response = signed_in(cast.member_a).get(url(cast.org_a))
    assert people(response) == {"alice@rail.example", "aki@rail.example", "admin@rail.example"}


def test_it_hides_another_organisations_people_from_a_member(cast, signed_in):
    response = signed_in(cast.member_a).get(url(cast.org_b))
    assert response.status_code == 200
    assert people(response) == set()
    assert "bob@power.example" not in response.content.decode()


def test_it_shows_everyone_to_the_centre(cast, signed_in):
    for user in (cast.analyst, cast.auditor):
        response = signed_in(user).get(url(cast.org_b))
        assert people(response) == {"bob@power.example"}


def test_it_hides_an_unlisted_organisation_from_other_members(cast, signed_in):
    cast.org_b.listed = False
    cast.org_b.save(update_fields=["listed"])
    assert signed_in(cast.member_a).get(url(cast.org_b)).status_code == 404
    assert signed_in(cast.member_b).get(url(cast.org_b)).status_code == 200
    assert signed_in(cast.analyst).get(url(cast.org_b)).status_code == 200


def test_it_answers_404_for_unknown_organisations_and_outsiders(cast, signed_in):
    assert (
        signed_in(cast.member_a).get(reverse("core:organisation", args=[999999])).status_code == 404
    )
    assert signed_in(cast.outsider).get(url(cast.org_a)).status_code == 404


def test_it_lists_each_person_once_with_all_their_roles(cast, signed_in):
    Membership.objects.create(user=cast.admin_a, organisation=cast.org_a, role="member")
    response = signed_in(cast.member_a).get(url(cast.org_a))
    rows = {row["person"].email: row["memberships"] for row in response.context["people"]}
    assert sorted(m.role for m in rows["admin@rail.example"]) == ["member", "org_admin"]


def test_it_gives_administrators_invitations_and_membership_controls(cast, signed_in):
    invitation, _token = accounts.invite_person(
        None, cast.admin_a, cast.org_a, "x@rail.example", "member"
    )
    response = signed_in(cast.admin_a).get(url(cast.org_a))
    text = response.content.decode()
    assert response.context["can_manage"] is True
    assert [i.pk for i in response.context["invitations"]] == [invitation.pk]
    assert reverse("core:invitation_revoke", args=[invitation.pk]) in text
    assert reverse("core:invite", args=[cast.org_a.pk]) in text
    member = Membership.objects.get(user=cast.member_a)
    assert reverse("core:membership", args=[member.pk]) in text
    assert [value for value, _label in response.context["role_choices"]] == ["member", "org_admin"]


def test_it_shows_no_controls_to_members(cast, signed_in):
    accounts.invite_person(None, cast.admin_a, cast.org_a, "x@rail.example", "member")
    response = signed_in(cast.member_a).get(url(cast.org_a))
    text = response.content.decode()
    assert response.context["can_manage"] is False
    assert "x@rail.example" not in text
    assert reverse("core:invite", args=[cast.org_a.pk]) not in text
    assert "/memberships/" not in text and "/revoke/" not in text


def test_it_gives_the_centre_controls_in_any_organisation(cast, signed_in):
    response = signed_in(cast.analyst).get(url(cast.org_b))
    assert response.context["can_manage"] is True
    assert reverse("core:invite", args=[cast.org_b.pk]) in response.content.decode()


def test_it_offers_no_controls_over_roles_an_administrator_may_not_grant(cast, signed_in):
    centre_admin = User.objects.create_user("admin@centre.example", "x", name="centre admin")
    Membership.objects.create(user=centre_admin, organisation=cast.centre, role="org_admin")
    centre_admin.totp_secret, centre_admin.totp_confirmed_at = "A" * 32, centre_admin.date_joined
    centre_admin.save()
    response = signed_in(centre_admin).get(url(cast.centre))
    rows = {row["person"].email: row["memberships"] for row in response.context["people"]}
    assert not any(m.manageable for m in rows["analyst@centre.example"])
    assert all(m.manageable for m in rows["admin@centre.example"])
    assert "analyst" not in {value for value, _label in response.context["role_choices"]}


def test_its_queries_do_not_grow_with_people(cast, signed_in, django_assert_max_num_queries):
    people = User.objects.bulk_create(User(email=f"p{n}@rail.example", name="p") for n in range(60))
    Membership.objects.bulk_create(Membership(user=p, organisation=cast.org_a) for p in people)
    client = signed_in(cast.admin_a)
    # session, user, access, unread count, organisation, memberships, invitations
    with django_assert_max_num_queries(8):
        response = client.get(url(cast.org_a))
    assert len(response.context["people"]) == 63
