"""The incidents area's front page: each person's starting points, and nothing more."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from jisp.core.testing import Cast
from jisp.incidents.models import SupportRequest
from jisp.incidents.testing import make_case

URL = reverse("incidents:home")


def test_it_requires_sign_in(client: Any, cast: Cast) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("core:signin") in response["Location"]


def test_it_shows_a_member_how_to_report_and_not_the_centres_desk(
    cast: Cast, signed_in: Any
) -> None:
    make_case(cast.member_a)
    response = signed_in(cast.member_a).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("incidents:report_new") in html
    assert reverse("incidents:report_list") in html
    assert reverse("incidents:case_queue") not in html
    assert reverse("incidents:duty") not in html
    assert reverse("incidents:support_inbox") not in html
    assert response.context["counts"]["my_open_cases"] == 1
    assert "open_cases" not in response.context["counts"]


def test_it_shows_the_centre_its_desk_with_counts(cast: Cast, signed_in: Any) -> None:
    make_case(cast.member_a)
    make_case(cast.member_b, "別の事案")
    response = signed_in(cast.analyst).get(URL)
    html = response.content.decode()
    for name in ("case_queue", "escalations", "sitrep_list", "duty", "routing_rules"):
        assert reverse(f"incidents:{name}") in html
    assert response.context["counts"]["open_cases"] == 2
    assert response.context["counts"]["new_cases"] == 2


def test_it_shows_an_agency_its_support_requests(cast: Cast, signed_in: Any) -> None:
    case = make_case(cast.member_a)
    SupportRequest.objects.create(
        case=case, organisation=cast.agency, kinds=["advice"], message="解析をお願いします。",
        requested_by=cast.analyst,
    )  # fmt: skip
    response = signed_in(cast.responder).get(URL)
    assert reverse("incidents:support_inbox") in response.content.decode()
    assert response.context["counts"]["support_waiting"] == 1
    assert reverse("incidents:case_queue") not in response.content.decode()


def test_it_gives_an_auditor_reading_links_only(cast: Cast, signed_in: Any) -> None:
    html = signed_in(cast.auditor).get(URL).content.decode()
    assert reverse("incidents:case_queue") in html
    assert reverse("incidents:report_enter") not in html


def test_it_shows_a_person_without_organisation_nothing_of_anyones(
    cast: Cast, signed_in: Any
) -> None:
    make_case(cast.member_a)
    response = signed_in(cast.outsider).get(URL)
    assert response.status_code == 200
    assert response.context["counts"] == {}
    assert reverse("incidents:case_queue") not in response.content.decode()
