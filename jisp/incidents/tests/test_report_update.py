"""Adding an update to a sent report on the web."""

from __future__ import annotations

from typing import Any

import pytest

from jisp.core.testing import Cast
from jisp.incidents.models import Report, ReportUpdate, RoutingRule, TimelineEntry
from jisp.incidents.testing import make_report


def url(report: Report) -> str:
    return f"/incidents/reports/{report.pk}/updates/"


def test_the_reporting_organisation_adds_an_update(cast: Cast, signed_in: Any) -> None:
    report = make_report(cast.member_a)
    response = signed_in(cast.member_a2).post(url(report), {"body": "14:10 復旧しました。"})
    assert response["Location"] == f"/incidents/reports/{report.pk}/"
    update = ReportUpdate.objects.get()
    assert update.author == cast.member_a2
    assert TimelineEntry.objects.filter(case=report.case, kind="update").count() == 1


def test_an_empty_update_is_refused(cast: Cast, signed_in: Any) -> None:
    report = make_report(cast.member_a)
    signed_in(cast.member_a).post(url(report), {"body": "   "})
    assert not ReportUpdate.objects.exists()


def test_get_is_not_allowed(cast: Cast, signed_in: Any) -> None:
    report = make_report(cast.member_a)
    assert signed_in(cast.member_a).get(url(report)).status_code == 405


@pytest.mark.parametrize(("name", "status"), [
    ("member_b", 404), ("outsider", 404), ("responder", 403), ("auditor", 403),
    ("analyst", 403),
])  # fmt: skip
def test_others_may_not_add_updates(cast: Cast, signed_in: Any, name: str, status: int) -> None:
    RoutingRule.objects.create(name="agency", recipient=cast.agency)
    report = make_report(cast.member_a, route=True)
    response = signed_in(getattr(cast, name)).post(url(report), {"body": "x"})
    assert response.status_code == status
    assert not ReportUpdate.objects.exists()
