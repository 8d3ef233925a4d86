"""The shell page of an area not built yet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jisp.core.models import User


def english(user: User) -> User:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.mark.parametrize(
    ("key", "name", "words"),
    [
        ("domainwatch", "Domain watch", "look-alikes"),
        ("observation", "Observation", "defacement"),
        ("exercises", "Exercises", "opinion-exchange"),
        ("analytics", "Analytics", "after-action report"),
    ],
)
def test_it_describes_the_area_and_says_it_is_not_yet_available(cast, signed_in, key, name, words):
    english(cast.member_a)
    response = signed_in(cast.member_a).get(reverse("core:area", args=[key]))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"<h1>{name}" in text
    assert words in text
    assert "not yet available" in text
    assert response.context["nav"] == key
    assert f'href="{reverse("core:area", args=[key])}" aria-current="page"' in text


def test_a_built_area_leads_to_its_own_pages(cast, signed_in):
    response = signed_in(cast.member_a).get(reverse("core:area", args=["sharing"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:list")


def test_it_answers_404_for_an_unknown_area(cast, signed_in):
    response = signed_in(cast.member_a).get(reverse("core:area", args=["nothing"]))
    assert response.status_code == 404


def test_it_sends_visitors_to_sign_in(client, db):
    response = client.get(reverse("core:area", args=["sharing"]))
    assert response.status_code == 302
