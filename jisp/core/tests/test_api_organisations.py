"""GET /organisations, /organisations/{id}, /sectors and POST /organisations/{id}/invitations."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jisp.core.choices import OrganisationCategory
from jisp.core.models import Invitation, Organisation, Sector
from jisp.core.services import accounts
from jisp.core.testing import Cast

LIST = "/api/v1/organisations"


def bearer(user: Any, scope: str = "read") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def unlisted(cast: Cast) -> Organisation:
    return Organisation.objects.create(
        name="非公開テスト", category=OrganisationCategory.OPERATOR, listed=False
    )


def test_it_lists_listed_organisations_to_a_member(client: Client, cast: Cast) -> None:
    found = ids(client.get(LIST, {"limit": 500}, headers=bearer(cast.member_a)))
    assert {cast.org_a.pk, cast.org_b.pk, cast.agency.pk, cast.centre.pk} <= found


def test_it_hides_an_unlisted_organisation_from_members(
    client: Client, cast: Cast, unlisted: Organisation
) -> None:
    headers = bearer(cast.member_a)
    assert unlisted.pk not in ids(client.get(LIST, {"limit": 500}, headers=headers))
    assert client.get(f"{LIST}/{unlisted.pk}", headers=headers).status_code == 404


def test_it_shows_an_unlisted_organisation_to_its_own_members(
    client: Client, cast: Cast, unlisted: Organisation
) -> None:
    cast.org_a.listed = False
    cast.org_a.save(update_fields=["listed"])
    response = client.get(f"{LIST}/{cast.org_a.pk}", headers=bearer(cast.member_a))
    assert response.status_code == 200
    assert response.json()["listed"] is False


def test_the_centre_sees_every_organisation(
    client: Client, cast: Cast, unlisted: Organisation
) -> None:
    found = ids(client.get(LIST, {"limit": 500}, headers=bearer(cast.analyst)))
    assert set(Organisation.objects.values_list("pk", flat=True)) == found


def test_someone_without_a_membership_sees_none(client: Client, cast: Cast) -> None:
    response = client.get(LIST, headers=bearer(cast.outsider))
    assert response.json() == {"count": 0, "count_complete": True, "items": []}
    assert client.get(f"{LIST}/{cast.org_a.pk}", headers=bearer(cast.outsider)).status_code == 404


def test_it_describes_an_organisation(client: Client, cast: Cast) -> None:
    response = client.get(
        f"{LIST}/{cast.org_a.pk}", headers={**bearer(cast.member_a), "Accept-Language": "en"}
    )
    body = response.json()
    assert body["name"] == "東日本旅客鉄道テスト"
    assert body["display_name"] == "Test Railway East"
    assert body["category"] == "operator"
    assert body["category_label"] == "Critical-service operator"
    assert body["sector"]["code"] == "railways"
    assert body["created_at"].endswith("Z")


def test_it_filters_by_text_category_and_sector(client: Client, cast: Cast) -> None:
    headers = bearer(cast.member_a)
    assert ids(client.get(LIST, {"q": "railway east"}, headers=headers)) == {cast.org_a.pk}
    assert ids(client.get(LIST, {"q": "関東電力"}, headers=headers)) == {cast.org_b.pk}
    assert cast.vendor.pk in ids(client.get(LIST, {"category": "vendor"}, headers=headers))
    assert cast.org_a.pk not in ids(client.get(LIST, {"category": "vendor"}, headers=headers))
    assert ids(client.get(LIST, {"sector": "electricity"}, headers=headers)) == {cast.org_b.pk}
    assert client.get(LIST, {"category": "nonsense"}, headers=headers).status_code == 422


def test_it_pages_with_limit_and_offset(client: Client, cast: Cast) -> None:
    headers = bearer(cast.analyst)
    total = Organisation.objects.count()
    first = client.get(LIST, {"limit": 2}, headers=headers).json()
    second = client.get(LIST, {"limit": 2, "offset": 2}, headers=headers).json()
    assert first["count"] == second["count"] == total
    assert len(first["items"]) == len(second["items"]) == 2
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    assert first["count_complete"] is second["count_complete"] is True
    beyond = client.get(LIST, {"offset": total + 5}, headers=headers).json()
    assert beyond == {"count": total, "count_complete": True, "items": []}


def test_it_counts_up_to_the_limit(client: Client, cast: Cast, monkeypatch: Any) -> None:
    from jisp.core import schemas

    headers = bearer(cast.analyst)
    total = Organisation.objects.count()
    monkeypatch.setattr(schemas, "COUNT_LIMIT", total - 1)
    page = client.get(LIST, {"limit": 2, "offset": 2}, headers=headers).json()
    assert (page["count"], page["count_complete"], len(page["items"])) == (total - 1, False, 2)
    monkeypatch.setattr(schemas, "COUNT_LIMIT", total)
    page = client.get(LIST, {"limit": 2}, headers=headers).json()
    assert (page["count"], page["count_complete"]) == (total, True)


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"limit": -1}, {"offset": -1}, {"offset": 10**10}],
)
def test_it_refuses_a_page_out_of_bounds(client: Client, cast: Cast, params: Any) -> None:
    response = client.get(LIST, params, headers=bearer(cast.member_a))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_it_accepts_the_largest_limit(client: Client, cast: Cast) -> None:
    assert client.get(LIST, {"limit": 500}, headers=bearer(cast.member_a)).status_code == 200


def test_listing_takes_a_fixed_number_of_queries(
    client: Client, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    sector = Sector.objects.get(code="railways")
    Organisation.objects.bulk_create(
        Organisation(name=f"組織{i}", category=OrganisationCategory.OPERATOR, sector=sector)
        for i in range(60)
    )
    headers = bearer(cast.member_a)
    # token, last-used update, access, page, count, audit insert
    with django_assert_max_num_queries(7):
        response = client.get(LIST, {"limit": 50}, headers=headers)
    assert len(response.json()["items"]) == 50


def test_it_skips_the_count_when_the_list_fits_on_one_page(client: Client, cast: Cast) -> None:
    headers = bearer(cast.member_a)
    client.get(LIST, headers=headers)  # the token's last-used time is now set
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"limit": 500}, headers=headers)
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_it_lists_sectors_to_members(client: Client, cast: Cast) -> None:
    body = client.get("/api/v1/sectors", headers=bearer(cast.member_a)).json()
    assert body["count"] == Sector.objects.count() == len(body["items"])
    assert "railways" in {s["code"] for s in body["items"]}
    assert client.get("/api/v1/sectors", headers=bearer(cast.outsider)).json()["count"] == 0


# --- Invitations ---------------------------------------------------------------------------------


def invite(client: Client, user: Any, org: Organisation, **body: Any) -> Any:
    return client.post(
        f"{LIST}/{org.pk}/invitations",
        {"email": "new@rail.example", "role": "member", **body},
        content_type="application/json",
        headers={**bearer(user, "write"), "Accept-Language": "en"},
    )


def test_an_org_admin_invites_a_person(client: Client, cast: Cast) -> None:
    response = invite(client, cast.admin_a, cast.org_a, email=" New@Rail.Example ")
    assert response.status_code == 201, response.content
    body = response.json()
    invitation = Invitation.objects.get()
    assert body["id"] == invitation.pk
    assert body["email"] == "new@rail.example"
    assert body["organisation"]["id"] == cast.org_a.pk
    assert body["invited_by"]["id"] == cast.admin_a.pk
    assert body["email_sent"] is True
    assert set(body) == {
        "id",
        "email",
        "organisation",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "email_sent",
    }
    assert invitation.token_hash not in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@rail.example"]


def test_a_member_may_not_invite(client: Client, cast: Cast) -> None:
    response = invite(client, cast.member_a, cast.org_a)
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_an_admin_may_not_invite_to_another_organisation(client: Client, cast: Cast) -> None:
    assert invite(client, cast.admin_a, cast.org_b).status_code == 403
    assert not Invitation.objects.exists()


def test_an_admin_may_not_grant_a_centre_role(client: Client, cast: Cast) -> None:
    response = invite(client, cast.admin_a, cast.org_a, role="analyst")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "role"],
            "msg": "You may not grant this role in this organisation.",
            "type": "invalid",
        }
    ]


def test_inviting_to_a_hidden_organisation_answers_404(
    client: Client, cast: Cast, unlisted: Organisation
) -> None:
    assert invite(client, cast.admin_a, unlisted).status_code == 404


def test_the_centre_invites_to_any_organisation(client: Client, cast: Cast) -> None:
    assert invite(client, cast.analyst, cast.org_b).status_code == 201
