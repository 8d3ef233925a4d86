"""The inbox: one's own notifications, opened and marked read; others' answer 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jisp.core.models import Notification
from jisp.core.testing import Cast


def make(user: Any, title: str = "Topic", **fields: Any) -> Notification:
    return Notification.objects.create(recipient=user, kind="core.message", title=title, **fields)


def test_it_asks_to_sign_in(client: Any) -> None:
    response = client.get(reverse("core:notifications"))
    assert response.status_code == 302
    assert reverse("core:signin") in response["Location"]


def test_it_lists_ones_own_notifications_newest_first_with_unread_marked(
    cast: Cast, signed_in: Any
) -> None:
    make(cast.member_a, "Older item", read_at="2025-01-01T00:00:00Z")
    make(cast.member_a, "Newer item")
    make(cast.member_b, "Bob's secret item")
    response = signed_in(cast.member_a).get(reverse("core:notifications"))
    assert response.status_code == 200
    page = response.context["page"]
    assert [n.title for n in page.object_list] == ["Newer item", "Older item"]
    html = response.content.decode()
    assert "Bob&#x27;s secret item" not in html and "Bob's secret item" not in html
    assert html.count('class="notification unread"') == 1


def test_it_shows_only_unread_when_asked(cast: Cast, signed_in: Any) -> None:
    make(cast.member_a, "Read", read_at="2025-01-01T00:00:00Z")
    make(cast.member_a, "Unread")
    response = signed_in(cast.member_a).get(reverse("core:notifications") + "?unread=1")
    assert [n.title for n in response.context["page"].object_list] == ["Unread"]


def test_it_pages_through_many_notifications_in_few_queries(cast: Cast, signed_in: Any) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=cast.member_a, kind="core.message", title=f"n{i}") for i in range(30)
    )
    client = signed_in(cast.member_a)
    client.get(reverse("core:notifications"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("core:notifications"))
    assert len(first.context["page"].object_list) == 25
    assert len(queries) <= 10
    second = client.get(reverse("core:notifications") + "?page=2")
    assert len(second.context["page"].object_list) == 5
    assert client.get(reverse("core:notifications") + "?page=99").status_code == 200


def test_opening_marks_read_and_goes_to_the_local_link(cast: Cast, signed_in: Any) -> None:
    notification = make(cast.member_a, url="/sharing/topics/7/")
    response = signed_in(cast.member_a).get(
        reverse("core:notification_open", args=[notification.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == "/sharing/topics/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url", ["", "https://evil.example/", "//evil.example/x", "/\\evil.example"]
)
def test_opening_goes_back_to_the_inbox_for_anything_but_a_local_path(
    url: str, cast: Cast, signed_in: Any
) -> None:
    notification = make(cast.member_a, url=url)
    response = signed_in(cast.member_a).get(
        reverse("core:notification_open", args=[notification.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:notifications")


@pytest.mark.parametrize("who", ["member_a2", "admin_a", "analyst", "commander", "auditor"])
def test_opening_someone_elses_notification_answers_404(
    who: str, cast: Cast, signed_in: Any
) -> None:
    notification = make(cast.member_a, url="/x/")
    response = signed_in(getattr(cast, who)).get(
        reverse("core:notification_open", args=[notification.pk])
    )
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_ones_own(cast: Cast, signed_in: Any) -> None:
    make(cast.member_a)
    make(cast.member_a)
    theirs = make(cast.member_b)
    client = signed_in(cast.member_a)
    response = client.post(reverse("core:notifications_read_all"), follow=True)
    assert response.status_code == 200
    assert not Notification.objects.filter(recipient=cast.member_a, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_accepts_only_post(cast: Cast, signed_in: Any) -> None:
    make(cast.member_a)
    response = signed_in(cast.member_a).get(reverse("core:notifications_read_all"))
    assert response.status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
