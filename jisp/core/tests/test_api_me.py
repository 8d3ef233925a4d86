"""GET /me: the caller, their memberships and roles, two-factor and the token's scope."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jisp.core.services import accounts
from jisp.core.testing import Cast

ME = "/api/v1/me"


def bearer(user: Any, scope: str = "read") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def test_it_describes_a_member(client: Client, cast: Cast) -> None:
    body = client.get(ME, headers=bearer(cast.member_a)).json()
    assert body["id"] == cast.member_a.pk
    assert body["name"] == "鈴木 愛"
    assert body["language"] == "ja"
    assert body["two_factor"] is False
    assert body["roles"] == ["member"]
    assert body["is_centre_staff"] is False
    assert [(m["organisation"]["id"], m["role"]) for m in body["memberships"]] == [
        (cast.org_a.pk, "member")
    ]
    assert body["via"] == "token"
    assert body["token_scope"] == "read"
    assert body["token_expires_at"].endswith("Z")


def test_it_describes_the_centres_staff(client: Client, cast: Cast) -> None:
    body = client.get(ME, headers=bearer(cast.commander, "write")).json()
    assert body["roles"] == ["commander"]
    assert body["is_centre_staff"] is True
    assert body["two_factor"] is True
    assert body["token_scope"] == "write"


def test_it_describes_someone_without_a_membership(client: Client, cast: Cast) -> None:
    body = client.get(ME, headers=bearer(cast.outsider)).json()
    assert body["memberships"] == []
    assert body["roles"] == []


def test_it_describes_the_session_caller(signed_in: Any, cast: Cast) -> None:
    body = signed_in(cast.vendor_analyst).get(ME).json()
    assert body["via"] == "session"
    assert body["token_scope"] is None
    assert body["token_expires_at"] is None
    assert body["roles"] == ["vendor_analyst"]


def test_it_refuses_a_caller_without_credentials(client: Client, cast: Cast) -> None:
    assert client.get(ME).status_code == 401
