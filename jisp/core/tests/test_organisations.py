"""The directory list of organisations: visibility, filters, member counts, pages, queries."""

from __future__ import annotations

from django.urls import reverse

from jisp.core.choices import OrganisationCategory
from jisp.core.models import Membership, Organisation, Sector, User

URL = reverse("core:organisations")


def listed(response) -> set[str]:
    return {org.name for org in response.context["page"].object_list}


def test_it_sends_visitors_to_sign_in(client, cast):
    assert client.get(URL).status_code == 302


def test_it_lists_listed_organisations_and_ones_own_but_not_other_unlisted_ones(cast, signed_in):
    hidden = Organisation.objects.create(
        name="非公開組織", category=OrganisationCategory.VENUE, listed=False
    )
    cast.org_b.listed = False
    cast.org_b.save(update_fields=["listed"])
    response = signed_in(cast.member_b).get(URL, {"q": "テスト"})
    assert response.status_code == 200
    names = listed(response)
    assert cast.org_b.name in names  # their own, though not listed
    assert cast.org_a.name in names
    assert hidden.name not in names
    response = signed_in(cast.member_a).get(URL, {"q": "テスト"})
    assert cast.org_b.name not in listed(response)


def test_it_shows_every_organisation_to_the_centre_and_auditors(cast, signed_in):
    hidden = Organisation.objects.create(
        name="非公開組織", category=OrganisationCategory.VENUE, listed=False
    )
    for user in (cast.analyst, cast.auditor):
        response = signed_in(user).get(URL, {"q": "非公開"})
        assert listed(response) == {hidden.name}


def test_it_shows_nothing_to_a_person_without_organisation(cast, signed_in):
    response = signed_in(cast.outsider).get(URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


def test_it_searches_names_english_names_and_short_names(cast, signed_in):
    client = signed_in(cast.member_a)
    assert listed(client.get(URL, {"q": "関東電力"})) == {cast.org_b.name}
    assert listed(client.get(URL, {"q": "power kanto"})) == {cast.org_b.name}
    assert listed(client.get(URL, {"q": "METI"})) == {"経済産業省"}


def test_it_filters_by_category_and_sector(cast, signed_in):
    client = signed_in(cast.member_a)
    ministries = listed(client.get(URL, {"category": OrganisationCategory.MINISTRY}))
    assert "経済産業省" in ministries
    assert cast.org_a.name not in ministries
    railways = Sector.objects.get(code="railways")
    assert listed(client.get(URL, {"sector": railways.pk})) == {cast.org_a.name}


def test_it_rejects_bad_filters_with_400(cast, signed_in):
    response = signed_in(cast.member_a).get(URL, {"sector": "nonsense", "category": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors


def test_it_counts_the_people_of_each_organisation(cast, signed_in):
    Membership.objects.create(user=cast.admin_a, organisation=cast.org_a, role="member")
    response = signed_in(cast.member_b).get(URL, {"q": "テスト"})
    counts = {org.name: org.member_count for org in response.context["page"].object_list}
    assert counts[cast.org_a.name] == 3  # one person with two roles counts once
    assert counts[cast.org_b.name] == 1


def test_it_pages_fifty_at_a_time_sorted_by_name(cast, signed_in):
    Organisation.objects.bulk_create(
        Organisation(name=f"会場{n:03d}", category=OrganisationCategory.VENUE) for n in range(120)
    )
    client = signed_in(cast.member_a)
    first = client.get(URL, {"category": OrganisationCategory.VENUE})
    assert len(first.context["page"].object_list) == 50
    assert [o.name for o in first.context["page"].object_list][:2] == ["会場000", "会場001"]
    text = first.content.decode()
    assert "category=venue" in text and "page=2" in text
    third = client.get(URL, {"category": OrganisationCategory.VENUE, "page": 3})
    assert len(third.context["page"].object_list) == 20
    assert third.context["page"].object_list[0].name == "会場100"


def test_its_queries_do_not_grow_with_rows(cast, signed_in, django_assert_max_num_queries):
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"会場{n:03d}", category=OrganisationCategory.VENUE) for n in range(80)
    )
    people = User.objects.bulk_create(User(email=f"p{n}@x.example", name="p") for n in range(160))
    Membership.objects.bulk_create(
        Membership(user=p, organisation=orgs[n % 80]) for n, p in enumerate(people)
    )
    client = signed_in(cast.member_a)
    # session, user, access, unread count, count, page, sectors of the filter
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
