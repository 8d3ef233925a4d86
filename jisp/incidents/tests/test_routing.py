"""One-stop routing: which rules match, who receives a report and with what grant, and what the
recipients are told."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from jisp.core import policy
from jisp.core.choices import OrganisationCategory, Role
from jisp.core.models import AuditEvent, Notification, Organisation, Sector
from jisp.core.testing import Cast, make_person
from jisp.incidents.models import ReportRecipient, RoutingRule, TimelineEntry
from jisp.incidents.notifications import REPORT_ROUTED
from jisp.incidents.services import routing
from jisp.incidents.testing import make_report


@pytest.fixture
def police(cast: Cast) -> Organisation:
    return Organisation.objects.create(
        name="警察庁テスト", name_en="Test Police", category=OrganisationCategory.LAW_ENFORCEMENT
    )


def rule(name: str = "rule", **fields: Any) -> RoutingRule:
    return RoutingRule.objects.create(name=name, **fields)


def received(report: Any) -> dict[int, str]:
    return dict(report.recipients.values_list("organisation_id", "grant"))


def railways() -> Sector:
    return Sector.objects.get(code="railways")


# --- Matching --------------------------------------------------------------------------------


def test_it_matches_rules_by_sector_category_and_kind(cast: Cast, police: Organisation) -> None:
    any_rule = rule("any", recipient=police)
    rail = rule("rail", sector=railways(), recipient=police)
    power = rule("power", sector=Sector.objects.get(code="electricity"), recipient=police)
    dos = rule("dos", category="dos", recipient=police)
    site = rule("site", category="site_unreachable", recipient=police)
    consult = rule("consult", kind="consultation", recipient=police)
    incident = rule("incident", kind="incident", recipient=police)
    rule("off", recipient=police, is_active=False)
    report = make_report(cast.member_a, category="site_unreachable")
    assert {r.pk for r in routing.matching_rules(report)} == {
        any_rule.pk,
        rail.pk,
        site.pk,
        incident.pk,
    }
    assert power not in routing.matching_rules(report)
    assert dos not in routing.matching_rules(report)
    assert consult not in routing.matching_rules(report)


def test_it_routes_to_the_ministry_in_charge_of_the_reporters_sector(cast: Cast) -> None:
    rule("ministry", sector_ministry=True)
    report = make_report(cast.member_a, route=True)
    ministry = railways().ministry
    assert ministry is not None
    assert received(report) == {ministry.pk: "full"}
    other = make_report(cast.member_b, route=True)
    assert received(other) == {Sector.objects.get(code="electricity").ministry_id: "full"}


def test_a_rule_naming_a_recipient_and_the_ministry_sends_to_both(
    cast: Cast, police: Organisation
) -> None:
    rule("both", recipient=police, sector_ministry=True, grant="redacted")
    report = make_report(cast.member_a, route=True)
    assert received(report) == {police.pk: "redacted", railways().ministry_id: "redacted"}


def test_a_full_grant_wins_over_a_redacted_one_for_the_same_organisation(
    cast: Cast, police: Organisation
) -> None:
    rule("a redacted", recipient=police, grant="redacted")
    rule("b full", sector=railways(), recipient=police, grant="full")
    report = make_report(cast.member_a, route=True)
    assert received(report) == {police.pk: "full"}
    assert ReportRecipient.objects.count() == 1


def test_it_never_routes_to_the_reporters_own_organisation(cast: Cast) -> None:
    rule("self", recipient=cast.org_a)
    report = make_report(cast.member_a, route=True)
    assert received(report) == {}


def test_it_never_routes_to_an_inactive_organisation(cast: Cast, police: Organisation) -> None:
    police.is_active = False
    police.save()
    rule("police", recipient=police)
    assert received(make_report(cast.member_a, route=True)) == {}


def test_tlp_red_routes_to_nobody(cast: Cast, police: Organisation) -> None:
    rule("police", recipient=police)
    rule("ministry", sector_ministry=True)
    report = make_report(cast.member_a, tlp="red", route=True)
    assert received(report) == {}
    assert routing.route_report(report) == []


def test_tlp_amber_strict_routes_redacted_only(cast: Cast, police: Organisation) -> None:
    rule("police", recipient=police, grant="full")
    report = make_report(cast.member_a, tlp="amber+strict", route=True)
    assert received(report) == {police.pk: "redacted"}


def test_routing_twice_changes_nothing_and_tells_nobody_twice(
    cast: Cast, police: Organisation
) -> None:
    rule("police", recipient=police)
    officer = make_person("officer@police.example", police, Role.AGENCY_RESPONDER)
    report = make_report(cast.member_a, route=True)
    assert routing.route_report(report) == []
    assert ReportRecipient.objects.filter(report=report).count() == 1
    assert Notification.objects.filter(recipient=officer, kind=REPORT_ROUTED).count() == 1
    assert AuditEvent.objects.filter(action="incidents.report.routed").count() == 1


def test_it_does_not_route_a_draft(cast: Cast, police: Organisation) -> None:
    rule("police", recipient=police)
    draft = make_report(cast.member_a, submit=False)
    assert routing.route_report(draft) == []
    assert received(draft) == {}


def test_routing_is_recorded_on_the_reporters_side_of_the_timeline(
    cast: Cast, police: Organisation
) -> None:
    rule("police", recipient=police)
    report = make_report(cast.member_a, route=True)
    entry = TimelineEntry.objects.get(case=report.case, kind="routed")
    assert entry.audience == "reporter"
    assert entry.data["recipients"][0]["organisation"] == police.pk
    event = AuditEvent.objects.get(action="incidents.report.routed")
    assert event.object_id == str(report.pk)


# --- What recipients are told --------------------------------------------------------------------


def test_a_full_recipient_is_told_the_title(cast: Cast, police: Organisation) -> None:
    rule("police", recipient=police, grant="full")
    officer = make_person("officer@police.example", police, Role.AGENCY_RESPONDER)
    report = make_report(cast.member_a, "駅の案内表示が改ざん", route=True)
    note = Notification.objects.get(recipient=officer, kind=REPORT_ROUTED)
    assert "駅の案内表示が改ざん" in note.title
    assert note.url == f"/incidents/reports/{report.pk}/"
    assert note.data == {"report": report.pk, "grant": "full"}


def test_a_redacted_recipient_learns_only_the_category_and_the_sector(
    cast: Cast, police: Organisation
) -> None:
    rule("police", recipient=police, grant="redacted")
    officer = make_person("officer@police.example", police, Role.AGENCY_RESPONDER, language="en")
    make_report(
        cast.member_a,
        "駅の案内表示が改ざん",
        category="defacement",
        description="秘密の詳細",
        route=True,
    )
    note = Notification.objects.get(recipient=officer, kind=REPORT_ROUTED)
    text = note.title + note.body + str(note.data)
    assert "Website defacement" in note.title
    assert "Railways" in note.title
    for secret in ("駅の案内表示", "秘密", cast.org_a.name, cast.org_a.name_en, "alice"):
        assert secret not in text
    assert note.data["grant"] == "redacted"


def test_members_of_other_organisations_are_not_told(cast: Cast, police: Organisation) -> None:
    rule("police", recipient=police)
    make_report(cast.member_a, route=True)
    told = set(Notification.objects.filter(kind=REPORT_ROUTED).values_list("recipient", flat=True))
    assert cast.member_b.pk not in told
    assert cast.responder.pk not in told
    assert cast.member_a2.pk not in told


# --- Sharing by hand -------------------------------------------------------------------------


def test_the_centre_shares_a_report_by_hand(cast: Cast) -> None:
    report = make_report(cast.member_a)
    row = routing.share_report(cast.analyst, report, cast.agency, "full")
    assert row.added_by == cast.analyst
    assert policy.report_grant(cast.responder, report) == "full"
    assert Notification.objects.filter(recipient=cast.responder, kind=REPORT_ROUTED).exists()
    again = routing.share_report(cast.analyst, report, cast.agency, "full")
    assert again.pk == row.pk
    assert Notification.objects.filter(recipient=cast.responder).count() == 1


def test_only_the_centre_shares_by_hand(cast: Cast) -> None:
    report = make_report(cast.member_a)
    for person in (cast.member_a, cast.auditor, cast.responder):
        with pytest.raises(PermissionDenied):
            routing.share_report(person, report, cast.agency, "full")
    assert not ReportRecipient.objects.exists()


def test_sharing_by_hand_keeps_to_the_tlp(cast: Cast) -> None:
    red = make_report(cast.member_a, tlp="red")
    with pytest.raises(ValidationError):
        routing.share_report(cast.analyst, red, cast.agency, "redacted")
    strict = make_report(cast.member_a, tlp="amber+strict")
    with pytest.raises(ValidationError):
        routing.share_report(cast.analyst, strict, cast.agency, "full")
    routing.share_report(cast.analyst, strict, cast.agency, "redacted")
    with pytest.raises(ValidationError):
        routing.share_report(cast.analyst, strict, cast.org_a, "redacted")
    draft = make_report(cast.member_a, submit=False)
    with pytest.raises(ValidationError):
        routing.share_report(cast.analyst, draft, cast.agency, "full")
    assert received(strict) == {cast.agency.pk: "redacted"}


# --- Keeping the rules -------------------------------------------------------------------


def test_a_rule_needs_a_recipient_or_the_ministry(cast: Cast) -> None:
    with pytest.raises(ValidationError):
        routing.save_rule(cast.analyst, RoutingRule(name="nobody"))
    assert not RoutingRule.objects.exists()


def test_only_the_centres_staff_keep_rules(cast: Cast) -> None:
    for person in (cast.auditor, cast.member_a, cast.responder):
        with pytest.raises(PermissionDenied):
            routing.save_rule(person, RoutingRule(name="x", recipient=cast.agency))
    saved = routing.save_rule(cast.analyst, RoutingRule(name="x", recipient=cast.agency))
    with pytest.raises(PermissionDenied):
        routing.deactivate_rule(cast.auditor, saved)
    routing.deactivate_rule(cast.analyst, saved)
    saved.refresh_from_db()
    assert not saved.is_active
    assert AuditEvent.objects.filter(action="incidents.rule.changed").count() == 2


def test_the_notification_title_is_rendered_in_each_recipients_language(
    cast: Cast, police: Organisation
) -> None:
    rule("police", recipient=police, grant="redacted")
    ja = make_person("ja@police.example", police, Role.AGENCY_RESPONDER, language="ja")
    en = make_person("en@police.example", police, Role.AGENCY_RESPONDER, language="en")
    with translation.override("en"):
        make_report(cast.member_a, category="dos", route=True)
    assert "鉄道" in Notification.objects.get(recipient=ja).title
    assert "Railways" in Notification.objects.get(recipient=en).title
