"""GET /people and /people/{id}: one's own organisations' people; everyone for the centre."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jisp.core.choices import Role
from jisp.core.models import Membership, User
from jisp.core.services import accounts
from jisp.core.testing import Cast, make_person

LIST = "/api/v1/people"


def bearer(user: Any, scope: str = "read") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_a_member_sees_the_people_of_their_organisation(client: Client, cast: Cast) -> None:
    found = ids(client.get(LIST, headers=bearer(cast.member_a)))
    assert found == {cast.member_a.pk, cast.member_a2.pk, cast.admin_a.pk}


def test_a_member_does_not_see_another_organisations_people(client: Client, cast: Cast) -> None:
    headers = bearer(cast.member_a)
    assert cast.member_b.pk not in ids(client.get(LIST, headers=headers))
    response = client.get(f"{LIST}/{cast.member_b.pk}", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"]}


def test_the_centre_sees_everyone(client: Client, cast: Cast) -> None:
    found = ids(client.get(LIST, {"limit": 500}, headers=bearer(cast.analyst)))
    assert set(User.objects.values_list("pk", flat=True)) == found
    assert client.get(f"{LIST}/{cast.member_b.pk}", headers=bearer(cast.auditor)).status_code == 200


def test_someone_without_a_membership_sees_nobody(client: Client, cast: Cast) -> None:
    assert client.get(LIST, headers=bearer(cast.outsider)).json() == {
        "count": 0,
        "count_complete": True,
        "items": [],
    }


def test_it_describes_a_person_with_only_the_memberships_the_caller_may_see(
    client: Client, cast: Cast
) -> None:
    Membership.objects.create(user=cast.member_a2, organisation=cast.org_b, role=Role.MEMBER)
    body = client.get(f"{LIST}/{cast.member_a2.pk}", headers=bearer(cast.member_a)).json()
    assert body["email"] == cast.member_a2.email
    assert [(m["organisation"]["id"], m["role"]) for m in body["memberships"]] == [
        (cast.org_a.pk, "member")
    ]
    everything = client.get(f"{LIST}/{cast.member_a2.pk}", headers=bearer(cast.analyst)).json()
    assert {m["organisation"]["id"] for m in everything["memberships"]} == {
        cast.org_a.pk,
        cast.org_b.pk,
    }


def test_it_filters_by_organisation_and_text(client: Client, cast: Cast) -> None:
    headers = bearer(cast.analyst)
    found = ids(client.get(LIST, {"organisation": cast.org_b.pk}, headers=headers))
    assert found == {cast.member_b.pk}
    assert ids(client.get(LIST, {"q": "ALICE@rail"}, headers=headers)) == {cast.member_a.pk}
    assert ids(client.get(LIST, {"q": "佐藤"}, headers=headers)) == {cast.member_a2.pk}


def test_filtering_by_another_organisation_shows_a_member_nobody(
    client: Client, cast: Cast
) -> None:
    response = client.get(LIST, {"organisation": cast.org_b.pk}, headers=bearer(cast.member_a))
    assert response.json() == {"count": 0, "count_complete": True, "items": []}


def test_a_person_with_several_roles_is_listed_once(client: Client, cast: Cast) -> None:
    Membership.objects.create(user=cast.member_a, organisation=cast.org_a, role=Role.ORG_ADMIN)
    response = client.get(LIST, {"organisation": cast.org_a.pk}, headers=bearer(cast.member_a))
    assert [i["id"] for i in response.json()["items"]].count(cast.member_a.pk) == 1


def test_listing_people_takes_a_fixed_number_of_queries(
    client: Client, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        make_person(f"p{i}@rail.example", cast.org_a)
    headers = bearer(cast.member_a)
    # token, last-used update, access, page, count, memberships prefetch, audit insert
    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"limit": 20}, headers=headers)
    assert len(response.json()["items"]) == 20
    assert response.json()["count"] == 33
