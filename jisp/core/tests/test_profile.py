"""The person's own profile: name, English name, language, memberships and links."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast

URL = reverse("core:profile")


def test_it_sends_a_visitor_to_sign_in(client: Client, db: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('core:signin')}?next={URL}"


def test_it_shows_memberships_and_links(client: Client, cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.admin_a).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert cast.org_a.name in html
    assert cast.admin_a.email in html
    for name in ("password_change", "two_factor_setup", "tokens", "notification_preferences"):
        assert f'href="{reverse("core:" + name)}"' in html
    assert f'value="{cast.admin_a.name}"' in html


def test_it_shows_organisation_and_role_in_english(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    html = signed_in(cast.member_b).get(URL).content.decode()
    assert cast.org_b.name_en in html
    assert "Member" in html
    assert "Two-factor sign-in:" in html


def test_it_shows_nothing_of_other_peoples_memberships(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    html = signed_in(cast.member_a).get(URL).content.decode()
    assert cast.org_a.name in html
    assert cast.org_b.name not in html
    assert cast.centre.name not in html


def test_it_tells_someone_without_an_organisation(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    response = signed_in(cast.outsider).get(URL)
    assert response.status_code == 200
    assert "<table>" not in response.content.decode()


def test_it_saves_the_profile_and_records_it(client: Client, cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a)
    response = client.post(URL, {"name": " 鈴木 愛子 ", "name_en": "Aiko Suzuki", "language": "en"})
    assert response.status_code == 302
    assert response.url == URL
    cast.member_a.refresh_from_db()
    assert cast.member_a.name == "鈴木 愛子"
    assert cast.member_a.name_en == "Aiko Suzuki"
    assert cast.member_a.language == "en"
    event = AuditEvent.objects.get(action="core.profile.changed")
    assert sorted(event.data["fields"]) == ["language", "name", "name_en"]
    assert 'lang="en"' in client.get(URL).content.decode()


def test_it_records_nothing_when_nothing_changed(
    client: Client, cast: Cast, signed_in: Any
) -> None:
    signed_in(cast.member_a)
    user = cast.member_a
    client.post(URL, {"name": user.name, "name_en": user.name_en, "language": user.language})
    assert not AuditEvent.objects.filter(action="core.profile.changed").exists()


def test_it_refuses_a_blank_name(client: Client, cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a)
    response = client.post(URL, {"name": "   ", "name_en": "", "language": "ja"})
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    cast.member_a.refresh_from_db()
    assert cast.member_a.name == "鈴木 愛"


def test_it_refuses_an_unknown_language(client: Client, cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a)
    response = client.post(URL, {"name": "鈴木 愛", "name_en": "", "language": "fr"})
    assert response.status_code == 400
    cast.member_a.refresh_from_db()
    assert cast.member_a.language == "ja"
