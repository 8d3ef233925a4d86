"""The access policy for reports and cases, written a second time and checked for everyone.

Every person of the cast, against reports at every TLP level, routed to nobody / in full /
redacted, drafts and sent ones; and against cases with support requests in every state. The
single-item answers (``report_grant``, ``case_access``) and the queryset filters
(``visible_reports``, ``visible_cases``) must agree with the rules below and with each other.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest

from jisp.core import policy
from jisp.core.choices import TLP
from jisp.core.testing import Cast
from jisp.incidents.choices import SupportState
from jisp.incidents.models import Case, Report, ReportRecipient, SupportRequest
from jisp.incidents.testing import make_report

CENTRE = {"analyst", "commander", "auditor"}
REPORTERS = {"member_a", "member_a2", "admin_a"}  # org_a sends every report below


def expected_grant(person: str, *, tlp: str, routed: str | None, submitted: bool) -> str | None:
    """The rules of docs/access-policy.md, "Reports and cases", for a report of org_a routed (or
    not) to org_b (member_b)."""
    if person in REPORTERS:
        return "owner"
    if not submitted:
        return None
    if person in CENTRE:
        return "centre"
    if person == "member_b" and routed and tlp != TLP.RED:
        return "redacted" if tlp == TLP.AMBER_STRICT else routed
    return None


@pytest.mark.parametrize(
    ("tlp", "routed", "submitted"),
    [
        *product(TLP.values, [None, "full", "redacted"], [True]),
        (TLP.AMBER, "full", False),
    ],
)
def test_reports_are_seen_as_the_rules_say(
    cast: Cast, tlp: str, routed: str | None, submitted: bool
) -> None:
    report = make_report(cast.member_a, tlp=tlp, submit=submitted)
    if routed:
        ReportRecipient.objects.create(report=report, organisation=cast.org_b, grant=routed)
    for name, person in cast.everyone.items():
        expected = expected_grant(name, tlp=tlp, routed=routed, submitted=submitted)
        fresh = Report.objects.get(pk=report.pk)
        assert policy.report_grant(person, fresh) == expected, (name, tlp, routed, submitted)
        listed = policy.visible_reports(person, Report.objects.all()).filter(pk=report.pk).exists()
        assert listed == (expected is not None), (name, tlp, routed, submitted)


def expected_case_access(person: str, support_state: str | None) -> str | None:
    if person in CENTRE:
        return "centre"
    if person in REPORTERS:
        return "reporter"
    if person == "responder" and support_state and support_state != SupportState.DECLINED:
        return "support"
    return None


@pytest.mark.parametrize("support_state", [None, *SupportState.values])
def test_cases_are_seen_as_the_rules_say(cast: Cast, support_state: str | None) -> None:
    case = make_report(cast.member_a).case
    if support_state:
        SupportRequest.objects.create(
            case=case, organisation=cast.agency, kinds=["advice"], message="支援をお願いします。",
            state=support_state, requested_by=cast.analyst,
        )  # fmt: skip
    for name, person in cast.everyone.items():
        expected = expected_case_access(name, support_state)
        fresh = Case.objects.get(pk=case.pk)
        assert policy.case_access(person, fresh) == expected, (name, support_state)
        listed = policy.visible_cases(person, Case.objects.all()).filter(pk=case.pk).exists()
        assert listed == (expected is not None), (name, support_state)


def test_only_the_centres_staff_work_on_cases_and_only_controllers_approve(cast: Cast) -> None:
    workers = {name for name, p in cast.everyone.items() if policy.can_work_cases(p)}
    assert workers == {"analyst", "commander"}
    approvers = {name for name, p in cast.everyone.items() if policy.can_approve_sitreps(p)}
    assert approvers == {"commander"}


def test_timeline_entries_are_split_by_audience(cast: Cast) -> None:
    from jisp.incidents.services.timeline import add_entry

    case = make_report(cast.member_a).case
    request = SupportRequest.objects.create(
        case=case, organisation=cast.agency, kinds=["advice"], message="解析依頼",
        requested_by=cast.analyst,
    )  # fmt: skip
    other = SupportRequest.objects.create(
        case=case, organisation=cast.vendor, kinds=["advice"], message="判定依頼",
        requested_by=cast.analyst,
    )  # fmt: skip
    add_entry(case, "note", body="内部メモ")
    add_entry(case, "message", body="報告者への連絡", audience="reporter")
    add_entry(case, "support", body="機関とのやりとり", audience="support", support_request=request)
    add_entry(case, "support", body="事業者とのやりとり", audience="support", support_request=other)

    def bodies(person: Any) -> set[str]:
        entries = policy.visible_entries(person, case, case.timeline.all())
        return {e.body for e in entries} - {""}

    everything = {"内部メモ", "報告者への連絡", "機関とのやりとり", "事業者とのやりとり"}
    assert bodies(cast.analyst) == everything
    assert bodies(cast.auditor) == everything
    assert bodies(cast.member_a) == {"報告者への連絡"}
    assert bodies(cast.responder) == {"機関とのやりとり"}
    assert bodies(cast.vendor_analyst) == {"事業者とのやりとり"}
    assert bodies(cast.member_b) == set()
    assert bodies(cast.outsider) == set()
