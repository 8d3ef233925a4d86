"""Drafting situation reports: periods, figures, what each kind leaves out, the workflow."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jisp.core.choices import Role
from jisp.core.models import AuditEvent, Notification
from jisp.core.testing import Cast, make_person
from jisp.incidents import notifications
from jisp.incidents.models import Case, SituationReport, SupportRequest
from jisp.incidents.services import sitreps
from jisp.incidents.testing import make_case
from jisp.sharing.testing import make_topic

JST = ZoneInfo("Asia/Tokyo")
DAY = date(2021, 7, 24)


def jst(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST)


def set_case(case: Case, **fields: Any) -> Case:
    for name, value in fields.items():
        setattr(case, name, value)
    case.save()
    return case


def mixed_cases(cast: Cast) -> dict[str, Case]:
    """Cases around the AM period of DAY (17:00 on the 23rd to 09:00 on the 24th)."""
    before = DAY - timedelta(days=1)
    return {
        # opened in the period, still open: new
        "new": make_case(cast.member_a, "駅案内サイト閲覧障害", at=jst(DAY, 2),
                         category="site_unreachable"),
        # opened in the period and resolved in it: new and closed
        "new_closed": set_case(
            make_case(cast.member_b, "Cloud mail outage", at=jst(before, 18),
                      category="cloud_outage"),
            state="resolved", resolved_at=jst(DAY, 1),
        ),
        # opened before, still open: ongoing; escalated (event impact)
        "ongoing": set_case(
            make_case(cast.member_a, "券売機システム障害", at=jst(before, 10),
                      category="system_failure"),
            state="in_progress", event_impact="yes", impact_note="競技会場の入場に遅れ",
        ),
        # opened before, closed in the period: closed
        "closed": set_case(
            make_case(cast.member_b, "DDoS on the portal", at=jst(before, 9), category="dos"),
            state="closed", closed_at=jst(DAY, 8, 59),
        ),
        # closed before the period: not in it
        "old": set_case(
            make_case(cast.member_a, "古い事案", at=jst(before, 8), category="other"),
            state="closed", closed_at=jst(before, 16, 59),
        ),
        # opened at the end of the period: not in it (the end is excluded)
        "later": make_case(cast.member_a, "後の事案", at=jst(DAY, 9), category="other"),
        # a consultation, new
        "consultation": make_case(cast.member_b, "Question on phishing", at=jst(DAY, 6),
                                  kind="consultation", category="phishing"),
    }  # fmt: skip


# --- Periods -------------------------------------------------------------------------------------


def test_it_puts_the_am_period_from_17_to_09_jst() -> None:
    start, end = sitreps.period_for("situation", DAY, "am")
    assert start == jst(DAY - timedelta(days=1), 17)
    assert end == jst(DAY, 9)
    assert end.astimezone(ZoneInfo("UTC")).hour == 0


def test_it_puts_the_pm_period_from_09_to_17_jst() -> None:
    assert sitreps.period_for("situation", DAY, "pm") == (jst(DAY, 9), jst(DAY, 17))


def test_it_puts_the_bulletin_over_the_whole_day() -> None:
    start, end = sitreps.period_for("bulletin", DAY, "day")
    assert (start, end) == (jst(DAY, 0), jst(DAY + timedelta(days=1), 0))
    assert sitreps.period_for("organiser", DAY, "day") == (start, end)


@pytest.mark.parametrize(("kind", "slot"), [("bulletin", "am"), ("situation", "day"), ("x", "am")])
def test_it_refuses_a_slot_the_kind_is_not_made_for(kind: str, slot: str) -> None:
    with pytest.raises(ValidationError):
        sitreps.period_for(kind, DAY, slot)


def test_it_counts_a_case_opened_at_the_boundary_in_the_next_period(cast: Cast) -> None:
    make_case(cast.member_a, "境界", at=jst(DAY, 9))
    am = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    pm = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "pm")
    assert am.figures["counts"]["new"] == 0
    assert pm.figures["counts"]["new"] == 1


# --- Figures -------------------------------------------------------------------------------------


def test_it_counts_the_cases_of_the_period(cast: Cast) -> None:
    cases = mixed_cases(cast)
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    f = sitrep.figures
    assert f["counts"] == {"new": 3, "ongoing": 1, "closed": 2, "total": 5}
    assert f["event_impact"] == 1
    assert f["escalated"] == 1
    assert f["consultations"] == 1
    assert f["incidents"] == 4
    assert f["by_category"] == {
        "cloud_outage": 1, "system_failure": 1, "site_unreachable": 1, "dos": 1, "phishing": 1,
    }  # fmt: skip
    assert sum(f["by_category_label"].values()) == 5
    mentioned = set(sitrep.cases.values_list("pk", flat=True))
    assert mentioned == {cases[k].pk for k in ("new", "new_closed", "ongoing", "closed",
                                               "consultation")}  # fmt: skip


def test_it_leaves_out_merged_duplicates(cast: Cast) -> None:
    into = make_case(cast.member_a, "本体", at=jst(DAY, 2))
    set_case(make_case(cast.member_a, "重複", at=jst(DAY, 3)), merged_into=into)
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    assert sitrep.figures["counts"]["new"] == 1


def test_it_counts_for_sitrep_cases_as_escalated(cast: Cast) -> None:
    set_case(make_case(cast.member_a, "報道あり", at=jst(DAY, 2)), for_sitrep=True)
    make_case(cast.member_a, "通常", at=jst(DAY, 3))
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    assert sitrep.figures["escalated"] == 1
    assert sitrep.figures["event_impact"] == 0


def test_it_counts_the_centres_activity_of_the_period(cast: Cast) -> None:
    case = make_case(cast.member_a, at=jst(DAY, 2))
    inside = SupportRequest.objects.create(
        case=case, organisation=cast.agency, kinds=["advice"], message="助言をお願いします"
    )
    outside = SupportRequest.objects.create(
        case=case, organisation=cast.vendor, kinds=["advice"], message="前日の依頼"
    )
    SupportRequest.objects.filter(pk=inside.pk).update(requested_at=jst(DAY, 3))
    SupportRequest.objects.filter(pk=outside.pk).update(requested_at=jst(DAY, 10))
    topic = make_topic(cast.analyst)
    type(topic).objects.filter(pk=topic.pk).update(published_at=jst(DAY, 4))
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    assert sitrep.figures["support_requests"] == 1
    assert sitrep.figures["topics_published"] == 1


# --- What each kind says -------------------------------------------------------------------------


def test_the_situation_report_lists_every_case_with_its_source(cast: Cast) -> None:
    mixed_cases(cast)
    body = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am").body
    for title in ("駅案内サイト閲覧障害", "Cloud mail outage", "券売機システム障害",
                  "DDoS on the portal", "Question on phishing"):  # fmt: skip
        assert title in body
    assert "古い事案" not in body and "後の事案" not in body
    assert cast.org_a.name in body
    assert "競技会場の入場に遅れ" in body  # the impact note of the escalated case


def test_the_situation_report_hides_the_source_of_strict_and_red_cases(cast: Cast) -> None:
    make_case(cast.member_a, "制限付き事案", at=jst(DAY, 2), tlp="amber+strict")
    make_case(cast.member_b, "Red case", at=jst(DAY, 3), tlp="red")
    body = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am").body
    assert "制限付き事案" in body and "Red case" in body
    assert cast.org_a.name not in body and cast.org_b.name not in body
    assert cast.org_a.name_en not in body and cast.org_b.name_en not in body
    assert cast.org_a.sector is not None
    assert cast.org_a.sector.name_ja in body  # "a member organisation of sector X"


def test_the_organiser_summary_lists_only_escalated_cases_and_no_names(cast: Cast) -> None:
    cases = mixed_cases(cast)
    set_case(cases["new"], for_sitrep=True)
    sitrep = sitreps.draft_sitrep(cast.analyst, "organiser", DAY, "am")
    assert "券売機システム障害" in sitrep.body and "駅案内サイト閲覧障害" in sitrep.body
    assert "DDoS on the portal" not in sitrep.body
    assert "Question on phishing" not in sitrep.body
    for org in (cast.org_a, cast.org_b):
        assert org.name not in sitrep.body and org.name_en not in sitrep.body
    assert set(sitrep.cases.all()) == {cases["new"], cases["ongoing"]}


def test_the_bulletin_has_only_counts_and_activity(cast: Cast) -> None:
    mixed_cases(cast)
    sitrep = sitreps.draft_sitrep(cast.analyst, "bulletin", DAY, "day")
    for case in Case.objects.all():
        assert case.title not in sitrep.body
    for org in (cast.org_a, cast.org_b):
        assert org.name not in sitrep.body and org.name_en not in sitrep.body
    assert sitrep.cases.count() == 0
    assert sitrep.figures["counts"]["new"] == 3  # the cases opened on the 24th (JST)


def test_it_escapes_markup_in_case_titles(cast: Cast) -> None:
    make_case(cast.member_a, "<script>alert(1)</script> **bold**", at=jst(DAY, 2))
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    assert "<script>" not in sitrep.body_html
    assert "<strong>bold</strong>" not in sitrep.body_html


def test_it_writes_in_the_drafters_language(cast: Cast) -> None:
    english = make_person("eve@centre.example", cast.centre, Role.ANALYST, language="en")
    sitrep = sitreps.draft_sitrep(english, "situation", DAY, "pm")
    assert sitrep.figures["language"] == "en"
    assert "Overview" in sitrep.body
    assert sitreps.draft_sitrep(None, "situation", DAY, "am").figures["language"] == "ja"


# --- Drafting again ----------------------------------------------------------------------------


def test_a_second_draft_refreshes_the_first(cast: Cast) -> None:
    first = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    make_case(cast.member_a, "追加事案", at=jst(DAY, 5))
    second = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    assert second.pk == first.pk
    assert SituationReport.objects.count() == 1
    assert second.figures["counts"]["new"] == 1
    assert "追加事案" in second.body


def test_a_refresh_keeps_the_text_someone_edited(cast: Cast) -> None:
    first = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    sitreps.update_sitrep(cast.analyst, first, title="編集済み", body="# 編集済み\n\n手書きの本文")
    make_case(cast.member_a, "追加事案", at=jst(DAY, 5))
    second = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    assert second.body == "# 編集済み\n\n手書きの本文"
    assert second.figures["counts"]["new"] == 1


def test_it_refuses_to_draft_again_once_approved(cast: Cast) -> None:
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    sitreps.approve_sitrep(cast.commander, sitrep)
    with pytest.raises(ValidationError):
        sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")


def test_drafting_stays_within_a_bounded_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    for i in range(200):
        case = make_case(
            cast.member_a if i % 2 else cast.member_b,
            f"事案 {i}",
            at=jst(DAY - timedelta(days=1), 17) + timedelta(minutes=4 * i),
            category=["dos", "cloud_outage", "system_failure", "phishing"][i % 4],
        )
        if i % 10 == 0:
            set_case(case, event_impact="yes")
        if i % 7 == 0:
            set_case(case, state="closed", closed_at=case.opened_at + timedelta(minutes=30))
    with django_assert_max_num_queries(30):
        sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    assert sitrep.figures["counts"]["total"] == 200
    assert sitrep.cases.count() == 200


# --- Who may do what -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["member_a", "admin_a", "auditor", "responder", "outsider"])
def test_only_the_centres_staff_draft(cast: Cast, name: str) -> None:
    with pytest.raises(PermissionDenied):
        sitreps.draft_sitrep(getattr(cast, name), "situation", DAY, "am")
    assert not SituationReport.objects.exists()


def test_an_analyst_drafts_but_may_not_approve(cast: Cast) -> None:
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    with pytest.raises(PermissionDenied):
        sitreps.approve_sitrep(cast.analyst, sitrep)
    sitrep.refresh_from_db()
    assert sitrep.state == "draft"


def test_the_commander_and_the_controller_approve_and_issue(cast: Cast) -> None:
    controller = make_person("ic@centre.example", cast.centre, Role.INCIDENT_CONTROLLER)
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    sitreps.approve_sitrep(controller, sitrep)
    sitrep.refresh_from_db()
    assert (sitrep.state, sitrep.approved_by) == ("approved", controller)
    sitreps.issue_sitrep(cast.commander, sitrep)
    sitrep.refresh_from_db()
    assert (sitrep.state, sitrep.issued_by) == ("issued", cast.commander)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"incidents.sitrep.drafted", "incidents.sitrep.approved",
            "incidents.sitrep.issued"} <= actions  # fmt: skip


def test_it_issues_only_approved_reports(cast: Cast) -> None:
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    with pytest.raises(ValidationError):
        sitreps.issue_sitrep(cast.commander, sitrep)


@pytest.mark.parametrize("name", ["auditor", "member_a", "analyst"])
def test_others_may_not_issue(cast: Cast, name: str) -> None:
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    sitreps.approve_sitrep(cast.commander, sitrep)
    with pytest.raises(PermissionDenied):
        sitreps.issue_sitrep(getattr(cast, name), sitrep)


def test_an_issued_report_cannot_be_edited(cast: Cast) -> None:
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    sitreps.approve_sitrep(cast.commander, sitrep)
    sitreps.issue_sitrep(cast.commander, sitrep)
    with pytest.raises(ValidationError):
        sitreps.update_sitrep(cast.analyst, sitrep, title="改ざん", body="改ざん")
    sitrep.refresh_from_db()
    assert sitrep.title != "改ざん"


def test_it_refuses_an_empty_text(cast: Cast) -> None:
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    with pytest.raises(ValidationError):
        sitreps.update_sitrep(cast.analyst, sitrep, title="  ", body="本文")


def test_a_draft_asks_the_approvers(cast: Cast) -> None:
    controller = make_person("ic@centre.example", cast.centre, Role.INCIDENT_CONTROLLER)
    sitrep = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    told = set(
        Notification.objects.filter(kind=notifications.SITREP_APPROVAL).values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {controller.pk, cast.commander.pk}
    assert Notification.objects.filter(url=f"/incidents/sitreps/{sitrep.pk}/").count() == 2
    sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")  # a refresh asks nobody again
    assert Notification.objects.filter(kind=notifications.SITREP_APPROVAL).count() == 2


def test_the_system_may_draft(cast: Cast) -> None:
    sitrep = sitreps.draft_sitrep(None, "bulletin", DAY, "day")
    assert sitrep.drafted_by is None
    assert timezone.is_aware(sitrep.period_start)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_drafts_outside_any_transaction_as_the_worker_does() -> None:
    """The worker's job calls draft_sitrep with no transaction open: the row lock it takes must
    be inside its own (PostgreSQL refuses SELECT ... FOR UPDATE outside a transaction)."""
    from jisp.core.testing import make_cast

    cast = make_cast()
    make_case(cast.member_a)
    first = sitreps.draft_sitrep(None, "situation", timezone.localdate(), "am")
    again = sitreps.draft_sitrep(cast.analyst, "situation", timezone.localdate(), "am")
    assert first.pk == again.pk
