"""Following and muting (a topic's button, the following page) and the digest settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from jisp.core.models import AuditEvent, Sector
from jisp.core.testing import Cast
from jisp.sharing.models import ReaderSettings, Subscription, Tag
from jisp.sharing.services import following
from jisp.sharing.testing import make_topic

PAGE = "/topics/following/"


def follow_url(pk: int) -> str:
    return f"/topics/{pk}/follow/"


# --- A topic's button ----------------------------------------------------------------------------


def test_it_toggles_following_a_topic(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "x")
    client = signed_in(cast.member_a)
    response = client.post(follow_url(topic.pk))
    assert response.status_code == 302
    assert response["Location"] == f"/topics/{topic.pk}/"
    assert following.state_of(cast.member_a, topic=topic) == "follow"
    client.post(follow_url(topic.pk))
    assert following.state_of(cast.member_a, topic=topic) == "none"
    assert AuditEvent.objects.filter(action="sharing.subscription.changed").count() == 2


def test_it_mutes_a_topic(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "x")
    signed_in(cast.member_a).post(follow_url(topic.pk), {"state": "mute"})
    assert following.state_of(cast.member_a, topic=topic) == "mute"
    assert Subscription.objects.get(user=cast.member_a).muted


def test_it_hides_a_topic_from_another_organisations_member(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(
        cast.analyst, "rail", tlp="amber", audience="organisations", organisations=[cast.org_a]
    )
    response = signed_in(cast.member_b).post(follow_url(topic.pk))
    assert response.status_code == 404
    assert not Subscription.objects.exists()


def test_it_refuses_an_unknown_state_and_a_get(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "x")
    client = signed_in(cast.member_a)
    assert client.post(follow_url(topic.pk), {"state": "shout"}).status_code == 400
    assert client.get(follow_url(topic.pk)).status_code == 405
    assert not Subscription.objects.exists()


def test_it_only_goes_back_to_a_page_of_this_site(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "x")
    client = signed_in(cast.member_a)
    response = client.post(follow_url(topic.pk), {"next": "https://evil.example/"})
    assert response["Location"] == f"/topics/{topic.pk}/"
    response = client.post(follow_url(topic.pk), {"next": "/topics/?tag=x"})
    assert response["Location"] == "/topics/?tag=x"


# --- The following page --------------------------------------------------------------------------


def test_it_asks_to_sign_in(client: Client, cast: Cast) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/signin" in response["Location"] or "login" in response["Location"]


def test_it_lists_the_persons_follows_and_mutes(cast: Cast, signed_in: Any) -> None:
    following.set_state(None, cast.member_a, "follow", tag=Tag.objects.create(name="ransomware"))
    following.set_state(None, cast.member_a, "mute", sector=Sector.objects.get(code="electricity"))
    following.set_state(None, cast.member_b, "follow", tag=Tag.objects.create(name="bobs-tag"))
    railways = Sector.objects.get(code="railways")
    make_topic(cast.analyst, "rail", audience="sectors", sectors=[railways], tags=["rail-tag"])
    make_topic(cast.analyst, "power", tlp="amber", audience="organisations",
               organisations=[cast.org_b], tags=["power-victim"])  # fmt: skip
    topic = make_topic(cast.analyst, "Followed topic")
    following.set_state(None, cast.member_a, "follow", topic=topic)
    response = signed_in(cast.member_a).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ransomware" in html
    assert Sector.objects.get(code="electricity").name_ja in html
    assert "Followed topic" in html
    assert "bobs-tag" not in html
    assert 'value="rail-tag"' in html  # suggested: a tag of a topic they may read
    assert "power-victim" not in html  # never a tag only hidden topics carry


def test_it_follows_a_tag_and_mutes_a_sector(cast: Cast, signed_in: Any) -> None:
    make_topic(cast.analyst, "x", tags=["Phishing"])
    client = signed_in(cast.member_a)
    response = client.post(PAGE, {"action": "add", "kind": "tag", "tag": "phishing",
                                  "state": "follow"})  # fmt: skip
    assert response.status_code == 302
    response = client.post(
        PAGE,
        {
            "action": "add",
            "kind": "sector",
            "sector": Sector.objects.get(code="electricity").pk,
            "state": "mute",
        },
    )
    assert response.status_code == 302
    rows = {(s.kind, s.muted) for s in Subscription.objects.filter(user=cast.member_a)}
    assert rows == {("tag", False), ("sector", True)}


@pytest.mark.parametrize("name", ["nothing", "power-victim"])
def test_it_refuses_an_unknown_or_hidden_tag_with_a_message(
    cast: Cast, signed_in: Any, name: str
) -> None:
    make_topic(cast.analyst, "power", tlp="amber", audience="organisations",
               organisations=[cast.org_b], tags=["power-victim"])  # fmt: skip
    response = signed_in(cast.member_a).post(
        PAGE, {"action": "add", "kind": "tag", "tag": name, "state": "follow"}
    )
    assert response.status_code == 400
    with translation.override("ja"):  # member_a reads Japanese
        assert gettext("No topic has this tag yet.") in response.content.decode()
    assert not Subscription.objects.exists()


def test_it_removes_only_the_persons_own_subscriptions(cast: Cast, signed_in: Any) -> None:
    tag = Tag.objects.create(name="t")
    mine = following.set_state(None, cast.member_a, "follow", tag=tag)
    theirs = following.set_state(None, cast.member_b, "follow", tag=tag)
    assert mine is not None
    assert theirs is not None
    client = signed_in(cast.member_a)
    assert client.post(PAGE, {"action": "remove", "subscription": theirs.pk}).status_code == 404
    assert client.post(PAGE, {"action": "remove", "subscription": "x"}).status_code == 404
    assert client.post(PAGE, {"action": "remove", "subscription": mine.pk}).status_code == 302
    assert list(Subscription.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_it_saves_the_digest_settings(cast: Cast, signed_in: Any) -> None:
    client = signed_in(cast.member_a)
    page = client.get(PAGE).content.decode()
    assert 'value="8" selected' in page
    response = client.post(PAGE, {"action": "digest", "digest_hour": "18"})
    assert response.status_code == 302
    row = ReaderSettings.objects.get(user=cast.member_a)
    assert (row.digest_enabled, row.digest_hour) == (False, 18)
    assert AuditEvent.objects.filter(action="sharing.digest.changed").exists()


@pytest.mark.parametrize("hour", ["24", "-1", "eight", ""])
def test_it_refuses_an_hour_outside_the_day(cast: Cast, signed_in: Any, hour: str) -> None:
    response = signed_in(cast.member_a).post(
        PAGE, {"action": "digest", "digest_enabled": "on", "digest_hour": hour}
    )
    assert response.status_code == 400
    assert not ReaderSettings.objects.exists()


def test_an_unknown_action_is_a_bad_request(cast: Cast, signed_in: Any) -> None:
    assert signed_in(cast.member_a).post(PAGE, {"action": "explode"}).status_code == 400


# --- The service ---------------------------------------------------------------------------------


def test_following_twice_keeps_one_row(cast: Cast) -> None:
    tag = Tag.objects.create(name="t")
    following.set_state(None, cast.member_a, "follow", tag=tag)
    following.set_state(None, cast.member_a, "follow", tag=tag)
    following.set_state(None, cast.member_a, "mute", tag=tag)
    assert Subscription.objects.filter(user=cast.member_a).count() == 1
    assert following.state_of(cast.member_a, tag=tag) == "mute"


def test_the_defaults_are_a_digest_at_eight(cast: Cast) -> None:
    settings = following.reader_settings(cast.member_a)
    assert (settings.digest_enabled, settings.digest_hour, settings.pk) == (True, 8, None)
