"""Signing in to the API: tokens, their scope and life, the session for reading, the audit row."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jisp.core.models import ApiToken, AuditEvent
from jisp.core.services import accounts
from jisp.core.testing import Cast

ME = "/api/v1/me"


def token_for(user: Any, scope: str = "read") -> tuple[ApiToken, dict[str, str]]:
    token, full = accounts.create_api_token(None, user, "test", scope, 30)
    return token, {"Authorization": f"Bearer {full}"}


def assert_401(response: Any) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["detail"], str)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_answers_a_valid_token_with_the_person(client: Client, cast: Cast) -> None:
    _, headers = token_for(cast.member_a)
    response = client.get(ME, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == cast.member_a.email
    assert body["via"] == "token"
    assert body["token_scope"] == "read"


def test_it_refuses_a_request_without_credentials(client: Client, cast: Cast) -> None:
    assert_401(client.get(ME))


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Token jisp_abc_def",
        "Basic dXNlcjpwYXNz",
        "Bearer jisp_",
        "Bearer jisp_abc",
        "Bearer not-a-token",
        "Bearer jisp_zz_\x00\x00",
        "Bearer " + "jisp_ab_" + "x" * 500,
    ],
)
def test_it_refuses_a_malformed_header(client: Client, cast: Cast, header: str) -> None:
    assert_401(client.get(ME, headers={"Authorization": header}))


def test_it_refuses_an_unknown_token(client: Client, cast: Cast) -> None:
    token, _ = token_for(cast.member_a)
    wrong = {"Authorization": f"Bearer jisp_{token.key_id}_{'x' * 43}"}
    response = client.get(ME, headers=wrong)
    assert_401(response)
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_it_refuses_a_revoked_token(client: Client, cast: Cast) -> None:
    token, headers = token_for(cast.member_a)
    accounts.revoke_api_token(None, cast.member_a, token)
    assert_401(client.get(ME, headers=headers))


def test_it_refuses_an_expired_token(client: Client, cast: Cast) -> None:
    token, headers = token_for(cast.member_a)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_401(client.get(ME, headers=headers))


def test_it_refuses_the_token_of_a_deactivated_person(client: Client, cast: Cast) -> None:
    _, headers = token_for(cast.member_a)
    cast.member_a.is_active = False
    cast.member_a.save(update_fields=["is_active"])
    assert_401(client.get(ME, headers=headers))


def test_it_refuses_writing_with_a_read_token(client: Client, cast: Cast) -> None:
    _, headers = token_for(cast.admin_a, "read")
    response = client.post(
        f"/api/v1/organisations/{cast.org_a.pk}/invitations",
        {"email": "new@rail.example", "role": "member"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert "書き込み権限" in response.json()["detail"]  # admin_a reads Japanese
    assert not cast.org_a.invitations.exists()


def test_it_lets_a_write_token_read_too(client: Client, cast: Cast) -> None:
    _, headers = token_for(cast.member_a, "write")
    assert client.get(ME, headers=headers).json()["token_scope"] == "write"


def test_it_accepts_the_session_for_reading(signed_in: Any, cast: Cast) -> None:
    response = signed_in(cast.member_a).get(ME)
    assert response.status_code == 200
    assert response.json()["via"] == "session"
    assert response.json()["token_scope"] is None


def test_it_refuses_the_session_for_writing(signed_in: Any, cast: Cast) -> None:
    client = signed_in(cast.admin_a)
    response = client.post(
        f"/api/v1/organisations/{cast.org_a.pk}/invitations",
        {"email": "new@rail.example", "role": "member"},
        content_type="application/json",
    )
    assert_401(response)
    assert not cast.org_a.invitations.exists()


def test_it_refuses_a_session_that_still_owes_two_factor_set_up(signed_in: Any, cast: Cast) -> None:
    cast.admin_a.totp_confirmed_at = None
    cast.admin_a.save(update_fields=["totp_confirmed_at"])
    response = signed_in(cast.admin_a).get(ME)
    assert response.status_code == 403


def test_the_token_wins_over_the_session(signed_in: Any, cast: Cast) -> None:
    _, headers = token_for(cast.member_b)
    response = signed_in(cast.member_a).get(ME, headers=headers)
    assert response.json()["email"] == cast.member_b.email


def test_it_records_each_api_request_once_in_the_audit_log(client: Client, cast: Cast) -> None:
    token, headers = token_for(cast.member_a)
    before = AuditEvent.objects.filter(action="core.api.request").count()
    client.get("/api/v1/organisations?limit=5", headers=headers)
    rows = AuditEvent.objects.filter(action="core.api.request")
    assert rows.count() == before + 1
    row = rows.first()
    assert row is not None
    assert row.actor_id == cast.member_a.pk
    assert row.via == AuditEvent.Via.API
    assert row.data == {
        "method": "GET",
        "path": "/api/v1/organisations",
        "status": 200,
        "token": token.key_id,
    }


def test_it_records_refused_requests_too(client: Client, cast: Cast) -> None:
    client.get(ME, headers={"Authorization": "Bearer nonsense"})
    row = AuditEvent.objects.filter(action="core.api.request").first()
    assert row is not None
    assert row.actor_id is None
    assert row.data["status"] == 401


def test_it_records_the_service_action_as_done_through_the_api(client: Client, cast: Cast) -> None:
    _, headers = token_for(cast.admin_a, "write")
    client.post(
        f"/api/v1/organisations/{cast.org_a.pk}/invitations",
        {"email": "new@rail.example", "role": "member"},
        content_type="application/json",
        headers=headers,
    )
    sent = AuditEvent.objects.get(action="core.invitation.sent")
    assert sent.via == AuditEvent.Via.API
    assert sent.actor_id == cast.admin_a.pk


def test_it_answers_in_the_token_owners_language_without_accept_language(
    client: Client, cast: Cast
) -> None:
    _, headers = token_for(cast.member_b)  # member_b reads English
    response = client.get("/api/v1/organisations/999999", headers=headers)
    assert response.json() == {"detail": "Not found."}


def test_it_answers_in_the_accept_language_when_sent(client: Client, cast: Cast) -> None:
    _, headers = token_for(cast.member_a)  # member_a reads Japanese
    response = client.get(
        "/api/v1/organisations/999999", headers={**headers, "Accept-Language": "en"}
    )
    assert response.json() == {"detail": "Not found."}
