"""services.cases: the workflow, assignment, messages, tasks, links, merging, impact, overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import translation

from jisp.core.choices import Role
from jisp.core.models import AuditEvent, Notification, User
from jisp.core.testing import Cast, make_person
from jisp.incidents import notifications
from jisp.incidents.choices import CaseRole, CaseState, EntryAudience, EntryKind
from jisp.incidents.models import (
    Case,
    CaseLink,
    CaseParticipant,
    SupportRequest,
    Task,
    TimelineEntry,
)
from jisp.incidents.services import cases
from jisp.incidents.testing import make_case

START = datetime(2026, 7, 24, 1, 0, tzinfo=UTC)


def entries(case: Case, kind: str) -> list[TimelineEntry]:
    return list(case.timeline.filter(kind=kind).order_by("id"))


def told(user: User, kind: str) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


# --- The workflow --------------------------------------------------------------------------------


def test_it_moves_a_case_along_the_workflow_with_a_timeline_entry_for_the_reporter(
    cast: Cast,
) -> None:
    case = make_case(cast.member_a)
    cases.change_state(cast.analyst, case, CaseState.TRIAGE, note="確認中です")
    case.refresh_from_db()
    assert case.state == CaseState.TRIAGE
    assert case.acknowledged_at is not None
    [entry] = entries(case, EntryKind.STATE)
    assert entry.audience == EntryAudience.REPORTER
    assert entry.data == {"from": "new", "to": "triage"}
    assert entry.body == "確認中です"
    event = AuditEvent.objects.get(action="incidents.case.changed")
    assert event.data["change"] == "state" and event.data["new"] == "triage"
    assert told(cast.member_a2, notifications.CASE_STATE) == 1
    assert told(cast.member_b, notifications.CASE_STATE) == 0


def test_it_refuses_a_transition_the_workflow_forbids_and_names_the_allowed_ones(
    cast: Cast,
) -> None:
    case = make_case(cast.member_a)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        cases.change_state(cast.analyst, case, CaseState.RESOLVED)
    message = " ".join(caught.value.messages)
    assert "“New” to “Resolved”" in message
    assert "Allowed next: Triage, In progress, Closed." in message
    case.refresh_from_db()
    assert case.state == CaseState.NEW
    assert not entries(case, EntryKind.STATE)
    assert case.acknowledged_at is None


def test_it_sets_and_clears_resolved_and_closed_times(cast: Cast) -> None:
    case = make_case(cast.member_a)
    cases.change_state(cast.analyst, case, CaseState.IN_PROGRESS)
    cases.change_state(cast.analyst, case, CaseState.RESOLVED)
    case.refresh_from_db()
    assert case.resolved_at is not None and case.closed_at is None
    cases.change_state(cast.analyst, case, CaseState.CLOSED)
    case.refresh_from_db()
    assert case.closed_at is not None
    cases.change_state(cast.analyst, case, CaseState.IN_PROGRESS)
    case.refresh_from_db()
    assert case.resolved_at is None and case.closed_at is None


@pytest.mark.parametrize("who", ["auditor", "member_a", "member_b", "responder", "outsider"])
def test_only_the_centres_staff_change_a_case(cast: Cast, who: str) -> None:
    case = make_case(cast.member_a)
    other = make_case(cast.member_a, "other")
    task = cases.add_task(cast.analyst, other, "x")
    actor = getattr(cast, who)
    for action in (
        lambda: cases.change_state(actor, case, CaseState.TRIAGE),
        lambda: cases.assign(actor, case, cast.analyst),
        lambda: cases.set_severity(actor, case, "high"),
        lambda: cases.add_task(actor, case, "x"),
        lambda: cases.assess_impact(actor, case, "yes", ""),
        lambda: cases.set_for_sitrep(actor, case, True),
        lambda: cases.add_participant(actor, case, cast.analyst, CaseRole.HANDLER),
        lambda: cases.complete_task(actor, task),
        lambda: cases.link_cases(actor, case, other),
        lambda: cases.merge_case(actor, case, other),
    ):
        with pytest.raises(PermissionDenied):
            action()
    case.refresh_from_db()
    assert case.state == CaseState.NEW and case.assignee is None and case.severity == "medium"
    assert case.timeline.count() == 1 and case.merged_into is None
    assert not CaseLink.objects.exists() and not Task.objects.filter(done_at__isnull=False)


# --- Assignment, severity, participants  ----------------------------------------------------------


def test_it_assigns_to_centre_staff_and_tells_the_assignee(cast: Cast) -> None:
    case = make_case(cast.member_a)
    cases.assign(cast.commander, case, cast.analyst)
    case.refresh_from_db()
    assert case.assignee == cast.analyst
    assert case.acknowledged_at is not None
    [entry] = entries(case, EntryKind.ASSIGNED)
    assert entry.audience == EntryAudience.CENTRE
    assert told(cast.analyst, notifications.CASE_ASSIGNED) == 1
    assert told(cast.member_a, notifications.CASE_ASSIGNED) == 0
    with pytest.raises(ValidationError):
        cases.assign(cast.commander, case, cast.member_a)
    with pytest.raises(ValidationError):
        cases.assign(cast.commander, case, cast.auditor)
    cases.assign(cast.commander, case, None)
    case.refresh_from_db()
    assert case.assignee is None


def test_it_changes_the_severity_and_refuses_an_unknown_one(cast: Cast) -> None:
    case = make_case(cast.member_a)
    cases.set_severity(cast.analyst, case, "critical")
    case.refresh_from_db()
    assert case.severity == "critical"
    assert entries(case, EntryKind.SEVERITY)[0].data == {"from": "medium", "to": "critical"}
    with pytest.raises(ValidationError):
        cases.set_severity(cast.analyst, case, "apocalyptic")


def test_it_adds_participants_with_roles(cast: Cast) -> None:
    case = make_case(cast.member_a)
    controller = make_person("ic@centre.example", cast.centre, Role.INCIDENT_CONTROLLER)
    cases.add_participant(cast.commander, case, controller, CaseRole.CONTROLLER)
    assert CaseParticipant.objects.filter(case=case, user=controller, role="controller").exists()
    with pytest.raises(ValidationError):
        cases.add_participant(cast.commander, case, controller, CaseRole.CONTROLLER)
    with pytest.raises(ValidationError):
        cases.add_participant(cast.commander, case, cast.member_b, CaseRole.HANDLER)
    with pytest.raises(ValidationError):  # not asked for support on this case
        cases.add_participant(cast.commander, case, cast.responder, CaseRole.AGENCY)
    SupportRequest.objects.create(
        case=case, organisation=cast.agency, message="help", requested_by=cast.analyst
    )
    cases.add_participant(cast.commander, case, cast.responder, CaseRole.AGENCY)
    assert case.participants.count() == 2
    assert len(entries(case, EntryKind.PARTICIPANT)) == 2


# --- The conversation ------------------------------------------------------------------------


def test_the_centres_first_message_is_the_first_response_and_reaches_the_reporter(
    cast: Cast,
) -> None:
    case = make_case(cast.member_a)
    entry = cases.post_message(cast.analyst, case, "状況を教えてください。")
    case.refresh_from_db()
    assert entry.kind == EntryKind.MESSAGE and entry.audience == EntryAudience.REPORTER
    assert case.first_response_at == entry.created_at
    assert case.acknowledged_at == entry.created_at
    assert told(cast.member_a, notifications.CASE_MESSAGE) == 1
    assert told(cast.admin_a, notifications.CASE_MESSAGE) == 1
    assert told(cast.member_b, notifications.CASE_MESSAGE) == 0
    assert AuditEvent.objects.filter(action="incidents.case.message").count() == 1
    first = case.first_response_at
    cases.post_message(cast.analyst, case, "続報")
    case.refresh_from_db()
    assert case.first_response_at == first


def test_an_internal_note_is_not_a_response_and_is_hidden_from_the_reporter(cast: Cast) -> None:
    case = make_case(cast.member_a)
    note = cases.post_message(cast.analyst, case, "内部メモ", internal=True)
    case.refresh_from_db()
    assert note.kind == EntryKind.NOTE and note.audience == EntryAudience.CENTRE
    assert case.first_response_at is None and case.acknowledged_at is not None
    assert told(cast.member_a, notifications.CASE_MESSAGE) == 0
    from jisp.core import policy

    seen = policy.visible_entries(cast.member_a, case, case.timeline.all())
    assert note not in list(seen)


def test_the_reporter_writes_to_the_centre_and_the_assignee_is_told(cast: Cast) -> None:
    case = make_case(cast.member_a)
    cases.assign(cast.commander, case, cast.analyst)
    entry = cases.post_message(cast.member_a2, case, "復旧しました。")
    case.refresh_from_db()
    assert entry.audience == EntryAudience.REPORTER and entry.data == {"side": "reporter"}
    assert case.first_response_at is None
    assert told(cast.analyst, notifications.CASE_MESSAGE) == 1
    assert told(cast.member_a, notifications.CASE_MESSAGE) == 0


@pytest.mark.parametrize("who", ["member_b", "responder", "auditor", "outsider"])
def test_others_cannot_write_on_a_case(cast: Cast, who: str) -> None:
    case = make_case(cast.member_a)
    with pytest.raises(PermissionDenied):
        cases.post_message(getattr(cast, who), case, "hello")
    assert case.timeline.count() == 1


def test_the_reporter_cannot_write_an_internal_note_nor_an_empty_message(cast: Cast) -> None:
    case = make_case(cast.member_a)
    with pytest.raises(PermissionDenied):
        cases.post_message(cast.member_a, case, "x", internal=True)
    with pytest.raises(ValidationError):
        cases.post_message(cast.member_a, case, "   ")
    with pytest.raises(ValidationError):
        cases.post_message(cast.analyst, case, "x" * (cases.MAX_MESSAGE + 1))
    assert case.timeline.count() == 1


# --- Tasks ---------------------------------------------------------------------------------------


def test_it_adds_and_completes_tasks_once(cast: Cast) -> None:
    case = make_case(cast.member_a)
    task = cases.add_task(cast.analyst, case, "ログを確認", assignee=cast.commander)
    assert task.assignee == cast.commander and task.done_at is None
    cases.complete_task(cast.analyst, task)
    task.refresh_from_db()
    assert task.done_at is not None
    with pytest.raises(ValidationError):
        cases.complete_task(cast.analyst, task)
    with pytest.raises(ValidationError):
        cases.add_task(cast.analyst, case, "")
    with pytest.raises(ValidationError):
        cases.add_task(cast.analyst, case, "x", assignee=cast.member_a)
    actions = [e.data["action"] for e in entries(case, EntryKind.TASK)]
    assert actions == ["added", "done"]
    with pytest.raises(PermissionDenied):
        cases.complete_task(cast.auditor, task)


# --- Links and merging ---------------------------------------------------------------------------


def test_it_links_two_cases_once_whichever_side(cast: Cast) -> None:
    first = make_case(cast.member_a, "a")
    second = make_case(cast.member_b, "b")
    cases.link_cases(cast.analyst, second, first, note="同じ攻撃")
    link = CaseLink.objects.get()
    assert (link.case, link.other) == (first, second)
    with pytest.raises(ValidationError):
        cases.link_cases(cast.analyst, first, second)
    with pytest.raises(ValidationError):
        cases.link_cases(cast.analyst, first, first)
    assert entries(first, EntryKind.LINK)[0].data == {"case": second.pk}
    assert entries(second, EntryKind.LINK)[0].audience == EntryAudience.CENTRE


def test_it_merges_a_duplicate_that_its_reporter_still_sees(cast: Cast) -> None:
    target = make_case(cast.member_b, "target")
    duplicate = make_case(cast.member_a, "dup")
    cases.merge_case(cast.analyst, duplicate, target)
    duplicate.refresh_from_db()
    assert duplicate.state == CaseState.CLOSED and duplicate.closed_at is not None
    assert duplicate.merged_into == target
    assert entries(target, EntryKind.MERGE)[0].data == {"from": duplicate.pk}
    from jisp.core import policy

    assert policy.case_access(cast.member_a, duplicate) == policy.CASE_REPORTER
    seen = list(policy.visible_entries(cast.member_a, duplicate, duplicate.timeline.all()))
    merged = [e for e in seen if e.kind == EntryKind.STATE]
    assert merged and merged[0].data["merged"] is True
    assert all(str(target.pk) not in str(e.data) for e in seen)  # not which case it joined
    assert AuditEvent.objects.filter(action="incidents.case.merged").count() == 1
    assert told(cast.member_a2, notifications.CASE_STATE) == 1


def test_it_refuses_merging_into_itself_or_into_a_merged_case(cast: Cast) -> None:
    a = make_case(cast.member_a, "a")
    b = make_case(cast.member_a, "b")
    c = make_case(cast.member_a, "c")
    with pytest.raises(ValidationError):
        cases.merge_case(cast.analyst, a, a)
    cases.merge_case(cast.analyst, b, c)
    with pytest.raises(ValidationError):
        cases.merge_case(cast.analyst, a, b)  # b was merged into c
    with pytest.raises(ValidationError):
        cases.merge_case(cast.analyst, b, a)  # b is already merged
    a.refresh_from_db()
    assert a.state == CaseState.NEW and a.merged_into is None
    with pytest.raises(ValidationError):
        cases.change_state(cast.analyst, b, CaseState.IN_PROGRESS)


def test_cases_merged_into_a_duplicate_follow_it(cast: Cast) -> None:
    a, b, c = (make_case(cast.member_a, t) for t in "abc")
    cases.merge_case(cast.analyst, a, b)
    cases.merge_case(cast.analyst, b, c)
    a.refresh_from_db()
    assert a.merged_into == c


# --- Event impact and the situation report -----------------------------------------------------


def test_an_impact_on_the_event_proposes_the_case_for_the_situation_report(cast: Cast) -> None:
    case = make_case(cast.member_a)
    liaison = make_person("liaison@centre.example", cast.centre, Role.ORGANISER_LIAISON)
    cases.assess_impact(liaison, case, "no", "影響なし")
    case.refresh_from_db()
    assert case.event_impact == "no" and not case.for_sitrep
    assert case.impact_assessed_by == liaison and case.impact_note == "影響なし"
    cases.assess_impact(liaison, case, "yes", "チケット販売に影響")
    case.refresh_from_db()
    assert case.for_sitrep
    assert entries(case, EntryKind.IMPACT)[-1].data["proposed"] is True


def test_public_awareness_proposes_the_case_too_and_the_centre_can_take_it_out(
    cast: Cast,
) -> None:
    case = make_case(cast.member_a)
    cases.assess_impact(cast.analyst, case, "no", "", public_awareness="yes")
    case.refresh_from_db()
    assert case.for_sitrep and case.public_awareness == "yes"
    cases.set_for_sitrep(cast.analyst, case, False)
    case.refresh_from_db()
    assert not case.for_sitrep
    assert entries(case, EntryKind.IMPACT)[-1].data == {"for_sitrep": False}
    with pytest.raises(ValidationError):
        cases.assess_impact(cast.analyst, case, "maybe", "")


# --- Response times ------------------------------------------------------------------------------


@override_settings(CASE_ACK_MINUTES=30, CASE_RESPONSE_MINUTES=120)
def test_it_computes_overdue_acknowledgement_and_response(cast: Cast) -> None:
    with time_machine.travel(START, tick=False):
        case = make_case(cast.member_a)
    assert not cases.ack_overdue(case, START + timedelta(minutes=30))
    assert cases.ack_overdue(case, START + timedelta(minutes=31))
    assert not cases.response_overdue(case, START + timedelta(minutes=120))
    assert cases.response_overdue(case, START + timedelta(minutes=121))
    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        cases.assign(cast.analyst, case, cast.analyst)
    case.refresh_from_db()
    assert not cases.ack_overdue(case, START + timedelta(hours=5))
    assert cases.response_overdue(case, START + timedelta(hours=5))
    assert cases.time_to_acknowledge(case) == timedelta(minutes=10)
    with time_machine.travel(START + timedelta(minutes=45), tick=False):
        cases.post_message(cast.analyst, case, "確認しました")
    case.refresh_from_db()
    assert not cases.response_overdue(case, START + timedelta(hours=5))
    assert cases.time_to_respond(case) == timedelta(minutes=45)


def test_a_closed_case_is_never_overdue(cast: Cast) -> None:
    with time_machine.travel(START, tick=False):
        case = make_case(cast.member_a)
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    case.refresh_from_db()
    later = START + timedelta(days=1)
    assert not cases.ack_overdue(case, later) and not cases.response_overdue(case, later)
