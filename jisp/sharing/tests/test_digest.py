"""The daily digest: what each person gets, when, and never what they may not see."""

# ruff: noqa: F811  (the imported ``smtp`` fixture is a test argument)

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jisp.core.models import NotificationPreference
from jisp.core.testing import Cast, make_person
from jisp.core.tests.test_deliver_email import Inbox, parts, smtp  # noqa: F401  (SMTP fixture)
from jisp.sharing import notifications as kinds
from jisp.sharing.models import ReaderSettings, Tag, Topic
from jisp.sharing.services import digest, following
from jisp.sharing.services.topics import readable_topics
from jisp.sharing.testing import make_topic

TOKYO = ZoneInfo("Asia/Tokyo")
YESTERDAY = datetime(2026, 7, 23, 15, 0, tzinfo=TOKYO)
EIGHT = datetime(2026, 7, 24, 8, 0, tzinfo=TOKYO)


def at(moment: datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def publish(*args: Any, **kwargs: Any) -> Topic:
    with at(YESTERDAY):
        return make_topic(*args, **kwargs)


def send(moment: datetime = EIGHT) -> int:
    with at(moment):
        return digest.send_due_digests()


def text_of(smtp: Inbox, address: str) -> str:
    [message] = smtp.to(address)
    text, html = parts(message)
    return message["Subject"] + text + html


def test_it_mails_each_person_the_topics_they_may_read_grouped_by_category(
    cast: Cast, smtp: Inbox
) -> None:
    publish(cast.analyst, "偽ライブ配信サイトの情報", category="information")
    publish(cast.analyst, "Phishing wave", category="alert", tlp="clear")
    publish(cast.analyst, "【重要】DDoS", category="important")
    assert send() > 0
    [message] = smtp.to(cast.member_b.email)
    assert message["Subject"] == "[JISP] Daily digest: 2 new topics"
    assert message["X-JISP-Kind"] == kinds.DIGEST
    text, html = parts(message)
    assert "偽ライブ配信サイトの情報" in text
    assert "Phishing wave" in html
    assert "【重要】DDoS" not in text + html  # important topics were sent at once
    assert text.index("Alert") < text.index("Phishing wave") < text.index("Information")
    assert "TLP:CLEAR" in text
    assert "TLP:GREEN" in text
    assert "http://127.0.0.1:8000/topics/" in text
    assert smtp.to(cast.outsider.email) == []


def test_it_sends_in_the_persons_language(cast: Cast, smtp: Inbox) -> None:
    publish(cast.analyst, "x")
    send()
    [ja] = smtp.to(cast.member_a.email)
    [en] = smtp.to(cast.member_b.email)
    assert ja["Content-Language"] == "ja"
    assert en["Content-Language"] == "en"
    assert '<html lang="ja">' in parts(ja)[1]


def test_an_amber_topic_for_another_sector_never_reaches_org_a(cast: Cast, smtp: Inbox) -> None:
    publish(cast.analyst, "Everyone's topic")
    publish(
        cast.analyst,
        "Electricity only",
        tlp="amber",
        audience="sectors",
        sectors=[cast.org_b.sector],
    )
    send()
    assert "Electricity only" not in text_of(smtp, cast.member_a.email)
    assert "Electricity only" not in text_of(smtp, cast.vendor_analyst.email)
    assert "Electricity only" in text_of(smtp, cast.member_b.email)
    assert "Electricity only" in text_of(smtp, cast.commander.email)


def test_each_digest_holds_exactly_what_the_policy_lets_its_reader_see(
    cast: Cast, smtp: Inbox
) -> None:
    made = [
        publish(cast.analyst, "to everyone"),
        publish(cast.analyst, "rail", tlp="amber", audience="sectors", sectors=[cast.org_a.sector]),
        publish(
            cast.analyst,
            "org b",
            tlp="amber+strict",
            audience="organisations",
            organisations=[cast.org_b],
        ),
        publish(cast.analyst, "named", tlp="red", audience="people", people=[cast.vendor_analyst]),
        publish(cast.analyst, "centre", tlp="amber", audience="centre"),
        publish(cast.member_a, "from a", approve_by=cast.analyst),
    ]
    with at(EIGHT):
        digest.ensure_settings()
        rows = list(digest.due(timezone.now()))
        built = {d.user.pk: d for d in digest.build(rows, timezone.now())}
    assert len(built) == len(cast.everyone) - 1  # all but the outsider
    for person in cast.everyone.values():
        expected = set(
            readable_topics(person)
            .filter(pk__in=[t.pk for t in made], status="published")
            .exclude(created_by=person)
            .values_list("pk", flat=True)
        )
        got = {e.topic_id for e in built[person.pk].entries} if person.pk in built else set()
        assert got == expected, person.email


def test_it_never_names_an_anonymous_source_nor_other_recipients(cast: Cast, smtp: Inbox) -> None:
    publish(cast.member_a2, "On behalf of a member", approve_by=cast.analyst, anonymous=True)
    publish(
        cast.analyst,
        "For two organisations",
        tlp="amber",
        audience="organisations",
        organisations=[cast.org_a, cast.org_b],
    )
    send()
    mail = text_of(smtp, cast.member_b.email)
    assert "On behalf of a member" in mail
    assert "For two organisations" in mail
    for secret in (
        cast.org_a.name,
        cast.org_a.name_en,
        cast.member_a2.name,
        cast.member_a2.email,
        cast.member_a.email,
    ):
        assert secret not in mail
    assert cast.org_b.name not in text_of(smtp, cast.member_a.email)


def test_it_keeps_the_summary_of_red_and_amber_strict_topics_out_of_mail(
    cast: Cast, smtp: Inbox
) -> None:
    publish(
        cast.analyst,
        "Named",
        summary="secret detail",
        tlp="red",
        audience="people",
        people=[cast.member_a],
    )
    send()
    mail = text_of(smtp, cast.member_a.email)
    assert "Named" in mail
    assert "secret detail" not in mail


def test_muted_tags_sectors_and_topics_stay_out(cast: Cast, smtp: Inbox) -> None:
    tag = Tag.objects.create(name="noise")
    following.set_state(None, cast.member_a, "mute", tag=tag)
    following.set_state(None, cast.member_a, "mute", sector=cast.org_a.sector)
    publish(cast.analyst, "tagged noise", tags=["noise"])
    publish(cast.analyst, "rail noise", audience="sectors", sectors=[cast.org_a.sector])
    muted = publish(cast.analyst, "muted topic")
    following.set_state(None, cast.member_a, "mute", topic=muted)
    publish(cast.analyst, "still wanted")
    send()
    mail = text_of(smtp, cast.member_a.email)
    assert "still wanted" in mail
    for title in ("tagged noise", "rail noise", "muted topic"):
        assert title not in mail
        assert title in text_of(smtp, cast.member_a2.email)


def test_nothing_to_say_means_no_mail(cast: Cast, smtp: Inbox) -> None:
    publish(cast.analyst, "important only", category="important")
    assert send() == 0
    assert smtp.messages == []
    assert ReaderSettings.objects.get(user=cast.member_a).last_digest_at is not None


def test_it_comes_once_a_day_at_the_chosen_hour(cast: Cast, smtp: Inbox) -> None:
    following.save_reader_settings(None, cast.member_b, digest_enabled=True, digest_hour=18)
    with at(EIGHT - timedelta(hours=1)):
        make_topic(cast.analyst, "first")
    send(EIGHT - timedelta(minutes=1))
    assert smtp.messages == []
    send(EIGHT)
    assert len(smtp.to(cast.member_a.email)) == 1
    assert smtp.to(cast.member_b.email) == []
    send(EIGHT + timedelta(minutes=15))
    assert len(smtp.to(cast.member_a.email)) == 1  # not twice the same day
    send(EIGHT + timedelta(hours=10))
    assert len(smtp.to(cast.member_b.email)) == 1
    # The next day lists only what was published since.
    with at(EIGHT + timedelta(hours=12)):
        make_topic(cast.analyst, "second")
    send(EIGHT + timedelta(days=1))
    latest = smtp.to(cast.member_a.email)[-1]
    text, _html = parts(latest)
    assert "second" in text
    assert "first" not in text


def test_it_sends_nothing_to_people_who_turned_it_off(cast: Cast, smtp: Inbox) -> None:
    following.save_reader_settings(None, cast.member_a, digest_enabled=False, digest_hour=8)
    NotificationPreference.objects.create(
        user=cast.member_b, kind=kinds.DIGEST, in_app=True, email=False
    )
    publish(cast.analyst, "x")
    send()
    assert smtp.to(cast.member_a.email) == []
    assert smtp.to(cast.member_b.email) == []
    assert smtp.to(cast.member_a2.email) != []


def test_a_failed_mail_is_tried_again_at_the_next_run(
    cast: Cast, smtp: Inbox, settings: Any
) -> None:
    publish(cast.analyst, "x")
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    assert send() == 0
    assert ReaderSettings.objects.get(user=cast.member_a).last_digest_at is None
    settings.EMAIL_PORT = port
    assert send(EIGHT + timedelta(minutes=15)) > 0
    assert len(smtp.to(cast.member_a.email)) == 1


@pytest.mark.parametrize("extra", [10])
def test_it_needs_at_most_one_query_per_person(cast: Cast, smtp: Inbox, extra: int) -> None:
    for n in range(5):
        publish(cast.analyst, f"topic {n}", tags=[f"t{n}"])

    def queries(moment: datetime) -> int:
        with CaptureQueriesContext(connection) as captured:
            send(moment)
        return len(captured)

    first = queries(EIGHT)
    sent_first = len(smtp.messages)
    for n in range(extra):
        make_person(f"more{n}@rail.example", cast.org_a)
    with at(EIGHT + timedelta(days=1) - timedelta(hours=1)):
        make_topic(cast.analyst, "next day")
    second = queries(EIGHT + timedelta(days=1))
    sent_second = len(smtp.messages) - sent_first
    assert sent_second == sent_first + extra
    assert second - first <= extra + 1
