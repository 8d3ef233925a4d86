"""The header's language switch: a cookie for everyone, the account's language when signed in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast

URL = reverse("core:language")


def test_it_sets_the_cookie_for_a_visitor(client: Client, db: Any) -> None:
    response = client.post(URL, {"language": "en", "next": reverse("core:signin")})
    assert response.status_code == 302
    assert response.url == reverse("core:signin")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("core:signin"))
    assert 'lang="en"' in page.content.decode()


def test_it_saves_the_language_of_a_signed_in_person(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    signed_in(cast.member_a)
    response = client.post(URL, {"language": "en", "next": reverse("core:profile")})
    assert response.url == reverse("core:profile")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    cast.member_a.refresh_from_db()
    assert cast.member_a.language == "en"
    assert AuditEvent.objects.filter(action="core.profile.changed", actor=cast.member_a).exists()
    assert 'lang="en"' in client.get(reverse("core:profile")).content.decode()


def test_it_switches_back_to_japanese(
    client: Client, cast: Cast, signed_in: Any, settings: Any, tmp_path: Any
) -> None:
    signed_in(cast.member_b)  # reads English
    client.post(URL, {"language": "ja", "next": reverse("core:profile")})
    cast.member_b.refresh_from_db()
    assert cast.member_b.language == "ja"
    html = client.get(reverse("core:profile")).content.decode()
    assert 'lang="ja"' in html
    assert "プロフィール" in html


def test_it_refuses_an_unknown_language(client: Client, cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a)
    response = client.post(URL, {"language": "fr", "next": "/"})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    cast.member_a.refresh_from_db()
    assert cast.member_a.language == "ja"


def test_it_goes_home_instead_of_to_another_site(client: Client, db: Any) -> None:
    for target in ("https://evil.example/", "//evil.example", ""):
        response = client.post(URL, {"language": "en", "next": target})
        assert response.status_code == 302
        assert response.url == reverse("core:home")


def test_it_refuses_get(client: Client, db: Any) -> None:
    assert client.get(URL, {"language": "en"}).status_code == 405
