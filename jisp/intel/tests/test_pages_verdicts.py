"""The verdict request pages: the centre asks, the vendor answers, the member sees what it may."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.intel.models import VerdictAnswer, VerdictRequest
from jisp.intel.services.verdicts import answer_verdict, request_verdict

pytestmark = pytest.mark.django_db

LIST = reverse("intel:verdicts")
NEW = reverse("intel:verdict_new")


def _ask(cast: Any, **options: Any) -> VerdictRequest:
    return request_verdict(
        None,
        cast.analyst,
        kind="ipv4",
        value="203.0.113.45",
        vendors=[cast.vendor],
        question="DDoSの送信元か？",
        **options,
    )


def detail(vr: VerdictRequest) -> str:
    return reverse("intel:verdict_detail", args=[vr.pk])


def test_the_centre_asks_vendors(cast: Any, signed_in: Any) -> None:
    client = signed_in(cast.analyst)
    assert client.get(NEW).status_code == 200
    response = client.post(
        NEW,
        {"kind": "domain", "value": "tokyo2020-live-stream[.]example",
         "vendors": [str(cast.vendor.pk)], "question": "偽ライブ配信？",
         "on_behalf_of": str(cast.org_a.pk), "share_with_member": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    vr = VerdictRequest.objects.get()
    assert vr.value == "tokyo2020-live-stream.example"
    assert vr.on_behalf_of == cast.org_a
    assert VerdictAnswer.objects.filter(request=vr, vendor=cast.vendor).exists()


def test_a_request_without_vendors_is_refused(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.analyst).post(NEW, {"kind": "ipv4", "value": "203.0.113.1"})
    assert response.status_code == 400
    assert not VerdictRequest.objects.exists()


def test_a_request_for_a_malformed_value_is_refused(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.analyst).post(
        NEW, {"kind": "ipv4", "value": "not an address", "vendors": [str(cast.vendor.pk)]}
    )
    assert response.status_code == 400
    assert not VerdictRequest.objects.exists()


def test_members_may_not_ask(cast: Any, signed_in: Any) -> None:
    assert signed_in(cast.member_a).get(NEW).status_code == 403
    assert signed_in(cast.vendor_analyst).get(NEW).status_code == 403
    assert signed_in(cast.outsider).get(NEW).status_code == 404


def test_the_vendor_answers(cast: Any, signed_in: Any) -> None:
    vr = _ask(cast)
    client = signed_in(cast.vendor_analyst)
    assert "203.0.113.45" in client.get(LIST).content.decode()
    page = client.get(detail(vr))
    assert page.status_code == 200 and page.context["answer_form"] is not None
    url = reverse("intel:verdict_answer", args=[vr.pk])
    response = client.post(url, {"verdict": "harmful", "confidence": "80", "notes": "Mirai C2"})
    assert response.status_code == 302
    answer = VerdictAnswer.objects.get(request=vr)
    assert (answer.verdict, answer.confidence) == ("harmful", 80)


def test_a_bad_answer_is_refused(cast: Any, signed_in: Any) -> None:
    vr = _ask(cast)
    url = reverse("intel:verdict_answer", args=[vr.pk])
    response = signed_in(cast.vendor_analyst).post(url, {"verdict": "maybe", "confidence": "500"})
    assert response.status_code == 400
    assert VerdictAnswer.objects.get(request=vr).verdict == ""


def test_the_vendor_never_sees_the_member(cast: Any, signed_in: Any) -> None:
    vr = _ask(cast, on_behalf_of=cast.org_a)
    html = signed_in(cast.vendor_analyst).get(detail(vr)).content.decode()
    assert cast.org_a.display_name not in html
    assert "combined" not in signed_in(cast.vendor_analyst).get(detail(vr)).context


def test_the_member_sees_the_answers_without_vendor_names(cast: Any, signed_in: Any) -> None:
    vr = _ask(cast, on_behalf_of=cast.org_a, share_with_member=True)
    answer_verdict(
        None, cast.vendor_analyst, vr.answers.get(), verdict="harmful", confidence=90, notes="x"
    )
    response = signed_in(cast.member_a).get(detail(vr))
    assert response.status_code == 200
    html = response.content.decode()
    assert cast.vendor.display_name not in html
    assert response.context["combined"]["verdict"] == "harmful"


def test_it_hides_from_other_orgs(cast: Any, signed_in: Any) -> None:
    vr = _ask(cast, on_behalf_of=cast.org_a)
    assert signed_in(cast.member_b).get(detail(vr)).status_code == 404
    assert "203.0.113.45" not in signed_in(cast.member_b).get(LIST).content.decode()
    hidden = _ask(cast, on_behalf_of=cast.org_a, share_with_member=False)
    assert signed_in(cast.member_a).get(detail(hidden)).status_code == 404


def test_others_may_not_answer(cast: Any, signed_in: Any) -> None:
    vr = _ask(cast, on_behalf_of=cast.org_a)
    url = reverse("intel:verdict_answer", args=[vr.pk])
    data = {"verdict": "harmless", "confidence": "10"}
    assert signed_in(cast.member_a).post(url, data).status_code == 403
    assert signed_in(cast.member_b).post(url, data).status_code == 404
    assert VerdictAnswer.objects.get(request=vr).verdict == ""


def test_the_centre_closes_a_request(cast: Any, signed_in: Any) -> None:
    vr = _ask(cast)
    url = reverse("intel:verdict_close", args=[vr.pk])
    assert signed_in(cast.vendor_analyst).post(url).status_code == 403
    assert signed_in(cast.analyst).post(url).status_code == 302
    vr.refresh_from_db()
    assert vr.state == "closed"
    assert "answer_form" not in signed_in(cast.vendor_analyst).get(detail(vr)).context
