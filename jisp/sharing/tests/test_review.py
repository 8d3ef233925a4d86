"""The centre's review of members' topics: the queue, approval (also on the source's behalf)
and returning a topic to its author."""

from __future__ import annotations

from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.sharing.choices import TopicStatus
from jisp.sharing.models import Topic
from jisp.sharing.testing import make_topic

QUEUE = reverse("sharing:review_queue")


def url(topic: Topic) -> str:
    return reverse("sharing:review", args=[topic.pk])


def test_it_lists_pending_topics_with_their_true_source_for_the_centre(cast, signed_in):
    pending = make_topic(cast.member_a, title="不審な通信の報告")
    make_topic(cast.analyst, title="センターの情報")
    response = signed_in(cast.analyst).get(QUEUE)
    assert response.status_code == 200
    assert [topic for topic, _at in response.context["rows"]] == [pending]
    page = response.content.decode()
    assert "不審な通信の報告" in page and "東日本旅客鉄道テスト" in page
    assert "センターの情報" not in page
    submitted = AuditEvent.objects.get(action="sharing.topic.submitted").at
    assert response.context["rows"][0][1] == submitted


def test_it_hides_the_queue_and_the_review_page_from_everyone_else(cast, signed_in, client):
    pending = make_topic(cast.member_a)
    for person in (cast.member_a, cast.admin_a, cast.member_b, cast.auditor, cast.responder):
        signed_in(person)
        assert client.get(QUEUE).status_code == 404
        assert client.get(url(pending)).status_code == 404
        assert client.post(url(pending), {"decision": "approve"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == TopicStatus.PENDING_REVIEW


def test_it_publishes_on_the_sources_behalf_without_revealing_it(cast, signed_in, client):
    signed_in(cast.member_a)
    data = {"title": "被害報告を装うマルウェア", "summary": "開かないでください。"}
    data.update(category="important", tlp="green", audience="everyone", body="詳細")
    client.post(reverse("sharing:new"), data)
    topic = Topic.objects.get()
    assert topic.status == TopicStatus.PENDING_REVIEW
    assert client.get(reverse("sharing:detail", args=[topic.pk])).status_code == 200  # the author

    signed_in(cast.analyst)
    page = client.get(url(topic)).content.decode()
    assert "東日本旅客鉄道テスト" in page  # the centre sees the true source
    response = client.post(url(topic), {"decision": "approve_anonymously", "note": ""})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PUBLISHED and topic.anonymous
    assert topic.reviewed_by == cast.analyst

    signed_in(cast.responder)  # another organisation's member, reading in Japanese
    page = client.get(reverse("sharing:detail", args=[topic.pk])).content.decode()
    assert "被害報告を装うマルウェア" in page
    assert "対処調整センター" in page
    for secret in ("東日本旅客鉄道テスト", "Test Railway East", "鈴木 愛", "alice@rail.example"):
        assert secret not in page


def test_it_publishes_with_the_source_shown(cast, signed_in):
    topic = make_topic(cast.member_a)
    response = signed_in(cast.commander).post(url(topic), {"decision": "approve"})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PUBLISHED and not topic.anonymous
    assert AuditEvent.objects.filter(action="sharing.topic.approved").exists()


def test_it_returns_a_topic_to_its_author_with_a_note(cast, signed_in, client):
    topic = make_topic(cast.member_a)
    signed_in(cast.analyst)
    response = client.post(url(topic), {"decision": "return", "note": "IoCを追記してください"})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.status == TopicStatus.REJECTED
    assert topic.review_note == "IoCを追記してください"
    signed_in(cast.member_a)
    page = client.get(reverse("sharing:edit", args=[topic.pk])).content.decode()
    assert "IoCを追記してください" in page
    assert client.post(reverse("sharing:submit", args=[topic.pk])).status_code == 302
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PENDING_REVIEW
    signed_in(cast.member_b)
    assert client.get(reverse("sharing:detail", args=[topic.pk])).status_code == 404


def test_it_requires_a_note_to_return_a_topic(cast, signed_in):
    topic = make_topic(cast.member_a)
    response = signed_in(cast.analyst).post(url(topic), {"decision": "return", "note": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["note"]
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PENDING_REVIEW


def test_it_rejects_an_unknown_decision_and_a_topic_not_waiting(cast, signed_in):
    pending = make_topic(cast.member_a)
    client = signed_in(cast.analyst)
    assert client.post(url(pending), {"decision": "delete"}).status_code == 400
    published = make_topic(cast.analyst)
    response = client.get(url(published))
    assert response.status_code == 200 and not response.context["pending"]
    response = client.post(url(published), {"decision": "approve"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
