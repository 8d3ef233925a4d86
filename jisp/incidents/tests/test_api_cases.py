"""/api/v1/incidents/cases: list, read, timeline, messages, state, assign, across roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jisp.core.models import User
from jisp.core.testing import Cast
from jisp.incidents.models import Case, SupportRequest
from jisp.incidents.services import cases
from jisp.incidents.testing import make_case
from jisp.sharing.tests.test_api_topics import bearer

LIST = "/api/v1/incidents/cases"


def get(client: Client, user: User, path: str, **params: Any) -> Any:
    return client.get(path, params, headers=bearer(user))


def post(client: Client, user: User, path: str, body: dict[str, Any], scope: str = "write") -> Any:
    return client.post(path, body, content_type="application/json", headers=bearer(user, scope))


@pytest.fixture
def case(cast: Cast) -> Case:
    case = make_case(cast.member_a, "公式サイトの閲覧障害")
    cases.set_severity(cast.analyst, case, "high")
    cases.post_message(cast.analyst, case, "状況を教えてください。")
    cases.post_message(cast.analyst, case, "内部メモ", internal=True)
    return case


def test_the_centre_lists_the_open_cases_with_filters(
    cast: Cast, client: Client, case: Case
) -> None:
    other = make_case(cast.member_b, "停電")
    Case.objects.filter(pk=other.pk).update(state="closed")
    response = get(client, cast.analyst, LIST)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["id"] == case.pk and item["access"] == "centre" and item["severity"] == "high"
    assert get(client, cast.auditor, LIST, state="all").json()["count"] == 2
    assert get(client, cast.analyst, LIST, severity="low").json()["count"] == 0
    assert get(client, cast.analyst, LIST, assignee="none").json()["count"] == 1
    assert get(client, cast.analyst, LIST, state="bogus").status_code == 422
    assert get(client, cast.analyst, LIST, limit=100000).status_code == 422


def test_a_member_lists_its_own_cases_without_the_centres_fields(
    cast: Cast, client: Client, case: Case
) -> None:
    make_case(cast.member_b, "停電")
    data = get(client, cast.member_a2, LIST).json()
    assert [i["id"] for i in data["items"]] == [case.pk]
    item = data["items"][0]
    assert item["access"] == "reporter"
    assert item["severity"] is None and item["assignee"] is None and item["for_sitrep"] is None
    assert get(client, cast.responder, LIST).json()["count"] == 0


def test_one_case_is_shaped_by_access(cast: Cast, client: Client, case: Case) -> None:
    centre = get(client, cast.commander, f"{LIST}/{case.pk}").json()
    assert centre["severity"] == "high" and centre["title"] == "公式サイトの閲覧障害"
    reporter = get(client, cast.member_a, f"{LIST}/{case.pk}").json()
    assert reporter["access"] == "reporter" and reporter["severity"] is None
    SupportRequest.objects.create(
        case=case, organisation=cast.agency, message="x", requested_by=cast.analyst
    )
    support = get(client, cast.responder, f"{LIST}/{case.pk}").json()
    assert support["access"] == "support"
    assert support["title"] is None and support["organisation"] is None


@pytest.mark.parametrize("who", ["member_b", "responder", "vendor_analyst"])
def test_it_hides_a_case_and_its_timeline_from_others(
    cast: Cast, client: Client, case: Case, who: str
) -> None:
    user = getattr(cast, who)
    assert get(client, user, f"{LIST}/{case.pk}").status_code == 404
    assert get(client, user, f"{LIST}/{case.pk}/timeline").status_code == 404
    assert post(client, user, f"{LIST}/{case.pk}/messages", {"body": "x"}).status_code == 404
    assert post(client, user, f"{LIST}/{case.pk}/state", {"state": "triage"}).status_code == 404
    assert post(client, user, f"{LIST}/{case.pk}/assign", {"assignee": None}).status_code == 404
    assert case.timeline.count() == 4


def test_the_timeline_hides_internal_notes_from_the_reporter(
    cast: Cast, client: Client, case: Case
) -> None:
    centre = get(client, cast.auditor, f"{LIST}/{case.pk}/timeline").json()
    assert [e["kind"] for e in centre["items"]] == ["created", "severity", "message", "note"]
    reporter = get(client, cast.member_a2, f"{LIST}/{case.pk}/timeline").json()
    assert [e["kind"] for e in reporter["items"]] == ["created", "message"]
    assert reporter["items"][1]["author"] is None  # the centre's person is not named
    assert reporter["items"][0]["author"]["id"] == cast.member_a.pk
    paged = get(client, cast.analyst, f"{LIST}/{case.pk}/timeline", limit=2, offset=2).json()
    assert paged["count"] == 4 and [e["kind"] for e in paged["items"]] == ["message", "note"]


def test_the_reporter_writes_but_not_an_internal_note(
    cast: Cast, client: Client, case: Case
) -> None:
    response = post(client, cast.member_a, f"{LIST}/{case.pk}/messages", {"body": "復旧しました"})
    assert response.status_code == 201, response.content
    assert response.json()["audience"] == "reporter"
    response = post(
        client, cast.member_a, f"{LIST}/{case.pk}/messages", {"body": "x", "internal": True}
    )
    assert response.status_code == 403
    assert (
        post(client, cast.member_a, f"{LIST}/{case.pk}/messages", {"body": ""}).status_code == 422
    )
    assert case.timeline.count() == 5


def test_the_centre_writes_a_note_and_an_auditor_or_a_read_token_cannot(
    cast: Cast, client: Client, case: Case
) -> None:
    path = f"{LIST}/{case.pk}/messages"
    response = post(client, cast.analyst, path, {"body": "メモ", "internal": True})
    assert response.status_code == 201 and response.json()["kind"] == "note"
    assert post(client, cast.auditor, path, {"body": "x"}).status_code == 403
    assert post(client, cast.analyst, path, {"body": "x"}, scope="read").status_code == 403
    assert case.timeline.count() == 5


def test_state_changes_follow_the_workflow(cast: Cast, client: Client, case: Case) -> None:
    path = f"{LIST}/{case.pk}/state"
    response = post(client, cast.analyst, path, {"state": "resolved"})
    assert response.status_code == 409
    assert isinstance(response.json()["detail"], str)
    response = post(client, cast.analyst, path, {"state": "triage", "note": "確認中"})
    assert response.status_code == 200 and response.json()["state"] == "triage"
    assert post(client, cast.analyst, path, {"state": "nope"}).status_code == 422
    assert post(client, cast.member_a, path, {"state": "in_progress"}).status_code == 403
    assert post(client, cast.auditor, path, {"state": "in_progress"}).status_code == 403
    case.refresh_from_db()
    assert case.state == "triage"


def test_the_centre_assigns_a_case_to_its_staff(cast: Cast, client: Client, case: Case) -> None:
    path = f"{LIST}/{case.pk}/assign"
    response = post(client, cast.commander, path, {"assignee": cast.analyst.pk})
    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == cast.analyst.pk
    assert post(client, cast.commander, path, {"assignee": cast.member_a.pk}).status_code == 422
    assert post(client, cast.commander, path, {"assignee": 999999}).status_code == 422
    assert post(client, cast.member_a, path, {"assignee": None}).status_code == 403
    response = post(client, cast.commander, path, {"assignee": None})
    assert response.json()["assignee"] is None


def test_the_list_takes_a_fixed_number_of_queries(
    cast: Cast, client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(15):
        case = make_case(cast.member_a, f"case {n}")
        cases.assign(cast.analyst, case, cast.analyst)
    headers = bearer(cast.analyst)
    client.get(LIST, headers=headers)
    with django_assert_max_num_queries(6):
        response = client.get(LIST, headers=headers)
    assert response.json()["count"] == 15


def test_a_member_cannot_probe_severity_or_assignee_through_filters(
    cast: Cast, client: Client, case: Case
) -> None:
    for params in ({"severity": "low"}, {"assignee": "none"}, {"for_sitrep": "true"}):
        data = get(client, cast.member_a, LIST, **params).json()
        assert [i["id"] for i in data["items"]] == [case.pk], params
