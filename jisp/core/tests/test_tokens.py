"""API tokens on the account page: created (shown once), listed, revoked; only one's own."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from jisp.core.choices import TokenScope
from jisp.core.models import ApiToken, AuditEvent
from jisp.core.services import accounts
from jisp.core.testing import Cast

URL = reverse("core:tokens")


def create(client: Client, **fields: Any) -> Any:
    return client.post(URL, {"name": "SIEM feed", "scope": "read", "days": 30, **fields})


def test_it_sends_a_visitor_to_sign_in(client: Client, db: Any) -> None:
    assert client.get(URL).url.startswith(reverse("core:signin"))


def test_it_creates_a_token_and_shows_it_once(client: Client, cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a)
    response = create(client, scope="write")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    full = re.search(r'value="(jisp_[0-9a-f]+_[^"]+)"', html)
    assert full is not None
    assert 'role="alert"' in html
    token = ApiToken.objects.get(user=cast.member_a)
    assert token.name == "SIEM feed"
    assert token.scope == TokenScope.WRITE
    assert full.group(1) not in token.secret_hash
    assert accounts.authenticate_token(full.group(1)) == token
    assert AuditEvent.objects.filter(action="core.token.created", actor=cast.member_a).exists()

    later = client.get(URL).content.decode()
    assert "SIEM feed" in later
    assert full.group(1) not in later


def test_it_refuses_bad_input(client: Client, cast: Cast, signed_in: Any, settings: Any) -> None:
    settings.API_TOKEN_MAX_DAYS = 30
    signed_in(cast.member_a)
    for fields in (
        {"days": 31},
        {"days": 0},
        {"days": "soon"},
        {"scope": "admin"},
        {"name": "   "},
        {"name": "x" * 101},
    ):
        response = create(client, **fields)
        assert response.status_code == 400, fields
        assert 'class="field has-error"' in response.content.decode()
    assert not ApiToken.objects.exists()
    assert create(client, days=30).status_code == 200


def test_it_lists_only_ones_own_tokens(client: Client, cast: Cast, signed_in: Any) -> None:
    accounts.create_api_token(None, cast.member_b, "Bob's secret pipeline", "read", 10)
    accounts.create_api_token(None, cast.member_a, "Alice's scanner", "read", 10)
    html = signed_in(cast.member_a).get(URL).content.decode()
    assert "Alice&#x27;s scanner" in html
    assert "pipeline" not in html


def test_it_revokes_ones_own_token(client: Client, cast: Cast, signed_in: Any) -> None:
    token, full = accounts.create_api_token(None, cast.member_a, "scanner", "read", 10)
    response = signed_in(cast.member_a).post(reverse("core:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert response.url == URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert accounts.authenticate_token(full) is None
    assert AuditEvent.objects.filter(action="core.token.revoked", actor=cast.member_a).exists()


def test_it_hides_another_persons_token(client: Client, cast: Cast, signed_in: Any) -> None:
    token, _full = accounts.create_api_token(None, cast.member_b, "pipeline", "read", 10)
    for person in (cast.member_a, cast.analyst, cast.commander):
        client.force_login(person)
        response = client.post(reverse("core:token_revoke", args=[token.pk]))
        assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_refuses_get(client: Client, cast: Cast, signed_in: Any) -> None:
    token, _full = accounts.create_api_token(None, cast.member_a, "scanner", "read", 10)
    assert (
        signed_in(cast.member_a).get(reverse("core:token_revoke", args=[token.pk])).status_code
        == 405
    )
    token.refresh_from_db()
    assert token.revoked_at is None
