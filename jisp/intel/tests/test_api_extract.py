"""/api/v1/intel/indicators/extract and /bulk: find values in a text, save the reviewed ones."""

from __future__ import annotations

from typing import Any

from django.test import Client

from jisp.core.models import AuditEvent, User
from jisp.core.services import accounts
from jisp.core.testing import Cast
from jisp.intel.models import Asset, Indicator, StixObject
from jisp.intel.testing import make_indicator

EXTRACT = "/api/v1/intel/indicators/extract"
BULK = "/api/v1/intel/indicators/bulk"
TEXT = (
    "偽配信サイト hxxps://olympic-live[.]com/watch を確認。送信元 8.8.8.8 と 203.0.113.9、"
    "連絡先 info@jr-test.co.jp。hxxps://olympic-live[.]com/watch (再掲)"
)


def bearer(user: User, scope: str = "write") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def post(client: Client, url: str, body: Any, user: User) -> Any:
    return client.post(url, body, content_type="application/json", headers=bearer(user))


def test_values_are_found_with_warnings_and_known_flags_and_nothing_is_saved(
    client: Client, cast: Cast
) -> None:
    mine = make_indicator(cast.org_a, "ipv4", "203.0.113.9", cast.member_a)
    Asset.objects.create(organisation=cast.org_b, kind="domain", value="jr-test.co.jp")
    response = post(client, EXTRACT, {"text": TEXT}, cast.member_a)
    assert response.status_code == 200, response.content
    items = {item["value"]: item for item in response.json()["items"]}
    assert set(items) == {
        "https://olympic-live.com/watch", "8.8.8.8", "203.0.113.9", "info@jr-test.co.jp"
    }  # fmt: skip
    url = items["https://olympic-live.com/watch"]
    assert url["defanged"] is True and url["original"].startswith("hxxps://")
    assert items["8.8.8.8"]["warnings"] and not url["warnings"]
    assert items["203.0.113.9"]["known"] is True
    assert items["203.0.113.9"]["own_indicator"] == mine.pk
    # Another member's asset is not revealed to member_a; the centre sees it.
    assert items["info@jr-test.co.jp"]["warnings"] == []
    centre = post(client, EXTRACT, {"text": TEXT}, cast.analyst).json()["items"]
    hit = next(i for i in centre if i["value"] == "info@jr-test.co.jp")
    assert hit["warnings"] and hit["known"] is False
    assert Indicator.objects.count() == 1


def test_an_empty_or_missing_text_is_refused(client: Client, cast: Cast) -> None:
    for body in ({"text": ""}, {}, {"text": 5}):
        assert post(client, EXTRACT, body, cast.member_a).status_code == 422, body


def test_the_reviewed_values_are_saved_all_together(client: Client, cast: Cast) -> None:
    body = {"items": [
        {"kind": "url", "value": "https://olympic-live.com/watch", "tlp": "amber",
         "audience": "centre"},
        {"kind": "ipv4", "value": "203.0.113.9", "labels": ["ddos"]},
    ]}  # fmt: skip
    response = post(client, BULK, body, cast.member_a)
    assert response.status_code == 201, response.content
    assert response.json()["count"] == 2
    assert Indicator.objects.filter(organisation=cast.org_a).count() == 2
    assert AuditEvent.objects.filter(action="intel.indicator.extracted").count() == 1


def test_one_bad_value_saves_nothing_and_says_which(client: Client, cast: Cast) -> None:
    body = {"items": [
        {"kind": "ipv4", "value": "203.0.113.9"},
        {"kind": "ipv4", "value": "203.0.113.999"},
    ]}  # fmt: skip
    response = post(client, BULK, body, cast.member_a)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "items.1.value"]
    assert not Indicator.objects.exists()
    assert not StixObject.objects.exists()
    assert post(client, BULK, {"items": []}, cast.member_a).status_code == 422


def test_people_without_a_membership_or_auditors_save_nothing(client: Client, cast: Cast) -> None:
    body = {"items": [{"kind": "ipv4", "value": "203.0.113.9"}]}
    assert post(client, BULK, body, cast.outsider).status_code == 403
    assert post(client, BULK, body, cast.auditor).status_code == 403
    assert not Indicator.objects.exists()
