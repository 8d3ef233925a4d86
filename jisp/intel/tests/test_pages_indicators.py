"""The indicator pages: the list, one indicator, new and change, false positive, withdrawal,
sightings — across the cast."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent
from jisp.intel.models import Indicator, Sighting, StixObject
from jisp.intel.services.sightings import SightingInput, report_sighting
from jisp.intel.testing import make_indicator

pytestmark = pytest.mark.django_db

LIST = reverse("intel:indicators")
NEW = reverse("intel:indicator_new")


def detail(indicator: Indicator) -> str:
    return reverse("intel:indicator_detail", args=[indicator.pk])


def _amber_for_a(cast: Any) -> Indicator:
    return make_indicator(
        cast.org_a, "domain", "secret-a.example", cast.member_a, tlp=TLP.AMBER,
        audience=Audience.CENTRE,
    )  # fmt: skip


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_what_the_person_may_see(cast: Any, signed_in: Any) -> None:
    make_indicator(cast.org_a, "domain", "everyone.example", cast.member_a)
    _amber_for_a(cast)
    html = signed_in(cast.member_b).get(LIST).content.decode()
    assert "everyone.example" in html
    assert "secret-a.example" not in html


def test_the_list_shows_the_centre_everything_below_red(cast: Any, signed_in: Any) -> None:
    _amber_for_a(cast)
    html = signed_in(cast.analyst).get(LIST).content.decode()
    assert "secret-a.example" in html
    assert cast.org_a.display_name in html


def test_the_list_filters_by_type_tag_and_source(cast: Any, signed_in: Any) -> None:
    make_indicator(cast.org_a, "domain", "tagged.example", cast.member_a, labels=["phishing"])
    make_indicator(cast.org_b, "ipv4", "198.51.100.9", cast.member_b)
    client = signed_in(cast.analyst)
    html = client.get(LIST, {"type": "ipv4"}).content.decode()
    assert "198.51.100.9" in html and "tagged.example" not in html
    html = client.get(LIST, {"tag": "phishing"}).content.decode()
    assert "tagged.example" in html and "198.51.100.9" not in html
    html = client.get(LIST, {"source": str(cast.org_b.pk)}).content.decode()
    assert "198.51.100.9" in html and "tagged.example" not in html


def test_the_list_refuses_bad_filters(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.member_a).get(LIST, {"since": "yesterday", "type": "nonsense"})
    assert response.status_code == 400
    assert "form-errors" in response.content.decode() or "error" in response.content.decode()


def test_the_list_counts_only_sightings_the_person_may_see(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "seen.example", cast.member_a)
    report_sighting(None, cast.member_b, indicator, SightingInput(count=5))
    page = signed_in(cast.member_a).get(LIST).context["rows"]
    assert page[0].sightings == 0
    rows = signed_in(cast.analyst).get(LIST).context["rows"]
    assert rows[0].sightings == 5


def test_outsiders_get_no_list(cast: Any, signed_in: Any) -> None:
    assert signed_in(cast.outsider).get(LIST).status_code == 404


def test_the_list_needs_a_sign_in(client: Any) -> None:
    assert client.get(LIST).status_code == 302


# --- One indicator ---------------------------------------------------------------------------


def test_it_hides_from_other_orgs(cast: Any, signed_in: Any) -> None:
    indicator = _amber_for_a(cast)
    assert signed_in(cast.member_b).get(detail(indicator)).status_code == 404
    assert signed_in(cast.vendor_analyst).get(detail(indicator)).status_code == 404


def test_it_is_shown_to_its_organisation_and_the_centre(cast: Any, signed_in: Any) -> None:
    indicator = _amber_for_a(cast)
    for person in (cast.member_a2, cast.analyst, cast.auditor):
        response = signed_in(person).get(detail(indicator))
        assert response.status_code == 200
        assert "secret-a.example" in response.content.decode()


def test_an_amber_view_is_audited(cast: Any, signed_in: Any) -> None:
    indicator = _amber_for_a(cast)
    signed_in(cast.analyst).get(detail(indicator))
    assert AuditEvent.objects.filter(
        action="intel.indicator.viewed", actor=cast.analyst, object_id=str(indicator.pk)
    ).exists()


def test_a_green_view_is_not_audited(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "green.example", cast.member_a)
    signed_in(cast.member_b).get(detail(indicator))
    assert not AuditEvent.objects.filter(action="intel.indicator.viewed").exists()


def test_the_page_shows_the_same_value_from_other_sources(cast: Any, signed_in: Any) -> None:
    ours = make_indicator(cast.org_a, "domain", "shared.example", cast.member_a)
    make_indicator(cast.org_b, "domain", "shared.example", cast.member_b)
    make_indicator(
        cast.agency, "domain", "shared.example", cast.responder, tlp=TLP.AMBER,
        audience=Audience.CENTRE,
    )  # fmt: skip
    html = signed_in(cast.member_a).get(detail(ours)).content.decode()
    assert cast.org_b.display_name in html
    assert cast.agency.display_name not in html


def test_sightings_of_others_stay_with_the_centre(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "seen.example", cast.member_a)
    report_sighting(None, cast.member_b, indicator, SightingInput(count=3, where="本社プロキシ"))
    assert "本社プロキシ" not in signed_in(cast.member_a).get(detail(indicator)).content.decode()
    assert "本社プロキシ" in signed_in(cast.analyst).get(detail(indicator)).content.decode()


def test_only_those_who_may_change_see_the_actions(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "actions.example", cast.member_a)
    edit = reverse("intel:indicator_edit", args=[indicator.pk])
    assert edit in signed_in(cast.admin_a).get(detail(indicator)).content.decode()
    assert edit not in signed_in(cast.member_b).get(detail(indicator)).content.decode()
    assert edit not in signed_in(cast.auditor).get(detail(indicator)).content.decode()


# --- New and change --------------------------------------------------------------------------


def _form(**fields: Any) -> dict[str, Any]:
    data = {"kind": "domain", "value": "new-phish.example", "confidence": "70",
            "tlp": "green", "audience": "everyone", "labels": "phishing, 偽ライブ配信",
            "share_anyway": "on"}  # fmt: skip
    data.update(fields)
    return data


def test_a_member_shares_an_indicator(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.member_a).post(
        NEW, _form(kind="url", value="hxxps://Evil[.]example/Login")
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert response["Location"] == detail(indicator)
    assert indicator.organisation == cast.org_a
    assert indicator.labels == ["phishing", "偽ライブ配信"]
    assert StixObject.objects.filter(indicator=indicator).count() == 1


def test_a_warninglisted_value_warns_before_it_is_shared(cast: Any, signed_in: Any) -> None:
    client = signed_in(cast.member_a)
    data = _form(kind="ipv4", value="8.8.8.8")
    del data["share_anyway"]
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert response.context["warnings"]
    assert "share_anyway" in response.content.decode()
    assert not Indicator.objects.exists()
    assert client.post(NEW, {**data, "share_anyway": "on"}).status_code == 302
    assert Indicator.objects.get().value == "8.8.8.8"


def test_a_malformed_value_is_refused_and_nothing_saved(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.member_a).post(NEW, _form(kind="ipv4", value="999.1.1.1"))
    assert response.status_code == 400
    assert not Indicator.objects.exists()


def test_a_refused_sharing_is_shown_on_its_field(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.member_a).post(NEW, _form(tlp="red", audience="everyone"))
    assert response.status_code == 400
    assert response.context["form"].errors.get("audience")
    assert not Indicator.objects.exists()


def test_unknown_people_are_refused(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.member_a).post(
        NEW, _form(audience="people", people="bob@power.example")
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get("people")


def test_auditors_and_outsiders_may_not_share(cast: Any, signed_in: Any) -> None:
    assert signed_in(cast.auditor).get(NEW).status_code == 403
    assert signed_in(cast.outsider).post(NEW, _form()).status_code == 403
    assert not Indicator.objects.exists()


def test_the_owner_changes_an_indicator(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "change.example", cast.member_a)
    edit = reverse("intel:indicator_edit", args=[indicator.pk])
    client = signed_in(cast.member_a)
    assert client.get(edit).status_code == 200
    response = client.post(edit, _form(value="change.example", confidence="90"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.confidence == 90
    assert indicator.stix_versions.count() == 2


def test_others_may_not_change_it(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "mine.example", cast.member_a)
    edit = reverse("intel:indicator_edit", args=[indicator.pk])
    assert signed_in(cast.member_b).post(edit, _form(value="x.example")).status_code == 403
    hidden = _amber_for_a(cast)
    hidden_edit = reverse("intel:indicator_edit", args=[hidden.pk])
    assert signed_in(cast.member_b).get(hidden_edit).status_code == 404
    indicator.refresh_from_db()
    assert indicator.value == "mine.example"


# --- False positive, withdrawal, sightings ---------------------------------------------------


def test_a_false_positive_needs_a_reason(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "fp.example", cast.member_a)
    url = reverse("intel:indicator_false_positive", args=[indicator.pk])
    client = signed_in(cast.member_a)
    assert client.post(url, {"note": ""}).status_code == 400
    indicator.refresh_from_db()
    assert not indicator.false_positive
    assert client.post(url, {"note": "当社のプロキシ"}).status_code == 302
    indicator.refresh_from_db()
    assert indicator.false_positive
    assert client.post(url, {"undo": "1"}).status_code == 302
    indicator.refresh_from_db()
    assert not indicator.false_positive


def test_the_centre_withdraws_a_member_indicator(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "withdraw.example", cast.member_a)
    url = reverse("intel:indicator_revoke", args=[indicator.pk])
    assert signed_in(cast.member_b).post(url).status_code == 403
    assert signed_in(cast.analyst).post(url).status_code == 302
    indicator.refresh_from_db()
    assert indicator.revoked


def test_a_member_reports_a_sighting_to_the_centre(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "sighted.example", cast.member_a)
    url = reverse("intel:sighting_new", args=[indicator.pk])
    data = {"count": "4", "first_seen": "2021-07-23T20:00", "where": "DNS",
            "tlp": "amber", "audience": "centre"}  # fmt: skip
    response = signed_in(cast.member_b).post(url, data)
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    assert (sighting.organisation, sighting.count, sighting.audience) == (cast.org_b, 4, "centre")


def test_a_bad_sighting_is_refused(cast: Any, signed_in: Any) -> None:
    indicator = make_indicator(cast.org_a, "domain", "sighted.example", cast.member_a)
    url = reverse("intel:sighting_new", args=[indicator.pk])
    data = {"count": "0", "first_seen": "later", "tlp": "amber", "audience": "centre"}
    assert signed_in(cast.member_b).post(url, data).status_code == 400
    future = {"count": "1", "first_seen": "2999-01-01T00:00", "tlp": "amber", "audience": "centre"}
    assert signed_in(cast.member_b).post(url, future).status_code == 400
    assert not Sighting.objects.exists()


def test_no_sighting_of_a_hidden_indicator(cast: Any, signed_in: Any) -> None:
    indicator = _amber_for_a(cast)
    url = reverse("intel:sighting_new", args=[indicator.pk])
    data = {"count": "1", "first_seen": "2021-07-23T20:00", "tlp": "amber", "audience": "centre"}
    assert signed_in(cast.member_b).post(url, data).status_code == 404
    assert not Sighting.objects.exists()


def test_the_list_costs_the_same_queries_for_more_rows(cast: Any, signed_in: Any) -> None:
    client = signed_in(cast.member_b)
    make_indicator(cast.org_a, "ipv4", "198.51.100.1", cast.member_a)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(2, 30):
        make_indicator(cast.org_a, "ipv4", f"198.51.100.{n}", cast.member_a)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST).context["rows"]) == 29
    assert len(many) == len(few)
