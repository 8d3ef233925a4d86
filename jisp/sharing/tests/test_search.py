"""Full-text search in the topic list: Japanese words inside sentences, English, visibility."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.core.testing import Cast
from jisp.sharing.testing import make_topic

URL = reverse("sharing:list")


def found(client: Any, query: str) -> list[str]:
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    return sorted(t.title for t in response.context["topics"])


@pytest.fixture
def topics(cast: Cast) -> None:
    make_topic(
        cast.analyst,
        "【重要】被害報告を装った不正プログラムについて",
        summary="大会関係者を装ったメールに不正プログラムが添付されています。",
    )
    make_topic(
        cast.analyst,
        "[Info] DDoS campaign warning",
        summary="A botnet is targeting ticketing websites with volumetric attacks.",
        tags=["ddos"],
    )
    make_topic(
        cast.analyst,
        "B社向けの不正アクセス情報",
        summary="不正プログラムの痕跡",
        audience="organisations",
        organisations=[cast.org_b],
    )


@pytest.mark.parametrize("query", ["プログラム", "不正", "不正プログラム", "ラム", "被害報告"])
def test_it_finds_a_japanese_word_inside_a_sentence(
    cast: Cast, signed_in: Any, topics: None, query: str
) -> None:
    assert found(signed_in(cast.member_a), query) == [
        "【重要】被害報告を装った不正プログラムについて"
    ]


def test_it_finds_english_words_whatever_their_case(
    cast: Cast, signed_in: Any, topics: None
) -> None:
    client = signed_in(cast.member_a)
    assert found(client, "ddos") == ["[Info] DDoS campaign warning"]
    assert found(client, "Botnet TICKETING") == ["[Info] DDoS campaign warning"]


def test_it_requires_every_word(cast: Cast, signed_in: Any, topics: None) -> None:
    assert found(signed_in(cast.member_a), "botnet 不正") == []


def test_it_finds_nothing_for_a_missing_word(cast: Cast, signed_in: Any, topics: None) -> None:
    assert found(signed_in(cast.member_a), "ランサムウェア") == []


def test_it_never_finds_what_the_person_may_not_see(
    cast: Cast, signed_in: Any, topics: None
) -> None:
    assert "B社向けの不正アクセス情報" not in found(signed_in(cast.member_a), "不正")
    assert "B社向けの不正アクセス情報" in found(signed_in(cast.member_b), "不正")


def test_it_combines_search_with_filters(cast: Cast, signed_in: Any, topics: None) -> None:
    response = signed_in(cast.member_a).get(URL, {"q": "warning", "tag": "ddos"})
    assert [t.title for t in response.context["topics"]] == ["[Info] DDoS campaign warning"]


def test_it_survives_punctuation_only_and_quotes(cast: Cast, signed_in: Any, topics: None) -> None:
    client = signed_in(cast.member_a)
    assert found(client, '"') == []
    assert found(client, "' OR 1=1 --") == []


@pytest.mark.parametrize(
    ("scan_rows", "enough", "spans"),
    [(0, 1, (1, 2)), (1, 10**6, (1, 2)), (1, 10**6, ())],
)
def test_it_finds_the_same_by_the_newest_rows_and_by_the_index(
    cast: Cast,
    signed_in: Any,
    topics: None,
    monkeypatch: pytest.MonkeyPatch,
    scan_rows: int,
    enough: int,
    spans: tuple[int, ...],
) -> None:
    """PostgreSQL reads the newest rows first and falls back on the index (search.py); with
    tiny limits every path runs on a small table. SQLite answers the same."""
    from jisp.sharing import search

    monkeypatch.setattr(search, "SCAN_ROWS", scan_rows)
    monkeypatch.setattr(search, "ENOUGH", enough)
    monkeypatch.setattr(search, "RECENT_SPANS", spans)
    client = signed_in(cast.member_b)
    assert found(client, "不正プログラム") == [
        "B社向けの不正アクセス情報", "【重要】被害報告を装った不正プログラムについて",
    ]  # fmt: skip
    assert found(client, "ddos") == ["[Info] DDoS campaign warning"]
    assert found(client, "存在しない語") == []
