"""The demo incident response loaded by `jisp demo` (jisp/incidents/demo.py)."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F

from jisp.core import policy
from jisp.core.choices import OrganisationCategory, Role
from jisp.core.demo import loader
from jisp.core.models import AuditEvent, Membership, Organisation, User
from jisp.incidents import demo
from jisp.incidents.choices import (
    CaseState,
    DutyRole,
    EntryAudience,
    EntryKind,
    Grant,
    IntakeChannel,
    ReportCategory,
    ReportKind,
    SitrepKind,
    SitrepSlot,
    SitrepState,
    SupportState,
)
from jisp.incidents.models import (
    Case,
    CaseLink,
    DutyShift,
    Report,
    ReportRecipient,
    RoutingRule,
    SitrepRecipient,
    SituationReport,
    SupportRequest,
    Task,
    TimelineEntry,
)

HISTORY_END = date(2024, 6, 14)
GAMES_START = datetime(2021, 7, 21, tzinfo=loader.TOKYO)
GAMES_END = datetime(2021, 9, 6, tzinfo=loader.TOKYO)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, history_end=HISTORY_END, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Load the demo once for this module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_demo()
        transaction.set_rollback(True)


@pytest.fixture
def loaded_demo(loaded: str, db: Any) -> str:
    return loaded


def fingerprint() -> list[tuple[Any, ...]]:
    return [
        *Case.objects.order_by("opened_at").values_list(
            "title", "state", "severity", "category", "opened_at", "closed_at",
            "assignee__email", "organisation__name", "for_sitrep", "merged_into__title",
        ),
        *TimelineEntry.objects.order_by("created_at", "kind", "body", "case__title").values_list(
            "case__title", "kind", "audience", "author__email", "body", "created_at"
        ),
        *SituationReport.objects.order_by("period_start", "kind").values_list(
            "kind", "slot", "title", "body", "approved_by__email"
        ),
    ]  # fmt: skip


def test_it_loads_the_seeds_19_reports_17_incidents_and_2_consultations(loaded_demo: str) -> None:
    assert "Loaded 19 reports and cases" in loaded_demo
    assert Report.objects.count() == 19 == Case.objects.count()
    kinds = Counter(Report.objects.values_list("kind", flat=True))
    assert kinds == {ReportKind.INCIDENT: 17, ReportKind.CONSULTATION: 2}
    assert not Report.objects.exclude(submitted_at__gte=GAMES_START, submitted_at__lt=GAMES_END)


def test_17_came_through_the_platform_and_2_were_entered_by_the_centre(loaded_demo: str) -> None:
    channels = Counter(Report.objects.values_list("channel", flat=True))
    assert channels == {IntakeChannel.PLATFORM: 17, IntakeChannel.PHONE: 1, IntakeChannel.EMAIL: 1}
    offline = Report.objects.exclude(channel=IntakeChannel.PLATFORM)
    assert not offline.filter(entered_by=None).exists()
    assert not Report.objects.filter(channel=IntakeChannel.PLATFORM).exclude(entered_by=None)
    duty = Membership.objects.filter(
        organisation__category=OrganisationCategory.CENTRE, role=Role.DUTY_OFFICER
    ).values_list("user_id", flat=True)
    assert set(offline.values_list("entered_by_id", flat=True)) <= set(duty)


def test_the_incidents_are_by_category_as_in_the_seed(loaded_demo: str) -> None:
    categories = Counter(
        Report.objects.filter(kind=ReportKind.INCIDENT).values_list("category", flat=True)
    )
    assert categories[ReportCategory.CLOUD_OUTAGE] == 7
    assert categories[ReportCategory.SYSTEM_FAILURE] == 3
    assert categories[ReportCategory.DOS] == 3
    assert categories[ReportCategory.DEFACEMENT] == 1
    assert categories[ReportCategory.SITE_UNREACHABLE] == 1
    assert sum(categories.values()) == 17
    shop = Report.objects.get(category=ReportCategory.SITE_UNREACHABLE)
    assert "オンラインショップ" in shop.organisation.name
    opening = datetime(2021, 7, 23, 20, tzinfo=loader.TOKYO)
    assert opening < shop.submitted_at < datetime(2021, 7, 24, tzinfo=loader.TOKYO)  # type: ignore[operator]


def test_7_events_were_reported_site_unreachable_4_and_system_failures_3(loaded_demo: str) -> None:
    escalated = Case.objects.filter(for_sitrep=True)
    assert escalated.count() == 7
    assert not escalated.filter(impact_note="").exists()
    assert not escalated.filter(impact_assessed_at=None).exists()
    assert not Case.objects.filter(event_impact="yes").exists()  # the seed: no impact on the Games
    headings = Counter(note.split("】")[0] + "】" for note in escalated.values_list(
        "impact_note", flat=True))  # fmt: skip
    assert headings == {f"【{demo.SITE}】": 4, f"【{demo.SYSTEM}】": 3}
    bodies = "\n".join(
        SituationReport.objects.filter(kind=SitrepKind.SITUATION).values_list("body", flat=True)
    )
    assert all(title in bodies for title in escalated.values_list("title", flat=True))
    liaisons = User.objects.filter(
        memberships__role=Role.ORGANISER_LIAISON,
        memberships__organisation__category=OrganisationCategory.CENTRE,
    )
    assert set(escalated.values_list("impact_assessed_by", flat=True)) <= set(
        liaisons.values_list("pk", flat=True)
    )


def test_there_are_cases_in_every_state_assigned_to_the_centres_handlers(loaded_demo: str) -> None:
    states = Counter(Case.objects.values_list("state", flat=True))
    assert set(states) == set(CaseState.values)
    handlers = set(
        Membership.objects.filter(
            organisation__category=OrganisationCategory.CENTRE, role=Role.INCIDENT_HANDLER
        ).values_list("user_id", flat=True)
    )
    assert set(Case.objects.exclude(state=CaseState.NEW).values_list("assignee", flat=True)) <= (
        handlers
    )
    assert not Case.objects.exclude(state=CaseState.NEW).filter(acknowledged_at=None).exists()
    assert not Case.objects.filter(state=CaseState.CLOSED, closed_at=None).exists()
    duplicate = Case.objects.get(merged_into__isnull=False)
    assert duplicate.state == CaseState.CLOSED
    assert duplicate.category == duplicate.merged_into.category == ReportCategory.CLOUD_OUTAGE  # type: ignore[union-attr]
    assert CaseLink.objects.count() >= 1
    assert Task.objects.filter(done_at=None).exists() and Task.objects.exclude(done_at=None)


def test_timelines_hold_messages_both_ways_and_internal_notes(loaded_demo: str) -> None:
    messages = TimelineEntry.objects.filter(kind=EntryKind.MESSAGE, audience=EntryAudience.REPORTER)
    from_reporters = messages.filter(author__memberships__organisation=F("case__organisation"))
    assert from_reporters.exists()
    centre = Organisation.objects.get(category=OrganisationCategory.CENTRE)
    assert messages.filter(author__memberships__organisation=centre).exists()
    assert not TimelineEntry.objects.filter(kind=EntryKind.NOTE).exclude(
        audience=EntryAudience.CENTRE
    )
    assert not TimelineEntry.objects.exclude(created_at__gte=GAMES_START, created_at__lt=GAMES_END)
    assert not TimelineEntry.objects.filter(
        audience=EntryAudience.SUPPORT, support_request=None
    ).exists()
    for case in Case.objects.all():
        kinds = list(case.timeline.order_by("created_at", "id").values_list("kind", flat=True))
        assert kinds[0] == EntryKind.CREATED


def test_the_reporter_sees_the_conversation_but_not_the_notes(loaded_demo: str) -> None:
    case = Case.objects.get(title__contains="オンラインショップ")
    reporter = case.report.reporter  # type: ignore[union-attr]
    assert policy.case_access(reporter, case) == policy.CASE_REPORTER
    seen = policy.visible_entries(reporter, case, case.timeline.all())
    assert seen.filter(kind=EntryKind.MESSAGE).exists()
    assert seen.filter(kind=EntryKind.UPDATE).count() == 3
    assert not seen.filter(kind=EntryKind.NOTE).exists()


def test_support_requests_reach_the_agencies_and_a_vendor_in_every_state(loaded_demo: str) -> None:
    requests = SupportRequest.objects.select_related("organisation")
    assert set(requests.values_list("state", flat=True)) == set(SupportState.values)
    asked = set(requests.values_list("organisation__short_name", flat=True))
    assert {"NICT", "IPA", "JPCERT/CC", "JC3"} <= asked
    assert requests.filter(organisation__category=OrganisationCategory.VENDOR).exists()
    for sr in requests:
        if sr.state in {SupportState.REPORTED, SupportState.CLOSED}:
            assert sr.findings and sr.answered_by is not None
            assert sr.case.participants.filter(user=sr.answered_by).exists()
            assert policy.case_access(sr.answered_by, sr.case) == policy.CASE_SUPPORT
        if sr.state == SupportState.REQUESTED:
            assert sr.answered_at is None
    declined = requests.get(state=SupportState.DECLINED)
    assert policy.case_access(
        User.objects.filter(memberships__organisation=declined.organisation).first(), declined.case
    ) in {None, policy.CASE_SUPPORT}


def test_routing_reaches_ministries_police_and_the_organiser(loaded_demo: str) -> None:
    assert RoutingRule.objects.filter(sector_ministry=True).count() == 22
    for report in Report.objects.select_related("organisation__sector"):
        to = set(report.recipients.values_list("organisation_id", flat=True))
        sector = report.organisation.sector
        if sector and report.kind == ReportKind.INCIDENT:
            assert sector.ministry_id in to
        if report.category in {ReportCategory.DOS, ReportCategory.DEFACEMENT}:
            assert report.recipients.filter(
                organisation__category=OrganisationCategory.LAW_ENFORCEMENT, grant=Grant.FULL
            ).exists()
    organiser = ReportRecipient.objects.filter(organisation__short_name="TIGOC")
    assert organiser.exists() and not organiser.exclude(grant=Grant.REDACTED).exists()
    assert not ReportRecipient.objects.filter(report__kind=ReportKind.CONSULTATION).exists()


def test_the_desk_is_staffed_around_the_clock_with_handover_notes(loaded_demo: str) -> None:
    slots = DutyShift.objects.values("starts_at").annotate(n=Count("id"))
    assert len(slots) == 47 * 3
    for role in DutyRole.values:
        assert DutyShift.objects.filter(role=role).values("starts_at").distinct().count() == 141
    assert not DutyShift.objects.filter(handed_over_at=None).exclude(
        starts_at=datetime(2021, 9, 5, 16, tzinfo=loader.TOKYO)
    )
    assert DutyShift.objects.filter(handover_note__contains="対応中").exists()


def test_every_day_has_its_am_and_pm_reports_summaries_and_bulletin(loaded_demo: str) -> None:
    counts = Counter(SituationReport.objects.values_list("kind", "slot"))
    assert counts == {
        (SitrepKind.SITUATION, SitrepSlot.AM): 47,
        (SitrepKind.SITUATION, SitrepSlot.PM): 47,
        (SitrepKind.ORGANISER, SitrepSlot.AM): 47,
        (SitrepKind.ORGANISER, SitrepSlot.PM): 47,
        (SitrepKind.BULLETIN, SitrepSlot.DAY): 47,
    }
    assert not SituationReport.objects.exclude(state=SitrepState.ISSUED).exists()
    commanders = Membership.objects.filter(role=Role.COMMANDER).values_list("user_id", flat=True)
    assert set(SituationReport.objects.values_list("approved_by", flat=True)) <= set(commanders)
    first = SituationReport.objects.get(
        kind=SitrepKind.SITUATION, slot=SitrepSlot.AM, title__endswith="2021-07-21"
    )
    assert first.period_start == datetime(2021, 7, 20, 17, tzinfo=loader.TOKYO)
    assert first.figures["event_impact"] == 0 and "counts" in first.figures
    assert first.body_html
    shop = SituationReport.objects.get(
        kind=SitrepKind.SITUATION, slot=SitrepSlot.AM, title__endswith="2021-07-24"
    )
    assert shop.cases.filter(title__contains="オンラインショップ").exists()
    assert shop.figures["escalated"] >= 1
    addresses = [a for r in SituationReport.objects.values_list("recipients", flat=True) for a in r]
    assert SituationReport.objects.filter(kind=SitrepKind.BULLETIN, recipients=[]).count() == 47
    addresses += list(SitrepRecipient.objects.values_list("email", flat=True))
    assert addresses and all(re.search(r"\.example\.jp$", a) for a in addresses)


def test_a_second_load_adds_nothing_and_a_reset_loads_the_same(loaded_demo: str) -> None:
    before = fingerprint()
    plan = loader.build_plan(loader.DEFAULT_SEED)
    assert demo.is_loaded(plan) and demo.load(plan) is None
    events = AuditEvent.objects.count()
    output = run_demo("--reset")
    assert "Loaded 19 reports and cases" in output
    assert fingerprint() == before
    assert AuditEvent.objects.count() == events
    assert RoutingRule.objects.count() == len(set(demo.rule_names())) == 45


def test_delete_removes_everything_and_load_is_fast(loaded_demo: str) -> None:
    plan = loader.build_plan(loader.DEFAULT_SEED)
    events = AuditEvent.objects.count()
    assert demo.delete(plan) == 19
    for model in (Report, Case, TimelineEntry, SupportRequest, SituationReport, DutyShift,
                  RoutingRule, SitrepRecipient):  # fmt: skip
        assert not model.objects.exists(), model
    assert AuditEvent.objects.count() == events
    started = time.perf_counter()
    result = demo.load(plan)
    assert result is not None and result.reports == 19
    assert time.perf_counter() - started < 10


def test_the_answered_consultation_is_linked_to_an_advisory_topic(loaded_demo: str) -> None:
    answered = Case.objects.get(kind=ReportKind.CONSULTATION, state=CaseState.CLOSED)
    topic = answered.topics.get()
    assert topic.category == "advisory_answer"
    assert answered.timeline.filter(kind=EntryKind.TOPIC, audience=EntryAudience.REPORTER).exists()
