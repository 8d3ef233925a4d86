"""The centre shares a report by hand from its page."""

from __future__ import annotations

from typing import Any

import pytest

from jisp.core import policy
from jisp.core.testing import Cast
from jisp.incidents.models import Report, ReportRecipient
from jisp.incidents.testing import make_report


def url(report: Report) -> str:
    return f"/incidents/reports/{report.pk}/share/"


def test_the_centre_shares_with_an_agency(cast: Cast, signed_in: Any) -> None:
    report = make_report(cast.member_a)
    response = signed_in(cast.analyst).post(
        url(report), {"organisation": cast.agency.pk, "grant": "redacted"}
    )
    assert response["Location"] == f"/incidents/reports/{report.pk}/"
    assert policy.report_grant(cast.responder, report) == "redacted"


def test_a_red_report_is_not_shared(cast: Cast, signed_in: Any) -> None:
    report = make_report(cast.member_a, tlp="red")
    signed_in(cast.analyst).post(url(report), {"organisation": cast.agency.pk, "grant": "full"})
    assert not ReportRecipient.objects.exists()


@pytest.mark.parametrize(("name", "status"), [
    ("member_a", 403), ("auditor", 403), ("member_b", 404), ("responder", 404),
    ("outsider", 404),
])  # fmt: skip
def test_others_may_not_share(cast: Cast, signed_in: Any, name: str, status: int) -> None:
    report = make_report(cast.member_a)
    response = signed_in(getattr(cast, name)).post(
        url(report), {"organisation": cast.agency.pk, "grant": "full"}
    )
    assert response.status_code == status
    assert not ReportRecipient.objects.exists()
