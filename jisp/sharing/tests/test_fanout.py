"""Who is told what when topics are published, changed, reviewed, reminded and commented on."""

# ruff: noqa: F811  (the imported ``smtp`` fixture is a test argument)

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from jisp.core.choices import Channel, Role
from jisp.core.models import Delivery, Notification, NotificationPreference, User
from jisp.core.testing import Cast, make_person
from jisp.core.tests.test_deliver_email import Inbox, smtp  # noqa: F401  (the SMTP fixture)
from jisp.sharing import notifications as kinds
from jisp.sharing.models import Tag
from jisp.sharing.services import comments, fanout, following, topics
from jisp.sharing.testing import make_topic, topic_input

NOON = datetime(2026, 7, 24, 3, 0, tzinfo=UTC)  # 12:00 in Tokyo


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Any:
    """``run(fn, *args)``: call ``fn`` and run what it queued for after the commit."""

    def call(function: Any, *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def emails(cast: Cast, *people: User) -> set[str]:
    return {p.email for p in people}


# --- Publication -------------------------------------------------------------------------------


def test_an_important_topic_tells_everyone_in_its_audience_at_once(
    cast: Cast, run: Any, smtp: Inbox
) -> None:
    topic = run(
        make_topic,
        cast.analyst,
        "【重要】被害報告を装ったプログラム",
        category="important",
        tlp="amber",
        audience="sectors",
        sectors=[cast.org_a.sector],
    )
    expected = emails(
        cast, cast.member_a, cast.member_a2, cast.admin_a, cast.commander, cast.auditor
    )
    assert told(kinds.TOPIC_IMPORTANT) == expected  # the author (analyst) is not told
    mailed = {address for rcpts, _message in smtp.messages for address in rcpts}
    assert mailed == expected
    assert smtp.to(cast.member_b.email) == []
    note = Notification.objects.filter(kind=kinds.TOPIC_IMPORTANT).first()
    assert note is not None
    assert note.url == f"/topics/{topic.pk}/"
    assert note.data == {"item": {"type": "sharing.topic", "id": topic.pk}}


def test_muting_a_tag_silences_an_important_topic(cast: Cast, run: Any) -> None:
    tag = Tag.objects.create(name="ddos")
    following.set_state(None, cast.member_a, "mute", tag=tag)
    run(make_topic, cast.analyst, "DDoS", category="important", tags=["ddos"])
    assert cast.member_a.email not in told(kinds.TOPIC_IMPORTANT)
    assert cast.member_a2.email in told(kinds.TOPIC_IMPORTANT)


def test_an_information_topic_mails_nobody_and_tells_only_followers(
    cast: Cast, run: Any, smtp: Inbox
) -> None:
    tag = Tag.objects.create(name="phishing")
    following.set_state(None, cast.member_a, "follow", tag=tag)
    following.set_state(None, cast.member_b, "follow", sector=cast.org_a.sector)
    run(make_topic, cast.analyst, "偽ライブ配信サイト", category="information", tags=["phishing"])
    assert told(kinds.TOPIC_PUBLISHED) == {cast.member_a.email}
    assert told(kinds.TOPIC_IMPORTANT) == set()
    assert smtp.messages == []


def test_a_sector_follower_is_told_of_a_topic_for_their_sector(cast: Cast, run: Any) -> None:
    following.set_state(None, cast.member_a2, "follow", sector=cast.org_a.sector)
    run(
        make_topic,
        cast.analyst,
        "鉄道向け注意喚起",
        category="alert",
        audience="sectors",
        sectors=[cast.org_a.sector],
    )
    assert told(kinds.TOPIC_PUBLISHED) == {cast.member_a2.email}


def test_a_follower_who_may_not_read_the_topic_is_not_told(cast: Cast, run: Any) -> None:
    tag = Tag.objects.create(name="rail")
    following.set_state(None, cast.member_b, "follow", tag=tag)
    following.set_state(None, cast.member_a, "follow", tag=tag)
    run(
        make_topic,
        cast.analyst,
        "Railway only",
        tlp="amber",
        audience="organisations",
        organisations=[cast.org_a],
        tags=["rail"],
    )
    assert told(kinds.TOPIC_PUBLISHED) == {cast.member_a.email}


def test_a_muted_sector_wins_over_a_followed_tag(cast: Cast, run: Any) -> None:
    tag = Tag.objects.create(name="rail")
    following.set_state(None, cast.member_a, "follow", tag=tag)
    following.set_state(None, cast.member_a, "mute", sector=cast.org_a.sector)
    run(
        make_topic,
        cast.analyst,
        "x",
        audience="sectors",
        sectors=[cast.org_a.sector],
        tags=["rail"],
    )
    assert told(kinds.TOPIC_PUBLISHED) == set()


def test_notifications_never_name_an_anonymous_source_nor_other_recipients(
    cast: Cast, run: Any, smtp: Inbox
) -> None:
    topic = run(
        make_topic,
        cast.member_a2,
        "被害報告を装ったプログラム",
        summary="添付ファイルを開かないでください。",
        category="important",
        approve_by=cast.analyst,
        anonymous=True,
    )
    assert topic.anonymous and topic.is_published
    [note] = Notification.objects.filter(kind=kinds.TOPIC_IMPORTANT, recipient=cast.member_b)
    [message] = smtp.to(cast.member_b.email)
    for secret in (
        cast.org_a.name,
        cast.org_a.name_en,
        cast.member_a2.name,
        cast.member_a2.email,
        cast.member_a.email,
        cast.vendor_analyst.email,
    ):
        assert secret not in note.title
        assert secret not in note.body
        assert secret not in str(note.data)
        assert secret not in message.as_string()
    assert set(note.data) == {"item"}


def test_a_draft_and_a_topic_waiting_for_review_tell_no_reader(cast: Cast, run: Any) -> None:
    run(make_topic, cast.member_a, "draft", category="important", publish=False)
    run(make_topic, cast.member_a, "waiting", category="important")
    assert told(kinds.TOPIC_IMPORTANT) == set()


def test_nothing_is_sent_before_the_transaction_commits(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_topic(cast.analyst, "x", category="important")
    assert callbacks
    assert not Notification.objects.exists()


# --- The e-mail cap ----------------------------------------------------------------------------


def test_a_busy_hour_mails_a_person_at_most_the_cap(
    cast: Cast, run: Any, monkeypatch: pytest.MonkeyPatch, smtp: Inbox
) -> None:
    monkeypatch.setattr(fanout, "MAIL_CAP_PER_HOUR", 2)
    NotificationPreference.objects.create(
        user=cast.member_a, kind=kinds.TOPIC_PUBLISHED, in_app=True, email=True
    )
    following.set_state(None, cast.member_a, "follow", tag=Tag.objects.create(name="busy"))
    with time_machine.travel(NOON, tick=False):
        for n in range(4):
            run(make_topic, cast.analyst, f"info {n}", tags=["busy"])
        # Important topics always go out.
        run(make_topic, cast.analyst, "important", category="important")
    assert (
        Notification.objects.filter(recipient=cast.member_a, kind=kinds.TOPIC_PUBLISHED).count()
        == 4
    )
    assert len(smtp.to(cast.member_a.email)) == 3
    assert (
        Delivery.objects.filter(
            channel=Channel.EMAIL, notification__recipient=cast.member_a
        ).count()
        == 3
    )
    with time_machine.travel(NOON + timedelta(hours=1, minutes=1), tick=False):
        run(make_topic, cast.analyst, "an hour later", tags=["busy"])
    assert len(smtp.to(cast.member_a.email)) == 4


# --- New versions ------------------------------------------------------------------------------


def test_readers_of_an_earlier_version_are_told_it_changed(cast: Cast, run: Any) -> None:
    topic = run(make_topic, cast.analyst, "v1")
    topics.record_view(cast.member_a, topic)
    topics.record_view(cast.commander, topic)
    run(
        topics.update_topic,
        None,
        cast.commander,
        topic,
        topic_input(topic, title="v2", change_note="30 July: new hashes"),
    )
    assert told(kinds.TOPIC_UPDATED) == {cast.member_a.email}  # not the editor, nor non-readers
    note = Notification.objects.get(kind=kinds.TOPIC_UPDATED)
    assert "v2" in note.title
    assert "30 July: new hashes" in note.body


def test_a_reader_who_muted_the_topic_is_not_told_of_changes(cast: Cast, run: Any) -> None:
    topic = run(make_topic, cast.analyst, "v1")
    topics.record_view(cast.member_a, topic)
    following.set_state(None, cast.member_a, "mute", topic=topic)
    run(topics.update_topic, None, cast.analyst, topic, topic_input(topic, change_note="x"))
    assert told(kinds.TOPIC_UPDATED) == set()


# --- Review and reminders ---------------------------------------------------------------------


def test_the_centres_duty_officers_and_analysts_are_asked_to_review(cast: Cast, run: Any) -> None:
    duty = make_person("duty@centre.example", cast.centre, Role.DUTY_OFFICER)
    topic = run(make_topic, cast.member_a, "from a member")
    assert topic.status == "pending_review"
    assert told(kinds.TOPIC_REVIEW) == {duty.email, cast.analyst.email}
    note = Notification.objects.filter(kind=kinds.TOPIC_REVIEW).first()
    assert note is not None
    assert note.url == f"/topics/{topic.pk}/review/"


def test_the_author_learns_that_their_topic_was_returned(cast: Cast, run: Any) -> None:
    topic = run(make_topic, cast.member_a, "from a member")
    Notification.objects.all().delete()
    run(topics.review_topic, None, cast.analyst, topic, approve=False, note="Add the hashes.")
    assert told(kinds.TOPIC_REVIEW) == {cast.member_a.email}
    assert "Add the hashes." in Notification.objects.get(kind=kinds.TOPIC_REVIEW).body


def test_a_reminder_goes_to_the_administrators_else_to_every_member(cast: Cast, run: Any) -> None:
    topic = run(
        make_topic,
        cast.analyst,
        "Please confirm",
        category="important",
        tlp="amber",
        audience="organisations",
        organisations=[cast.org_a, cast.org_b],
        requires_ack=True,
    )
    Notification.objects.all().delete()
    count = run(topics.remind_pending, None, cast.analyst, topic)
    assert count == 2
    assert told(kinds.TOPIC_ACK_REMINDER) == {cast.admin_a.email, cast.member_b.email}
    for note in Notification.objects.filter(kind=kinds.TOPIC_ACK_REMINDER):
        assert cast.org_a.name not in note.body + note.title
        assert cast.org_b.name not in note.body + note.title


# --- Comments ------------------------------------------------------------------------------------


def test_a_comment_tells_mentioned_people_and_followers_never_its_author(
    cast: Cast, run: Any
) -> None:
    topic = run(make_topic, cast.analyst, "Discuss")
    following.set_state(None, cast.member_a2, "follow", topic=topic)
    following.set_state(None, cast.member_b, "follow", topic=topic)
    following.set_state(None, cast.admin_a, "follow", topic=topic)
    run(
        comments.post_comment,
        None,
        cast.admin_a,
        topic,
        f"Seen at our site. @{cast.member_a.email} please check.",
    )
    assert told(kinds.TOPIC_MENTION) == {cast.member_a.email}
    assert told(kinds.TOPIC_COMMENT) == {cast.member_a2.email, cast.member_b.email}
    note = Notification.objects.get(kind=kinds.TOPIC_MENTION)
    assert note.url.startswith(f"/topics/{topic.pk}/#comment-")
    assert cast.admin_a.name not in note.title + note.body
