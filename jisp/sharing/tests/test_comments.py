"""Comments: posting (threaded one level, with mentions), deleting, and the same access rules as
the topic."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.sharing.models import Comment, Topic
from jisp.sharing.services import comments, fanout
from jisp.sharing.testing import make_topic


def url(topic: Topic) -> str:
    return reverse("sharing:comment_post", args=[topic.pk])


def detail(topic: Topic) -> str:
    return reverse("sharing:detail", args=[topic.pk])


def test_it_posts_a_comment_and_shows_it_escaped_with_line_breaks(cast, signed_in):
    topic = make_topic(cast.analyst)
    client = signed_in(cast.member_b)
    response = client.post(url(topic), {"body": "<b>同じメール</b>を受信\n2通目"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(topic) + f"#comment-{comment.pk}"
    assert comment.author == cast.member_b and comment.parent is None
    page = client.get(detail(topic)).content.decode()
    assert "&lt;b&gt;同じメール&lt;/b&gt;を受信<br>2通目" in page
    assert "<b>同じメール</b>" not in page
    assert "関東電力テスト" in page or "Test Power Kanto" in page  # the author's organisation
    assert AuditEvent.objects.filter(action="sharing.comment.posted").count() == 1


def test_it_hides_comments_with_their_topic(cast, signed_in, client):
    topic = make_topic(
        cast.analyst, tlp="amber", audience="organisations", organisations=[cast.org_a]
    )
    comments.post_comment(None, cast.member_a, topic, "社内で確認済み")
    signed_in(cast.member_b)
    assert client.post(url(topic), {"body": "見えますか"}).status_code == 404
    comment = Comment.objects.get()
    assert client.post(reverse("sharing:comment_delete", args=[comment.pk])).status_code == 404
    assert Comment.objects.count() == 1
    with pytest.raises(PermissionDenied):
        comments.post_comment(None, cast.member_b, topic, "見えますか")


def test_it_attaches_a_reply_to_a_reply_to_the_top_comment(cast, signed_in):
    topic = make_topic(cast.analyst)
    top = comments.post_comment(None, cast.member_a, topic, "質問です")
    reply = comments.post_comment(None, cast.analyst, topic, "回答です", parent=top)
    client = signed_in(cast.member_b)
    assert client.post(url(topic), {"body": "追加で", "parent": reply.pk}).status_code == 302
    last = Comment.objects.latest("pk")
    assert last.parent == top
    assert reply.parent == top


def test_it_refuses_a_parent_from_another_topic(cast, signed_in):
    topic, other = make_topic(cast.analyst), make_topic(cast.analyst, title="別件")
    foreign = comments.post_comment(None, cast.member_a, other, "別件です")
    response = signed_in(cast.member_b).post(url(topic), {"body": "返信", "parent": foreign.pk})
    assert response.status_code == 400
    assert Comment.objects.count() == 1
    with pytest.raises(ValidationError):
        comments.post_comment(None, cast.member_b, topic, "返信", parent=foreign)


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_it_refuses_an_empty_or_too_long_comment(cast, signed_in, body):
    topic = make_topic(cast.analyst)
    assert signed_in(cast.member_b).post(url(topic), {"body": body}).status_code == 400
    assert Comment.objects.count() == 0


def test_it_accepts_a_comment_of_exactly_5000_characters(cast, signed_in):
    topic = make_topic(cast.analyst)
    assert signed_in(cast.member_b).post(url(topic), {"body": "あ" * 5000}).status_code == 302


def test_it_mentions_only_people_who_may_see_the_topic(cast, signed_in):
    topic = make_topic(cast.member_a, tlp="amber", audience="organisations",
                       organisations=[cast.org_b], approve_by=cast.analyst)  # fmt: skip
    body = (
        "@bob@power.example @aki@rail.example @vendor@cti.example @ghost@nowhere.example "
        "and a plain address analyst@centre.example, and myself @alice@rail.example."
    )
    response = signed_in(cast.member_a).post(url(topic), {"body": body})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert set(comment.mentions.all()) == {cast.member_b, cast.member_a2}


def test_it_answers_the_same_whether_or_not_a_mentioned_address_exists(cast, signed_in):
    topic = make_topic(cast.analyst)
    client = signed_in(cast.member_b)
    exists = client.post(url(topic), {"body": "@vendor@cti.example"})
    missing = client.post(url(topic), {"body": "@nobody@cti.example"})
    assert exists.status_code == missing.status_code == 302
    first, second = Comment.objects.order_by("pk")
    assert list(first.mentions.all()) == [cast.vendor_analyst]
    assert list(second.mentions.all()) == []


def test_it_hands_the_comment_to_the_notifications_on_commit(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    told = []
    monkeypatch.setattr(fanout, "comment_posted", told.append)
    topic = make_topic(cast.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        comment = comments.post_comment(None, cast.member_b, topic, "受信しました")
    assert told == [comment.pk]


def test_it_forbids_auditors_to_comment(cast, signed_in):
    topic = make_topic(cast.analyst)
    assert signed_in(cast.auditor).post(url(topic), {"body": "監査"}).status_code == 403
    assert Comment.objects.count() == 0


def test_it_lets_the_author_and_the_centre_delete_but_not_others(cast, signed_in, client):
    topic = make_topic(cast.analyst)
    first = comments.post_comment(None, cast.member_a, topic, "一件目")
    comments.post_comment(None, cast.member_b, topic, "返信", parent=first)
    second = comments.post_comment(None, cast.member_a, topic, "二件目")
    signed_in(cast.member_b)
    assert client.post(reverse("sharing:comment_delete", args=[first.pk])).status_code == 403
    signed_in(cast.member_a)
    assert client.post(reverse("sharing:comment_delete", args=[first.pk])).status_code == 302
    assert list(Comment.objects.all()) == [second]  # with its reply
    signed_in(cast.analyst)
    assert client.post(reverse("sharing:comment_delete", args=[second.pk])).status_code == 302
    assert Comment.objects.count() == 0
    assert AuditEvent.objects.filter(action="sharing.comment.deleted").count() == 2


def test_it_does_not_reveal_the_anonymous_source_through_its_members_comments(cast, signed_in):
    topic = make_topic(cast.member_a, approve_by=cast.analyst, anonymous=True)
    comments.post_comment(None, cast.member_a2, topic, "補足: 受信時刻は9時頃")
    page = signed_in(cast.responder).get(detail(topic)).content.decode()
    assert "補足: 受信時刻は9時頃" in page
    for secret in ("東日本旅客鉄道テスト", "Test Railway East", "佐藤 明", "aki@rail.example"):
        assert secret not in page
    page = signed_in(cast.analyst).get(detail(topic)).content.decode()
    assert "佐藤 明" in page
