"""Writing a report on the web: save a draft, send at once, bad input keeps nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from jisp.core.models import Notification
from jisp.core.testing import Cast
from jisp.incidents.models import Case, Report, RoutingRule
from jisp.incidents.notifications import REPORT_RECEIVED

URL = "/incidents/reports/new/"
NOW = datetime(2021, 7, 24, 5, 0, tzinfo=UTC)  # 14:00 in Tokyo


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def form(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "incident",
        "title": "公式サイトの閲覧障害",
        "description": "13時頃から接続しにくい。",
        "category": "site_unreachable",
        "started_at": "2021-07-24T13:00",
        "detected_at": "2021-07-24T13:10",
        "affected_services": "公式サイト",
        "affected_systems": "web01",
        "event_impact": "unknown",
        "public_awareness": "no",
        "support_wanted": ["advice", "investigation"],
        "tlp": "amber",
        "indicators": "203.0.113.5\nevil.example",
        "send": "1",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_the_url_is_named() -> None:
    assert reverse("incidents:report_new") == URL


def test_it_shows_the_form_with_amber_by_default(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.member_a).get(URL)
    assert response.status_code == 200
    assert response.context["form"]["tlp"].value() == "amber"
    assert b'name="save_draft"' in response.content
    assert b'type="datetime-local"' in response.content


def test_sending_stores_tokyo_times_and_redirects_with_the_recipients(
    cast: Cast, signed_in: Any
) -> None:
    RoutingRule.objects.create(name="agency", recipient=cast.agency)
    response = signed_in(cast.member_a).post(URL, form(), follow=True)
    report = Report.objects.get()
    assert response.redirect_chain[-1][0] == f"/incidents/reports/{report.pk}/"
    assert report.status == "submitted"
    assert report.started_at == datetime(2021, 7, 24, 4, 0, tzinfo=UTC)
    assert report.support_wanted == ["advice", "investigation"]
    assert report.indicators == "203.0.113.5\nevil.example"
    assert Case.objects.get().report == report
    messages = [str(m) for m in response.context["messages"]]
    assert any(cast.agency.name in m for m in messages)
    assert Notification.objects.filter(recipient=cast.analyst, kind=REPORT_RECEIVED).exists()


def test_saving_a_draft_needs_only_a_title(cast: Cast, signed_in: Any) -> None:
    data = {"kind": "incident", "title": "書きかけ", "event_impact": "unknown",
            "public_awareness": "unknown", "tlp": "amber", "save_draft": "1"}  # fmt: skip
    response = signed_in(cast.member_a).post(URL, data)
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/reports/{report.pk}/edit/"
    assert report.status == "draft"
    assert report.category == ""
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"started_at": "2021-07-25T09:00"}, "started_at"),
        ({"detected_at": "2021-07-24T12:00"}, "detected_at"),
        ({"category": "ufo"}, "category"),
        ({"category": ""}, "category"),
        ({"description": ""}, "description"),
        ({"title": ""}, "title"),
        ({"tlp": "purple"}, "tlp"),
        ({"started_at": "yesterday"}, "started_at"),
    ],
)
def test_bad_input_keeps_nothing(cast: Cast, signed_in: Any, fields: Any, field: str) -> None:
    response = signed_in(cast.member_a).post(URL, form(**fields))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Report.objects.exists()
    assert not Case.objects.exists()


def test_a_future_date_is_refused_even_in_a_draft(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.member_a).post(
        URL, form(started_at="2021-07-24T15:00", save_draft="1", send=None)
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_a_consultation_is_sent_without_a_category(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.member_a).post(URL, form(kind="consultation", category=""))
    assert response.status_code == 302
    assert Report.objects.get().category == "other"


@pytest.mark.parametrize("name", ["auditor", "outsider"])
def test_those_without_a_member_role_may_not_write(cast: Cast, signed_in: Any, name: str) -> None:
    client = signed_in(getattr(cast, name))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form()).status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize("name", ["member_b", "responder", "vendor_analyst", "analyst"])
def test_any_member_may_report_for_their_own_organisation(
    cast: Cast, signed_in: Any, name: str
) -> None:
    person = getattr(cast, name)
    assert signed_in(person).post(URL, form()).status_code == 302
    assert Report.objects.get().organisation_id == person.memberships.get().organisation_id


def test_signed_out_people_are_sent_to_sign_in(client: Any, cast: Cast) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/" in response["Location"] or "signin" in response["Location"]


def test_it_opens_the_form_for_a_question_from_the_consultation_desk_link(
    cast: Cast, signed_in: Any
) -> None:
    response = signed_in(cast.member_a).get(reverse("incidents:report_new") + "?kind=consultation")
    assert response.status_code == 200
    assert response.context["form"]["kind"].value() == "consultation"
    plain = signed_in(cast.member_a).get(reverse("incidents:report_new"))
    assert plain.context["form"]["kind"].value() != "consultation"
