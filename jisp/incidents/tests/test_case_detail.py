"""/incidents/cases/<pk>/: the centre sees everything, the reporter the conversation, a
supporting organisation its requests, anyone else 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.incidents.models import Case, SupportRequest
from jisp.incidents.services import cases
from jisp.incidents.testing import make_case


def url(case: Case) -> str:
    return reverse("incidents:case_detail", args=[case.pk])


@pytest.fixture
def case(cast: Cast) -> Case:
    case = make_case(cast.member_a, "公式サイトの閲覧障害", description="秘密の詳細な説明")
    cases.post_message(cast.analyst, case, "状況を教えてください。")
    cases.post_message(cast.analyst, case, "内部メモ: 攻撃元を調査", internal=True)
    cases.post_message(cast.member_a, case, "復旧しました。")
    return case


@pytest.mark.parametrize("who", ["analyst", "commander", "auditor"])
def test_the_centre_sees_the_report_the_timeline_and_internal_notes(
    cast: Cast, signed_in: Any, case: Case, who: str
) -> None:
    response = signed_in(getattr(cast, who)).get(url(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "秘密の詳細な説明" in body
    assert "内部メモ: 攻撃元を調査" in body
    assert "復旧しました。" in body
    assert response.context["level"] == "centre"
    assert AuditEvent.objects.filter(action="incidents.case.viewed").exists()


def test_the_centres_staff_get_the_allowed_state_buttons_only(
    cast: Cast, signed_in: Any, case: Case
) -> None:
    response = signed_in(cast.analyst).get(url(case))
    assert [s for s, _label in response.context["allowed_states"]] == [
        "triage",
        "in_progress",
        "closed",
    ]
    body = response.content.decode()
    assert 'value="triage"' in body and 'value="resolved"' not in body
    assert reverse("incidents:case_state", args=[case.pk]) in body


def test_an_auditor_gets_no_forms(cast: Cast, signed_in: Any, case: Case) -> None:
    body = signed_in(cast.auditor).get(url(case)).content.decode()
    assert reverse("incidents:case_state", args=[case.pk]) not in body
    assert reverse("incidents:case_message", args=[case.pk]) not in body


@pytest.mark.parametrize("who", ["member_a", "member_a2", "admin_a"])
def test_the_reporters_organisation_sees_the_conversation_but_not_internal_notes(
    cast: Cast, signed_in: Any, case: Case, who: str
) -> None:
    response = signed_in(getattr(cast, who)).get(url(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "状況を教えてください。" in body and "復旧しました。" in body
    assert "内部メモ" not in body
    assert "秘密の詳細な説明" not in body  # the report is on the report's own page
    assert reverse("incidents:case_message", args=[case.pk]) in body
    assert reverse("incidents:case_state", args=[case.pk]) not in body
    assert cast.analyst.name not in body  # the centre speaks as the centre


def test_the_reporter_still_sees_a_merged_case_with_a_note(
    cast: Cast, signed_in: Any, case: Case
) -> None:
    target = make_case(cast.member_b, "電力会社の事案")
    cases.merge_case(cast.analyst, case, target)
    response = signed_in(cast.member_a).get(url(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "電力会社の事案" not in body
    assert f"#{target.pk}" not in body
    assert "message warning" in body


@pytest.mark.parametrize("who", ["member_b", "responder", "vendor_analyst", "outsider"])
def test_it_hides_the_case_from_everyone_else(
    cast: Cast, signed_in: Any, case: Case, who: str
) -> None:
    assert signed_in(getattr(cast, who)).get(url(case)).status_code == 404


def test_it_answers_404_for_a_missing_case(cast: Cast, signed_in: Any) -> None:
    assert signed_in(cast.analyst).get("/incidents/cases/999999/").status_code == 404


def test_an_organisation_asked_for_support_sees_only_its_requests(
    cast: Cast, signed_in: Any, case: Case
) -> None:
    SupportRequest.objects.create(
        case=case, organisation=cast.agency, message="解析をお願いします", requested_by=cast.analyst
    )
    response = signed_in(cast.responder).get(url(case))
    assert response.status_code == 200
    body = response.content.decode()
    assert "内部メモ" not in body and "状況を教えてください。" not in body
    assert "秘密の詳細な説明" not in body
    assert len(response.context["support_requests"]) == 1
    assert signed_in(cast.vendor_analyst).get(url(case)).status_code == 404


def test_a_declined_request_shows_nothing(cast: Cast, signed_in: Any, case: Case) -> None:
    SupportRequest.objects.create(
        case=case, organisation=cast.agency, message="x", state="declined",
        requested_by=cast.analyst,
    )  # fmt: skip
    assert signed_in(cast.responder).get(url(case)).status_code == 404


def test_the_page_takes_a_fixed_number_of_queries_however_long_the_timeline(
    cast: Cast, signed_in: Any, case: Case, django_assert_max_num_queries: Any
) -> None:
    for n in range(20):
        cases.post_message(cast.analyst if n % 2 else cast.member_a, case, f"message {n}")
        cases.add_task(cast.analyst, case, f"task {n}", assignee=cast.commander)
    client = signed_in(cast.analyst)
    client.get(url(case))
    with django_assert_max_num_queries(20):
        response = client.get(url(case))
    assert len(response.context["timeline"]) == 4 + 40
