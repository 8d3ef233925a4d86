"""/api/v1/intel/assets: list, add, remove; seen by the organisation and the centre."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jisp.core.models import AuditEvent, User
from jisp.core.services import accounts
from jisp.core.testing import Cast
from jisp.intel.models import Asset

LIST = "/api/v1/intel/assets"


def bearer(user: User, scope: str = "write") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def post(client: Client, body: Any, user: User) -> Any:
    return client.post(LIST, body, content_type="application/json", headers=bearer(user))


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_an_administrator_registers_and_removes_assets(client: Client, cast: Cast) -> None:
    response = post(client, {"kind": "domain", "value": "JR-Test.co.jp", "note": "本社"},
                    cast.admin_a)  # fmt: skip
    assert response.status_code == 201, response.content
    got = response.json()
    assert (got["value"], got["organisation"]["id"]) == ("jr-test.co.jp", cast.org_a.pk)
    response = client.delete(f"{LIST}/{got['id']}", headers=bearer(cast.admin_a))
    assert response.status_code == 204
    assert not Asset.objects.exists()
    assert AuditEvent.objects.filter(action="intel.asset.changed").count() == 2


def test_assets_are_seen_by_their_organisation_and_the_centre(client: Client, cast: Cast) -> None:
    a = Asset.objects.create(organisation=cast.org_a, kind="domain", value="jr-test.co.jp")
    b = Asset.objects.create(organisation=cast.org_b, kind="network", value="198.18.0.0/16")
    assert ids(client.get(LIST, headers=bearer(cast.member_a))) == {a.pk}
    assert ids(client.get(LIST, headers=bearer(cast.member_b))) == {b.pk}
    assert ids(client.get(LIST, headers=bearer(cast.auditor))) == {a.pk, b.pk}
    assert ids(client.get(LIST, {"organisation": cast.org_b.pk},
                          headers=bearer(cast.analyst))) == {b.pk}  # fmt: skip
    assert ids(client.get(LIST, headers=bearer(cast.vendor_analyst))) == set()
    assert client.delete(f"{LIST}/{a.pk}", headers=bearer(cast.member_b)).status_code == 404
    assert client.delete(f"{LIST}/{a.pk}", headers=bearer(cast.member_a)).status_code == 403
    assert client.delete(f"{LIST}/{a.pk}", headers=bearer(cast.auditor)).status_code == 403
    assert Asset.objects.count() == 2


def test_only_administrators_and_the_centre_add(client: Client, cast: Cast) -> None:
    body = {"kind": "domain", "value": "jr-test.co.jp"}
    assert post(client, body, cast.member_a).status_code == 403
    assert post(client, {**body, "organisation": cast.org_a.pk}, cast.member_b).status_code == 403
    assert post(client, body, cast.outsider).status_code == 403
    response = post(client, {**body, "organisation": cast.org_a.pk}, cast.analyst)
    assert response.status_code == 201
    # Without an organisation, the one the person belongs to: the centre's own.
    response = post(client, body, cast.analyst)
    assert response.json()["organisation"]["id"] == cast.centre.pk
    assert Asset.objects.count() == 2


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "domain", "value": "co.jp"},
        {"kind": "network", "value": "8.0.0.0/8"},
        {"kind": "network", "value": "192.168.0.0/24"},
        {"kind": "network", "value": "not-an-address"},
        {"kind": "host", "value": "jr-test.co.jp"},
        {"kind": "domain", "value": ""},
    ],
)
def test_bad_input_answers_422_and_saves_nothing(
    client: Client, cast: Cast, body: dict[str, Any]
) -> None:
    response = post(client, body, cast.admin_a)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["msg"]
    assert not Asset.objects.exists()
