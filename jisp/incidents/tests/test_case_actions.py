"""The POST actions of the case page, across roles: centre staff act, auditors get 403, the
reporter may only write, anyone else 404; bad input is refused with a message, nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.core.testing import Cast
from jisp.incidents.models import Case, CaseLink, CaseParticipant, SupportRequest, Task
from jisp.incidents.services import cases
from jisp.incidents.testing import make_case


def post(client: Any, name: str, case: Case, data: dict[str, Any]) -> Any:
    return client.post(reverse(f"incidents:{name}", args=[case.pk]), data)


def test_the_centre_changes_state_severity_and_assignee(cast: Cast, signed_in: Any) -> None:
    case = make_case(cast.member_a)
    client = signed_in(cast.analyst)
    response = post(client, "case_state", case, {"state": "triage", "note": "確認中"})
    assert response.status_code == 302
    assert post(client, "case_severity", case, {"severity": "high"}).status_code == 302
    assert post(client, "case_assign", case, {"assignee": cast.commander.pk}).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.severity, case.assignee) == ("triage", "high", cast.commander)


def test_a_forbidden_transition_is_refused_with_a_message(cast: Cast, signed_in: Any) -> None:
    case = make_case(cast.member_a)
    client = signed_in(cast.analyst)
    response = client.post(
        reverse("incidents:case_state", args=[case.pk]), {"state": "resolved"}, follow=True
    )
    assert response.status_code == 200
    errors = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1 and str(errors[0])
    case.refresh_from_db()
    assert case.state == "new"
    response = post(client, "case_state", case, {"state": "nonsense"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "new"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("case_state", {"state": "triage"}),
        ("case_assign", {"assignee": ""}),
        ("case_severity", {"severity": "high"}),
        ("case_task_add", {"task-title": "x"}),
        ("case_link", {"link-number": 1}),
        ("case_merge", {"merge-number": 1}),
        ("case_impact", {"impact-event_impact": "yes", "impact-public_awareness": "no"}),
        ("case_sitrep", {"for_sitrep": "on"}),
        ("case_participant", {"role": "handler"}),
        ("case_message", {"body": "note", "internal": "on"}),
    ],
)
def test_the_actions_are_refused_to_auditors_the_reporter_and_others(
    cast: Cast, signed_in: Any, name: str, data: dict[str, Any]
) -> None:
    case = make_case(cast.member_a)
    data = {**data, "user": cast.analyst.pk}
    expected = {"auditor": 403, "member_a": 403, "member_b": 404, "responder": 404, "outsider": 404}
    for who, status in expected.items():
        client = signed_in(getattr(cast, who))
        assert post(client, name, case, data).status_code == status, who
    case.refresh_from_db()
    assert case.timeline.count() == 1 and case.state == "new" and not case.for_sitrep


def test_the_reporter_writes_to_the_centre(cast: Cast, signed_in: Any) -> None:
    case = make_case(cast.member_a)
    response = post(signed_in(cast.member_a2), "case_message", case, {"body": "復旧しました"})
    assert response.status_code == 302
    assert case.timeline.filter(kind="message", audience="reporter").count() == 1


def test_the_centre_writes_a_message_and_an_internal_note(cast: Cast, signed_in: Any) -> None:
    case = make_case(cast.member_a)
    client = signed_in(cast.analyst)
    post(client, "case_message", case, {"body": "状況を教えてください"})
    post(client, "case_message", case, {"body": "内部", "internal": "on"})
    assert list(case.timeline.order_by("id").values_list("kind", "audience"))[1:] == [
        ("message", "reporter"),
        ("note", "centre"),
    ]
    post(client, "case_message", case, {"body": ""})
    assert case.timeline.count() == 3


def test_tasks_links_merge_impact_sitrep_and_participants(cast: Cast, signed_in: Any) -> None:
    case = make_case(cast.member_a, "dup")
    other = make_case(cast.member_b, "other")
    target = make_case(cast.member_b, "target")
    client = signed_in(cast.analyst)
    post(
        client, "case_task_add", case, {"task-title": "ログ確認", "task-assignee": cast.analyst.pk}
    )
    task = Task.objects.get(case=case)
    post(client, "case_task_done", case, {"task": task.pk})
    task.refresh_from_db()
    assert task.done_at is not None
    post(client, "case_link", case, {"link-number": other.pk, "link-note": "同じ攻撃"})
    assert CaseLink.objects.filter(note="同じ攻撃").exists()
    post(client, "case_link", case, {"link-number": 999999})
    assert CaseLink.objects.count() == 1
    post(
        client,
        "case_impact",
        case,
        {"impact-event_impact": "yes", "impact-public_awareness": "no", "impact-note": "影響あり"},
    )
    case.refresh_from_db()
    assert case.event_impact == "yes" and case.for_sitrep
    post(client, "case_sitrep", case, {})
    case.refresh_from_db()
    assert not case.for_sitrep
    post(client, "case_participant", case, {"user": cast.commander.pk, "role": "controller"})
    assert CaseParticipant.objects.filter(case=case, user=cast.commander).exists()
    post(client, "case_participant", case, {"user": cast.member_b.pk, "role": "handler"})
    assert CaseParticipant.objects.count() == 1
    post(client, "case_merge", case, {"merge-number": case.pk})
    case.refresh_from_db()
    assert case.merged_into is None
    post(client, "case_merge", case, {"merge-number": target.pk})
    case.refresh_from_db()
    assert case.merged_into == target and case.state == "closed"
    page = client.get(reverse("incidents:case_detail", args=[case.pk]))
    assert page.status_code == 200 and page.context["merged_into"] == target


def test_completing_a_task_of_another_case_is_refused(cast: Cast, signed_in: Any) -> None:
    case = make_case(cast.member_a)
    other = make_case(cast.member_a)
    task = cases.add_task(cast.analyst, other, "x")
    post(signed_in(cast.analyst), "case_task_done", case, {"task": task.pk})
    task.refresh_from_db()
    assert task.done_at is None


def test_get_is_not_allowed_on_actions(cast: Cast, signed_in: Any) -> None:
    case = make_case(cast.member_a)
    response = signed_in(cast.analyst).get(reverse("incidents:case_state", args=[case.pk]))
    assert response.status_code == 405


def test_the_centre_adds_an_asked_agencys_person_as_a_participant(
    cast: Cast, signed_in: Any
) -> None:
    case = make_case(cast.member_a)
    SupportRequest.objects.create(
        case=case, organisation=cast.agency, message="解析依頼", requested_by=cast.analyst
    )
    client = signed_in(cast.analyst)
    page = client.get(reverse("incidents:case_detail", args=[case.pk]))
    choices = page.context["participant_form"].fields["user"].queryset
    assert cast.responder in choices and cast.member_b not in choices
    post(client, "case_participant", case, {"user": cast.responder.pk, "role": "agency"})
    assert CaseParticipant.objects.filter(case=case, user=cast.responder, role="agency").exists()
    post(client, "case_participant", case, {"user": cast.vendor_analyst.pk, "role": "agency"})
    assert CaseParticipant.objects.count() == 1
