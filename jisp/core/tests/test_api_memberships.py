"""GET /memberships, PATCH /memberships/{id} {role}, DELETE /memberships/{id}."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jisp.core.choices import Role
from jisp.core.models import AuditEvent, Membership
from jisp.core.services import accounts
from jisp.core.testing import Cast

LIST = "/api/v1/memberships"


def bearer(user: Any, scope: str = "write") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}", "Accept-Language": "en"}


def membership_of(cast: Cast, user: Any) -> Membership:
    return Membership.objects.get(user=user)


def patch(
    client: Client, user: Any, membership: Membership, role: str, scope: str = "write"
) -> Any:
    return client.patch(
        f"{LIST}/{membership.pk}",
        {"role": role},
        content_type="application/json",
        headers=bearer(user, scope),
    )


def test_a_member_sees_the_memberships_of_their_organisation(client: Client, cast: Cast) -> None:
    body = client.get(LIST, headers=bearer(cast.member_a, "read")).json()
    assert {item["organisation"]["id"] for item in body["items"]} == {cast.org_a.pk}
    assert body["count"] == 3
    assert {item["user"]["email"] for item in body["items"]} == {
        cast.member_a.email,
        cast.member_a2.email,
        cast.admin_a.email,
    }


def test_the_centre_sees_every_membership_and_filters_them(client: Client, cast: Cast) -> None:
    headers = bearer(cast.auditor, "read")
    assert client.get(LIST, {"limit": 500}, headers=headers).json()["count"] == (
        Membership.objects.count()
    )
    by_org = client.get(LIST, {"organisation": cast.org_b.pk}, headers=headers).json()
    assert [item["user"]["id"] for item in by_org["items"]] == [cast.member_b.pk]
    by_user = client.get(LIST, {"user": cast.admin_a.pk}, headers=headers).json()
    assert [item["role"] for item in by_user["items"]] == ["org_admin"]
    assert by_user["items"][0]["role_label"] == "Organisation administrator"


def test_filtering_on_another_organisation_shows_a_member_nothing(
    client: Client, cast: Cast
) -> None:
    response = client.get(LIST, {"user": cast.member_b.pk}, headers=bearer(cast.member_a, "read"))
    assert response.json() == {"count": 0, "count_complete": True, "items": []}


def test_an_org_admin_changes_a_role(client: Client, cast: Cast) -> None:
    membership = membership_of(cast, cast.member_a2)
    response = patch(client, cast.admin_a, membership, "org_admin")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "org_admin"
    membership.refresh_from_db()
    assert membership.role == Role.ORG_ADMIN
    event = AuditEvent.objects.get(action="core.membership.changed")
    assert event.via == AuditEvent.Via.API


def test_changing_to_a_role_already_held_merges_the_two(client: Client, cast: Cast) -> None:
    kept = Membership.objects.create(
        user=cast.member_a2, organisation=cast.org_a, role=Role.ORG_ADMIN
    )
    response = patch(client, cast.admin_a, membership_of_role(cast, Role.MEMBER), "org_admin")
    assert response.status_code == 200
    assert response.json()["id"] == kept.pk
    assert list(Membership.objects.filter(user=cast.member_a2).values_list("role", flat=True)) == [
        "org_admin"
    ]


def membership_of_role(cast: Cast, role: str) -> Membership:
    return Membership.objects.get(user=cast.member_a2, role=role)


def test_a_member_may_not_change_a_role(client: Client, cast: Cast) -> None:
    membership = membership_of(cast, cast.member_a2)
    response = patch(client, cast.member_a, membership, "org_admin")
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not grant this role in this organisation."}
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


def test_a_read_token_may_not_change_a_role(client: Client, cast: Cast) -> None:
    membership = membership_of(cast, cast.member_a2)
    assert patch(client, cast.admin_a, membership, "org_admin", scope="read").status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


def test_another_organisations_membership_answers_404(client: Client, cast: Cast) -> None:
    membership = membership_of(cast, cast.member_b)
    assert patch(client, cast.admin_a, membership, "org_admin").status_code == 404


def test_an_unknown_role_answers_422(client: Client, cast: Cast) -> None:
    response = patch(client, cast.admin_a, membership_of(cast, cast.member_a2), "emperor")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "role"]


def test_an_org_admin_removes_a_membership(client: Client, cast: Cast) -> None:
    membership = membership_of(cast, cast.member_a2)
    response = client.delete(f"{LIST}/{membership.pk}", headers=bearer(cast.admin_a))
    assert response.status_code == 204
    assert response.content == b""
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="core.membership.removed").count() == 1


def test_a_member_may_not_remove_a_membership(client: Client, cast: Cast) -> None:
    membership = membership_of(cast, cast.member_a2)
    response = client.delete(f"{LIST}/{membership.pk}", headers=bearer(cast.member_a))
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_administrator_cannot_be_removed(client: Client, cast: Cast) -> None:
    membership = membership_of(cast, cast.admin_a)
    response = client.delete(f"{LIST}/{membership.pk}", headers=bearer(cast.admin_a))
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body"],
            "msg": "An organisation keeps at least one administrator.",
            "type": "invalid",
        }
    ]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_listing_memberships_takes_a_fixed_number_of_queries(
    client: Client, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    headers = bearer(cast.analyst, "read")
    with django_assert_max_num_queries(7):
        response = client.get(LIST, {"limit": 5}, headers=headers)
    assert len(response.json()["items"]) == 5
