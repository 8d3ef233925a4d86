"""/incidents/cases/: the centre's queue (staff and auditors); everyone else 404."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from jisp.core.testing import Cast
from jisp.incidents.models import Case
from jisp.incidents.services import cases
from jisp.incidents.testing import make_case

URL = reverse("incidents:case_queue")
START = datetime(2026, 7, 24, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("who", ["analyst", "commander", "auditor"])
def test_it_shows_the_open_cases_to_the_centre(cast: Cast, signed_in: Any, who: str) -> None:
    make_case(cast.member_a, "公式サイトの閲覧障害")
    closed = make_case(cast.member_b, "閉じた事案")
    Case.objects.filter(pk=closed.pk).update(state="closed")
    response = signed_in(getattr(cast, who)).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "公式サイトの閲覧障害" in body
    assert "閉じた事案" not in body
    assert response.context["nav"] == "incidents"


@pytest.mark.parametrize("who", ["member_a", "admin_a", "member_b", "responder", "vendor_analyst",
                                 "outsider"])  # fmt: skip
def test_it_hides_the_queue_from_everyone_else(cast: Cast, signed_in: Any, who: str) -> None:
    make_case(cast.member_a)
    assert signed_in(getattr(cast, who)).get(URL).status_code == 404


def test_it_sends_the_signed_out_to_sign_in(client: Any, cast: Cast) -> None:
    response = client.get(URL)
    assert response.status_code == 302


def test_it_filters_sorts_and_ignores_bad_filters(cast: Cast, signed_in: Any) -> None:
    a = make_case(cast.member_a, "alpha")
    make_case(cast.member_b, "bravo")
    Case.objects.filter(pk=a.pk).update(severity="critical")
    client = signed_in(cast.analyst)
    rows = client.get(URL, {"severity": "critical"}).context["rows"]
    assert [r["case"].title for r in rows] == ["alpha"]
    rows = client.get(URL, {"q": "brav", "sort": "oldest"}).context["rows"]
    assert [r["case"].title for r in rows] == ["bravo"]
    response = client.get(URL, {"severity": "bogus", "page": "x", "assignee": "999999"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2


@override_settings(CASE_ACK_MINUTES=30, CASE_RESPONSE_MINUTES=120)
def test_it_shows_overdue_warnings_and_response_times(cast: Cast, signed_in: Any) -> None:
    with time_machine.travel(START, tick=False):
        late = make_case(cast.member_a, "late")
        answered = make_case(cast.member_a, "answered")
    with time_machine.travel(START + timedelta(minutes=65), tick=False):
        cases.post_message(cast.analyst, answered, "確認しました")
    with time_machine.travel(START + timedelta(minutes=90), tick=False):
        response = signed_in(cast.analyst).get(URL)
    rows = {r["case"].title: r for r in response.context["rows"]}
    assert rows["late"]["ack_overdue"] and not rows["late"]["response_overdue"]
    assert rows["answered"]["to_ack"] == "1:05" and rows["answered"]["to_response"] == "1:05"
    assert b"overdue" in response.content
    assert late.pk


def test_it_pages_by_fifty_with_a_bounded_number_of_queries(
    cast: Cast, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(55):
        make_case(cast.member_a if n % 2 else cast.member_b, f"case {n}")
    client = signed_in(cast.analyst)
    client.get(URL)  # warm the session and the sectors
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert len(response.context["rows"]) == 50
    second = client.get(URL, {"page": 2})
    assert len(second.context["rows"]) == 5


def test_it_filters_by_part_of_the_organisations_name_or_its_number(
    cast: Cast, signed_in: Any
) -> None:
    make_case(cast.member_a, "鉄道の事案")
    make_case(cast.member_b, "電力の事案")
    client = signed_in(cast.analyst)

    def titles(value: str) -> list[str]:
        rows = client.get(URL, {"organisation": value}).context["rows"]
        return sorted(r["case"].title for r in rows)

    assert titles("鉄道") == ["鉄道の事案"]
    assert titles("power kanto") == ["電力の事案"]
    assert titles(str(cast.org_b.pk)) == ["電力の事案"]
    assert titles("存在しない") == []


def test_it_does_not_list_every_organisation_in_the_filters(cast: Cast, signed_in: Any) -> None:
    make_case(cast.member_a)
    html = signed_in(cast.analyst).get(URL).content.decode()
    assert cast.vendor.name not in html  # no case of the vendor: its name has no business here
