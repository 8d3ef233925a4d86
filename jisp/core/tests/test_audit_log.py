"""The auditors' audit log: who may read it, what a row shows, filters, pages, queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from jisp.core import audit
from jisp.core.models import AuditEvent, User

URL = reverse("core:audit_log")
T0 = datetime(2024, 5, 1, 23, 30, tzinfo=UTC)  # 08:30 on 2 May in Tokyo


def event(action: str, at: datetime = T0, actor: User | None = None, **fields) -> AuditEvent:
    return AuditEvent.objects.create(
        at=at, action=action, actor=actor, actor_email=actor.email if actor else "", **fields
    )


def shown(response) -> list[int]:
    return [e.pk for e in response.context["events"]]


def english(user: User) -> User:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.mark.parametrize("who", ["auditor", "commander"])
def test_it_opens_to_auditors_and_the_overall_commander(cast, signed_in, who):
    assert signed_in(getattr(cast, who)).get(URL).status_code == 200


@pytest.mark.parametrize("who", ["member_a", "admin_a", "analyst", "responder", "outsider"])
def test_it_hides_from_everyone_else_with_404(cast, signed_in, who):
    assert signed_in(getattr(cast, who)).get(URL).status_code == 404


def test_it_hides_from_visitors_with_404(client, db):
    assert client.get(URL).status_code == 404


def test_it_shows_time_in_tokyo_readable_action_and_the_details(cast, signed_in):
    english(cast.auditor)
    event(
        "core.invitation.sent",
        actor=cast.admin_a,
        organisation=cast.org_a,
        object_type="core.invitation",
        object_id="7",
        object_repr="x@rail.example → 7",
        tlp="amber",
        via="api",
        ip="192.0.2.7",
    )
    text = signed_in(cast.auditor).get(URL).content.decode()
    assert "2024-05-02 08:30:00" in text
    assert "Sent an invitation" in text and "core.invitation.sent" in text
    assert "admin@rail.example" in text
    assert "Test Railway East" in text
    assert "x@rail.example → 7" in text
    assert "TLP:AMBER" in text
    assert "API" in text
    assert "192.0.2.7" in text


def test_it_shows_newest_first(cast, signed_in):
    old = event("core.signout", at=T0 - timedelta(hours=1))
    new = event("core.signout", at=T0)
    assert shown(signed_in(cast.auditor).get(URL)) == [new.pk, old.pk]


def test_it_filters_by_known_action_and_by_prefix(cast, signed_in):
    signin = event(audit.SIGNIN_SUCCEEDED, actor=cast.member_a)
    failed = event(audit.SIGNIN_FAILED, actor=cast.member_a)
    other = event("sharing.topic.viewed", actor=cast.member_a)
    client = signed_in(cast.auditor)
    assert shown(client.get(URL, {"action": audit.SIGNIN_SUCCEEDED})) == [signin.pk]
    assert set(shown(client.get(URL, {"action_prefix": "core.signin"}))) == {signin.pk, failed.pk}
    assert shown(client.get(URL, {"action_prefix": "sharing."})) == [other.pk]
    assert client.get(URL, {"action": "no.such.action"}).status_code == 400


def test_it_filters_by_person_organisation_and_via(cast, signed_in):
    a = event("core.signout", actor=cast.member_a, organisation=cast.org_a)
    b = event("core.signout", actor=cast.member_b, organisation=cast.org_b, via="api")
    client = signed_in(cast.auditor)
    assert shown(client.get(URL, {"person": "ALICE@rail"})) == [a.pk]
    assert shown(client.get(URL, {"person": "power.example"})) == [b.pk]
    assert shown(client.get(URL, {"organisation": "関東電力"})) == [b.pk]
    assert shown(client.get(URL, {"organisation": "railway east"})) == [a.pk]
    assert shown(client.get(URL, {"organisation": str(cast.org_a.pk)})) == [a.pk]
    assert shown(client.get(URL, {"via": "api"})) == [b.pk]
    assert client.get(URL, {"via": "carrier pigeon"}).status_code == 400


def test_it_filters_by_dates_in_tokyo(cast, signed_in):
    # 14:59 UTC on 1 May is 23:59 on 1 May in Tokyo; 15:00 UTC is already 2 May there.
    late_first = event("core.signout", at=datetime(2024, 5, 1, 14, 59, tzinfo=UTC))
    early_second = event("core.signout", at=datetime(2024, 5, 1, 15, 0, tzinfo=UTC))
    client = signed_in(cast.auditor)
    assert shown(client.get(URL, {"date_from": "2024-05-02"})) == [early_second.pk]
    assert shown(client.get(URL, {"date_to": "2024-05-01"})) == [late_first.pk]
    both = {"date_from": "2024-05-01", "date_to": "2024-05-02"}
    assert set(shown(client.get(URL, both))) == {late_first.pk, early_second.pk}
    assert client.get(URL, {"date_from": "2024-05-03", "date_to": "2024-05-01"}).status_code == 400
    assert client.get(URL, {"date_from": "yesterday"}).status_code == 400


def test_it_pages_by_a_hundred_without_counting_the_table(
    cast, signed_in, django_assert_max_num_queries
):
    AuditEvent.objects.bulk_create(
        AuditEvent(at=T0 + timedelta(seconds=n // 2), action="core.signout") for n in range(250)
    )
    client = signed_in(cast.auditor)
    seen: list[int] = []
    response = client.get(URL, {"action": "core.signout"})
    pages = 0
    while True:
        pages += 1
        rows = shown(response)
        seen += rows
        if not response.context["next_url"]:
            break
        assert len(rows) == 100
        with django_assert_max_num_queries(6):
            response = client.get(URL + response.context["next_url"])
        assert "action=core.signout" in response.context["first_url"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 250
    expected = list(
        AuditEvent.objects.filter(action="core.signout")
        .order_by("-at", "-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected


def test_it_rejects_a_forged_page_position_with_400(cast, signed_in):
    client = signed_in(cast.auditor)
    for cursor in ("abc", "1_", "99999999999999999999999_1", "1" * 50):
        assert client.get(URL, {"before": cursor}).status_code == 400


def test_its_queries_do_not_grow_with_rows(cast, signed_in, django_assert_max_num_queries):
    AuditEvent.objects.bulk_create(
        AuditEvent(at=T0, action="core.signout", actor=cast.member_a, organisation=cast.org_a)
        for _ in range(150)
    )
    client = signed_in(cast.auditor)
    # session, user, access, unread count, the page of events with their organisations
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert len(response.context["events"]) == 100


def test_it_finds_people_by_address_also_when_very_many_match(cast, signed_in, monkeypatch):
    from jisp.core.views import audit as audit_views

    monkeypatch.setattr(audit_views, "MAX_PEOPLE_LOOKUP", 1)
    a = event("core.signout", actor=cast.member_a)
    b = event("core.signout", actor=cast.member_b)
    client = signed_in(cast.auditor)
    assert shown(client.get(URL, {"person": "example"})) == [b.pk, a.pk]
    assert shown(client.get(URL, {"person": "alice@"})) == [a.pk]
