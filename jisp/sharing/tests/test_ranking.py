"""The "most viewed" ranking: views summed per topic over a period, among visible topics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from jisp.core.testing import Cast
from jisp.sharing.models import Topic, ViewEvent
from jisp.sharing.testing import make_topic
from jisp.sharing.views import reading

URL = reverse("sharing:ranking")


def tally(topic: Topic, hour: datetime, count: int) -> None:
    ViewEvent.objects.create(topic=topic, hour=hour, count=count)


def ranked(response: Any) -> list[tuple[int, str, int]]:
    return [(r["rank"], r["topic"].title, r["views"]) for r in response.context["rows"]]


def test_it_ranks_by_views_in_the_period(cast: Cast, signed_in: Any) -> None:
    a = make_topic(cast.analyst, "偽の被害報告")
    b = make_topic(cast.analyst, "DDoS注意喚起")
    # 1 August 00:30 JST = 31 July 15:30 UTC.
    tally(a, datetime(2021, 7, 31, 15, tzinfo=UTC), 5)
    tally(a, datetime(2021, 8, 2, 3, tzinfo=UTC), 4)
    tally(b, datetime(2021, 8, 1, 3, tzinfo=UTC), 7)
    tally(b, datetime(2021, 8, 9, 3, tzinfo=UTC), 100)  # outside the period
    tally(a, datetime(2021, 7, 31, 14, tzinfo=UTC), 100)  # 31 July 23:00 JST: outside
    response = signed_in(cast.member_a).get(
        URL, {"date_from": "2021-08-01", "date_to": "2021-08-07"}
    )
    assert response.status_code == 200
    assert ranked(response) == [(1, "偽の被害報告", 9), (2, "DDoS注意喚起", 7)]
    assert response.context["total"] == 16


def test_it_defaults_to_the_last_seven_days(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "最近")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    tally(topic, now, 3)
    tally(topic, now - timedelta(days=10), 50)
    response = signed_in(cast.member_a).get(URL)
    assert ranked(response) == [(1, "最近", 3)]
    start, end = response.context["period"]
    assert (end - start).days == 6 and end == timezone.localdate()


def test_it_leaves_out_topics_the_person_may_not_see(cast: Cast, signed_in: Any) -> None:
    visible = make_topic(cast.analyst, "全体向け")
    hidden = make_topic(
        cast.analyst, "B社だけ", audience="organisations", organisations=[cast.org_b]
    )
    now = timezone.now()
    tally(visible, now, 1)
    tally(hidden, now, 99)
    response = signed_in(cast.member_a).get(URL)
    assert ranked(response) == [(1, "全体向け", 1)]
    assert response.context["total"] == 1
    assert "B社だけ" not in response.content.decode()
    assert [r[1] for r in ranked(signed_in(cast.member_b).get(URL))] == ["B社だけ", "全体向け"]


def test_it_shows_the_centre_as_source_of_an_anonymous_topic(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.member_a, "匿名の報告", approve_by=cast.analyst, anonymous=True)
    tally(topic, timezone.now(), 2)
    html = signed_in(cast.responder).get(URL).content.decode()
    assert "匿名の報告" in html and cast.org_a.name not in html
    assert cast.org_a.name in signed_in(cast.analyst).get(URL).content.decode()


def test_it_keeps_the_top_twenty(cast: Cast, signed_in: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(reading, "RANKING_SIZE", 2)
    now = timezone.now()
    for n in range(3):
        tally(make_topic(cast.analyst, f"話題{n}"), now, n + 1)
    response = signed_in(cast.member_a).get(URL)
    assert ranked(response) == [(1, "話題2", 3), (2, "話題1", 2)]
    assert response.context["total"] == 6


def test_it_rejects_a_reversed_or_too_long_period(cast: Cast, signed_in: Any) -> None:
    client = signed_in(cast.member_a)
    assert client.get(URL, {"date_from": "2021-08-02", "date_to": "2021-08-01"}).status_code == 400
    assert client.get(URL, {"date_from": "2019-01-01", "date_to": "2021-08-01"}).status_code == 400
    assert client.get(URL, {"date_from": "yesterday"}).status_code == 400


def test_it_requires_sign_in(client: Any, cast: Cast) -> None:
    assert client.get(URL).status_code == 302
