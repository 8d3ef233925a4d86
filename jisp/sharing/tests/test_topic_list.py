"""The topic list: visibility, filters, flags, paging and bounded queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jisp.core.models import Sector
from jisp.core.testing import Cast
from jisp.sharing.models import Topic
from jisp.sharing.services import topics as topic_service
from jisp.sharing.testing import make_topic, topic_input
from jisp.sharing.views import reading

URL = reverse("sharing:list")


def titles(response: Any) -> list[str]:
    return [t.title for t in response.context["topics"]]


def test_it_requires_sign_in(client: Any, cast: Cast) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("core:signin") in response["Location"]


def test_it_lists_what_the_member_may_see(cast: Cast, signed_in: Any) -> None:
    make_topic(cast.analyst, "全体向けの情報")
    make_topic(
        cast.analyst, "B社だけへの情報", audience="organisations", organisations=[cast.org_b]
    )
    response = signed_in(cast.member_a).get(URL)
    assert response.status_code == 200
    assert titles(response) == ["全体向けの情報"]
    assert "B社だけへの情報" not in response.content.decode()


def test_it_shows_the_hidden_topic_to_its_addressee_and_the_centre(
    cast: Cast, signed_in: Any
) -> None:
    make_topic(
        cast.analyst, "B社だけへの情報", audience="organisations", organisations=[cast.org_b]
    )
    assert titles(signed_in(cast.member_b).get(URL)) == ["B社だけへの情報"]
    assert titles(signed_in(cast.auditor).get(URL)) == ["B社だけへの情報"]


def test_it_hides_another_organisations_drafts_and_topics_in_review(
    cast: Cast, signed_in: Any
) -> None:
    make_topic(cast.member_b, "B社の下書き", publish=False)
    make_topic(cast.member_b, "B社の審査待ち")
    assert titles(signed_in(cast.member_a).get(URL)) == []
    # The centre finds topics waiting for review in the review queue, not among the published.
    assert titles(signed_in(cast.analyst).get(URL)) == []
    queue = signed_in(cast.analyst).get(reverse("sharing:review_queue")).content.decode()
    assert "B社の審査待ち" in queue and "B社の下書き" not in queue


def test_it_shows_ones_own_unpublished_topics_above_the_list(cast: Cast, signed_in: Any) -> None:
    make_topic(cast.member_b, "B社の下書き", publish=False)
    make_topic(cast.member_b, "B社の審査待ち")
    make_topic(cast.analyst, "公開済みの情報")
    html = signed_in(cast.member_b).get(URL).content.decode()
    box, _, listing = html.partition('class="topic-list"')
    assert "B社の下書き" in box and "B社の審査待ち" in box
    assert "公開済みの情報" in listing and "B社の下書き" not in listing
    assert "B社の下書き" not in signed_in(cast.member_a).get(URL).content.decode()


def test_it_lists_pinned_then_newest_and_never_an_unpublished_topic_first(
    cast: Cast, signed_in: Any
) -> None:
    older = make_topic(cast.analyst, "古い情報")
    make_topic(cast.analyst, "新しい情報")
    make_topic(cast.analyst, "固定された情報", pinned=True)
    make_topic(cast.analyst, "センターの下書き", publish=False)
    Topic.objects.filter(pk=older.pk).update(published_at=timezone.now() - timedelta(days=1))
    assert titles(signed_in(cast.member_a).get(URL)) == ["固定された情報", "新しい情報", "古い情報"]
    ordered = list(Topic.objects.values_list("title", flat=True))
    assert ordered[-1] == "センターの下書き"


def test_it_shows_the_centre_as_source_of_an_anonymous_topic_to_other_members(
    cast: Cast, signed_in: Any
) -> None:
    make_topic(cast.member_a, "匿名の報告", approve_by=cast.analyst, anonymous=True)
    html = signed_in(cast.responder).get(URL).content.decode()
    assert "匿名の報告" in html
    assert "対処調整センター" in html
    assert cast.org_a.name not in html
    english = signed_in(cast.member_b).get(URL).content.decode()
    assert "Coordination centre" in english
    assert cast.org_a.name_en not in english and cast.org_a.name not in english


def test_it_shows_the_true_source_to_the_centre_and_auditors(cast: Cast, signed_in: Any) -> None:
    make_topic(cast.member_a, "匿名の報告", approve_by=cast.analyst, anonymous=True)
    for person in (cast.analyst, cast.auditor, cast.member_a2):
        assert cast.org_a.name in signed_in(person).get(URL).content.decode()


def test_it_puts_pinned_topics_first_then_the_newest(cast: Cast, signed_in: Any) -> None:
    make_topic(cast.analyst, "古い")
    make_topic(cast.analyst, "ピン留め", pinned=True)
    make_topic(cast.analyst, "新しい")
    assert titles(signed_in(cast.member_a).get(URL)) == ["ピン留め", "新しい", "古い"]


def test_it_filters_by_category_tlp_tag_and_professional(cast: Cast, signed_in: Any) -> None:
    make_topic(cast.analyst, "重要な話", category="important", tags=["ddos"])
    make_topic(cast.analyst, "アンバー", tlp="amber", professional=True)
    client = signed_in(cast.member_a)
    assert titles(client.get(URL, {"category": "important"})) == ["重要な話"]
    assert titles(client.get(URL, {"tlp": "amber"})) == ["アンバー"]
    assert titles(client.get(URL, {"tag": "ddos"})) == ["重要な話"]
    assert titles(client.get(URL, {"professional": "on"})) == ["アンバー"]


def test_it_filters_by_sector_of_the_audience_or_the_source(cast: Cast, signed_in: Any) -> None:
    railways = Sector.objects.get(code="railways")
    make_topic(cast.analyst, "鉄道分野へ", audience="sectors", sectors=[railways])
    make_topic(cast.member_a, "鉄道事業者から", approve_by=cast.analyst)
    make_topic(cast.analyst, "全体へ")
    response = signed_in(cast.member_a2).get(URL, {"sector": railways.pk})
    assert sorted(titles(response)) == ["鉄道事業者から", "鉄道分野へ"]


def test_its_sector_filter_does_not_reveal_other_addressees(cast: Cast, signed_in: Any) -> None:
    railways = Sector.objects.get(code="railways")
    electricity = Sector.objects.get(code="electricity")
    make_topic(cast.analyst, "二分野へ", audience="sectors", sectors=[railways, electricity])
    client = signed_in(cast.member_b)
    assert titles(client.get(URL, {"sector": electricity.pk})) == ["二分野へ"]
    assert titles(client.get(URL, {"sector": railways.pk})) == []
    assert titles(signed_in(cast.analyst).get(URL, {"sector": railways.pk})) == ["二分野へ"]


def test_its_sector_filter_does_not_reveal_an_anonymous_source(cast: Cast, signed_in: Any) -> None:
    railways = Sector.objects.get(code="railways")
    make_topic(cast.member_a, "匿名の報告", approve_by=cast.analyst, anonymous=True)
    assert titles(signed_in(cast.member_b).get(URL, {"sector": railways.pk})) == []
    assert titles(signed_in(cast.auditor).get(URL, {"sector": railways.pk})) == ["匿名の報告"]


def test_it_filters_by_publication_day_in_japan_time(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "昨日の話")
    # 23:30 JST on 1 August is 14:30 UTC: it belongs to 1 August in Japan.
    published = datetime(2021, 8, 1, 14, 30, tzinfo=UTC)
    Topic.objects.filter(pk=topic.pk).update(published_at=published)
    client = signed_in(cast.member_a)
    assert titles(client.get(URL, {"date_from": "2021-08-01", "date_to": "2021-08-01"})) == [
        "昨日の話"
    ]
    assert titles(client.get(URL, {"date_from": "2021-08-02"})) == []
    assert titles(client.get(URL, {"date_to": "2021-07-31"})) == []


def test_it_rejects_an_end_date_before_the_start(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.member_a).get(
        URL, {"date_from": "2021-08-02", "date_to": "2021-08-01"}
    )
    assert response.status_code == 400
    assert "終了日が開始日より前" in response.content.decode()


def test_it_rejects_a_malformed_filter_with_400(cast: Cast, signed_in: Any) -> None:
    client = signed_in(cast.member_a)
    assert client.get(URL, {"category": "nonsense"}).status_code == 400
    assert client.get(URL, {"page": "0"}).status_code == 400
    assert client.get(URL, {"sector": "999999"}).status_code == 400


def test_it_marks_unread_and_changed_topics(cast: Cast, signed_in: Any) -> None:
    read = make_topic(cast.analyst, "既読")
    changed = make_topic(cast.analyst, "更新あり")
    make_topic(cast.analyst, "未読")
    topic_service.record_view(cast.member_a, read)
    topic_service.record_view(cast.member_a, changed)
    topic_service.update_topic(
        None, cast.analyst, changed, topic_input(changed, summary="新しい要約")
    )
    response = signed_in(cast.member_a).get(URL)
    flags = {t.title: (t.unread, t.changed) for t in response.context["topics"]}
    assert flags == {"既読": (False, False), "更新あり": (False, True), "未読": (True, False)}
    unread = signed_in(cast.member_a).get(URL, {"unread": "on"})
    assert sorted(titles(unread)) == ["更新あり", "未読"]


def test_it_lists_what_needs_my_organisations_acknowledgement(cast: Cast, signed_in: Any) -> None:
    make_topic(cast.analyst, "要確認", category="important", requires_ack=True)
    done = make_topic(cast.analyst, "確認済み", category="important", requires_ack=True)
    make_topic(cast.analyst, "確認不要")
    topic_service.acknowledge(None, cast.member_a, done, cast.org_a, actioned=True)
    response = signed_in(cast.member_a2).get(URL, {"needs_ack": "on"})
    assert titles(response) == ["要確認"]
    assert response.context["topics"][0].needs_ack is True
    all_rows = {t.title: t.needs_ack for t in signed_in(cast.member_a2).get(URL).context["topics"]}
    assert all_rows == {"要確認": True, "確認済み": False, "確認不要": False}


def test_it_pages_without_counting(cast: Cast, signed_in: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(reading, "PER_PAGE", 2)
    for n in range(5):
        make_topic(cast.analyst, f"話題{n}")
    client = signed_in(cast.member_a)
    first = client.get(URL)
    assert titles(first) == ["話題4", "話題3"]
    assert first.context["next_url"] == "?page=2"
    third = client.get(URL, {"page": 3})
    assert titles(third) == ["話題0"]
    assert third.context["next_url"] == ""
    assert third.context["previous_url"] == "?page=2"


def test_its_query_count_does_not_grow_with_rows(
    cast: Cast, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        topic = make_topic(
            cast.analyst, f"話題{n}", tags=["a", "b"], requires_ack=n % 2 == 0, category="alert"
        )
        topic_service.record_view(cast.member_a, topic)
    make_topic(cast.member_a, "匿名", approve_by=cast.analyst, anonymous=True)
    client = signed_in(cast.member_a)
    client.get(URL)  # warm the session and caches
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"q": "話題", "tag": "a", "unread": "on", "needs_ack": ""})
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert len(response.context["topics"]) == 25


@pytest.mark.parametrize("name", ["outsider"])
def test_it_shows_nothing_to_people_without_a_membership(
    cast: Cast, signed_in: Any, name: str
) -> None:
    make_topic(cast.analyst, "全体向けの情報")
    assert titles(signed_in(cast.everyone[name]).get(URL)) == []


def test_it_shows_the_expiry_date_is_ignored_in_the_list(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "期限付き", valid_until=timezone.now() + timedelta(days=1))
    assert titles(signed_in(cast.member_a).get(URL)) == [topic.title]


def test_it_escapes_every_value_of_a_row(cast: Cast, signed_in: Any) -> None:
    make_topic(
        cast.analyst,
        '<script>alert("t")</script>題名',
        summary="<img src=x onerror=alert(1)>要約",
        tags=['"><b>tag'],
    )
    html = signed_in(cast.member_a).get(URL).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;t&quot;)" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;要約" in html
    assert '"><b>tag' not in html and "#&quot;&gt;&lt;b&gt;tag" in html


def test_each_row_shows_its_own_tags_in_order_its_category_and_a_cut_summary(
    cast: Cast, signed_in: Any
) -> None:
    long = "あ" * 150
    make_topic(cast.analyst, "一つ目", tags=["ddos", "emotet"], category="important")
    make_topic(cast.analyst, "二つ目", tags=["phishing"], summary=long)
    make_topic(cast.analyst, "三つ目")
    html = signed_in(cast.member_a).get(URL).content.decode()
    rows = {
        title: row
        for row in html.split('<li class="topic-row')[1:]
        for title in ("一つ目", "二つ目", "三つ目")
        if title in row
    }
    assert set(rows) == {"一つ目", "二つ目", "三つ目"}

    def tags(row: str) -> list[str]:
        return [part.split("</a>")[0] for part in row.split('class="tag"')[1:]]

    assert [t.split(">#")[1] for t in tags(rows["一つ目"])] == ["ddos", "emotet"]
    assert [t.split(">#")[1] for t in tags(rows["二つ目"])] == ["phishing"]
    assert tags(rows["三つ目"]) == []
    assert "category-important" in rows["一つ目"] and ">重要</span>" in rows["一つ目"]
    # The summary: 139 characters and an ellipsis, as Django's Truncator(...).chars(140).
    assert f"{'あ' * 139}…</p>" in rows["二つ目"] and "あ" * 140 not in rows["二つ目"]
    cast.member_a.language = "en"
    cast.member_a.save(update_fields=["language"])
    english = signed_in(cast.member_a).get(URL).content.decode()
    assert ">Important</span>" in english


def test_shorten_cuts_as_the_truncator() -> None:
    from django.utils.text import Truncator

    from jisp.sharing.rows import shorten

    for text in ["", "短い", "x" * 140, "x" * 141, "漢字" * 100]:
        assert shorten(text) == Truncator(text).chars(140)
