"""A topic's page: visibility, what it shows to whom, and the view it records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jisp.core.models import AuditEvent, Sector
from jisp.core.testing import Cast
from jisp.sharing.models import Topic, TopicView, ViewEvent
from jisp.sharing.services import topics as topic_service
from jisp.sharing.testing import make_topic, topic_input


def url(topic: Topic) -> str:
    return reverse("sharing:detail", args=[topic.pk])


def test_it_shows_the_topic(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(
        cast.analyst,
        "偽の被害報告を装うプログラム",
        summary="添付ファイルを開かないでください。",
        body="## 詳細\n\n**注意**してください。",
        actions=["メールを削除する", "担当者に連絡する"],
        tags=["マルウェア"],
        category="important",
    )
    response = signed_in(cast.member_a).get(url(topic))
    assert response.status_code == 200
    html = response.content.decode()
    assert "偽の被害報告を装うプログラム" in html
    assert "添付ファイルを開かないでください。" in html
    assert "<h2>詳細</h2>" in html and "<strong>注意</strong>" in html
    assert 'type="checkbox"' in html and "担当者に連絡する" in html
    assert "#マルウェア" in html
    assert "TLP:GREEN" in html
    assert "category-important" in html


def test_it_answers_404_to_another_organisations_member(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(
        cast.analyst, "B社だけ", audience="organisations", organisations=[cast.org_b]
    )
    assert signed_in(cast.member_a).get(url(topic)).status_code == 404
    assert signed_in(cast.member_b).get(url(topic)).status_code == 200


def test_it_answers_404_for_a_missing_topic(cast: Cast, signed_in: Any) -> None:
    assert signed_in(cast.member_a).get(reverse("sharing:detail", args=[999999])).status_code == 404


def test_it_answers_404_for_a_draft_of_someone_else(cast: Cast, signed_in: Any) -> None:
    draft = make_topic(cast.member_a, "下書き", publish=False)
    assert signed_in(cast.member_a).get(url(draft)).status_code == 200
    assert signed_in(cast.member_b).get(url(draft)).status_code == 404
    assert signed_in(cast.analyst).get(url(draft)).status_code == 404


def test_it_hides_the_recipient_lists_from_members(cast: Cast, signed_in: Any) -> None:
    railways = Sector.objects.get(code="railways")
    electricity = Sector.objects.get(code="electricity")
    topic = make_topic(
        cast.analyst, "二分野へ", audience="sectors", sectors=[railways, electricity]
    )
    html = signed_in(cast.member_a).get(url(topic)).content.decode()
    assert electricity.name_ja not in html
    assert "指定した分野" in html
    centre = signed_in(cast.analyst).get(url(topic)).content.decode()
    assert electricity.name_ja in centre and railways.name_ja in centre


def test_it_hides_named_people_and_organisations_from_other_recipients(
    cast: Cast, signed_in: Any
) -> None:
    orgs = make_topic(
        cast.analyst, "二社へ", audience="organisations", organisations=[cast.org_a, cast.org_b]
    )
    html = signed_in(cast.member_a).get(url(orgs)).content.decode()
    assert cast.org_b.name not in html
    people = make_topic(
        cast.member_a,
        "二人へ",
        tlp="red",
        audience="people",
        people=[cast.member_b, cast.responder],
    )
    html = signed_in(cast.responder).get(url(people)).content.decode()
    assert cast.member_b.name not in html
    # The source organisation knows whom it shared with.
    html = signed_in(cast.member_a).get(url(people)).content.decode()
    assert cast.member_b.name in html and cast.responder.name in html


def test_it_shows_the_centre_as_source_of_an_anonymous_topic(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.member_a, "匿名の報告", approve_by=cast.analyst, anonymous=True)
    html = signed_in(cast.responder).get(url(topic)).content.decode()
    assert "対処調整センター" in html
    assert cast.org_a.name not in html and cast.member_a.name not in html
    for person in (cast.analyst, cast.auditor, cast.member_a2):
        assert cast.org_a.name in signed_in(person).get(url(topic)).content.decode()


def test_it_records_the_view_after_the_response(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "話題")
    client = signed_in(cast.member_a)
    client.get(url(topic))
    client.get(url(topic))
    view = TopicView.objects.get(topic=topic, user=cast.member_a)
    assert view.count == 2 and view.organisation_id == cast.org_a.pk
    topic.refresh_from_db()
    assert (topic.view_count, topic.viewer_count) == (2, 1)
    assert ViewEvent.objects.get(topic=topic).count == 2


def test_it_shows_the_page_even_if_recording_fails(
    cast: Cast, signed_in: Any, monkeypatch: Any
) -> None:
    topic = make_topic(cast.analyst, "話題")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(topic_service, "record_view", broken)
    response = signed_in(cast.member_a).get(url(topic))
    assert response.status_code == 200


def test_it_does_not_count_views_of_drafts(cast: Cast, signed_in: Any) -> None:
    draft = make_topic(cast.member_a, "下書き", publish=False)
    signed_in(cast.member_a).get(url(draft))
    assert not TopicView.objects.filter(topic=draft).exists()


def test_it_counts_readers_and_organisations(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "話題")
    for person in (cast.member_a, cast.member_a2, cast.member_b):
        topic_service.record_view(person, topic)
    response = signed_in(cast.analyst).get(url(topic))
    assert response.context["organisations_read"] == 2
    assert response.context["topic"].viewer_count == 3


def test_it_tells_a_reader_of_an_earlier_version_that_it_changed(
    cast: Cast, signed_in: Any
) -> None:
    topic = make_topic(cast.analyst, "話題")
    client = signed_in(cast.member_a)
    client.get(url(topic))
    assert "topic-changed" not in client.get(url(topic)).content.decode()
    topic_service.update_topic(
        None, cast.analyst, topic, topic_input(topic, summary="新しい要約", change_note="7/30 更新")
    )
    response = client.get(url(topic))
    assert response.context["changed_since_read"] is True
    assert response.context["read_version"] == 1
    assert "topic-changed" in response.content.decode()
    # Having read version 2 now, the note is gone.
    assert client.get(url(topic)).context["changed_since_read"] is False


def test_it_notes_an_expired_topic(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "話題", valid_until=timezone.now() + timedelta(hours=1))
    Topic.objects.filter(pk=topic.pk).update(valid_until=timezone.now() - timedelta(hours=1))
    response = signed_in(cast.member_a).get(url(topic))
    assert response.context["expired"] is True
    assert "topic-expired" in response.content.decode()


def test_it_audits_views_of_amber_topics_only(cast: Cast, signed_in: Any) -> None:
    green = make_topic(cast.analyst, "緑", tlp="green")
    amber = make_topic(cast.analyst, "琥珀", tlp="amber")
    client = signed_in(cast.member_a)
    client.get(url(green))
    client.get(url(amber))
    viewed = AuditEvent.objects.filter(action="sharing.topic.viewed", actor=cast.member_a)
    assert [e.object_id for e in viewed] == [str(amber.pk)]


@pytest.mark.parametrize(
    ("name", "can_edit"),
    [("member_a", True), ("admin_a", True), ("analyst", True), ("member_a2", False),
     ("auditor", False), ("member_b", False)],
)  # fmt: skip
def test_it_offers_editing_to_those_who_may_change(
    cast: Cast, signed_in: Any, name: str, can_edit: bool
) -> None:
    topic = make_topic(cast.member_a, "A社の報告", approve_by=cast.analyst)
    html = signed_in(cast.everyone[name]).get(url(topic)).content.decode()
    assert (reverse("sharing:edit", args=[topic.pk]) in html) is can_edit


def test_it_offers_review_to_the_centre(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.member_a, "審査待ち")
    review = reverse("sharing:review", args=[topic.pk])
    assert review in signed_in(cast.analyst).get(url(topic)).content.decode()
    assert review not in signed_in(cast.member_a).get(url(topic)).content.decode()


def test_it_links_attachments_as_downloads(cast: Cast, signed_in: Any) -> None:
    from django.core.files.base import ContentFile

    topic = make_topic(cast.analyst, "添付あり")
    attachment = topic.attachments.create(
        file=ContentFile(b"hello", name="a.txt"), filename="メモ.txt", content_type="text/plain",
        size=5, sha256="0" * 64,
    )  # fmt: skip
    html = signed_in(cast.member_a).get(url(topic)).content.decode()
    assert reverse("sharing:attachment", args=[attachment.pk]) in html
    assert "メモ.txt" in html
