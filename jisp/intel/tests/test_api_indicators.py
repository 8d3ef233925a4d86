"""/api/v1/intel/indicators: list, read (with related), create, change, false positive, withdraw."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent, User
from jisp.core.services import accounts
from jisp.core.testing import Cast
from jisp.intel.models import Indicator, StixObject
from jisp.intel.testing import make_indicator

LIST = "/api/v1/intel/indicators"


def bearer(user: User, scope: str = "read") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def world(cast: Cast) -> dict[str, Indicator]:
    return {
        "public": make_indicator(
            cast.centre,
            "domain",
            "olympic-live.com",
            cast.analyst,
            labels=["phishing"],
            confidence=80,
        ),
        "org_a": make_indicator(
            cast.org_a,
            "ipv4",
            "203.0.113.9",
            cast.member_a,
            tlp=TLP.AMBER,
            audience=Audience.CENTRE,
        ),
        "org_b": make_indicator(
            cast.org_b,
            "domain",
            "olympic-live.com",
            cast.member_b,
            tlp=TLP.AMBER,
            audience=Audience.ORGANISATIONS,
            organisations=[cast.org_a],
        ),
    }


def test_each_person_lists_what_they_may_see(
    client: Client, cast: Cast, world: dict[str, Indicator]
) -> None:
    expected = {
        "analyst": {"public", "org_a", "org_b"},
        "auditor": {"public", "org_a", "org_b"},
        "member_a": {"public", "org_a", "org_b"},
        "member_b": {"public", "org_b"},
        "vendor_analyst": {"public"},
        "responder": {"public"},
        "outsider": set(),
    }
    for name, wanted in expected.items():
        got = ids(client.get(LIST, headers=bearer(getattr(cast, name))))
        assert got == {world[k].pk for k in wanted}, name


def test_filters_narrow_the_list(client: Client, cast: Cast, world: dict[str, Indicator]) -> None:
    auth = bearer(cast.analyst)
    assert ids(client.get(LIST, {"kind": "ipv4"}, headers=auth)) == {world["org_a"].pk}
    assert ids(client.get(LIST, {"label": "phishing"}, headers=auth)) == {world["public"].pk}
    assert ids(client.get(LIST, {"q": "LIVE"}, headers=auth)) == {
        world["public"].pk,
        world["org_b"].pk,
    }
    assert ids(client.get(LIST, {"source": cast.org_b.pk}, headers=auth)) == {world["org_b"].pk}
    assert ids(client.get(LIST, {"tlp": "green"}, headers=auth)) == {world["public"].pk}
    response = client.get(LIST, {"sort": "confidence", "limit": 1}, headers=auth)
    assert response.json()["count"] == 3 and len(response.json()["items"]) == 1
    for bad in ({"sort": "password"}, {"kind": "md4"}, {"limit": 0}, {"since": "yesterday"}):
        assert client.get(LIST, bad, headers=auth).status_code == 422, bad


def test_a_hidden_indicator_answers_404(
    client: Client, cast: Cast, world: dict[str, Indicator]
) -> None:
    url = f"{LIST}/{world['org_a'].pk}"
    for person in (cast.member_b, cast.vendor_analyst, cast.responder):
        assert client.get(url, headers=bearer(person)).status_code == 404
    assert client.get(url).status_code == 401


def test_reading_shows_what_is_related_and_audits_amber(
    client: Client, cast: Cast, world: dict[str, Indicator]
) -> None:
    response = client.get(f"{LIST}/{world['public'].pk}", headers=bearer(cast.member_b))
    assert response.status_code == 200
    body = response.json()
    assert body["value"] == "olympic-live.com" and body["can_change"] is False
    assert "organisations" not in body or body["organisations"] is None
    assert [i["id"] for i in body["related"]["indicators"]] == [world["org_b"].pk]
    assert not AuditEvent.objects.filter(action="intel.indicator.viewed").exists()
    response = client.get(f"{LIST}/{world['org_b'].pk}", headers=bearer(cast.member_a))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="intel.indicator.viewed").count() == 1


def test_a_member_shares_an_indicator(client: Client, cast: Cast) -> None:
    payload = {
        "kind": "url",
        "value": "HTTP://Olympic-Live.com/Watch",
        "tlp": "amber",
        "audience": "sectors",
        "sectors": ["railways"],
        "labels": ["fake-stream"],
    }
    response = client.post(
        LIST, payload, content_type="application/json", headers=bearer(cast.member_a, "write")
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation"]["id"] == cast.org_a.pk
    assert body["sectors"] == ["railways"] and body["can_change"] is True
    assert StixObject.objects.filter(indicator_id=body["id"]).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "ipv4", "value": "999.1.1.1"}, "value"),
        ({"kind": "domain", "value": "x", "confidence": 101}, "confidence"),
        ({"kind": "domain", "value": "evil-test.com", "tlp": "red"}, "audience"),
        (
            {
                "kind": "domain",
                "value": "evil-test.com",
                "audience": "sectors",
                "sectors": ["nope"],
            },
            "sectors",
        ),
        ({"kind": "sha512", "value": "ab"}, "kind"),
        ({"value": "evil-test.com"}, "kind"),
    ],
)
def test_bad_input_answers_422_and_saves_nothing(
    client: Client, cast: Cast, payload: dict[str, Any], field: str
) -> None:
    response = client.post(
        LIST, payload, content_type="application/json", headers=bearer(cast.member_a, "write")
    )
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert any(field in item["loc"] for item in detail), detail
    assert all(item["msg"] for item in detail)
    assert not Indicator.objects.exists()
    assert not StixObject.objects.exists()


def test_a_read_token_does_not_write(client: Client, cast: Cast) -> None:
    response = client.post(
        LIST,
        {"kind": "domain", "value": "evil-test.com"},
        content_type="application/json",
        headers=bearer(cast.member_a),
    )
    assert response.status_code == 403
    assert not Indicator.objects.exists()


def test_changing_needs_the_source_or_the_centre(
    client: Client, cast: Cast, world: dict[str, Indicator]
) -> None:
    url = f"{LIST}/{world['org_b'].pk}"
    patch = {"confidence": 90, "labels": ["c2"]}
    # member_a sees org_b's indicator but may not change it; vendor does not see it at all.
    assert (
        client.patch(
            url, patch, content_type="application/json", headers=bearer(cast.member_a, "write")
        ).status_code
        == 403
    )
    assert (
        client.patch(
            url,
            patch,
            content_type="application/json",
            headers=bearer(cast.vendor_analyst, "write"),
        ).status_code
        == 404
    )
    response = client.patch(
        url, patch, content_type="application/json", headers=bearer(cast.member_b, "write")
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["confidence"], body["labels"]) == (90, ["c2"])
    assert body["audience"] == "organisations"  # unchanged
    assert [o["id"] for o in body["organisations"]] == [cast.org_a.pk]
    put = {"kind": "domain", "value": "olympic-live.com", "tlp": "green"}
    response = client.put(
        url, put, content_type="application/json", headers=bearer(cast.analyst, "write")
    )
    assert response.status_code == 200
    assert (response.json()["tlp"], response.json()["audience"]) == ("green", "everyone")
    assert StixObject.objects.filter(indicator=world["org_b"]).count() == 3


def test_a_bad_change_saves_nothing(
    client: Client, cast: Cast, world: dict[str, Indicator]
) -> None:
    indicator = world["org_b"]
    response = client.patch(
        f"{LIST}/{indicator.pk}",
        {"tlp": "red"},
        content_type="application/json",
        headers=bearer(cast.member_b, "write"),
    )
    assert response.status_code == 422
    indicator.refresh_from_db()
    assert indicator.tlp == TLP.AMBER
    assert StixObject.objects.filter(indicator=indicator).count() == 1


def test_false_positive_and_revoke(client: Client, cast: Cast, world: dict[str, Indicator]) -> None:
    url = f"{LIST}/{world['org_a'].pk}"
    auth = bearer(cast.admin_a, "write")
    response = client.post(
        f"{url}/false-positive", {}, content_type="application/json", headers=auth
    )
    assert response.status_code == 422
    response = client.post(
        f"{url}/false-positive",
        {"note": "自社のプロキシ"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 200
    assert (response.json()["false_positive"], response.json()["active"]) == (True, False)
    response = client.post(
        f"{url}/false-positive", {"undo": True}, content_type="application/json", headers=auth
    )
    assert response.json()["false_positive"] is False
    assert client.post(f"{url}/revoke", headers=bearer(cast.member_b, "write")).status_code == 404
    assert client.post(f"{url}/revoke", headers=bearer(cast.auditor, "write")).status_code == 403
    response = client.post(f"{url}/revoke", headers=auth)
    assert response.status_code == 200 and response.json()["revoked"] is True
    assert ids(client.get(LIST, {"active": "true"}, headers=auth)) == {
        world["public"].pk,
        world["org_b"].pk,
    }
