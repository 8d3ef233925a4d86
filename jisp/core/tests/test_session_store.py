"""The session store and the person of a request, read through compiled statements."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jisp.core.auth import EmailBackend
from jisp.core.sessions import SessionStore
from jisp.core.testing import Cast

PROFILE = reverse("core:profile")


def test_a_signed_in_person_is_recognised(client: Client, cast: Cast) -> None:
    client.force_login(cast.member_a)
    response = client.get(PROFILE)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == cast.member_a.pk


def test_an_expired_session_signs_nobody_in(client: Client, cast: Cast) -> None:
    client.force_login(cast.member_a)
    key = client.cookies["sessionid"].value
    expired = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(session_key=key).update(expire_date=expired)
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:signin"))


def test_an_unknown_or_malformed_key_loads_an_empty_session(db: Any) -> None:
    for key in ["x" * 32, "short", "", None]:
        store = SessionStore(key)
        assert dict(store.items()) == {}
        assert store.session_key is None


def test_a_stored_session_loads_its_data(db: Any) -> None:
    store = SessionStore()
    store["answer"] = 42
    store.save()
    again = SessionStore(store.session_key)
    assert again["answer"] == 42
    assert again.session_key == store.session_key


def test_a_deactivated_person_is_signed_out(client: Client, cast: Cast) -> None:
    client.force_login(cast.member_a)
    cast.member_a.is_active = False
    cast.member_a.save(update_fields=["is_active"])
    assert client.get(PROFILE).status_code == 302
    assert EmailBackend().get_user(cast.member_a.pk) is None


def test_the_backend_reads_the_person_by_key_only(cast: Cast) -> None:
    backend = EmailBackend()
    assert backend.get_user(cast.analyst.pk).email == cast.analyst.email
    assert backend.get_user(10**9) is None
    assert backend.get_user("1") is None  # type: ignore[arg-type]
