"""services/support.py: asking an agency or a CTI vendor for support, its answer, findings,
messages and closing — across roles, with the workflow's forbidden steps."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from jisp.core import policy
from jisp.core.choices import OrganisationCategory, Role
from jisp.core.models import AuditEvent, Notification, Organisation
from jisp.core.testing import Cast, make_person
from jisp.incidents.choices import EntryAudience, EntryKind, SupportState
from jisp.incidents.models import Case, CaseParticipant, SupportRequest, TimelineEntry
from jisp.incidents.notifications import CASE_MESSAGE, SUPPORT_ANSWERED, SUPPORT_REQUESTED
from jisp.incidents.services import support
from jisp.incidents.services.timeline import add_entry
from jisp.incidents.testing import make_case


@pytest.fixture
def case(cast: Cast) -> Case:
    return make_case(cast.member_a, "予約サイトの障害", category="dos")


def ask(cast: Cast, case: Case, organisation: Organisation | None = None) -> SupportRequest:
    return support.request_support(
        cast.analyst,
        case,
        organisation or cast.agency,
        ["malware_analysis", "advice"],
        "検体の解析をお願いします。",
    )


def test_it_asks_an_agency_and_tells_its_members(cast: Cast, case: Case) -> None:
    other = make_person("other@agency.example", cast.agency, Role.AGENCY_RESPONDER)
    sr = ask(cast, case)
    assert sr.state == SupportState.REQUESTED
    assert sr.kinds == ["malware_analysis", "advice"]
    assert sr.requested_by == cast.analyst
    entry = TimelineEntry.objects.get(support_request=sr)
    assert entry.kind == EntryKind.SUPPORT
    assert entry.audience == EntryAudience.SUPPORT
    assert entry.body == "検体の解析をお願いします。"
    told = Notification.objects.filter(kind=SUPPORT_REQUESTED)
    assert {n.recipient_id for n in told} == {cast.responder.pk, other.pk}
    for note in told:
        assert cast.org_a.name not in note.title + note.body
        assert cast.member_a.name not in note.title + note.body
        assert note.url == f"/incidents/support/{sr.pk}/"
    assert AuditEvent.objects.filter(action="incidents.support.requested").count() == 1
    case.refresh_from_db()
    assert case.acknowledged_at is not None


def test_it_titles_the_notification_with_the_category(cast: Cast, case: Case) -> None:
    ask(cast, case)
    note = Notification.objects.get(kind=SUPPORT_REQUESTED, recipient=cast.responder)
    assert "DoS" in note.title


def test_it_asks_a_vendor_too(cast: Cast, case: Case) -> None:
    sr = ask(cast, case, cast.vendor)
    assert Notification.objects.filter(
        kind=SUPPORT_REQUESTED, recipient=cast.vendor_analyst
    ).exists()
    assert policy.case_access(cast.vendor_analyst, case) == policy.CASE_SUPPORT
    assert sr.organisation == cast.vendor


@pytest.mark.parametrize("category", [OrganisationCategory.OPERATOR, OrganisationCategory.CENTRE,
                                      OrganisationCategory.MINISTRY])  # fmt: skip
def test_it_refuses_an_organisation_of_another_category(
    cast: Cast, case: Case, category: str
) -> None:
    org = Organisation.objects.filter(category=category).first() or Organisation.objects.create(
        name="省庁テスト", category=category
    )
    with pytest.raises(ValidationError) as error:
        ask(cast, case, org)
    assert "organisation" in error.value.message_dict
    assert not SupportRequest.objects.exists()


def test_it_refuses_no_kind_an_unknown_kind_and_an_empty_message(cast: Cast, case: Case) -> None:
    with pytest.raises(ValidationError) as error:
        support.request_support(cast.analyst, case, cast.agency, [], "  ")
    assert set(error.value.message_dict) == {"kinds", "message"}
    with pytest.raises(ValidationError) as error:
        support.request_support(cast.analyst, case, cast.agency, ["coffee"], "x")
    assert set(error.value.message_dict) == {"kinds"}
    assert not SupportRequest.objects.exists()
    assert not TimelineEntry.objects.filter(kind=EntryKind.SUPPORT).exists()


@pytest.mark.parametrize("who", ["auditor", "member_a", "responder", "vendor_analyst", "outsider"])
def test_only_the_centre_asks(cast: Cast, case: Case, who: str) -> None:
    with pytest.raises(PermissionDenied):
        support.request_support(getattr(cast, who), case, cast.agency, ["advice"], "x")
    assert not SupportRequest.objects.exists()


def test_the_agency_accepts_and_joins_the_case(cast: Cast, case: Case) -> None:
    sr = ask(cast, case)
    support.answer_support(cast.responder, sr, True, "対応します。")
    sr.refresh_from_db()
    assert sr.state == SupportState.ACCEPTED
    assert sr.answered_by == cast.responder
    assert sr.answer_note == "対応します。"
    assert CaseParticipant.objects.filter(case=case, user=cast.responder, role="agency").exists()
    [told] = Notification.objects.filter(kind=SUPPORT_ANSWERED)
    assert told.recipient == cast.analyst
    assert AuditEvent.objects.filter(action="incidents.support.answered").count() == 1
    steps = list(
        TimelineEntry.objects.filter(support_request=sr).values_list("data__step", flat=True)
    )
    assert steps == ["requested", "accepted"]


def test_the_agency_declines_and_no_longer_sees_the_case(cast: Cast, case: Case) -> None:
    sr = ask(cast, case)
    support.answer_support(cast.responder, sr, False, "人手が足りません。")
    assert sr.state == SupportState.DECLINED
    assert not CaseParticipant.objects.filter(case=case).exists()
    assert policy.case_access(cast.responder, case) is None
    assert support.shows_case(cast.responder, sr) is False
    assert not support.thread(cast.responder, sr).exists()


@pytest.mark.parametrize("who", ["analyst", "auditor", "member_a", "vendor_analyst", "outsider"])
def test_only_the_asked_organisation_answers(cast: Cast, case: Case, who: str) -> None:
    sr = ask(cast, case)
    with pytest.raises(PermissionDenied):
        support.answer_support(getattr(cast, who), sr, True)
    with pytest.raises(PermissionDenied):
        support.report_findings(getattr(cast, who), sr, "x")
    sr.refresh_from_db()
    assert sr.state == SupportState.REQUESTED


def test_findings_may_be_sent_more_than_once(cast: Cast, case: Case) -> None:
    sr = ask(cast, case)
    support.answer_support(cast.responder, sr, True)
    support.report_findings(cast.responder, sr, "C2: 203.0.113.5")
    support.report_findings(cast.responder, sr, "C2: 203.0.113.5, 198.51.100.7")
    sr.refresh_from_db()
    assert sr.state == SupportState.REPORTED
    assert sr.findings == "C2: 203.0.113.5, 198.51.100.7"
    assert TimelineEntry.objects.filter(support_request=sr, data__step="findings").count() == 2
    assert Notification.objects.filter(kind=SUPPORT_ANSWERED, recipient=cast.analyst).count() == 3


def test_the_centre_closes(cast: Cast, case: Case) -> None:
    sr = ask(cast, case)
    support.answer_support(cast.responder, sr, True)
    support.report_findings(cast.responder, sr, "done")
    support.close_support(cast.analyst, sr)
    sr.refresh_from_db()
    assert sr.state == SupportState.CLOSED
    assert sr.closed_at is not None


def test_the_asked_organisation_may_close_too(cast: Cast, case: Case) -> None:
    sr = ask(cast, case)
    support.answer_support(cast.responder, sr, True)
    support.close_support(cast.responder, sr)
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.CLOSED


@pytest.mark.parametrize("who", ["auditor", "member_a", "vendor_analyst", "outsider"])
def test_others_may_not_close(cast: Cast, case: Case, who: str) -> None:
    sr = ask(cast, case)
    with pytest.raises(PermissionDenied):
        support.close_support(getattr(cast, who), sr)


def test_it_refuses_forbidden_steps_with_a_clear_message(cast: Cast, case: Case) -> None:
    sr = ask(cast, case)
    with pytest.raises(ValidationError):  # findings before accepting
        support.report_findings(cast.responder, sr, "x")
    support.answer_support(cast.responder, sr, False)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        support.answer_support(cast.responder, sr, True)
    assert "Declined" in error.value.messages[0]
    assert "can no longer be answered" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        support.close_support(cast.analyst, sr)
    assert error.value.code == "transition"
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.DECLINED


def test_a_closed_request_takes_no_more_steps(cast: Cast, case: Case) -> None:
    sr = ask(cast, case)
    support.close_support(cast.analyst, sr)
    for step in (
        lambda: support.answer_support(cast.responder, sr, True),
        lambda: support.report_findings(cast.responder, sr, "x"),
        lambda: support.close_support(cast.analyst, sr),
        lambda: support.post_support_message(cast.analyst, sr, "x"),
    ):
        with pytest.raises(ValidationError):
            step()
    assert TimelineEntry.objects.filter(support_request=sr).count() == 2


def test_the_thread_carries_messages_both_ways(cast: Cast, case: Case) -> None:
    sr = ask(cast, case)
    support.post_support_message(cast.analyst, sr, "検体を送ります。")
    entry = support.post_support_message(cast.responder, sr, "受領しました。")
    assert entry.audience == EntryAudience.SUPPORT
    assert entry.support_request == sr
    assert Notification.objects.filter(kind=CASE_MESSAGE, recipient=cast.responder).count() == 1
    assert Notification.objects.filter(kind=CASE_MESSAGE, recipient=cast.analyst).count() == 1
    bodies = [e.body for e in support.thread(cast.responder, sr)]
    assert bodies[-2:] == ["検体を送ります。", "受領しました。"]


@pytest.mark.parametrize("who", ["auditor", "member_a", "vendor_analyst", "outsider"])
def test_others_may_not_write_in_the_thread(cast: Cast, case: Case, who: str) -> None:
    sr = ask(cast, case)
    with pytest.raises(PermissionDenied):
        support.post_support_message(getattr(cast, who), sr, "x")


def test_the_agency_never_reads_internal_notes_nor_the_reporter_conversation(
    cast: Cast, case: Case
) -> None:
    sr = ask(cast, case)
    other = ask(cast, case, cast.vendor)
    add_entry(case, EntryKind.NOTE, author=cast.analyst, body="内部メモ", audience="centre")
    add_entry(case, EntryKind.MESSAGE, author=cast.member_a, body="報告者より", audience="reporter")
    support.post_support_message(cast.analyst, other, "ベンダー宛て")
    seen = [e.body for e in support.thread(cast.responder, sr)]
    everything = policy.visible_entries(cast.responder, case, case.timeline.all())
    for body in ("内部メモ", "報告者より", "ベンダー宛て"):
        assert body not in seen
        assert body not in [e.body for e in everything]
    assert {e.support_request_id for e in everything} == {sr.pk}


def test_the_reporter_sees_no_support_thread(cast: Cast, case: Case) -> None:
    sr = ask(cast, case)
    support.post_support_message(cast.analyst, sr, "秘密のやり取り")
    assert not support.visible_support_requests(cast.member_a).exists()
    entries = policy.visible_entries(cast.member_a, case, case.timeline.all())
    assert not entries.filter(audience="support").exists()


def test_visible_requests_follow_the_organisation(cast: Cast, case: Case) -> None:
    to_agency = ask(cast, case)
    to_vendor = ask(cast, case, cast.vendor)
    assert set(support.visible_support_requests(cast.analyst)) == {to_agency, to_vendor}
    assert set(support.visible_support_requests(cast.auditor)) == {to_agency, to_vendor}
    assert set(support.visible_support_requests(cast.responder)) == {to_agency}
    assert set(support.visible_support_requests(cast.vendor_analyst)) == {to_vendor}
    for who in ("member_a", "member_b", "outsider"):
        assert not support.visible_support_requests(getattr(cast, who)).exists()


def test_it_refuses_a_request_on_a_closed_case(cast: Cast, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(state="closed")
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        ask(cast, case)
