"""/api/v1/topics: list, search, read, versions, post and change topics, across the cast."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jisp.core.models import AuditEvent, Sector, User
from jisp.core.services import accounts
from jisp.core.testing import Cast
from jisp.sharing.models import Topic, TopicVersion, TopicView
from jisp.sharing.services import topics
from jisp.sharing.testing import make_topic

LIST = "/api/v1/topics"


def bearer(user: User, scope: str = "read") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def world(cast: Cast) -> dict[str, Topic]:
    return {
        "everyone": make_topic(cast.analyst, "大会を装う不審メール", tags=["phishing"]),
        "rail": make_topic(
            cast.analyst,
            "Railway signalling advisory",
            summary="Check the signalling firmware.",
            category="alert",
            tlp="amber",
            audience="sectors",
            sectors=[Sector.objects.get(code="railways")],
        ),
        "power": make_topic(
            cast.analyst,
            "Power grid warning",
            summary="Scans of grid controllers.",
            category="important",
            tlp="amber",
            audience="organisations",
            organisations=[cast.org_b],
            requires_ack=True,
        ),
    }


# --- Reading -----------------------------------------------------------------------------------


def test_a_member_lists_only_what_they_may_read(
    client: Client, cast: Cast, world: dict[str, Topic]
) -> None:
    response = client.get(LIST, headers=bearer(cast.member_a))
    assert ids(response) == {world["everyone"].pk, world["rail"].pk}
    assert response.json()["count"] == 2
    assert ids(client.get(LIST, headers=bearer(cast.member_b))) == {
        world["everyone"].pk,
        world["power"].pk,
    }
    assert len(ids(client.get(LIST, headers=bearer(cast.auditor)))) == 3
    assert ids(client.get(LIST, headers=bearer(cast.outsider))) == set()


def test_another_organisations_member_gets_404(
    client: Client, cast: Cast, world: dict[str, Topic]
) -> None:
    response = client.get(f"{LIST}/{world['power'].pk}", headers=bearer(cast.member_a))
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"]}
    for path in ("versions", "comments"):
        url = f"{LIST}/{world['power'].pk}/{path}"
        assert client.get(url, headers=bearer(cast.member_a)).status_code == 404
    assert client.get(f"{LIST}/999999", headers=bearer(cast.member_a)).status_code == 404
    assert not TopicView.objects.exists()


def test_it_filters_like_the_list_page(client: Client, cast: Cast, world: dict[str, Topic]) -> None:
    headers = bearer(cast.analyst)
    assert ids(client.get(LIST, {"category": "alert"}, headers=headers)) == {world["rail"].pk}
    assert ids(client.get(LIST, {"tlp": "green"}, headers=headers)) == {world["everyone"].pk}
    assert ids(client.get(LIST, {"tag": "phishing"}, headers=headers)) == {world["everyone"].pk}
    assert ids(client.get(LIST, {"q": "不審"}, headers=headers)) == {world["everyone"].pk}
    assert ids(client.get(LIST, {"sector": "railways"}, headers=headers)) == {world["rail"].pk}
    assert ids(client.get(LIST, {"sector": "nowhere"}, headers=headers)) == set()
    assert ids(client.get(LIST, {"since": "2999-01-01T00:00:00Z"}, headers=headers)) == set()
    member_b = bearer(cast.member_b)
    assert ids(client.get(LIST, {"needs_ack": "true"}, headers=member_b)) == {world["power"].pk}
    topics.record_view(cast.member_b, world["everyone"])
    assert ids(client.get(LIST, {"unread": "true"}, headers=member_b)) == {world["power"].pk}


def test_it_refuses_bad_filters_with_422(client: Client, cast: Cast) -> None:
    headers = bearer(cast.member_a)
    for params in ({"category": "gossip"}, {"tlp": "purple"}, {"limit": 0}, {"since": "x"}):
        response = client.get(LIST, params, headers=headers)
        assert response.status_code == 422, params
        assert isinstance(response.json()["detail"], list)


def test_it_searches_japanese_inside_a_sentence(
    client: Client, cast: Cast, world: dict[str, Topic]
) -> None:
    headers = bearer(cast.member_a)
    found = ids(client.get(f"{LIST}/search", {"q": "メール"}, headers=headers))
    assert found == {world["everyone"].pk}
    assert ids(client.get(f"{LIST}/search", {"q": "Power"}, headers=headers)) == set()
    assert client.get(f"{LIST}/search", headers=headers).status_code == 422


def test_it_describes_a_topic_and_counts_the_view(
    client: Client, cast: Cast, world: dict[str, Topic]
) -> None:
    topic = world["rail"]
    response = client.get(f"{LIST}/{topic.pk}", headers=bearer(cast.member_a))
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Railway signalling advisory"
    assert body["source"] == {"id": cast.centre.pk, "name": cast.centre.name}
    assert body["versions_count"] == 1
    assert body["attachments"] == []
    assert body["acknowledgements"] == []
    assert body["audience_lists"] is None  # only the source and the centre see the lists
    assert body["unread"] is True
    assert body["following"] == "none"
    assert TopicView.objects.filter(topic=topic, user=cast.member_a).count() == 1
    assert Topic.objects.get(pk=topic.pk).view_count == 1
    assert AuditEvent.objects.filter(action="sharing.topic.viewed", object_id=str(topic.pk))


def test_it_hides_the_audience_lists_from_everyone_but_the_source_and_the_centre(
    client: Client, cast: Cast
) -> None:
    topic = make_topic(
        cast.analyst,
        "Shared with two",
        tlp="amber",
        audience="organisations",
        organisations=[cast.org_a, cast.org_b],
    )
    response = client.get(f"{LIST}/{topic.pk}", headers=bearer(cast.member_a))
    assert response.json()["audience_lists"] is None
    assert cast.org_b.name not in response.content.decode()
    lists = client.get(f"{LIST}/{topic.pk}", headers=bearer(cast.commander)).json()
    assert {o["id"] for o in lists["audience_lists"]["organisations"]} == {
        cast.org_a.pk,
        cast.org_b.pk,
    }


def test_it_never_reveals_an_anonymous_source(client: Client, cast: Cast) -> None:
    topic = make_topic(
        cast.member_a2, "On a member's behalf", approve_by=cast.analyst, anonymous=True
    )
    for path in (f"{LIST}/{topic.pk}", LIST, f"{LIST}/search?q=behalf"):
        response = client.get(path, headers=bearer(cast.member_b))
        assert response.status_code == 200
        text = response.content.decode()
        for secret in (cast.org_a.name, cast.org_a.name_en, cast.member_a2.name):
            assert secret not in text, path
    body = client.get(f"{LIST}/{topic.pk}", headers=bearer(cast.member_b)).json()
    assert body["source"]["id"] == cast.centre.pk
    assert body["author"] is None
    own = client.get(f"{LIST}/{topic.pk}", headers=bearer(cast.member_a)).json()
    assert own["source"]["id"] == cast.org_a.pk
    centre = client.get(f"{LIST}/{topic.pk}", headers=bearer(cast.auditor)).json()
    assert centre["source"]["id"] == cast.org_a.pk
    assert centre["author"]["id"] == cast.member_a2.pk


def test_it_lists_the_versions_newest_first(client: Client, cast: Cast) -> None:
    topic = make_topic(cast.analyst, "v1")
    headers = bearer(cast.analyst, "write")
    response = client.patch(
        f"{LIST}/{topic.pk}",
        {"title": "v2", "change_note": "30 July: new hashes"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    versions = client.get(f"{LIST}/{topic.pk}/versions", headers=bearer(cast.member_b)).json()
    assert versions["count"] == 2
    assert [(v["number"], v["title"]) for v in versions["items"]] == [(2, "v2"), (1, "v1")]
    assert versions["items"][0]["change_note"] == "30 July: new hashes"


def test_the_session_may_read_but_not_write(client: Client, cast: Cast) -> None:
    client.force_login(cast.member_a)
    assert client.get(LIST).status_code == 200
    response = client.post(LIST, {"title": "x", "summary": "y"}, content_type="application/json")
    assert response.status_code == 401
    assert not Topic.objects.exists()


# --- Writing -------------------------------------------------------------------------------------

VALID = {
    "title": "偽ライブ配信サイトに注意",
    "summary": "偽のライブ配信サイトが確認されています。",
    "body": "**Do not** open <script>alert(1)</script>",
    "actions": ["Block the domain"],
    "category": "alert",
    "tags": ["streaming"],
    "tlp": "green",
    "audience": "everyone",
}


def post(client: Client, user: User, body: dict[str, Any], scope: str = "write") -> Any:
    return client.post(LIST, body, content_type="application/json", headers=bearer(user, scope))


def test_a_members_topic_goes_to_review(client: Client, cast: Cast) -> None:
    response = post(client, cast.member_a, VALID)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending_review"
    assert body["source"]["id"] == cast.org_a.pk
    assert "<script>" not in body["body_html"]
    assert body["tags"] == ["streaming"]
    topic = Topic.objects.get(pk=body["id"])
    assert topic.created_by == cast.member_a
    assert AuditEvent.objects.filter(action="sharing.topic.submitted").exists()


def test_the_centre_publishes_at_once(client: Client, cast: Cast) -> None:
    body = {**VALID, "audience": "sectors", "sectors": ["railways"], "tlp": "amber"}
    response = post(client, cast.analyst, body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "published"
    assert response.json()["audience_lists"]["sectors"][0]["code"] == "railways"


def test_a_read_token_cannot_post(client: Client, cast: Cast) -> None:
    response = post(client, cast.member_a, VALID, scope="read")
    assert response.status_code == 403
    assert not Topic.objects.exists()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"category": "gossip"}, "category"),
        ({"tlp": "red"}, "audience"),  # TLP:RED only for named people
        ({"audience": "sectors"}, "audience_sectors"),  # no sector chosen
        ({"audience": "sectors", "sectors": ["atlantis"]}, "sectors"),
        ({"audience": "organisations", "organisations": [999999]}, "organisations"),
        ({"pinned": True}, "pinned"),  # the centre only
        ({"valid_until": "2000-01-01T00:00:00Z"}, "valid_until"),
        ({"actions": ["x"] * 31}, "actions"),
    ],
)
def test_bad_bodies_are_refused_with_422_and_nothing_is_saved(
    client: Client, cast: Cast, change: dict[str, Any], where: str
) -> None:
    body = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    response = post(client, cast.member_a, body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert any(where in item["loc"] for item in detail), detail
    assert not Topic.objects.exists()
    assert not TopicVersion.objects.exists()


def test_unreadable_json_is_a_400(client: Client, cast: Cast) -> None:
    response = client.post(
        LIST, "{not json", content_type="application/json", headers=bearer(cast.member_a, "write")
    )
    assert response.status_code == 400
    assert not Topic.objects.exists()


def test_people_without_a_right_to_post_get_403(client: Client, cast: Cast) -> None:
    for user in (cast.auditor, cast.outsider):
        assert post(client, user, VALID).status_code == 403
    response = post(client, cast.member_a, {**VALID, "organisation": cast.org_b.pk})
    assert response.status_code == 403
    assert not Topic.objects.exists()


def test_only_those_who_may_change_a_topic_patch_it(
    client: Client, cast: Cast, world: dict[str, Topic]
) -> None:
    patch = {"title": "changed", "change_note": "x"}
    everyone = world["everyone"]
    response = client.patch(
        f"{LIST}/{everyone.pk}",
        patch,
        content_type="application/json",
        headers=bearer(cast.member_b, "write"),
    )
    assert response.status_code == 403  # visible, but not theirs
    response = client.patch(
        f"{LIST}/{world['power'].pk}",
        patch,
        content_type="application/json",
        headers=bearer(cast.member_a, "write"),
    )
    assert response.status_code == 404  # hidden
    assert Topic.objects.get(pk=everyone.pk).version == 1


def test_a_patch_needs_a_change_note(client: Client, cast: Cast, world: dict[str, Topic]) -> None:
    headers = bearer(cast.analyst, "write")
    url = f"{LIST}/{world['everyone'].pk}"
    for body in ({"title": "x"}, {"title": "x", "change_note": "  "}):
        response = client.patch(url, body, content_type="application/json", headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "change_note"
    response = client.patch(
        url, {"tlp": "red", "change_note": "x"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    topic = Topic.objects.get(pk=world["everyone"].pk)
    assert (topic.version, topic.tlp, topic.title) == (1, "green", "大会を装う不審メール")


def test_a_patch_keeps_what_it_does_not_send(
    client: Client, cast: Cast, world: dict[str, Topic]
) -> None:
    topic = world["rail"]
    response = client.patch(
        f"{LIST}/{topic.pk}",
        {"summary": "New summary", "change_note": "clearer"},
        content_type="application/json",
        headers=bearer(cast.analyst, "write"),
    )
    assert response.status_code == 200, response.content
    topic.refresh_from_db()
    assert (topic.summary, topic.title, topic.tlp, topic.audience) == (
        "New summary",
        "Railway signalling advisory",
        "amber",
        "sectors",
    )
    assert list(topic.audience_sectors.values_list("code", flat=True)) == ["railways"]


@pytest.mark.parametrize(
    "since", ["0344-02-24T00:21:15-21:49", "1900-01-01T00:00:00Z", "9999-12-31T23:59:59-10:00"]
)
def test_it_refuses_a_time_the_database_cannot_hold(client: Client, cast: Cast, since: str) -> None:
    _, token = accounts.create_api_token(None, cast.member_a, "t", "read", 30)
    response = client.get(
        "/api/v1/topics", {"since": since}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "since"
