"""The named actions on reports: drafts, sending, the centre's entry, updates, and the bulk
grant helper agreeing with the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jisp.core import policy
from jisp.core.choices import Role
from jisp.core.models import AuditEvent, Delivery, Notification
from jisp.core.testing import Cast, make_person
from jisp.incidents.models import Case, Report, ReportUpdate, RoutingRule, TimelineEntry
from jisp.incidents.notifications import REPORT_RECEIVED
from jisp.incidents.services import reports as service
from jisp.incidents.services.reports import ReportInput
from jisp.incidents.testing import make_report

NOW = datetime(2021, 7, 24, 5, 0, tzinfo=UTC)  # 14:00 in Tokyo


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def complete(**fields: Any) -> ReportInput:
    values: dict[str, Any] = {
        "title": "公式サイトの閲覧障害",
        "description": "13時頃から接続しにくい。",
        "category": "site_unreachable",
        "started_at": NOW - timedelta(hours=1),
        "detected_at": NOW - timedelta(minutes=50),
    }
    values.update(fields)
    return ReportInput(**values)


def test_a_draft_needs_only_a_title(cast: Cast) -> None:
    report = service.create_report(cast.member_a, ReportInput(title="  途中  "))
    assert report.status == "draft"
    assert report.title == "途中"
    assert report.organisation == cast.org_a
    assert report.reporter == cast.member_a
    assert report.channel == "platform"
    assert AuditEvent.objects.filter(action="incidents.report.created").count() == 1
    with pytest.raises(ValidationError) as error:
        service.create_report(cast.member_a, ReportInput(title=" "))
    assert "title" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"started_at": NOW + timedelta(minutes=10)}, "started_at"),
        ({"detected_at": NOW + timedelta(days=1)}, "detected_at"),
        ({"detected_at": NOW - timedelta(hours=2)}, "detected_at"),
        ({"category": "ufo"}, "category"),
        ({"kind": "gossip"}, "kind"),
        ({"tlp": "purple"}, "tlp"),
        ({"support_wanted": ["pizza"]}, "support_wanted"),
        ({"event_impact": "maybe"}, "event_impact"),
    ],
)
def test_it_refuses_bad_input_even_in_a_draft(cast: Cast, fields: Any, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        service.create_report(cast.member_a, complete(**fields))
    assert field in error.value.message_dict
    assert not Report.objects.exists()


def test_a_few_minutes_of_clock_skew_are_allowed(cast: Cast) -> None:
    report = service.create_report(
        cast.member_a, complete(started_at=NOW + timedelta(minutes=4), detected_at=None)
    )
    assert report.started_at == NOW + timedelta(minutes=4)


def test_sending_needs_a_description_and_for_an_incident_a_category(cast: Cast) -> None:
    draft = service.create_report(cast.member_a, ReportInput(title="途中"))
    with pytest.raises(ValidationError) as error:
        service.submit_report(cast.member_a, draft)
    assert set(error.value.message_dict) == {"description", "category"}
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not Case.objects.exists()


def test_a_consultation_needs_only_a_description(cast: Cast) -> None:
    draft = service.create_report(
        cast.member_a, ReportInput(title="相談", kind="consultation", description="質問です")
    )
    case = service.submit_report(cast.member_a, draft)
    draft.refresh_from_db()
    assert draft.category == "other"
    assert case.kind == "consultation"


def test_sending_opens_the_case_routes_and_tells_the_centre(cast: Cast) -> None:
    RoutingRule.objects.create(name="agency", recipient=cast.agency)
    controller = make_person("ic@centre.example", cast.centre, Role.INCIDENT_CONTROLLER)
    draft = service.create_report(cast.member_a, complete())
    case = service.submit_report(cast.member_a, draft)
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.submitted_at == NOW
    assert case.report == draft
    assert case.opened_at == NOW
    assert set(draft.recipients.values_list("organisation_id", flat=True)) == {cast.agency.pk}
    told = set(
        Notification.objects.filter(kind=REPORT_RECEIVED).values_list("recipient", flat=True)
    )
    assert told == {cast.analyst.pk, cast.commander.pk, controller.pk}
    emails = Delivery.objects.filter(notification__kind=REPORT_RECEIVED, channel="email")
    assert set(emails.values_list("target", flat=True)) == {
        cast.analyst.email,
        cast.commander.email,
        controller.email,
    }
    assert AuditEvent.objects.filter(action="incidents.report.submitted").count() == 1
    with pytest.raises(ValidationError):
        service.submit_report(cast.member_a, draft)
    assert Case.objects.count() == 1


@pytest.mark.parametrize("name", ["member_b", "auditor", "responder", "vendor_analyst", "outsider"])
def test_only_the_reporting_organisation_changes_and_sends(cast: Cast, name: str) -> None:
    draft = service.create_report(cast.member_a, complete())
    person = getattr(cast, name)
    with pytest.raises(PermissionDenied):
        service.update_draft(person, draft, complete(title="乗っ取り"))
    with pytest.raises(PermissionDenied):
        service.submit_report(person, draft)
    with pytest.raises(PermissionDenied):
        service.add_update(person, draft, "x")
    draft.refresh_from_db()
    assert draft.title == "公式サイトの閲覧障害"
    assert draft.status == "draft"


def test_auditors_and_outsiders_cannot_write_reports(cast: Cast) -> None:
    for person in (cast.auditor, cast.outsider):
        with pytest.raises(PermissionDenied):
            service.create_report(person, complete())
    with pytest.raises(PermissionDenied):
        service.create_report(cast.member_a, complete(), organisation=cast.org_b)
    assert not Report.objects.exists()


def test_a_sent_report_is_not_edited_but_gets_updates(cast: Cast) -> None:
    report = make_report(cast.member_a)
    with pytest.raises(ValidationError):
        service.update_draft(cast.member_a, report, complete(title="changed"))
    update = service.add_update(cast.member_a2, report, " 14:10 復旧 ")
    assert update.body == "14:10 復旧"
    entry = TimelineEntry.objects.get(case=report.case, kind="update")
    assert entry.audience == "reporter"
    assert entry.body == "14:10 復旧"
    with pytest.raises(ValidationError):
        service.add_update(cast.member_a, report, "   ")
    assert ReportUpdate.objects.count() == 1


def test_the_centre_enters_a_report_received_by_telephone(cast: Cast) -> None:
    RoutingRule.objects.create(name="ministry", sector_ministry=True)
    received = NOW - timedelta(minutes=20)
    report = service.enter_report(
        cast.analyst,
        cast.org_a,
        complete(),
        channel="phone",
        reporter=cast.member_a,
        received_at=received,
    )
    assert report.status == "submitted"
    assert report.channel == "phone"
    assert report.entered_by == cast.analyst
    assert report.submitted_at == received
    assert report.case.opened_at == received
    assert report.recipients.count() == 1
    assert policy.report_grant(cast.member_a, report) == "owner"
    assert not Notification.objects.filter(recipient=cast.analyst, kind=REPORT_RECEIVED).exists()
    assert Notification.objects.filter(recipient=cast.commander, kind=REPORT_RECEIVED).exists()


def test_entering_refuses_what_is_wrong_and_keeps_nothing(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        service.enter_report(cast.auditor, cast.org_a, complete(), channel="phone")
    with pytest.raises(PermissionDenied):
        service.enter_report(cast.member_a, cast.org_a, complete(), channel="phone")
    with pytest.raises(ValidationError) as error:
        service.enter_report(
            cast.analyst,
            cast.org_a,
            complete(description=""),
            channel="platform",
            reporter=cast.member_b,
            received_at=NOW + timedelta(hours=1),
        )
    assert set(error.value.message_dict) >= {"channel", "reporter", "received_at", "description"}
    assert not Report.objects.exists()


def test_the_grants_of_a_page_agree_with_each_reports_grant(cast: Cast) -> None:
    RoutingRule.objects.create(name="agency full", recipient=cast.agency, grant="full")
    RoutingRule.objects.create(name="vendor redacted", recipient=cast.vendor, grant="redacted")
    reports = [
        make_report(cast.member_a, route=True),
        make_report(cast.member_a, tlp="amber+strict", route=True),
        make_report(cast.member_a, tlp="red", route=True),
        make_report(cast.member_a, submit=False),
        make_report(cast.member_b, route=True),
    ]
    service.enter_report(cast.analyst, cast.org_b, complete(), channel="email")
    reports = list(Report.objects.all())
    for person in cast.everyone.values():
        expected = {
            r.pk: grant for r in reports if (grant := policy.report_grant(person, r)) is not None
        }
        assert policy.report_grants(person, reports) == expected, person.email


def test_the_centre_is_told_in_each_persons_language(cast: Cast) -> None:
    english = make_person("en@centre.example", cast.centre, Role.DUTY_OFFICER, language="en")
    make_report_sent = service.create_report(cast.member_a, complete(title="駅の表示障害"))
    service.submit_report(cast.member_a, make_report_sent)
    en = Notification.objects.get(recipient=english, kind=REPORT_RECEIVED)
    ja = Notification.objects.get(recipient=cast.analyst, kind=REPORT_RECEIVED)
    assert cast.org_a.name_en in en.title and "駅の表示障害" in en.title
    assert cast.org_a.name in ja.title
    assert en.url == f"/incidents/reports/{make_report_sent.pk}/"


def test_the_centre_adds_updates_to_a_report_it_entered_only(cast: Cast) -> None:
    entered = service.enter_report(cast.analyst, cast.org_a, complete(), channel="email")
    service.add_update(cast.commander, entered, "15:00 追加の電話連絡")
    assert entered.updates.get().author == cast.commander
    with pytest.raises(PermissionDenied):
        service.add_update(cast.auditor, entered, "x")
    with pytest.raises(PermissionDenied):
        service.add_update(cast.analyst, make_report(cast.member_a), "x")
