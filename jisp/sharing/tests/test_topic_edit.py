"""Editing a topic: who may, the new version with its change note, and bad input."""

from __future__ import annotations

from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.sharing.choices import TopicStatus
from jisp.sharing.models import Topic, TopicVersion
from jisp.sharing.services.topics import version_diff
from jisp.sharing.testing import make_topic


def url(topic: Topic) -> str:
    return reverse("sharing:edit", args=[topic.pk])


def form_data(topic: Topic, **changes):
    data = {
        "title": topic.title,
        "summary": topic.summary,
        "actions": "\n".join(topic.actions),
        "body": topic.body,
        "category": topic.category,
        "tags": ", ".join(t.name for t in topic.tags.all()),
        "tlp": topic.tlp,
        "audience": topic.audience,
        "change_note": "7月30日更新: 新しいハッシュ値",
    }
    data.update(changes)
    return data


def published_by_member_a(cast, **kwargs) -> Topic:
    return make_topic(cast.member_a, approve_by=cast.analyst, **kwargs)


def test_it_shows_the_form_filled_in_to_the_author(cast, signed_in):
    topic = published_by_member_a(cast, tags=["phishing"], actions=["開かない"])
    response = signed_in(cast.member_a).get(url(topic))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == topic.title
    assert form.initial["tags"] == "phishing"
    assert form.fields["change_note"].required


def test_it_creates_a_new_version_with_the_note_and_a_diff(cast, signed_in):
    topic = published_by_member_a(cast, body="ハッシュ: aaa")
    response = signed_in(cast.member_a).post(url(topic), form_data(topic, body="ハッシュ: bbb"))
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:detail", args=[topic.pk])
    topic.refresh_from_db()
    assert topic.version == 2 and topic.body == "ハッシュ: bbb"
    old, new = topic.versions.get(number=1), topic.versions.get(number=2)
    assert new.change_note == "7月30日更新: 新しいハッシュ値"
    assert new.created_by == cast.member_a
    changes = dict(version_diff(old, new))
    assert any("bbb" in line for lines in changes.values() for line in lines)
    assert AuditEvent.objects.filter(action="sharing.topic.updated").count() == 1


def test_it_lets_the_organisation_administrator_and_the_centre_edit(cast, signed_in, client):
    topic = published_by_member_a(cast)
    for number, person in enumerate((cast.admin_a, cast.analyst), start=2):
        signed_in(person)
        assert client.get(url(topic)).status_code == 200
        assert client.post(url(topic), form_data(topic, title=f"改訂 {number}")).status_code == 302
        topic.refresh_from_db()
        assert topic.version == number


def test_it_forbids_editing_a_topic_one_sees_but_may_not_change(cast, signed_in, client):
    topic = published_by_member_a(cast)  # TLP:GREEN to everyone
    for person in (cast.member_a2, cast.member_b, cast.auditor, cast.vendor_analyst):
        signed_in(person)
        assert client.get(url(topic)).status_code == 403
        assert client.post(url(topic), form_data(topic, title="改ざん")).status_code == 403
    topic.refresh_from_db()
    assert topic.version == 1 and topic.title != "改ざん"


def test_it_hides_a_topic_one_may_not_see(cast, signed_in):
    topic = make_topic(
        cast.member_a, tlp="amber", audience="organisations", organisations=[cast.agency],
        approve_by=cast.analyst,
    )  # fmt: skip
    client = signed_in(cast.member_b)
    assert client.get(url(topic)).status_code == 404
    assert client.post(url(topic), form_data(topic)).status_code == 404


def test_it_hides_another_persons_draft_even_from_the_centre(cast, signed_in):
    draft = make_topic(cast.member_a, publish=False)
    assert signed_in(cast.analyst).get(url(draft)).status_code == 404


def test_it_requires_a_change_note_and_saves_nothing_without_it(cast, signed_in):
    topic = published_by_member_a(cast)
    versions = TopicVersion.objects.count()
    response = signed_in(cast.member_a).post(url(topic), form_data(topic, change_note=""))
    assert response.status_code == 400
    assert response.context["form"].errors["change_note"]
    topic.refresh_from_db()
    assert topic.version == 1 and TopicVersion.objects.count() == versions


def test_it_rejects_a_malformed_audience_and_keeps_the_old_version(cast, signed_in):
    topic = published_by_member_a(cast)
    versions = TopicVersion.objects.count()
    client = signed_in(cast.member_a)
    response = client.post(url(topic), form_data(topic, audience="sectors"))
    assert response.status_code == 400
    assert response.context["form"].errors["sectors"]
    response = client.post(url(topic), form_data(topic, tlp="amber+strict", audience="everyone"))
    assert response.status_code == 400
    assert response.context["form"].errors["audience"]
    topic.refresh_from_db()
    assert (topic.version, topic.tlp, topic.audience) == (1, "green", "everyone")
    assert TopicVersion.objects.count() == versions


def test_it_keeps_the_centres_pin_when_a_member_edits(cast, signed_in):
    topic = published_by_member_a(cast)
    Topic.objects.filter(pk=topic.pk).update(pinned=True)
    response = signed_in(cast.member_a).post(url(topic), form_data(topic, title="改訂"))
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.pinned and topic.title == "改訂"


def test_it_refuses_to_edit_a_withdrawn_topic(cast, signed_in):
    topic = published_by_member_a(cast)
    Topic.objects.filter(pk=topic.pk).update(status=TopicStatus.WITHDRAWN)
    client = signed_in(cast.member_a)
    assert client.get(url(topic)).status_code == 200
    response = client.post(url(topic), form_data(topic, title="改訂"))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    topic.refresh_from_db()
    assert topic.version == 1


def test_it_keeps_a_returned_topic_on_its_edit_page_after_saving(cast, signed_in):
    topic = make_topic(cast.member_a)
    Topic.objects.filter(pk=topic.pk).update(status=TopicStatus.REJECTED, review_note="根拠を追記")
    client = signed_in(cast.member_a)
    page = client.get(url(topic))
    assert "根拠を追記" in page.content.decode()
    response = client.post(url(topic), form_data(topic, body="根拠: ログ"))
    assert response["Location"] == url(topic)
