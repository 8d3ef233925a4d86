"""/api/v1/incidents/support: list, one request, answer, findings, messages — across roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jisp.core.choices import OrganisationCategory, Role
from jisp.core.models import Organisation, User
from jisp.core.testing import Cast, make_person
from jisp.incidents.choices import EntryKind, SupportState
from jisp.incidents.models import Case, CaseParticipant, SupportRequest
from jisp.incidents.services import support
from jisp.incidents.services.timeline import add_entry
from jisp.incidents.testing import make_case
from jisp.incidents.tests.test_support_services import ask
from jisp.sharing.tests.test_api_topics import bearer

BASE = "/api/v1/incidents/support"


@pytest.fixture
def case(cast: Cast) -> Case:
    return make_case(cast.member_a, "予約サイトの障害", description="ボットネットからの攻撃")


@pytest.fixture
def sr(cast: Cast, case: Case) -> SupportRequest:
    return ask(cast, case)


def get(client: Client, user: User, path: str = "", **params: Any) -> Any:
    return client.get(f"{BASE}{path}", params, headers=bearer(user))


def post(client: Client, user: User, path: str, body: dict[str, Any]) -> Any:
    return client.post(
        f"{BASE}{path}", body, content_type="application/json", headers=bearer(user, "write")
    )


def test_the_agency_lists_its_requests(
    client: Client, cast: Cast, sr: SupportRequest, django_assert_max_num_queries: Any
) -> None:
    ask(cast, make_case(cast.member_b, "別件"), cast.vendor)
    headers = bearer(cast.responder)
    with django_assert_max_num_queries(8):
        response = client.get(BASE, headers=headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    for n in range(5):  # more requests, same number of queries
        ask(cast, make_case(cast.member_a, f"事案{n}"))
    with django_assert_max_num_queries(8):
        assert client.get(BASE, headers=headers).json()["count"] == 6
    assert item["id"] == sr.pk
    assert item["case"]["title"] == "予約サイトの障害"
    assert item["case"]["description"] == "ボットネットからの攻撃"
    assert item["kinds"] == ["malware_analysis", "advice"]


def test_the_centre_lists_every_request_and_filters_by_state(
    client: Client, cast: Cast, sr: SupportRequest
) -> None:
    other = ask(cast, make_case(cast.member_b, "別件"), cast.vendor)
    support.close_support(cast.analyst, other)
    for who in (cast.analyst, cast.auditor):
        assert get(client, who).json()["count"] == 2
        closed = get(client, who, state="closed").json()
        assert [i["id"] for i in closed["items"]] == [other.pk]
    assert get(client, cast.analyst, state="bogus").status_code == 422


@pytest.mark.parametrize("who", ["member_a", "member_b", "vendor_analyst"])
def test_the_list_hides_other_organisations_requests(
    client: Client, cast: Cast, sr: SupportRequest, who: str
) -> None:
    assert get(client, getattr(cast, who)).json() == {
        "count": 0,
        "count_complete": True,
        "items": [],
    }


def test_the_list_needs_a_caller(client: Client, sr: SupportRequest) -> None:
    assert client.get(BASE).status_code == 401


def test_one_request_shows_the_agency_its_thread_only(
    client: Client, cast: Cast, case: Case, sr: SupportRequest
) -> None:
    add_entry(case, EntryKind.NOTE, author=cast.analyst, body="内部メモ", audience="centre")
    add_entry(case, EntryKind.MESSAGE, author=cast.member_a, body="報告者", audience="reporter")
    vendor = ask(cast, case, cast.vendor)
    support.post_support_message(cast.analyst, vendor, "ベンダー宛て")
    support.post_support_message(cast.analyst, sr, "機関宛て")
    response = get(client, cast.responder, f"/{sr.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    bodies = [e["body"] for e in body["thread"]]
    assert "機関宛て" in bodies
    text = response.content.decode()
    for hidden in ("内部メモ", "報告者", "ベンダー宛て"):
        assert hidden not in text
    assert body["thread"][0]["step"] == "requested"


@pytest.mark.parametrize("who", ["member_a", "member_b", "vendor_analyst"])
def test_one_request_is_404_for_others(
    client: Client, cast: Cast, sr: SupportRequest, who: str
) -> None:
    response = get(client, getattr(cast, who), f"/{sr.pk}")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_one_request_is_404_for_another_agency(client: Client, sr: SupportRequest) -> None:
    org = Organisation.objects.create(name="別機関", category=OrganisationCategory.AGENCY)
    other = make_person("x@other.example", org, Role.AGENCY_RESPONDER)
    assert get(client, other, f"/{sr.pk}").status_code == 404
    assert post(client, other, f"/{sr.pk}/answer", {"accept": True}).status_code == 404


def test_the_agency_accepts_reports_and_writes(
    client: Client, cast: Cast, case: Case, sr: SupportRequest
) -> None:
    response = post(client, cast.responder, f"/{sr.pk}/answer", {"accept": True, "note": "可"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == SupportState.ACCEPTED
    assert CaseParticipant.objects.filter(case=case, user=cast.responder, role="agency").exists()
    response = post(client, cast.responder, f"/{sr.pk}/findings", {"findings": "C2: 203.0.113.5"})
    assert response.json()["state"] == SupportState.REPORTED
    response = post(client, cast.responder, f"/{sr.pk}/findings", {"findings": "追加"})
    assert response.json()["findings"] == "追加"
    response = post(client, cast.responder, f"/{sr.pk}/messages", {"body": "検体を下さい"})
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "検体を下さい"
    assert response.json()["author"]["id"] == cast.responder.pk


def test_a_forbidden_step_is_a_422_with_the_reason(
    client: Client, cast: Cast, sr: SupportRequest
) -> None:
    response = post(client, cast.responder, f"/{sr.pk}/findings", {"findings": "早い"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"]
    post(client, cast.responder, f"/{sr.pk}/answer", {"accept": False})
    response = post(client, cast.responder, f"/{sr.pk}/answer", {"accept": True})
    assert response.status_code == 422
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.DECLINED


def test_bad_bodies_are_422(client: Client, cast: Cast, sr: SupportRequest) -> None:
    assert post(client, cast.responder, f"/{sr.pk}/answer", {"note": "x"}).status_code == 422
    assert post(client, cast.responder, f"/{sr.pk}/findings", {"findings": ""}).status_code == 422
    assert post(client, cast.responder, f"/{sr.pk}/messages", {"body": "  "}).status_code == 422
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.REQUESTED


def test_the_centre_may_not_answer_but_may_write(
    client: Client, cast: Cast, sr: SupportRequest
) -> None:
    assert post(client, cast.analyst, f"/{sr.pk}/answer", {"accept": True}).status_code == 403
    assert post(client, cast.analyst, f"/{sr.pk}/findings", {"findings": "x"}).status_code == 403
    assert post(client, cast.analyst, f"/{sr.pk}/messages", {"body": "状況?"}).status_code == 201


def test_the_auditor_only_reads(client: Client, cast: Cast, sr: SupportRequest) -> None:
    assert get(client, cast.auditor, f"/{sr.pk}").status_code == 200
    assert post(client, cast.auditor, f"/{sr.pk}/answer", {"accept": True}).status_code == 403
    assert post(client, cast.auditor, f"/{sr.pk}/messages", {"body": "x"}).status_code == 403
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.REQUESTED


@pytest.mark.parametrize("who", ["member_a", "vendor_analyst"])
@pytest.mark.parametrize(("path", "body"), [("/answer", {"accept": True}),
                                       ("/findings", {"findings": "x"}),
                                       ("/messages", {"body": "x"})])  # fmt: skip
def test_writes_are_404_for_others(
    client: Client, cast: Cast, sr: SupportRequest, who: str, path: str, body: dict[str, Any]
) -> None:
    assert post(client, getattr(cast, who), f"/{sr.pk}{path}", body).status_code == 404


def test_a_declined_request_no_longer_shows_the_case(
    client: Client, cast: Cast, sr: SupportRequest
) -> None:
    post(client, cast.responder, f"/{sr.pk}/answer", {"accept": False})
    body = get(client, cast.responder, f"/{sr.pk}").json()
    assert body["case"] is None
    assert body["thread"] == []
    [item] = get(client, cast.responder).json()["items"]
    assert item["case"] is None


def test_an_unknown_id_is_404(client: Client, cast: Cast) -> None:
    assert get(client, cast.analyst, "/999999").status_code == 404
