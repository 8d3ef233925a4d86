"""services.queue.case_queue: open cases by default, the filters, the sorts, a fixed query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from django.test import override_settings

from jisp.core.testing import Cast
from jisp.incidents.choices import CaseState
from jisp.incidents.models import Case
from jisp.incidents.services import cases
from jisp.incidents.services.queue import case_queue
from jisp.incidents.testing import make_case

START = datetime(2026, 7, 24, 1, 0, tzinfo=UTC)


def titles(user: Any, **filters: Any) -> list[str]:
    return [case.title for case in case_queue(user, filters)]


def test_it_lists_the_open_cases_newest_first_by_default(cast: Cast) -> None:
    old = make_case(cast.member_a, "old", at=START)
    make_case(cast.member_b, "new", at=START + timedelta(hours=1))
    done = make_case(cast.member_a, "done", at=START + timedelta(hours=2))
    Case.objects.filter(pk=done.pk).update(state=CaseState.CLOSED)
    assert titles(cast.analyst) == ["new", "old"]
    assert titles(cast.analyst, state="all") == ["done", "new", "old"]
    assert titles(cast.analyst, state="closed") == ["done"]
    assert titles(cast.analyst, sort="oldest") == ["old", "new"]
    Case.objects.filter(pk=old.pk).update(state=CaseState.WAITING)
    assert titles(cast.analyst, state="waiting") == ["old"]


def test_it_filters_by_severity_category_kind_organisation_sector_and_text(cast: Cast) -> None:
    a = make_case(cast.member_a, "公式サイト DoS", category="dos")
    b = make_case(cast.member_b, "停電監視", kind="consultation")
    Case.objects.filter(pk=a.pk).update(severity="critical")
    assert titles(cast.analyst, severity="critical") == ["公式サイト DoS"]
    assert titles(cast.analyst, category="dos") == ["公式サイト DoS"]
    assert titles(cast.analyst, kind="consultation") == ["停電監視"]
    assert titles(cast.analyst, organisation=cast.org_b.pk) == ["停電監視"]
    assert titles(cast.analyst, organisation=str(cast.org_a.pk)) == ["公式サイト DoS"]
    assert titles(cast.analyst, sector=cast.org_a.sector_id) == ["公式サイト DoS"]
    assert titles(cast.analyst, q="dos") == ["公式サイト DoS"]
    assert titles(cast.analyst, organisation="nonsense") == []
    assert set(titles(cast.analyst, severity="bogus")) == {a.title, b.title}


def test_it_filters_by_assignee_and_situation_report(cast: Cast) -> None:
    mine = make_case(cast.member_a, "mine")
    theirs = make_case(cast.member_a, "theirs")
    make_case(cast.member_a, "nobody's")
    cases.assign(cast.analyst, mine, cast.analyst)
    cases.assign(cast.analyst, theirs, cast.commander)
    cases.set_for_sitrep(cast.analyst, theirs, True)
    assert titles(cast.analyst, assignee="me") == ["mine"]
    assert titles(cast.analyst, assignee="none") == ["nobody's"]
    assert titles(cast.analyst, assignee=cast.commander.pk) == ["theirs"]
    assert titles(cast.analyst, for_sitrep=True) == ["theirs"]
    assert titles(cast.analyst, for_sitrep="0") == ["nobody's", "mine"]


def test_it_sorts_by_severity_critical_first_and_by_update(cast: Cast) -> None:
    low = make_case(cast.member_a, "low", at=START)
    crit = make_case(cast.member_a, "critical", at=START + timedelta(minutes=1))
    make_case(cast.member_a, "medium", at=START + timedelta(minutes=2))
    Case.objects.filter(pk=low.pk).update(severity="low")
    Case.objects.filter(pk=crit.pk).update(severity="critical")
    assert titles(cast.analyst, sort="severity") == ["critical", "medium", "low"]
    cases.post_message(cast.analyst, low, "hello")
    assert titles(cast.analyst, sort="updated")[0] == "low"


@override_settings(CASE_ACK_MINUTES=30, CASE_RESPONSE_MINUTES=120)
def test_it_filters_overdue_cases(cast: Cast) -> None:
    with time_machine.travel(START, tick=False):
        late = make_case(cast.member_a, "late")
        acked = make_case(cast.member_a, "acked")
        cases.assign(cast.analyst, acked, cast.analyst)
    with time_machine.travel(START + timedelta(minutes=29), tick=False):
        make_case(cast.member_a, "fresh")
    with time_machine.travel(START + timedelta(minutes=45), tick=False):
        assert titles(cast.analyst, overdue=True) == ["late"]
    with time_machine.travel(START + timedelta(minutes=125), tick=False):
        assert titles(cast.analyst, overdue="1") == ["fresh", "acked", "late"]
        cases.post_message(cast.analyst, acked, "answered")
        assert titles(cast.analyst, overdue=True) == ["fresh", "late"]
    assert late.pk


def test_a_member_gets_only_the_cases_the_policy_shows(cast: Cast) -> None:
    make_case(cast.member_a, "a")
    make_case(cast.member_b, "b")
    assert titles(cast.member_a) == ["a"]
    assert titles(cast.responder) == []
    assert titles(cast.outsider) == []
    assert titles(cast.auditor, sort="oldest") == ["a", "b"]


def test_the_queue_takes_three_queries_however_many_cases(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        case = make_case(cast.member_a if n % 2 else cast.member_b, f"case {n}")
        cases.assign(cast.analyst, case, cast.analyst if n % 3 else cast.commander)
    from jisp.core import policy

    policy.access(cast.analyst)
    with django_assert_max_num_queries(3):  # the cases, their organisations, their assignees
        rows = list(case_queue(cast.analyst, {"sort": "severity"}))
        names = [
            (r.organisation and r.organisation.display_name, r.assignee and r.assignee.email)
            for r in rows
        ]
    assert len(names) == 12


def test_a_member_cannot_probe_the_centres_fields_with_filters(cast: Cast) -> None:
    case = make_case(cast.member_a, "ours")
    cases.assign(cast.analyst, case, cast.analyst)
    cases.set_severity(cast.analyst, case, "critical")
    for probe in (
        {"assignee": cast.analyst.pk},
        {"assignee": cast.commander.pk},
        {"severity": "low"},
        {"severity": "critical"},
        {"for_sitrep": True},
        {"overdue": True},
        {"q": "nothing like it"},
        {"organisation": cast.org_b.pk},
        {"sort": "severity"},
    ):
        assert titles(cast.member_a, **probe) == ["ours"], probe
    assert titles(cast.member_a, state="closed") == []
