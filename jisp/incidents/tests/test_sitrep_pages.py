"""The situation-report pages: list, new draft, detail, edit, approve, issue, recipients,
escalations — across the roles of the cast."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from jisp.core.choices import Role
from jisp.core.models import AuditEvent
from jisp.core.testing import Cast, make_person
from jisp.incidents.models import SitrepRecipient, SituationReport
from jisp.incidents.services import sitreps
from jisp.incidents.testing import make_case
from jisp.incidents.tests.test_sitrep_services import jst, set_case

DAY = date(2021, 7, 24)
NOT_CENTRE = ["member_a", "admin_a", "member_b", "responder", "vendor_analyst"]


def draft(cast: Cast, kind: str = "situation", slot: str = "am") -> SituationReport:
    return sitreps.draft_sitrep(cast.analyst, kind, DAY, slot)


def issued(cast: Cast, kind: str = "bulletin", slot: str = "day") -> SituationReport:
    sitrep = draft(cast, kind, slot)
    sitreps.approve_sitrep(cast.commander, sitrep)
    return sitreps.issue_sitrep(cast.commander, sitrep)


# --- List and new drafts -------------------------------------------------------------------------


def test_it_lists_every_report_for_the_centre(cast: Cast, signed_in: Any) -> None:
    a, b = draft(cast), draft(cast, "bulletin", "day")
    for name in ("analyst", "auditor", "commander"):
        response = signed_in(getattr(cast, name)).get(reverse("incidents:sitrep_list"))
        assert response.status_code == 200
        assert {s.pk for s, _day in response.context["rows"]} == {a.pk, b.pk}


def test_it_filters_by_kind_and_state(cast: Cast, signed_in: Any) -> None:
    draft(cast)
    bulletin = issued(cast)
    client = signed_in(cast.analyst)
    response = client.get(reverse("incidents:sitrep_list"), {"kind": "bulletin"})
    assert [s.pk for s, _day in response.context["rows"]] == [bulletin.pk]
    response = client.get(reverse("incidents:sitrep_list"), {"state": "draft"})
    assert [s.kind for s, _day in response.context["rows"]] == ["situation"]


@pytest.mark.parametrize("name", NOT_CENTRE)
def test_members_see_only_issued_bulletins(cast: Cast, signed_in: Any, name: str) -> None:
    draft(cast)
    draft(cast, "bulletin", "day")
    response = signed_in(getattr(cast, name)).get(reverse("incidents:sitrep_list"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert reverse("incidents:sitrep_new").encode() not in response.content


def test_members_list_issued_bulletins(cast: Cast, signed_in: Any) -> None:
    bulletin = issued(cast)
    draft(cast)
    response = signed_in(cast.member_a).get(reverse("incidents:sitrep_list"))
    assert [s.pk for s, _day in response.context["rows"]] == [bulletin.pk]


def test_it_hides_the_list_from_outsiders(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.outsider).get(reverse("incidents:sitrep_list"))
    assert response.status_code == 404


def test_the_list_stays_within_a_bounded_number_of_queries(
    cast: Cast, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 21):
        sitreps.draft_sitrep(cast.analyst, "situation", date(2021, 7, day), "am")
    client = signed_in(cast.analyst)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("incidents:sitrep_list"))
    assert len(response.context["rows"]) == 20


def test_an_analyst_drafts_from_the_list(cast: Cast, signed_in: Any) -> None:
    make_case(cast.member_a, "券売機システム障害", at=jst(DAY, 2))
    response = signed_in(cast.analyst).post(
        reverse("incidents:sitrep_new"), {"kind": "situation", "day": "2021-07-24", "slot": "am"}
    )
    sitrep = SituationReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:sitrep_detail", args=[sitrep.pk])
    assert sitrep.drafted_by == cast.analyst
    assert "券売機システム障害" in sitrep.body


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "bulletin", "day": "2021-07-24", "slot": "am"},
        {"kind": "situation", "day": "2099-01-01", "slot": "am"},
        {"kind": "nonsense", "day": "2021-07-24", "slot": "am"},
        {"kind": "situation", "day": "yesterday", "slot": "am"},
    ],
)
def test_it_refuses_a_bad_draft(cast: Cast, signed_in: Any, data: dict[str, str]) -> None:
    response = signed_in(cast.analyst).post(reverse("incidents:sitrep_new"), data)
    assert response.status_code == 400
    assert not SituationReport.objects.exists()


def test_it_refuses_to_draft_again_an_approved_report(cast: Cast, signed_in: Any) -> None:
    sitreps.approve_sitrep(cast.commander, draft(cast))
    response = signed_in(cast.analyst).post(
        reverse("incidents:sitrep_new"), {"kind": "situation", "day": "2021-07-24", "slot": "am"}
    )
    assert response.status_code == 400
    assert response.context["draft_form"].non_field_errors()


def test_the_auditor_may_not_draft(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.auditor).post(
        reverse("incidents:sitrep_new"), {"kind": "situation", "day": "2021-07-24", "slot": "am"}
    )
    assert response.status_code == 403
    assert not SituationReport.objects.exists()


@pytest.mark.parametrize("name", [*NOT_CENTRE, "outsider"])
def test_it_hides_drafting_from_others(cast: Cast, signed_in: Any, name: str) -> None:
    response = signed_in(getattr(cast, name)).post(
        reverse("incidents:sitrep_new"), {"kind": "bulletin", "day": "2021-07-24", "slot": "day"}
    )
    assert response.status_code == 404
    assert not SituationReport.objects.exists()


# --- Detail --------------------------------------------------------------------------------------


def test_the_detail_shows_the_buttons_the_person_may_use(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast)
    url = reverse("incidents:sitrep_detail", args=[sitrep.pk])
    analyst = signed_in(cast.analyst).get(url)
    assert (analyst.context["can_edit"], analyst.context["can_approve"]) == (True, False)
    commander = signed_in(cast.commander).get(url)
    assert commander.context["can_approve"] is True
    assert reverse("incidents:sitrep_approve", args=[sitrep.pk]).encode() in commander.content
    auditor = signed_in(cast.auditor).get(url)
    assert auditor.status_code == 200
    assert not any(auditor.context[k] for k in ("can_edit", "can_approve", "can_issue"))


def test_reading_a_situation_report_is_audited(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast)
    signed_in(cast.auditor).get(reverse("incidents:sitrep_detail", args=[sitrep.pk]))
    event = AuditEvent.objects.get(action="incidents.sitrep.viewed")
    assert (event.actor_id, event.tlp) == (cast.auditor.pk, "amber")


def test_reading_a_bulletin_is_not_audited(cast: Cast, signed_in: Any) -> None:
    sitrep = issued(cast)
    signed_in(cast.member_a).get(reverse("incidents:sitrep_detail", args=[sitrep.pk]))
    assert not AuditEvent.objects.filter(action="incidents.sitrep.viewed").exists()


@pytest.mark.parametrize("name", [*NOT_CENTRE, "outsider"])
def test_it_hides_situation_reports_from_members(cast: Cast, signed_in: Any, name: str) -> None:
    sitrep = issued(cast, "situation", "am")
    client = signed_in(getattr(cast, name))
    for view in ("sitrep_detail", "sitrep_pdf", "sitrep_markdown", "sitrep_edit"):
        assert client.get(reverse(f"incidents:{view}", args=[sitrep.pk])).status_code == 404


@pytest.mark.parametrize("name", NOT_CENTRE)
def test_members_read_an_issued_bulletin(cast: Cast, signed_in: Any, name: str) -> None:
    sitrep = issued(cast)
    response = signed_in(getattr(cast, name)).get(
        reverse("incidents:sitrep_detail", args=[sitrep.pk])
    )
    assert response.status_code == 200
    assert cast.analyst.name.encode() not in response.content  # who drafted stays inside


def test_members_do_not_read_a_bulletin_before_it_is_issued(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast, "bulletin", "day")
    response = signed_in(cast.member_a).get(reverse("incidents:sitrep_detail", args=[sitrep.pk]))
    assert response.status_code == 404
    assert signed_in(cast.outsider).get(response.request["PATH_INFO"]).status_code == 404


# --- Edit ----------------------------------------------------------------------------------------


def test_an_analyst_edits_a_draft(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast)
    url = reverse("incidents:sitrep_edit", args=[sitrep.pk])
    client = signed_in(cast.analyst)
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "AM報告（修正）", "body": "# 見出し\n\n- 項目"})
    assert response.status_code == 302
    sitrep.refresh_from_db()
    assert sitrep.title == "AM報告（修正）"
    assert "<li>項目</li>" in sitrep.body_html


def test_it_refuses_an_empty_edit(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast)
    response = signed_in(cast.analyst).post(
        reverse("incidents:sitrep_edit", args=[sitrep.pk]), {"title": "", "body": ""}
    )
    assert response.status_code == 400


def test_the_auditor_may_not_edit(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast)
    response = signed_in(cast.auditor).post(
        reverse("incidents:sitrep_edit", args=[sitrep.pk]), {"title": "x", "body": "y"}
    )
    assert response.status_code == 403


def test_an_issued_report_cannot_be_edited(cast: Cast, signed_in: Any) -> None:
    sitrep = issued(cast, "situation", "am")
    before = sitrep.body
    response = signed_in(cast.analyst).post(
        reverse("incidents:sitrep_edit", args=[sitrep.pk]), {"title": "x", "body": "y"}
    )
    assert response.status_code == 302
    sitrep.refresh_from_db()
    assert sitrep.body == before


# --- Approve and issue ---------------------------------------------------------------------------


def test_the_commander_approves_then_issues(
    cast: Cast, signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    SitrepRecipient.objects.create(kind="situation", name="調整センター", email="scc@gov.example")
    sitrep = draft(cast)
    client = signed_in(cast.commander)
    assert client.post(reverse("incidents:sitrep_approve", args=[sitrep.pk])).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:sitrep_issue", args=[sitrep.pk]))
    assert response.status_code == 302
    sitrep.refresh_from_db()
    assert sitrep.state == "issued"
    assert [m.to for m in mail.outbox if m.attachments] == [["scc@gov.example"]]


def test_the_controller_approves(cast: Cast, signed_in: Any) -> None:
    controller = make_person("ic@centre.example", cast.centre, Role.INCIDENT_CONTROLLER)
    sitrep = draft(cast)
    response = signed_in(controller).post(reverse("incidents:sitrep_approve", args=[sitrep.pk]))
    assert response.status_code == 302
    sitrep.refresh_from_db()
    assert sitrep.state == "approved"


@pytest.mark.parametrize("name", ["analyst", "auditor"])
def test_others_of_the_centre_may_not_approve(cast: Cast, signed_in: Any, name: str) -> None:
    sitrep = draft(cast)
    client = signed_in(getattr(cast, name))
    assert client.post(reverse("incidents:sitrep_approve", args=[sitrep.pk])).status_code == 403
    sitrep.refresh_from_db()
    assert sitrep.state == "draft"


def test_approving_is_a_post(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast)
    client = signed_in(cast.commander)
    assert client.get(reverse("incidents:sitrep_approve", args=[sitrep.pk])).status_code == 405


def test_it_warns_when_a_report_went_to_nobody(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast)
    sitreps.approve_sitrep(cast.commander, sitrep)
    response = signed_in(cast.commander).post(
        reverse("incidents:sitrep_issue", args=[sitrep.pk]), follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_it_refuses_to_issue_a_draft(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast)
    response = signed_in(cast.commander).post(reverse("incidents:sitrep_issue", args=[sitrep.pk]))
    assert response.status_code == 400
    sitrep.refresh_from_db()
    assert sitrep.state == "draft"


@pytest.mark.parametrize("name", NOT_CENTRE)
def test_members_may_not_approve_or_issue(cast: Cast, signed_in: Any, name: str) -> None:
    sitrep = draft(cast, "bulletin", "day")
    client = signed_in(getattr(cast, name))
    for view in ("sitrep_approve", "sitrep_issue"):
        assert client.post(reverse(f"incidents:{view}", args=[sitrep.pk])).status_code == 404


# --- Recipients ----------------------------------------------------------------------------------


def test_the_centre_adds_and_turns_off_recipients(cast: Cast, signed_in: Any) -> None:
    client = signed_in(cast.analyst)
    url = reverse("incidents:sitrep_recipients")
    response = client.post(url, {"kind": "situation", "name": "調整センター",
                                 "email": "SCC@gov.example"})  # fmt: skip
    assert response.status_code == 302
    recipient = SitrepRecipient.objects.get()
    assert (recipient.email, recipient.is_active) == ("scc@gov.example", True)
    client.post(url, {"recipient": recipient.pk, "active": "0"})
    recipient.refresh_from_db()
    assert recipient.is_active is False
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="incidents.sitrep_recipient.changed").count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "bulletin", "name": "全員", "email": "all@example.org"},
        {"kind": "situation", "name": "x", "email": "not-an-address"},
        {"recipient": "abc", "active": "0"},
    ],
)
def test_it_refuses_bad_recipients(cast: Cast, signed_in: Any, data: dict[str, str]) -> None:
    response = signed_in(cast.analyst).post(reverse("incidents:sitrep_recipients"), data)
    assert response.status_code in (400, 404)
    assert not SitrepRecipient.objects.exists()


def test_the_auditor_reads_the_recipients_but_may_not_change_them(
    cast: Cast, signed_in: Any
) -> None:
    client = signed_in(cast.auditor)
    url = reverse("incidents:sitrep_recipients")
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "situation", "name": "x", "email": "x@gov.example"})
    assert response.status_code == 403
    assert not SitrepRecipient.objects.exists()


@pytest.mark.parametrize("name", [*NOT_CENTRE, "outsider"])
def test_it_hides_the_recipients_from_others(cast: Cast, signed_in: Any, name: str) -> None:
    response = signed_in(getattr(cast, name)).get(reverse("incidents:sitrep_recipients"))
    assert response.status_code == 404


# --- Escalations ---------------------------------------------------------------------------------


def test_it_proposes_open_cases_with_impact_or_awareness(cast: Cast, signed_in: Any) -> None:
    impact = set_case(make_case(cast.member_a, "大会影響あり"), event_impact="yes")
    media = set_case(make_case(cast.member_a, "報道あり"), public_awareness="yes")
    marked = set_case(make_case(cast.member_b, "Marked"), for_sitrep=True)
    set_case(make_case(cast.member_a, "終結済み"), event_impact="yes", state="closed")
    make_case(cast.member_a, "通常の事案")
    response = signed_in(cast.commander).get(reverse("incidents:escalations"))
    assert response.status_code == 200
    assert {c.pk for c in response.context["cases"]} == {impact.pk, media.pk, marked.pk}
    assert reverse("incidents:case_detail", args=[impact.pk]).encode() in response.content


def test_the_auditor_sees_the_escalations(cast: Cast, signed_in: Any) -> None:
    assert signed_in(cast.auditor).get(reverse("incidents:escalations")).status_code == 200


@pytest.mark.parametrize("name", [*NOT_CENTRE, "outsider"])
def test_it_hides_the_escalations_from_others(cast: Cast, signed_in: Any, name: str) -> None:
    set_case(make_case(cast.member_a, "大会影響あり"), event_impact="yes")
    response = signed_in(getattr(cast, name)).get(reverse("incidents:escalations"))
    assert response.status_code == 404


def test_the_escalations_stay_within_a_bounded_number_of_queries(
    cast: Cast, signed_in: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        set_case(make_case(cast.member_a, f"事案 {i}"), for_sitrep=True)
    client = signed_in(cast.analyst)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("incidents:escalations"))
    assert len(response.context["cases"]) == 30
