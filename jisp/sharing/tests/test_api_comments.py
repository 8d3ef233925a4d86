"""/api/v1/topics/{id}/comments: read and post comments with the topic's access rules."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jisp.core.models import User
from jisp.core.testing import Cast
from jisp.sharing.models import Comment
from jisp.sharing.services import comments
from jisp.sharing.testing import make_topic
from jisp.sharing.tests.test_api_topics import bearer

LIST = "/api/v1/topics"


def post(client: Client, user: User, pk: int, body: dict[str, Any], scope: str = "write") -> Any:
    return client.post(
        f"{LIST}/{pk}/comments", body, content_type="application/json", headers=bearer(user, scope)
    )


def test_it_posts_a_comment_and_a_reply(client: Client, cast: Cast) -> None:
    topic = make_topic(cast.analyst, "Discuss")
    response = post(client, cast.member_a, topic.pk, {"body": f"Seen. @{cast.member_b.email}"})
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["author"] == {"id": cast.member_a.pk, "name": cast.member_a.name}
    assert first["parent"] is None
    assert list(Comment.objects.get(pk=first["id"]).mentions.all()) == [cast.member_b]
    reply = post(client, cast.member_b, topic.pk, {"body": "Thanks", "parent": first["id"]})
    assert reply.status_code == 201
    assert reply.json()["parent"] == first["id"]
    listed = client.get(f"{LIST}/{topic.pk}/comments", headers=bearer(cast.member_a2)).json()
    assert listed["count"] == 2
    assert [c["body"] for c in listed["items"]] == [f"Seen. @{cast.member_b.email}", "Thanks"]


def test_it_hides_the_comments_of_a_topic_from_those_who_may_not_see_it(
    client: Client, cast: Cast
) -> None:
    topic = make_topic(
        cast.analyst, "rail", tlp="amber", audience="organisations", organisations=[cast.org_a]
    )
    comments.post_comment(None, cast.member_a, topic, "internal")
    assert (
        client.get(f"{LIST}/{topic.pk}/comments", headers=bearer(cast.member_b)).status_code == 404
    )
    assert post(client, cast.member_b, topic.pk, {"body": "hello"}).status_code == 404
    assert Comment.objects.count() == 1


def test_bad_comments_are_refused_with_422_and_nothing_is_saved(client: Client, cast: Cast) -> None:
    topic = make_topic(cast.analyst, "Discuss")
    other = make_topic(cast.analyst, "Other")
    elsewhere = comments.post_comment(None, cast.analyst, other, "elsewhere")
    for body in ({}, {"body": ""}, {"body": "   "}, {"body": "x" * 5001},
                 {"body": "x", "parent": elsewhere.pk}, {"body": "x", "parent": 0}):  # fmt: skip
        response = post(client, cast.member_a, topic.pk, body)
        assert response.status_code == 422, body
        assert isinstance(response.json()["detail"], list)
    assert not Comment.objects.filter(topic=topic).exists()


def test_a_read_token_and_an_auditor_cannot_comment(client: Client, cast: Cast) -> None:
    topic = make_topic(cast.analyst, "Discuss")
    assert post(client, cast.member_a, topic.pk, {"body": "x"}, scope="read").status_code == 403
    assert post(client, cast.auditor, topic.pk, {"body": "x"}).status_code == 403
    assert not Comment.objects.exists()


def test_it_hides_the_names_of_an_anonymous_sources_people(client: Client, cast: Cast) -> None:
    topic = make_topic(cast.member_a2, "On behalf", approve_by=cast.analyst, anonymous=True)
    comments.post_comment(None, cast.member_a, topic, "More details from us")
    comments.post_comment(None, cast.member_b, topic, "Thanks")
    response = client.get(f"{LIST}/{topic.pk}/comments", headers=bearer(cast.member_b))
    authors = [c["author"] for c in response.json()["items"]]
    assert authors == [None, {"id": cast.member_b.pk, "name": cast.member_b.name}]
    assert cast.member_a.name not in response.content.decode()
    own = client.get(f"{LIST}/{topic.pk}/comments", headers=bearer(cast.member_a2)).json()
    assert own["items"][0]["author"]["id"] == cast.member_a.pk
