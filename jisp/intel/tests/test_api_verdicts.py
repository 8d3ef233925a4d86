"""/api/v1/intel/verdicts: the centre asks, vendors answer, each sees their part."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jisp.core.models import User
from jisp.core.services import accounts
from jisp.core.testing import Cast
from jisp.intel.models import VerdictAnswer, VerdictRequest
from jisp.intel.services import verdicts as service

LIST = "/api/v1/intel/verdicts"


def bearer(user: User, scope: str = "write") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def post(client: Client, url: str, body: Any, user: User) -> Any:
    return client.post(url, body, content_type="application/json", headers=bearer(user))


@pytest.fixture
def asked(cast: Cast) -> VerdictRequest:
    return service.request_verdict(
        None,
        cast.analyst,
        kind="domain",
        value="olympic-live.com",
        vendors=[cast.vendor],
        question="偽配信サイトですか",
        on_behalf_of=cast.org_a,
    )


def test_the_centre_asks_through_the_api(client: Client, cast: Cast) -> None:
    body = {
        "kind": "ipv4",
        "value": "203.0.113.9",
        "vendors": [cast.vendor.pk],
        "on_behalf_of": cast.org_b.pk,
        "share_with_member": False,
    }
    response = post(client, LIST, body, cast.commander)
    assert response.status_code == 201, response.content
    got = response.json()
    assert got["on_behalf_of"]["id"] == cast.org_b.pk and got["state"] == "open"
    assert [a["vendor_id"] for a in got["answers"]] == [cast.vendor.pk]
    assert got["combined"]["waiting"] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"vendors": ["org_b"]}, 422),
        ({"vendors": []}, 422),
        ({"value": "not an address"}, 422),
        ({"on_behalf_of": 999999}, 422),
        ({"indicator": 999999}, 422),
    ],
)
def test_bad_requests_answer_422_and_save_nothing(
    client: Client, cast: Cast, body: dict[str, Any], status: int
) -> None:
    payload = {"kind": "ipv4", "value": "203.0.113.9", "vendors": [cast.vendor.pk], **body}
    if payload["vendors"] == ["org_b"]:
        payload["vendors"] = [cast.org_b.pk]
    response = post(client, LIST, payload, cast.analyst)
    assert response.status_code == status, response.content
    assert not VerdictRequest.objects.exists()


def test_only_the_centre_asks(client: Client, cast: Cast) -> None:
    body = {"kind": "ipv4", "value": "203.0.113.9", "vendors": [cast.vendor.pk]}
    for person in (cast.member_a, cast.vendor_analyst, cast.auditor):
        assert post(client, LIST, body, person).status_code == 403
    assert not VerdictRequest.objects.exists()


def test_each_person_sees_their_part(client: Client, cast: Cast, asked: VerdictRequest) -> None:
    url = f"{LIST}/{asked.pk}"
    response = post(
        client,
        f"{url}/answer",
        {"verdict": "harmful", "confidence": 85, "notes": "Phishing kit"},
        cast.vendor_analyst,
    )
    assert response.status_code == 200, response.content
    vendor = response.json()
    assert "on_behalf_of" not in vendor and "combined" not in vendor and "indicator" not in vendor
    assert [(a["vendor"], a["own"], a["verdict"]) for a in vendor["answers"]] == [
        (cast.vendor.name_en, True, "harmful")
    ]  # vendor_analyst reads English
    member = client.get(url, headers={**bearer(cast.member_a2), "Accept-Language": "en"}).json()
    assert "on_behalf_of" not in member
    assert [(a["vendor"], a["vendor_id"], a["answered_by"]) for a in member["answers"]] == [
        ("Vendor 1", None, "")
    ]
    assert member["combined"]["verdict"] == "harmful" and member["combined"]["confidence"] == 85
    centre = client.get(url, headers=bearer(cast.auditor)).json()
    assert centre["answers"][0]["answered_by"] == cast.vendor_analyst.name
    assert centre["on_behalf_of"]["id"] == cast.org_a.pk
    for person in (cast.member_b, cast.responder, cast.outsider):
        assert client.get(url, headers=bearer(person)).status_code == 404
    listed = client.get(LIST, headers=bearer(cast.member_b)).json()
    assert listed["count"] == 0


def test_answers_and_closing_are_checked(client: Client, cast: Cast, asked: VerdictRequest) -> None:
    url = f"{LIST}/{asked.pk}"
    answer = {"verdict": "harmless", "confidence": 30}
    assert post(client, f"{url}/answer", answer, cast.member_a).status_code == 403
    assert post(client, f"{url}/answer", answer, cast.analyst).status_code == 403
    assert post(client, f"{url}/answer", answer, cast.member_b).status_code == 404
    bad = post(client, f"{url}/answer", {"verdict": "evil"}, cast.vendor_analyst)
    assert bad.status_code == 422
    assert (
        post(
            client, f"{url}/answer", {"verdict": "harmless", "confidence": 101}, cast.vendor_analyst
        ).status_code
        == 422
    )
    assert not VerdictAnswer.objects.exclude(verdict="").exists()
    assert post(client, f"{url}/close", {}, cast.vendor_analyst).status_code == 403
    closed = post(client, f"{url}/close", {}, cast.analyst)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    late = post(client, f"{url}/answer", answer, cast.vendor_analyst)
    assert late.status_code == 422
    assert post(client, f"{url}/close", {}, cast.analyst).status_code == 422
