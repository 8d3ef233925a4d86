"""/api/v1/intel/sightings: list, read, report; the centre's active indicators."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent, User
from jisp.core.services import accounts
from jisp.core.testing import Cast
from jisp.intel.models import Indicator, Sighting
from jisp.intel.services.sightings import SightingInput, report_sighting
from jisp.intel.testing import make_indicator

LIST = "/api/v1/intel/sightings"


def bearer(user: User, scope: str = "read") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def indicator(cast: Cast) -> Indicator:
    return make_indicator(cast.centre, "ipv4", "203.0.113.9", cast.analyst)


def test_a_sighting_is_seen_by_its_organisation_and_the_centre(
    client: Client, cast: Cast, indicator: Indicator
) -> None:
    a = report_sighting(None, cast.member_a, indicator, SightingInput(count=3))
    b = report_sighting(None, cast.member_b, indicator, SightingInput())
    assert ids(client.get(LIST, headers=bearer(cast.analyst))) == {a.pk, b.pk}
    assert ids(client.get(LIST, headers=bearer(cast.member_a2))) == {a.pk}
    assert ids(client.get(LIST, headers=bearer(cast.vendor_analyst))) == set()
    assert ids(client.get(LIST, {"mine": "true"}, headers=bearer(cast.analyst))) == set()
    assert client.get(f"{LIST}/{a.pk}", headers=bearer(cast.member_b)).status_code == 404
    response = client.get(f"{LIST}/{a.pk}", headers=bearer(cast.auditor))
    assert response.status_code == 200
    assert response.json()["organisation"]["id"] == cast.org_a.pk
    assert AuditEvent.objects.filter(action="intel.sighting.viewed").count() == 1


def test_a_member_reports_a_sighting(client: Client, cast: Cast, indicator: Indicator) -> None:
    body = {"indicator": indicator.pk, "count": 40, "where": "本社プロキシ",
            "first_seen": "2021-07-24T09:00:00+09:00"}  # fmt: skip
    response = client.post(LIST, body, content_type="application/json",
                           headers=bearer(cast.member_a, "write"))  # fmt: skip
    assert response.status_code == 201, response.content
    got = response.json()
    assert (got["count"], got["tlp"], got["audience"]) == (40, "amber", "centre")
    assert got["organisation"]["id"] == cast.org_a.pk


def test_a_sighting_of_a_hidden_indicator_answers_404(client: Client, cast: Cast) -> None:
    hidden = make_indicator(cast.org_a, "ipv4", "203.0.113.9", cast.member_a, tlp=TLP.AMBER,
                            audience=Audience.CENTRE)  # fmt: skip
    response = client.post(LIST, {"indicator": hidden.pk}, content_type="application/json",
                           headers=bearer(cast.member_b, "write"))  # fmt: skip
    assert response.status_code == 404
    assert not Sighting.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"count": 0},
        {"last_seen": "2999-01-01T00:00:00Z"},
        {"tlp": "red"},
        {"audience": "organisations", "organisations": [999999]},
        {"first_seen": "2021-07-24T10:00:00Z", "last_seen": "2021-07-24T09:00:00Z"},
    ],
)
def test_bad_input_answers_422_and_saves_nothing(
    client: Client, cast: Cast, indicator: Indicator, body: dict[str, Any]
) -> None:
    response = client.post(LIST, {"indicator": indicator.pk, **body},
                           content_type="application/json",
                           headers=bearer(cast.member_a, "write"))  # fmt: skip
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["msg"]
    assert not Sighting.objects.exists()


def test_the_centre_sees_which_indicators_are_active(
    client: Client, cast: Cast, indicator: Indicator
) -> None:
    report_sighting(None, cast.member_a, indicator, SightingInput(count=3))
    report_sighting(None, cast.member_b, indicator, SightingInput())
    response = client.get(f"{LIST}/active", headers=bearer(cast.commander))
    assert response.status_code == 200
    rows = response.json()
    assert [(r["indicator"]["id"], r["organisations"], r["times_seen"]) for r in rows] == [
        (indicator.pk, 2, 4)
    ]
    assert client.get(f"{LIST}/active", headers=bearer(cast.member_a)).status_code == 403
    assert (
        client.get(f"{LIST}/active", {"days": 0}, headers=bearer(cast.analyst)).status_code == 422
    )
