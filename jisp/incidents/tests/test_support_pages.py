"""The support pages: the inbox, one request, asking for support, and the POST actions —
across roles (centre, auditor, asked agency, another agency, vendor, reporter, outsider)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.core.choices import OrganisationCategory, Role
from jisp.core.models import Organisation
from jisp.core.testing import Cast, make_person
from jisp.incidents.choices import EntryKind, SupportState
from jisp.incidents.models import Case, CaseParticipant, SupportRequest
from jisp.incidents.services import support
from jisp.incidents.services.timeline import add_entry
from jisp.incidents.testing import make_case
from jisp.incidents.tests.test_support_services import ask


@pytest.fixture
def case(cast: Cast) -> Case:
    return make_case(
        cast.member_a,
        "予約サイトの障害",
        category="dos",
        description="攻撃元は海外のボットネットと見られます。",
    )


@pytest.fixture
def sr(cast: Cast, case: Case) -> SupportRequest:
    return ask(cast, case)


@pytest.fixture
def other_agency(cast: Cast) -> Any:
    org = Organisation.objects.create(
        name="別の機関テスト", category=OrganisationCategory.LAW_ENFORCEMENT
    )
    return make_person("police@le.example", org, Role.AGENCY_RESPONDER)


def url(name: str, pk: int) -> str:
    return reverse(f"incidents:{name}", args=[pk])


# --- The inbox -----------------------------------------------------------------------------------


def test_the_inbox_shows_my_organisations_requests(
    cast: Cast, signed_in: Any, sr: SupportRequest, django_assert_max_num_queries: Any
) -> None:
    ask(cast, make_case(cast.member_b, "別件"), cast.vendor)
    client = signed_in(cast.responder)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("incidents:support_inbox"))
    assert response.status_code == 200
    rows = [r for _label, group in response.context["groups"] for r in group]
    assert rows == [sr]
    assert "予約サイトの障害" in response.content.decode()
    assert "別件" not in response.content.decode()
    for n in range(5):  # more requests, same number of queries
        ask(cast, make_case(cast.member_a, f"事案{n}"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("incidents:support_inbox"))
    assert len(response.context["groups"][0][1]) == 6


def test_the_inbox_shows_the_centre_every_open_request(
    cast: Cast, signed_in: Any, sr: SupportRequest
) -> None:
    done = ask(cast, make_case(cast.member_b, "別件"), cast.vendor)
    support.close_support(cast.analyst, done)
    for who in ("analyst", "auditor"):
        response = signed_in(getattr(cast, who)).get(reverse("incidents:support_inbox"))
        rows = [r for _label, group in response.context["groups"] for r in group]
        assert rows == [sr]
        closed = signed_in(getattr(cast, who)).get(
            reverse("incidents:support_inbox"), {"state": "closed"}
        )
        assert [r for _l, g in closed.context["groups"] for r in g] == [done]


@pytest.mark.parametrize("who", ["member_a", "member_b", "vendor_analyst"])
def test_the_inbox_hides_other_organisations_requests(
    cast: Cast, signed_in: Any, sr: SupportRequest, who: str
) -> None:
    response = signed_in(getattr(cast, who)).get(reverse("incidents:support_inbox"))
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert "予約サイトの障害" not in response.content.decode()


def test_the_inbox_hides_from_another_agency(
    signed_in: Any, sr: SupportRequest, other_agency: Any
) -> None:
    response = signed_in(other_agency).get(reverse("incidents:support_inbox"))
    assert response.context["groups"] == []


def test_the_inbox_answers_404_to_an_outsider(cast: Cast, signed_in: Any) -> None:
    assert signed_in(cast.outsider).get(reverse("incidents:support_inbox")).status_code == 404


def test_the_inbox_asks_to_sign_in(client: Any) -> None:
    assert client.get(reverse("incidents:support_inbox")).status_code == 302


# --- One request ---------------------------------------------------------------------------------


def test_the_agency_sees_the_case_summary_and_its_thread_only(
    cast: Cast, signed_in: Any, case: Case, sr: SupportRequest
) -> None:
    add_entry(case, EntryKind.NOTE, author=cast.analyst, body="内部メモです", audience="centre")
    add_entry(case, EntryKind.MESSAGE, author=cast.member_a, body="報告者の声", audience="reporter")
    other = ask(cast, case, cast.vendor)
    support.post_support_message(cast.analyst, other, "ベンダーへの依頼文")
    support.post_support_message(cast.analyst, sr, "機関への連絡")
    response = signed_in(cast.responder).get(url("support_detail", sr.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "予約サイトの障害" in page
    assert "攻撃元は海外のボットネットと見られます。" in page
    assert "機関への連絡" in page
    assert "検体の解析をお願いします。" in page
    for hidden in ("内部メモです", "報告者の声", "ベンダーへの依頼文", cast.vendor.name):
        assert hidden not in page
    assert response.context["may_answer"] is True
    assert response.context["may_report"] is False


def test_the_centre_and_the_auditor_see_the_request(
    cast: Cast, signed_in: Any, sr: SupportRequest
) -> None:
    centre = signed_in(cast.analyst).get(url("support_detail", sr.pk))
    assert centre.status_code == 200
    assert centre.context["may_close"] is True
    assert centre.context["may_message"] is True
    assert centre.context["may_answer"] is False
    auditor = signed_in(cast.auditor).get(url("support_detail", sr.pk))
    assert auditor.status_code == 200
    assert not any(auditor.context[k] for k in ("may_answer", "may_report", "may_message",
                                                 "may_close"))  # fmt: skip


@pytest.mark.parametrize("who", ["member_a", "member_b", "vendor_analyst", "outsider"])
def test_the_request_is_404_for_others(
    cast: Cast, signed_in: Any, sr: SupportRequest, who: str
) -> None:
    assert signed_in(getattr(cast, who)).get(url("support_detail", sr.pk)).status_code == 404


def test_the_request_is_404_for_another_agency(
    signed_in: Any, sr: SupportRequest, other_agency: Any
) -> None:
    assert signed_in(other_agency).get(url("support_detail", sr.pk)).status_code == 404


def test_after_declining_the_agency_keeps_its_answer_but_not_the_case(
    cast: Cast, signed_in: Any, sr: SupportRequest
) -> None:
    support.answer_support(cast.responder, sr, False, "対応できません")
    response = signed_in(cast.responder).get(url("support_detail", sr.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "対応できません" in page
    assert "攻撃元は海外のボットネットと見られます。" not in page
    assert response.context["case"] is None


# --- Asking for support --------------------------------------------------------------------------


def test_the_centre_asks_for_support(cast: Cast, signed_in: Any, case: Case) -> None:
    client = signed_in(cast.analyst)
    form = client.get(url("support_new", case.pk))
    assert form.status_code == 200
    choices = [o.pk for o in form.context["form"].fields["organisation"].queryset]
    assert cast.agency.pk in choices and cast.vendor.pk in choices
    assert cast.org_a.pk not in choices and cast.centre.pk not in choices
    response = client.post(
        url("support_new", case.pk),
        {"organisation": cast.agency.pk, "kinds": ["advice", "investigation"], "message": "助言を"},
    )
    sr = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("support_detail", sr.pk)
    assert sr.kinds == ["advice", "investigation"]


def test_it_refuses_a_request_without_kinds_or_to_an_operator(
    cast: Cast, signed_in: Any, case: Case
) -> None:
    client = signed_in(cast.analyst)
    response = client.post(url("support_new", case.pk), {"organisation": cast.agency.pk,
                                                         "message": "x"})  # fmt: skip
    assert response.status_code == 400
    assert "kinds" in response.context["form"].errors
    response = client.post(
        url("support_new", case.pk),
        {"organisation": cast.org_b.pk, "kinds": ["advice"], "message": "x"},
    )
    assert response.status_code == 400
    assert "organisation" in response.context["form"].errors
    assert not SupportRequest.objects.exists()


def test_the_auditor_may_not_ask(cast: Cast, signed_in: Any, case: Case) -> None:
    client = signed_in(cast.auditor)
    assert client.get(url("support_new", case.pk)).status_code == 403
    response = client.post(
        url("support_new", case.pk),
        {"organisation": cast.agency.pk, "kinds": ["advice"], "message": "x"},
    )
    assert response.status_code == 403
    assert not SupportRequest.objects.exists()


@pytest.mark.parametrize("who", ["member_a", "member_b", "responder", "vendor_analyst",
                                 "outsider"])  # fmt: skip
def test_asking_is_404_for_everyone_else(
    cast: Cast, signed_in: Any, case: Case, sr: SupportRequest, who: str
) -> None:
    response = signed_in(getattr(cast, who)).post(
        url("support_new", case.pk),
        {"organisation": cast.agency.pk, "kinds": ["advice"], "message": "x"},
    )
    assert response.status_code == 404
    assert SupportRequest.objects.count() == 1


# --- Answer, findings, messages, close -----------------------------------------------------------


def test_the_agency_accepts_sends_findings_and_writes(
    cast: Cast, signed_in: Any, case: Case, sr: SupportRequest
) -> None:
    client = signed_in(cast.responder)
    response = client.post(url("support_answer", sr.pk), {"answer": "accept", "note": "了解"})
    assert response.status_code == 302
    assert CaseParticipant.objects.filter(case=case, user=cast.responder).exists()
    response = client.post(url("support_findings", sr.pk), {"findings": "C2 を特定"})
    assert response.status_code == 302
    response = client.post(url("support_message", sr.pk), {"body": "追加の検体をください"})
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.state == SupportState.REPORTED
    assert sr.findings == "C2 を特定"
    page = client.get(url("support_detail", sr.pk)).content.decode()
    assert "追加の検体をください" in page


def test_the_agency_declines(cast: Cast, signed_in: Any, sr: SupportRequest) -> None:
    response = signed_in(cast.responder).post(url("support_answer", sr.pk), {"answer": "decline"})
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:support_inbox")
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.DECLINED


def test_a_forbidden_step_is_refused_with_a_message(
    cast: Cast, signed_in: Any, sr: SupportRequest
) -> None:
    client = signed_in(cast.responder)
    response = client.post(url("support_findings", sr.pk), {"findings": "早すぎる"})
    assert response.status_code == 400
    assert SupportRequest.objects.get(pk=sr.pk).findings == ""
    client.post(url("support_answer", sr.pk), {"answer": "decline"})
    response = client.post(url("support_answer", sr.pk), {"answer": "accept"})
    assert response.status_code == 400
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.DECLINED


def test_bad_input_is_refused(cast: Cast, signed_in: Any, sr: SupportRequest) -> None:
    client = signed_in(cast.responder)
    assert client.post(url("support_answer", sr.pk), {"answer": "maybe"}).status_code == 400
    assert client.post(url("support_message", sr.pk), {"body": " "}).status_code == 400
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.REQUESTED


def test_the_centre_writes_and_closes(cast: Cast, signed_in: Any, sr: SupportRequest) -> None:
    client = signed_in(cast.analyst)
    assert client.post(url("support_message", sr.pk), {"body": "状況は?"}).status_code == 302
    assert client.post(url("support_close", sr.pk)).status_code == 302
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.CLOSED
    assert client.post(url("support_close", sr.pk)).status_code == 400


def test_the_centre_may_not_answer_for_the_agency(
    cast: Cast, signed_in: Any, sr: SupportRequest
) -> None:
    response = signed_in(cast.analyst).post(url("support_answer", sr.pk), {"answer": "accept"})
    assert response.status_code == 403
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.REQUESTED


def test_the_auditor_only_reads(cast: Cast, signed_in: Any, sr: SupportRequest) -> None:
    client = signed_in(cast.auditor)
    assert client.post(url("support_message", sr.pk), {"body": "x"}).status_code == 403
    assert client.post(url("support_close", sr.pk)).status_code == 403
    assert client.post(url("support_answer", sr.pk), {"answer": "accept"}).status_code == 403
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.REQUESTED


@pytest.mark.parametrize("who", ["member_a", "member_b", "vendor_analyst", "outsider"])
@pytest.mark.parametrize("action", ["support_answer", "support_findings", "support_message",
                                    "support_close"])  # fmt: skip
def test_actions_are_404_for_others(
    cast: Cast, signed_in: Any, sr: SupportRequest, who: str, action: str
) -> None:
    response = signed_in(getattr(cast, who)).post(
        url(action, sr.pk), {"answer": "accept", "findings": "x", "body": "x"}
    )
    assert response.status_code == 404
    assert SupportRequest.objects.get(pk=sr.pk).state == SupportState.REQUESTED


def test_actions_are_404_for_another_agency(
    signed_in: Any, sr: SupportRequest, other_agency: Any
) -> None:
    client = signed_in(other_agency)
    assert client.post(url("support_answer", sr.pk), {"answer": "accept"}).status_code == 404
    assert client.post(url("support_message", sr.pk), {"body": "x"}).status_code == 404


def test_actions_need_post(cast: Cast, signed_in: Any, sr: SupportRequest) -> None:
    assert signed_in(cast.responder).get(url("support_answer", sr.pk)).status_code == 405
