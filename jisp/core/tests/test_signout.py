"""Signing out: POST only, recorded, back to the sign-in page."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast

URL = reverse("core:signout")


def test_it_signs_out_and_records_it(client: Client, cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a)
    response = client.post(URL)
    assert response.status_code == 302
    assert response.url == reverse("core:signin")
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="core.signout")
    assert event.actor_id == cast.member_a.pk
    assert client.get(reverse("core:profile")).status_code == 302


def test_it_refuses_get(client: Client, cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a)
    assert client.get(URL).status_code == 405
    assert "_auth_user_id" in client.session


def test_it_lets_someone_who_must_set_up_two_factor_sign_out(client: Client, cast: Cast) -> None:
    from jisp.core.choices import Role
    from jisp.core.testing import make_person

    admin = make_person("fresh-admin@rail.example", cast.org_a, Role.ORG_ADMIN, two_factor=False)
    client.force_login(admin)
    response = client.post(URL)
    assert response.url == reverse("core:signin")
    assert AuditEvent.objects.filter(action="core.signout", actor=admin).exists()


def test_it_records_nothing_for_an_anonymous_visitor(client: Client, db: Any) -> None:
    response = client.post(URL)
    assert response.url == reverse("core:signin")
    assert not AuditEvent.objects.filter(action="core.signout").exists()
