"""A report's page, rendered by the grant: owner, centre, full recipient, redacted recipient."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.incidents.models import Report, ReportUpdate, RoutingRule
from jisp.incidents.testing import make_report

SECRETS = ("秘密の説明", "web-secret-01", "198.51.100.77", "秘密の題", "証拠.txt", "続報の本文")


def url(report: Report) -> str:
    return f"/incidents/reports/{report.pk}/"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def report(cast: Cast) -> Report:
    RoutingRule.objects.create(name="agency", recipient=cast.agency, grant="full")
    RoutingRule.objects.create(name="vendor", recipient=cast.vendor, grant="redacted")
    report = make_report(
        cast.member_a,
        "秘密の題",
        description="秘密の説明",
        affected_systems="web-secret-01",
        indicators="198.51.100.77\n\nevil.example",
        category="defacement",
        event_impact="yes",
        started_at=datetime(2021, 7, 24, 4, 0, tzinfo=UTC),
        route=True,
    )
    report.attachments.create(
        file=ContentFile(b"log", name="x.txt"), filename="証拠.txt", content_type="text/plain",
        size=3, sha256="0" * 64, uploaded_by=cast.member_a,
    )  # fmt: skip
    ReportUpdate.objects.create(report=report, author=cast.member_a, body="続報の本文")
    return report


def text(response: Any) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_owner_sees_everything_and_who_received_it(
    cast: Cast, signed_in: Any, report: Report
) -> None:
    response = signed_in(cast.member_a2).get(url(report))
    page = text(response)
    for secret in SECRETS:
        assert secret in page
    assert response.context["grant"] == "owner"
    assert [r.organisation for r in response.context["recipients"]] == [cast.agency, cast.vendor]
    assert cast.agency.name in page and cast.vendor.name in page
    assert "update_form" in response.context
    assert "share_form" not in response.context


def test_the_centre_sees_everything_and_may_share(
    cast: Cast, signed_in: Any, report: Report
) -> None:
    response = signed_in(cast.analyst).get(url(report))
    assert all(secret in text(response) for secret in SECRETS)
    assert response.context["grant"] == "centre"
    assert "share_form" in response.context
    assert "update_form" not in response.context


def test_the_auditor_reads_everything_but_gets_no_forms(
    cast: Cast, signed_in: Any, report: Report
) -> None:
    response = signed_in(cast.auditor).get(url(report))
    assert all(secret in text(response) for secret in SECRETS)
    for name in ("share_form", "update_form", "attachment_form"):
        assert name not in response.context


def test_a_full_recipient_sees_the_details_but_not_the_other_recipients(
    cast: Cast, signed_in: Any, report: Report
) -> None:
    response = signed_in(cast.responder).get(url(report))
    page = text(response)
    assert all(secret in page for secret in SECRETS)
    assert response.context["grant"] == "full"
    assert "recipients" not in response.context
    assert cast.vendor.name not in page
    assert "update_form" not in response.context


def test_a_redacted_recipient_sees_only_what_the_grant_allows(
    cast: Cast, signed_in: Any, report: Report
) -> None:
    response = signed_in(cast.vendor_analyst).get(url(report))
    page = text(response)
    assert response.context["grant"] == "redacted"
    for secret in (*SECRETS, cast.org_a.name, cast.org_a.name_en, cast.member_a.name):
        assert secret not in page
    assert cast.agency.name not in page and cast.agency.name_en not in page
    assert "Website defacement" in page or "Webサイト改ざん" in page
    assert "2021-07-24 13:00" in page  # began, in Tokyo time
    assert "鉄道" in page or "Railways" in page


@pytest.mark.parametrize("name", ["member_b", "outsider"])
def test_it_hides_from_other_organisations(
    cast: Cast, signed_in: Any, report: Report, name: str
) -> None:
    assert signed_in(getattr(cast, name)).get(url(report)).status_code == 404


def test_it_hides_a_red_report_from_recipients(cast: Cast, signed_in: Any) -> None:
    RoutingRule.objects.create(name="agency", recipient=cast.agency, grant="full")
    red = make_report(cast.member_a, tlp="red", route=True)
    assert signed_in(cast.responder).get(url(red)).status_code == 404
    assert signed_in(cast.analyst).get(url(red)).status_code == 200


def test_it_hides_a_draft_from_the_centre(cast: Cast, signed_in: Any) -> None:
    draft = make_report(cast.member_a, submit=False)
    assert signed_in(cast.analyst).get(url(draft)).status_code == 404
    assert signed_in(cast.member_a).get(url(draft)).status_code == 200


def test_a_view_at_amber_is_audited(cast: Cast, signed_in: Any, report: Report) -> None:
    signed_in(cast.responder).get(url(report))
    event = AuditEvent.objects.get(action="incidents.report.viewed")
    assert event.actor == cast.responder
    assert event.object_id == str(report.pk)
    green = make_report(cast.member_a, tlp="green")
    signed_in(cast.member_a).get(url(green))
    assert AuditEvent.objects.filter(action="incidents.report.viewed").count() == 1


def test_signed_out_people_are_sent_to_sign_in(client: Any, report: Report) -> None:
    assert client.get(url(report)).status_code == 302
