"""The routing rules page: the centre's staff list, add, edit and deactivate; auditors read."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.core.models import AuditEvent, Sector
from jisp.core.testing import Cast
from jisp.incidents.models import RoutingRule

URL = "/incidents/routing/"


def test_the_urls_are_named() -> None:
    assert reverse("incidents:routing_rules") == URL
    assert reverse("incidents:routing_rule_new") == URL + "new/"


def test_the_centre_adds_a_rule(cast: Cast, signed_in: Any) -> None:
    client = signed_in(cast.analyst)
    assert client.get(URL + "new/").status_code == 200
    railways = Sector.objects.get(code="railways")
    response = client.post(
        URL + "new/",
        {"name": "鉄道→所管省庁", "sector": railways.pk, "category": "", "kind": "",
         "sector_ministry": "on", "grant": "full", "is_active": "on"},
    )  # fmt: skip
    assert response["Location"] == URL
    rule = RoutingRule.objects.get()
    assert rule.sector == railways and rule.sector_ministry and rule.recipient is None
    assert AuditEvent.objects.filter(action="incidents.rule.changed").count() == 1
    page = client.get(URL)
    assert "鉄道→所管省庁" in page.content.decode()


def test_a_rule_without_a_recipient_is_refused(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.analyst).post(
        URL + "new/", {"name": "nobody", "grant": "full", "is_active": "on"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["recipient"]
    assert not RoutingRule.objects.exists()


def test_the_centre_edits_and_deactivates_a_rule(cast: Cast, signed_in: Any) -> None:
    rule = RoutingRule.objects.create(name="agency", recipient=cast.agency)
    client = signed_in(cast.commander)
    response = client.post(
        URL + f"{rule.pk}/",
        {"name": "agency (redacted)", "recipient": cast.agency.pk, "grant": "redacted",
         "category": "dos", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.grant, rule.category) == ("agency (redacted)", "redacted", "dos")
    client.post(URL + f"{rule.pk}/deactivate/")
    rule.refresh_from_db()
    assert not rule.is_active


def test_the_auditor_reads_but_cannot_change(cast: Cast, signed_in: Any) -> None:
    rule = RoutingRule.objects.create(name="agency", recipient=cast.agency)
    client = signed_in(cast.auditor)
    response = client.get(URL)
    assert response.status_code == 200
    assert "agency" in response.content.decode()
    assert not response.context["can_change"]
    assert client.get(URL + "new/").status_code == 403
    assert client.post(URL + f"{rule.pk}/", {"name": "x", "grant": "full"}).status_code == 403
    assert client.post(URL + f"{rule.pk}/deactivate/").status_code == 403
    rule.refresh_from_db()
    assert rule.is_active and rule.name == "agency"


@pytest.mark.parametrize(
    "name", ["member_a", "admin_a", "member_b", "responder", "vendor_analyst", "outsider"]
)
def test_it_does_not_exist_for_others(cast: Cast, signed_in: Any, name: str) -> None:
    rule = RoutingRule.objects.create(name="agency", recipient=cast.agency)
    client = signed_in(getattr(cast, name))
    assert client.get(URL).status_code == 404
    assert client.get(URL + "new/").status_code == 404
    assert client.post(URL + f"{rule.pk}/deactivate/").status_code == 404
    rule.refresh_from_db()
    assert rule.is_active


def test_an_unknown_rule_is_404(cast: Cast, signed_in: Any) -> None:
    assert signed_in(cast.analyst).get(URL + "999999/").status_code == 404
