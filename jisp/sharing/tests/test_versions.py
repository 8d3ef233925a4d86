"""A topic's history and the difference between two versions."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from jisp.core.testing import Cast
from jisp.sharing.models import Topic
from jisp.sharing.services import topics as topic_service
from jisp.sharing.testing import make_topic, topic_input


def edited(cast: Cast, **fields: Any) -> Topic:
    topic = make_topic(
        cast.analyst, "DDoS攻撃への注意", summary="一行目\n二行目", tlp="green", **fields
    )
    return topic_service.update_topic(
        None,
        cast.analyst,
        topic,
        topic_input(
            topic, summary="一行目\n新しい二行目", change_note="7/30 更新: 新しいハッシュ値"
        ),
    )


def test_it_lists_the_versions_with_their_notes(cast: Cast, signed_in: Any) -> None:
    topic = edited(cast)
    response = signed_in(cast.member_a).get(reverse("sharing:versions", args=[topic.pk]))
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [2, 1]
    html = response.content.decode()
    assert "7/30 更新: 新しいハッシュ値" in html
    assert cast.analyst.name in html


def test_it_shows_what_changed_as_deleted_and_inserted_lines(cast: Cast, signed_in: Any) -> None:
    topic = edited(cast)
    response = signed_in(cast.member_a).get(reverse("sharing:version_diff", args=[topic.pk, 2]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<del class="diff-line diff-del">二行目</del>' in html
    assert '<ins class="diff-line diff-ins">新しい二行目</ins>' in html
    assert "style=" not in html


def test_it_shows_the_first_version_as_all_new(cast: Cast, signed_in: Any) -> None:
    topic = edited(cast)
    response = signed_in(cast.member_a).get(reverse("sharing:version_diff", args=[topic.pk, 1]))
    assert response.status_code == 200
    assert '<ins class="diff-line diff-ins">DDoS攻撃への注意</ins>' in response.content.decode()


def test_it_escapes_the_text_in_the_diff(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "話題", body="一行目")
    topic_service.update_topic(
        None, cast.analyst, topic, topic_input(topic, body="<script>alert(1)</script>")
    )
    html = (
        signed_in(cast.member_a)
        .get(reverse("sharing:version_diff", args=[topic.pk, 2]))
        .content.decode()
    )
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_answers_404_for_an_unknown_version(cast: Cast, signed_in: Any) -> None:
    topic = edited(cast)
    client = signed_in(cast.member_a)
    assert client.get(reverse("sharing:version_diff", args=[topic.pk, 3])).status_code == 404
    assert client.get(reverse("sharing:version_diff", args=[topic.pk, 0])).status_code == 404


def test_it_hides_the_history_from_those_who_may_not_see_the_topic(
    cast: Cast, signed_in: Any
) -> None:
    topic = edited(cast, audience="organisations", organisations=[cast.org_b])
    client = signed_in(cast.member_a)
    assert client.get(reverse("sharing:versions", args=[topic.pk])).status_code == 404
    assert client.get(reverse("sharing:version_diff", args=[topic.pk, 2])).status_code == 404
    assert (
        signed_in(cast.member_b).get(reverse("sharing:versions", args=[topic.pk])).status_code
        == 200
    )


def test_it_hides_the_authors_of_an_anonymous_topic(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.member_a, "匿名の報告", approve_by=cast.analyst, anonymous=True)
    other = signed_in(cast.responder)
    for name in ("sharing:versions",):
        html = other.get(reverse(name, args=[topic.pk])).content.decode()
        assert cast.member_a.name not in html and cast.member_a.email not in html
    html = other.get(reverse("sharing:version_diff", args=[topic.pk, 1])).content.decode()
    assert cast.member_a.name not in html
    html = (
        signed_in(cast.auditor).get(reverse("sharing:versions", args=[topic.pk])).content.decode()
    )
    assert cast.member_a.name in html
