"""The centre enters a report received by telephone or e-mail for a member organisation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from jisp.core.testing import Cast
from jisp.incidents.models import Case, Report

URL = "/incidents/reports/enter/"
NOW = datetime(2021, 7, 24, 5, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def form(cast: Cast, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation": cast.org_a.pk,
        "reporter_email": "alice@rail.example",
        "channel": "phone",
        "received_at": "2021-07-24T13:40",
        "kind": "incident",
        "title": "電話での報告",
        "description": "駅の表示が止まった。",
        "category": "system_failure",
        "event_impact": "unknown",
        "public_awareness": "unknown",
        "tlp": "amber",
    }
    data.update(fields)
    return data


def test_the_centre_enters_a_report_sent_at_once(cast: Cast, signed_in: Any) -> None:
    client = signed_in(cast.analyst)
    assert client.get(URL).status_code == 200
    response = client.post(URL, form(cast))
    report = Report.objects.get()
    assert response["Location"] == f"/incidents/reports/{report.pk}/"
    assert report.status == "submitted"
    assert report.channel == "phone"
    assert report.reporter == cast.member_a
    assert report.entered_by == cast.analyst
    assert report.submitted_at == datetime(2021, 7, 24, 4, 40, tzinfo=UTC)
    assert Case.objects.get().report == report


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"channel": "platform"}, "channel"),
        ({"reporter_email": "bob@power.example"}, "reporter_email"),  # not of org_a
        ({"reporter_email": "ghost@nowhere.example"}, "reporter_email"),
        ({"received_at": "2021-07-25T13:40"}, "received_at"),
        ({"description": ""}, "description"),
        ({"category": "ufo"}, "category"),
    ],
)
def test_bad_input_keeps_nothing(cast: Cast, signed_in: Any, fields: Any, field: str) -> None:
    response = signed_in(cast.analyst).post(URL, form(cast, **fields))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Report.objects.exists()


def test_the_auditor_is_refused(cast: Cast, signed_in: Any) -> None:
    assert signed_in(cast.auditor).get(URL).status_code == 403
    assert signed_in(cast.auditor).post(URL, form(cast)).status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "name", ["member_a", "member_b", "responder", "vendor_analyst", "outsider"]
)
def test_it_does_not_exist_for_others(cast: Cast, signed_in: Any, name: str) -> None:
    client = signed_in(getattr(cast, name))
    assert client.get(URL).status_code == 404
    assert client.post(URL, form(cast)).status_code == 404
    assert not Report.objects.exists()
