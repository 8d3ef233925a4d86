"""The reports list: mine (drafts and sent), received (as the grant allows), the centre's all."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.core.testing import Cast
from jisp.incidents.models import Report, RoutingRule
from jisp.incidents.testing import make_report

URL = "/incidents/reports/"


def shown(response: Any) -> set[int]:
    assert response.status_code == 200
    return {report.pk for report, _grant in response.context["rows"]}


@pytest.fixture
def world(cast: Cast) -> dict[str, Report]:
    RoutingRule.objects.create(name="agency", recipient=cast.agency, grant="full")
    RoutingRule.objects.create(name="vendor", recipient=cast.vendor, grant="redacted")
    return {
        "draft": make_report(cast.member_a, "下書きの題", submit=False),
        "sent": make_report(cast.member_a, "送った題", route=True),
        "red": make_report(cast.member_a, "赤の題", tlp="red", route=True),
        "power": make_report(cast.member_b, "電力の題", route=True),
    }


def test_the_url_is_named() -> None:
    assert reverse("incidents:report_list") == URL


def test_a_member_sees_their_organisations_reports_with_drafts(
    cast: Cast, signed_in: Any, world: dict[str, Report]
) -> None:
    response = signed_in(cast.member_a2).get(URL)
    assert shown(response) == {world["draft"].pk, world["sent"].pk, world["red"].pk}
    assert "下書きの題".encode() in response.content
    assert "電力の題".encode() not in response.content


def test_another_organisations_member_sees_none_of_them(
    cast: Cast, signed_in: Any, world: dict[str, Report]
) -> None:
    client = signed_in(cast.member_b)
    assert shown(client.get(URL)) == {world["power"].pk}
    assert shown(client.get(URL + "?tab=received")) == set()


def test_a_full_recipient_sees_titles_in_received(
    cast: Cast, signed_in: Any, world: dict[str, Report]
) -> None:
    response = signed_in(cast.responder).get(URL + "?tab=received")
    assert shown(response) == {world["sent"].pk, world["power"].pk}
    assert "送った題".encode() in response.content
    assert "赤の題".encode() not in response.content


def test_a_redacted_recipient_sees_no_title_nor_organisation(
    cast: Cast, signed_in: Any, world: dict[str, Report]
) -> None:
    response = signed_in(cast.vendor_analyst).get(URL + "?tab=received")
    assert shown(response) == {world["sent"].pk, world["power"].pk}
    for secret in ("送った題", "電力の題", cast.org_a.name, cast.org_a.name_en, cast.org_b.name):
        assert secret.encode() not in response.content


@pytest.mark.parametrize("name", ["analyst", "auditor"])
def test_the_centre_sees_every_sent_report(
    cast: Cast, signed_in: Any, world: dict[str, Report], name: str
) -> None:
    response = signed_in(getattr(cast, name)).get(URL)
    assert shown(response) == {world["sent"].pk, world["red"].pk, world["power"].pk}


def test_the_centre_filters(cast: Cast, signed_in: Any, world: dict[str, Report]) -> None:
    client = signed_in(cast.analyst)
    power = cast.org_b.sector_id
    assert shown(client.get(URL + f"?tab=all&sector={power}")) == {world["power"].pk}
    assert shown(client.get(URL + "?tab=all&category=dos")) == set()
    assert shown(client.get(URL + "?tab=all&kind=incident&channel=platform")) == {
        world["sent"].pk,
        world["red"].pk,
        world["power"].pk,
    }


def test_an_outsider_sees_nothing(cast: Cast, signed_in: Any, world: dict[str, Report]) -> None:
    assert shown(signed_in(cast.outsider).get(URL)) == set()


def test_an_unknown_tab_is_404(cast: Cast, signed_in: Any) -> None:
    assert signed_in(cast.member_a).get(URL + "?tab=all").status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client: Any) -> None:
    assert client.get(URL).status_code == 302


def test_the_list_takes_a_fixed_number_of_queries(
    cast: Cast, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    RoutingRule.objects.create(name="agency", recipient=cast.agency, grant="full")
    for i in range(20):
        make_report(cast.member_a, f"報告{i}", route=True)
        make_report(cast.member_b, f"report {i}", route=True)
    for name, tab in (("member_a", ""), ("responder", "?tab=received"), ("analyst", "")):
        client = signed_in(getattr(cast, name))
        with django_assert_max_num_queries(12):
            assert len(shown(client.get(URL + tab))) >= 20
