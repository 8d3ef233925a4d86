"""Recording a view: the reader's row, the topic's totals, the hourly tally; never the page's
problem."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse

from jisp.core.testing import Cast
from jisp.sharing.models import TopicView, ViewEvent
from jisp.sharing.services import topics as topic_service
from jisp.sharing.testing import make_topic, topic_input


def test_it_counts_views_readers_and_the_hour(cast: Cast) -> None:
    topic = make_topic(cast.analyst, "話題")
    at = datetime(2021, 8, 1, 3, 25, tzinfo=UTC)
    topic_service.record_view(cast.member_a, topic, now=at)
    topic_service.record_view(cast.member_a, topic, now=at.replace(minute=50))
    topic_service.record_view(cast.member_b, topic, now=at.replace(hour=4))
    topic.refresh_from_db()
    assert (topic.view_count, topic.viewer_count) == (3, 2)
    view = TopicView.objects.get(topic=topic, user=cast.member_a)
    assert (view.count, view.first_at, view.last_at) == (2, at, at.replace(minute=50))
    assert view.organisation_id == cast.org_a.pk
    tallies = dict(ViewEvent.objects.filter(topic=topic).values_list("hour", "count"))
    assert tallies == {at.replace(minute=0): 2, at.replace(hour=4, minute=0): 1}


def test_it_remembers_the_version_read(cast: Cast) -> None:
    topic = make_topic(cast.analyst, "話題")
    topic_service.record_view(cast.member_a, topic)
    topic = topic_service.update_topic(None, cast.analyst, topic, topic_input(topic, summary="新"))
    assert TopicView.objects.get(topic=topic, user=cast.member_a).version == 1
    topic_service.record_view(cast.member_a, topic)
    assert TopicView.objects.get(topic=topic, user=cast.member_a).version == 2


def test_the_page_records_after_rendering(cast: Cast, signed_in: Any, monkeypatch: Any) -> None:
    topic = make_topic(cast.analyst, "話題")
    order: list[str] = []
    real = topic_service.record_view

    def spy(*args: Any, **kwargs: Any) -> None:
        order.append("recorded")
        real(*args, **kwargs)

    monkeypatch.setattr(topic_service, "record_view", spy)
    from jisp.sharing.views import reading

    original_render = reading.render

    def render_spy(*args: Any, **kwargs: Any) -> Any:
        response = original_render(*args, **kwargs)
        order.append("rendered")
        return response

    monkeypatch.setattr(reading, "render", render_spy)
    signed_in(cast.member_a).get(reverse("sharing:detail", args=[topic.pk]))
    assert order == ["rendered", "recorded"]
    assert TopicView.objects.filter(topic=topic, user=cast.member_a).exists()


def test_a_failure_is_logged_not_shown(
    cast: Cast, signed_in: Any, monkeypatch: Any, caplog: Any
) -> None:
    topic = make_topic(cast.analyst, "話題")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(topic_service, "record_view", broken)
    response = signed_in(cast.member_a).get(reverse("sharing:detail", args=[topic.pk]))
    assert response.status_code == 200
    assert "Could not record a view" in caplog.text


def test_it_is_quick(cast: Cast) -> None:
    topic = make_topic(cast.analyst, "話題")
    topic_service.record_view(cast.member_a, topic)
    started = time.perf_counter()
    for _ in range(20):
        topic_service.record_view(cast.member_a, topic)
    # Generous for a shared test machine; the benchmark measures the real figure (< 2 ms).
    assert (time.perf_counter() - started) / 20 < 0.05


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_counts_in_its_own_transaction_outside_any_other() -> None:
    """As after a page is sent (autocommit, no test transaction around): the function commits
    its own transaction (asynchronously on PostgreSQL) and every view counts."""
    from jisp.core.testing import make_cast

    cast = make_cast()
    topic = make_topic(cast.analyst, "非同期コミットの確認")
    topic_service.record_view(cast.member_a, topic)
    topic_service.record_view(cast.member_a, topic)
    topic_service.record_view(cast.member_b, topic)
    topic.refresh_from_db()
    assert (topic.view_count, topic.viewer_count) == (3, 2)
    assert TopicView.objects.get(topic=topic, user=cast.member_a).count == 2
    assert sum(ViewEvent.objects.filter(topic=topic).values_list("count", flat=True)) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failed_count_outside_any_transaction_leaves_the_connection_usable() -> None:
    """A view of a topic deleted meanwhile fails (its reading would point nowhere); nothing of it
    is kept and the connection's next statements run (no transaction left open or aborted)."""
    from django.db import IntegrityError, connection

    from jisp.core.testing import make_cast
    from jisp.sharing.models import Topic

    cast = make_cast()
    kept = make_topic(cast.analyst, "残る話題")
    gone = make_topic(cast.analyst, "消える話題")
    Topic.objects.filter(pk=gone.pk).delete()
    with pytest.raises(IntegrityError):
        topic_service.record_view(cast.member_a, gone)
    assert not connection.in_atomic_block
    assert not TopicView.objects.filter(topic_id=gone.pk).exists()
    topic_service.record_view(cast.member_a, kept)
    kept.refresh_from_db()
    assert kept.view_count == 1
    assert not ViewEvent.objects.filter(topic_id=gone.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_counts_with_server_side_binding_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """With PostgreSQL's server-side binding (no several statements in one call) the view is
    written in an ordinary transaction."""
    from django.db import connection

    from jisp.core.testing import make_cast

    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "server_side_binding", True)
    cast = make_cast()
    topic = make_topic(cast.analyst, "サーバー側バインド")
    topic_service.record_view(cast.member_a, topic)
    topic_service.record_view(cast.member_a, topic)
    topic.refresh_from_db()
    assert (topic.view_count, topic.viewer_count) == (2, 1)
    assert not connection.in_atomic_block
