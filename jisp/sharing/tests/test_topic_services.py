"""The named actions of ``services.topics``: who may do what, atomicity, and versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jisp.core.models import AuditEvent, Sector
from jisp.core.testing import Cast
from jisp.sharing.choices import TopicStatus
from jisp.sharing.models import Acknowledgement, Tag, Topic, TopicVersion
from jisp.sharing.services import topics
from jisp.sharing.testing import make_topic, topic_input


def counts():
    return (Topic.objects.count(), TopicVersion.objects.count(), Tag.objects.count(),
            AuditEvent.objects.filter(action__startswith="sharing.").count())  # fmt: skip


def test_it_refuses_auditors_and_people_without_a_membership(cast):
    data = topics.TopicInput(title="t", summary="s")
    for person in (cast.auditor, cast.outsider):
        with pytest.raises(PermissionDenied):
            topics.create_topic(None, person, data)
    assert Topic.objects.count() == 0


def test_it_sends_members_topics_to_review_and_publishes_the_centres(cast):
    assert make_topic(cast.member_a).status == TopicStatus.PENDING_REVIEW
    assert make_topic(cast.analyst).status == TopicStatus.PUBLISHED


def test_it_saves_nothing_when_the_input_is_refused(cast):
    before = counts()
    bad = topics.TopicInput(title="t", summary="s", tags=["ok"], tlp="red", audience="everyone")
    with pytest.raises(ValidationError) as error:
        topics.create_topic(None, cast.analyst, bad)
    assert "audience" in error.value.message_dict
    assert counts() == before


def test_it_refuses_pins_and_acknowledgements_from_members(cast):
    data = topics.TopicInput(title="t", summary="s", pinned=True)
    with pytest.raises(ValidationError):
        topics.create_topic(None, cast.member_a, data)


def test_it_lets_a_member_edit_a_topic_the_centre_pinned(cast):
    topic = make_topic(cast.member_a, approve_by=cast.analyst)
    topic = topics.update_topic(None, cast.analyst, topic, topic_input(topic, pinned=True))
    topic = topics.update_topic(None, cast.member_a, topic, topic_input(topic, title="改訂"))
    assert topic.pinned and topic.version == 3
    with pytest.raises(ValidationError):  # but may not add a requirement
        topics.update_topic(None, cast.member_a, topic, topic_input(topic, requires_ack=True))


def test_it_keeps_an_end_of_validity_that_has_passed_when_unchanged(cast):
    topic = make_topic(cast.analyst, valid_until=timezone.now() + timedelta(days=1))
    past = timezone.now() - timedelta(hours=1)
    Topic.objects.filter(pk=topic.pk).update(valid_until=past)
    topic.refresh_from_db()
    topic = topics.update_topic(None, cast.analyst, topic, topic_input(topic, title="改訂"))
    assert topic.valid_until == past
    with pytest.raises(ValidationError):
        topics.update_topic(
            None, cast.analyst, topic, topic_input(topic, valid_until=past - timedelta(days=1))
        )


def test_it_creates_acknowledgements_when_an_edit_asks_for_them(cast):
    topic = make_topic(cast.analyst)
    assert Acknowledgement.objects.count() == 0
    topics.update_topic(None, cast.analyst, topic, topic_input(topic, requires_ack=True))
    assert Acknowledgement.objects.filter(topic=topic, organisation=cast.org_b).exists()


def test_it_refuses_edits_by_those_who_may_not_change(cast):
    topic = make_topic(cast.member_a, approve_by=cast.analyst)
    for person in (cast.member_a2, cast.member_b, cast.auditor):
        with pytest.raises(PermissionDenied):
            topics.update_topic(None, person, topic, topic_input(topic, title="x"))
    topic.refresh_from_db()
    assert topic.version == 1


def test_it_writes_a_version_per_edit_with_its_note_and_diff(cast):
    topic = make_topic(cast.analyst, body="a\nb", actions=["開かない"])
    topic = topics.update_topic(
        None, cast.analyst, topic,
        topic_input(topic, body="a\nc", actions=["開かない", "報告する"],
                    change_note="7月30日更新: 新しいハッシュ値"),
    )  # fmt: skip
    old, new = topic.versions.get(number=1), topic.versions.get(number=2)
    assert new.change_note == "7月30日更新: 新しいハッシュ値"
    diff = dict(topics.version_diff(old, new))
    assert len(diff) == 2
    assert "+c" in next(iter(diff.values()))


def test_it_refuses_to_edit_a_withdrawn_topic(cast):
    topic = make_topic(cast.analyst)
    topics.withdraw_topic(None, cast.analyst, topic)
    with pytest.raises(ValidationError):
        topics.update_topic(None, cast.analyst, topic, topic_input(topic, title="x"))
    with pytest.raises(ValidationError):
        topics.withdraw_topic(None, cast.analyst, topic)


def test_it_lets_only_those_who_may_change_submit(cast):
    draft = make_topic(cast.member_a, publish=False)
    for person in (cast.member_b, cast.member_a2, cast.auditor):
        with pytest.raises(PermissionDenied):
            topics.submit_topic(None, person, draft)
    draft.refresh_from_db()
    assert draft.status == TopicStatus.DRAFT
    topics.submit_topic(None, cast.member_a, draft)
    assert draft.status == TopicStatus.PENDING_REVIEW
    with pytest.raises(ValidationError):
        topics.submit_topic(None, cast.member_a, draft)


def test_it_lets_only_the_centre_review(cast):
    topic = make_topic(cast.member_a)
    for person in (cast.member_a, cast.admin_a, cast.auditor):
        with pytest.raises(PermissionDenied):
            topics.review_topic(None, person, topic, approve=True)
    topics.review_topic(None, cast.analyst, topic, approve=True, anonymous=True)
    assert topic.status == TopicStatus.PUBLISHED and topic.anonymous
    with pytest.raises(ValidationError):
        topics.review_topic(None, cast.analyst, topic, approve=True)


def test_it_shows_the_centre_as_source_of_an_anonymous_topic_to_other_members(cast):
    topic = make_topic(cast.member_a, approve_by=cast.analyst, anonymous=True)
    assert topics.shown_source(cast.member_b, topic) is None
    assert topics.shown_source(cast.member_a2, topic) == cast.org_a
    assert topics.shown_source(cast.analyst, topic) == cast.org_a
    assert topics.shown_source(cast.auditor, topic) == cast.org_a


def test_it_refuses_acknowledgement_of_a_topic_that_needs_none(cast):
    topic = make_topic(cast.analyst)
    with pytest.raises(ValidationError):
        topics.acknowledge(None, cast.member_b, topic, cast.org_b)
    hidden = make_topic(cast.analyst, tlp="amber", audience="organisations",
                        organisations=[cast.org_a], requires_ack=True)  # fmt: skip
    with pytest.raises(PermissionDenied):
        topics.acknowledge(None, cast.member_b, hidden, cast.org_b)
    with pytest.raises(PermissionDenied):
        topics.acknowledge(None, cast.member_a, hidden, cast.org_b)  # not their organisation


def test_it_lets_only_the_centre_remind(cast):
    topic = make_topic(cast.analyst, requires_ack=True)
    with pytest.raises(PermissionDenied):
        topics.remind_pending(None, cast.member_a, topic)
    assert topics.remind_pending(None, cast.analyst, topic) == topic.acknowledgements.count()


def test_can_read_agrees_with_readable_topics_for_everyone(cast: Cast) -> None:
    railways = Sector.objects.get(code="railways")
    items = [
        make_topic(cast.analyst, "全員向け"),
        make_topic(cast.analyst, "鉄道向け", audience="sectors", sectors=[railways]),
        make_topic(cast.analyst, "B社向け", tlp="amber+strict", audience="organisations",
                   organisations=[cast.org_b]),
        make_topic(cast.analyst, "個人向け", tlp="red", audience="people", people=[cast.member_a]),
        make_topic(cast.analyst, "センターのみ", audience="centre"),
        make_topic(cast.member_b, "B社の下書き", publish=False),
        make_topic(cast.member_b, "B社の審査待ち"),
    ]  # fmt: skip
    for name, person in cast.everyone.items():
        for topic in items:
            fresh = Topic.objects.get(pk=topic.pk)
            expected = topics.readable_topics(person).filter(pk=topic.pk).exists()
            assert topics.can_read(person, fresh) == expected, (name, topic.title)
