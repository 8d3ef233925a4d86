"""The demo topics loaded by `jisp demo` (jisp/sharing/demo.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum

from jisp.core import policy
from jisp.core.choices import TLP, Audience, OrganisationCategory
from jisp.core.demo import loader
from jisp.core.models import Organisation, User
from jisp.sharing import demo, search
from jisp.sharing.choices import TopicCategory, TopicStatus
from jisp.sharing.models import (
    Acknowledgement,
    Comment,
    Topic,
    TopicVersion,
    TopicView,
    ViewEvent,
)
from jisp.sharing.services.topics import render_markdown, shown_source, targeted_organisations

HISTORY_END = date(2024, 6, 14)
SEED_TOP_THREE = [
    "【重要】大会関連の被害報告を装う不正プログラムを確認。開かないように注意を。",
    "7/30更新【情報】東都2020大会を騙るプログラムの存在を確認",
    "【重要】DDoS攻撃キャンペーンに関する注意喚起",
]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, history_end=HISTORY_END, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Load the demo once for this module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_demo()
        transaction.set_rollback(True)


@pytest.fixture
def loaded_demo(loaded: str, db: Any) -> str:
    return loaded


def fingerprint() -> list[tuple[Any, ...]]:
    return list(
        Topic.objects.order_by("published_at", "title").values_list(
            "title", "category", "tlp", "audience", "published_at", "version", "anonymous",
            "view_count", "viewer_count", "organisation__name", "created_by__email",
        )
    )  # fmt: skip


def test_it_loads_about_300_topics_in_every_category(loaded_demo: str) -> None:
    assert "Loaded 300 topics" in loaded_demo
    assert 250 <= Topic.objects.count() <= 350
    categories = dict(
        Topic.objects.values("category").annotate(n=Count("id")).values_list("category", "n")
    )
    assert set(categories) == set(TopicCategory.values)
    assert categories[TopicCategory.INFORMATION] > categories[TopicCategory.IMPORTANT]
    assert Topic.objects.filter(professional=True).count() > 50
    assert not Topic.objects.filter(title__contains="(プロ)").exists()  # the pages add the mark
    assert not Topic.objects.exclude(status=TopicStatus.PUBLISHED).exists()


def test_every_topic_is_published_during_the_games(loaded_demo: str) -> None:
    start = datetime(2021, 7, 21, tzinfo=loader.TOKYO)
    end = datetime(2021, 9, 6, tzinfo=loader.TOKYO)
    assert not Topic.objects.exclude(published_at__gte=start, published_at__lt=end).exists()
    assert not TopicView.objects.exclude(first_at__gte=start, last_at__lt=end).exists()
    assert not ViewEvent.objects.exclude(hour__gte=start, hour__lt=end).exists()
    # The busiest days were the first three (the seed: 21 to 23 July).
    first_days = Topic.objects.filter(published_at__lt=datetime(2021, 7, 24, tzinfo=loader.TOKYO))
    assert first_days.count() > Topic.objects.count() / 47 * 3


def test_every_topic_has_its_search_tokens_and_safe_html(loaded_demo: str) -> None:
    for topic in Topic.objects.prefetch_related("tags"):
        tags = " ".join(sorted(tag.name for tag in topic.tags.all()))
        assert topic.search_text
        assert set(search.index_text(topic.title).split()) <= set(topic.search_text.split())
        assert set(search.index_text(tags).split()) <= set(topic.search_text.split())
        assert topic.body_html == render_markdown(topic.body)
        assert "<script" not in topic.body_html


def test_search_finds_a_japanese_word_inside_a_sentence(loaded_demo: str) -> None:
    found = list(
        search.search(Topic.objects.all(), "不正プログラム").values_list("title", flat=True)
    )
    assert SEED_TOP_THREE[0] in found
    phrase = search.index_text("不正プログラム")  # "不正 正プ プロ ログ グラ ラム"
    assert all(phrase in Topic.objects.get(title=t).search_text for t in found)
    assert search.search(Topic.objects.all(), "偽ライブ配信").count() >= 30
    assert search.search(Topic.objects.all(), "DDoS").count() >= 10


def test_tlp_and_audiences_are_mixed_as_in_practice(loaded_demo: str) -> None:
    total = Topic.objects.count()
    by_tlp = {tlp: Topic.objects.filter(tlp=tlp).count() for tlp in TLP.values}
    assert by_tlp[TLP.GREEN] + by_tlp[TLP.AMBER] > total * 0.7
    assert by_tlp[TLP.CLEAR] > 5
    assert 0 < by_tlp[TLP.AMBER_STRICT] < total * 0.1
    assert by_tlp[TLP.RED] == 0
    strict = Topic.objects.filter(tlp=TLP.AMBER_STRICT)
    assert not strict.exclude(audience=Audience.ORGANISATIONS).exists()
    for audience in (Audience.EVERYONE, Audience.SECTORS, Audience.ORGANISATIONS):
        assert Topic.objects.filter(audience=audience).exists(), audience
    assert not Topic.objects.filter(audience=Audience.SECTORS, audience_sectors=None).exists()
    assert not Topic.objects.filter(
        audience=Audience.ORGANISATIONS, audience_organisations=None
    ).exists()


def test_some_member_reports_are_published_anonymously_by_the_centre(loaded_demo: str) -> None:
    centre = Organisation.objects.get(category=OrganisationCategory.CENTRE)
    members = Topic.objects.exclude(organisation=centre)
    assert members.count() > 30
    anonymous = members.filter(anonymous=True)
    assert 0 < anonymous.count() < members.count()
    assert not Topic.objects.filter(organisation=centre, anonymous=True).exists()
    assert not anonymous.filter(reviewed_by=None).exists()
    topic = anonymous.filter(audience=Audience.EVERYONE).first()
    assert topic is not None
    outsider = (
        User.objects.filter(memberships__organisation__category=OrganisationCategory.OPERATOR)
        .exclude(memberships__organisation=topic.organisation)
        .first()
    )
    assert policy.can_view(outsider, topic)
    assert shown_source(outsider, topic) is None


def test_updated_topics_keep_their_versions_and_change_notes(loaded_demo: str) -> None:
    program = Topic.objects.get(title=SEED_TOP_THREE[1])
    versions = list(program.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2] and program.version == 2
    assert versions[1].change_note == "7月30日更新: ハッシュ値を追加"
    assert versions[0].title == "【情報】東都2020大会を騙るプログラムの存在を確認"
    assert "追加のハッシュ値" in program.body and "追加のハッシュ値" not in versions[0].body
    for topic in Topic.objects.all():
        assert topic.versions.count() == topic.version
        newest = topic.versions.get(number=topic.version)
        assert (newest.title, newest.body, newest.actions) == (
            topic.title, topic.body, topic.actions,
        )  # fmt: skip
    assert Topic.objects.filter(version__gte=2).count() > 20
    assert not TopicVersion.objects.filter(number__gte=2, change_note="").exists()
    assert TopicView.objects.filter(topic=program, version=1).exists()  # read before the update


def test_important_topics_ask_for_acknowledgement_and_most_organisations_gave_it(
    loaded_demo: str,
) -> None:
    asking = Topic.objects.filter(requires_ack=True)
    assert asking.count() >= 5
    assert not asking.exclude(category=TopicCategory.IMPORTANT).exists()
    for topic in asking:
        targeted = set(targeted_organisations(topic).values_list("pk", flat=True))
        acked = set(topic.acknowledgements.values_list("organisation_id", flat=True))
        assert acked == targeted
    rows = Acknowledgement.objects.filter(topic__in=asking)
    read = rows.exclude(read_at=None).count()
    assert read > rows.count() * 0.8
    assert rows.filter(read_at=None).exists()  # some are still pending
    assert rows.exclude(actioned_at=None).count() < read


def test_views_are_counted_as_the_service_counts_them(loaded_demo: str) -> None:
    totals = dict(
        TopicView.objects.values("topic").annotate(n=Sum("count")).values_list("topic", "n")
    )
    hourly = dict(
        ViewEvent.objects.values("topic").annotate(n=Sum("count")).values_list("topic", "n")
    )
    assert totals == hourly
    for pk, views, readers in Topic.objects.values_list("pk", "view_count", "viewer_count"):
        assert views == totals.get(pk, 0)
        assert readers == TopicView.objects.filter(topic_id=pk).count() or views == 0
    all_views = sum(totals.values())
    assert 20_000 <= all_views <= 100_000


def test_the_ranking_of_the_games_looks_like_the_seed(loaded_demo: str) -> None:
    start = datetime(2021, 7, 21, tzinfo=loader.TOKYO)
    end = datetime(2021, 9, 6, tzinfo=loader.TOKYO)
    ranking = list(
        ViewEvent.objects.filter(hour__gte=start, hour__lt=end)
        .values("topic__title")
        .annotate(n=Sum("count"))
        .order_by("-n")[:10]
    )
    assert [row["topic__title"] for row in ranking[:3]] == SEED_TOP_THREE
    assert ranking[0]["n"] >= 3000 and ranking[9]["n"] >= 300


def test_readers_and_commenters_may_see_what_they_read(loaded_demo: str) -> None:
    users: dict[int, User] = {}
    rows = list(TopicView.objects.select_related("topic").order_by("id")[::53])
    rows += list(TopicView.objects.filter(topic__tlp=TLP.AMBER_STRICT).select_related("topic"))
    for row in rows:
        user = users.setdefault(row.user_id, User.objects.get(pk=row.user_id))
        assert policy.can_view(user, row.topic), (row.user_id, row.topic_id)
    for comment in Comment.objects.select_related("topic", "author")[:100]:
        assert policy.can_view(comment.author, comment.topic)
    assert Comment.objects.exclude(parent=None).exists()
    assert not Comment.objects.filter(parent__parent__isnull=False).exists()


def test_a_second_load_adds_nothing_and_a_reset_loads_the_same_topics(loaded_demo: str) -> None:
    plan = loader.build_plan()
    before = fingerprint()
    assert demo.load(plan) is None
    assert "Loaded 300 topics" not in run_demo()
    output = run_demo("--reset")
    assert "Loaded 300 topics" in output
    assert fingerprint() == before
