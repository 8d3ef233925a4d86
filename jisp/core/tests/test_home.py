"""The home page: greeting, organisations and roles, unread notifications, area tiles, figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from jisp.core import audit
from jisp.core.choices import OrganisationCategory
from jisp.core.models import AuditEvent, Membership, Notification, Organisation, User

URL = reverse("core:home")


def english(user: User) -> User:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def test_it_sends_visitors_to_sign_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("core:signin") in response["Location"]


def test_it_greets_the_member_with_their_organisations_and_roles(cast, signed_in):
    english(cast.admin_a)
    Membership.objects.create(user=cast.admin_a, organisation=cast.org_a, role="member")
    response = signed_in(cast.admin_a).get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Welcome, 高橋 修" in text
    assert reverse("core:organisation", args=[cast.org_a.pk]) in text
    assert "Test Railway East" in text
    assert "Organisation administrator" in text
    assert response.context["nav"] == "home"


def test_it_shows_the_latest_five_unread_notifications(cast, signed_in):
    for number in range(7):
        Notification.objects.create(recipient=cast.member_a, kind="test", title=f"unread {number}")
    read = Notification.objects.create(
        recipient=cast.member_a, kind="test", title="already read", read_at=datetime.now(UTC)
    )
    Notification.objects.create(recipient=cast.member_b, kind="test", title="someone else's")
    response = signed_in(cast.member_a).get(URL)
    shown = response.context["notifications"]
    assert len(shown) == 5
    assert [n.title for n in shown] == [f"unread {n}" for n in (6, 5, 4, 3, 2)]
    text = response.content.decode()
    assert reverse("core:notification_open", args=[shown[0].pk]) in text
    assert reverse("core:notifications") in text
    assert "already read" not in text and read.title not in text
    assert "someone else" not in text


def test_it_shows_a_tile_per_area_with_a_coming_soon_badge(cast, signed_in):
    english(cast.member_a)
    response = signed_in(cast.member_a).get(URL)
    text = response.content.decode()
    tiles = response.context["tiles"]
    assert [t["key"] for t in tiles] == [
        "sharing",
        "incidents",
        "intel",
        "domainwatch",
        "observation",
        "exercises",
        "analytics",
    ]
    built = {
        "sharing": reverse("sharing:list"),
        "incidents": reverse("incidents:home"),
        "intel": reverse("intel:indicators"),
    }
    for tile in tiles:
        assert built.get(tile["key"], reverse("core:area", args=[tile["key"]])) in text
        assert tile["ready"] == (tile["key"] in built)
    assert text.count("Coming soon") == len(tiles) - len(built)


def test_it_hides_the_platform_figures_from_members(cast, signed_in):
    for user in (cast.member_a, cast.admin_a, cast.member_b, cast.vendor_analyst, cast.outsider):
        response = signed_in(user).get(URL)
        assert response.status_code == 200
        assert response.context["figures"] is None


@pytest.mark.parametrize("who", ["analyst", "commander"])
def test_it_shows_the_platform_figures_to_the_centre(cast, signed_in, who):
    staff = getattr(cast, who)
    with time_machine.travel(datetime(2024, 5, 1, 23, 30, tzinfo=UTC), tick=False):
        # 08:30 on 2 May in Tokyo: counts for "today" there.
        audit.record(audit.SIGNIN_SUCCEEDED, actor=cast.member_a)
        audit.record(audit.SIGNIN_SUCCEEDED, actor=cast.member_a)
        audit.record(audit.SIGNIN_SUCCEEDED, actor=cast.member_b)
        audit.record(audit.SIGNIN_FAILED, actor=cast.member_b)
    with time_machine.travel(datetime(2024, 5, 1, 14, 59, tzinfo=UTC), tick=False):
        audit.record(audit.SIGNIN_SUCCEEDED, actor=cast.admin_a)  # 23:59 on 1 May in Tokyo
    Organisation.objects.create(name="休止中", category=OrganisationCategory.VENUE, is_active=False)
    with time_machine.travel(datetime(2024, 5, 2, 3, 0, tzinfo=UTC), tick=False):
        client = signed_in(staff)
        client.post(
            reverse("core:invite", args=[cast.org_a.pk]),
            {"email": "new@rail.example", "role": "member"},
        )
        response = client.get(URL)
    figures = response.context["figures"]
    assert figures == {
        "organisations": Organisation.objects.filter(is_active=True).count(),
        "people": User.objects.count(),
        "signins_today": 3,
        "people_today": 2,
        "open_invitations": 1,
    }


def test_its_queries_do_not_grow_with_the_platform(cast, signed_in, django_assert_max_num_queries):
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"組織{n}", category=OrganisationCategory.OPERATOR) for n in range(60)
    )
    people = User.objects.bulk_create(
        User(email=f"p{n}@example.com", name=f"p{n}") for n in range(200)
    )
    Membership.objects.bulk_create(
        Membership(user=p, organisation=orgs[n % 60]) for n, p in enumerate(people)
    )
    Membership.objects.bulk_create(
        Membership(user=cast.analyst, organisation=org) for org in orgs[:20]
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(at=datetime.now(UTC), action=audit.SIGNIN_SUCCEEDED, actor=p) for p in people
    )
    Notification.objects.bulk_create(
        Notification(recipient=cast.analyst, kind="k", title=f"n{n}") for n in range(30)
    )
    client = signed_in(cast.analyst)
    # session, user, access, unread count (shell), memberships, notifications, five figures
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.context["figures"]["signins_today"] == 200
    assert len(response.context["organisations"]) == 21
