"""Verdict requests: the centre asks vendors, vendors answer, the combined verdict."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from jisp.core.choices import OrganisationCategory, Role
from jisp.core.models import AuditEvent, Notification, Organisation
from jisp.core.testing import Cast, make_person
from jisp.intel.models import VerdictAnswer, VerdictRequest
from jisp.intel.notifications import VERDICT_ANSWERED, VERDICT_REQUESTED
from jisp.intel.services import verdicts as service


def ask(cast: Cast, *vendors: Organisation, **fields: Any) -> VerdictRequest:
    values: dict[str, Any] = {
        "kind": "domain", "value": "Olympic-Live.COM.", "question": "偽配信サイトですか？",
        "on_behalf_of": cast.org_a,
    }  # fmt: skip
    values.update(fields)
    return service.request_verdict(None, cast.analyst, vendors=list(vendors) or [cast.vendor],
                                   **values)  # fmt: skip


@pytest.fixture
def second_vendor(cast: Cast) -> Organisation:
    vendor = Organisation.objects.create(
        name="第二脅威情報", name_en="Second CTI", category=OrganisationCategory.VENDOR
    )
    make_person("second@cti.example", vendor, Role.VENDOR_ANALYST, name="Second analyst")
    return vendor


def test_the_centre_asks_and_the_vendors_are_told_the_value_only(
    cast: Cast, second_vendor: Organisation
) -> None:
    vr = ask(cast, cast.vendor, second_vendor)
    assert vr.value == "olympic-live.com"
    assert vr.answers.count() == 2
    assert set(vr.answers.values_list("verdict", flat=True)) == {""}
    told = Notification.objects.filter(kind=VERDICT_REQUESTED)
    assert set(told.values_list("recipient__email", flat=True)) == {
        "vendor@cti.example", "second@cti.example"
    }  # fmt: skip
    for note in told:
        assert "olympic-live.com" in note.title
        text = f"{note.title} {note.body} {note.data}"
        # Neither the member on whose behalf nor the other vendors are named.
        for secret in (cast.org_a.name, cast.org_a.name_en, "CTI", "脅威情報"):
            assert secret not in text
    assert AuditEvent.objects.filter(action="intel.verdict.requested").count() == 1


@pytest.mark.parametrize("person", ["member_a", "admin_a", "auditor", "vendor_analyst",
                                    "responder", "outsider"])  # fmt: skip
def test_only_the_centres_staff_ask(cast: Cast, person: str) -> None:
    with pytest.raises(PermissionDenied):
        service.request_verdict(None, getattr(cast, person), kind="domain",
                                value="olympic-live.com", vendors=[cast.vendor])  # fmt: skip
    assert not VerdictRequest.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "domain", "value": "not a domain"}, "value"),
        ({"kind": "nope", "value": "x"}, "kind"),
        ({"vendors": []}, "vendors"),
        ({"vendors": "org_b"}, "vendors"),
        ({"question": "x" * 5001}, "question"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_saved(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"kind": "domain", "value": "olympic-live.com",
                              "vendors": [cast.vendor]}  # fmt: skip
    values.update(fields)
    if values["vendors"] == "org_b":
        values["vendors"] = [cast.org_b]
    with pytest.raises(ValidationError) as caught:
        service.request_verdict(None, cast.analyst, **values)
    assert field in caught.value.message_dict
    assert not VerdictRequest.objects.exists()
    assert not VerdictAnswer.objects.exists()


def test_a_vendor_answers_again_until_the_centre_closes(cast: Cast) -> None:
    vr = ask(cast)
    answer = vr.answers.get()
    service.answer_verdict(None, cast.vendor_analyst, answer, verdict="harmless",
                           confidence=40, notes="")  # fmt: skip
    vr.refresh_from_db()
    assert vr.state == "answered"
    service.answer_verdict(None, cast.vendor_analyst, answer, verdict="harmful",
                           confidence=90, notes="Phishing kit")  # fmt: skip
    answer.refresh_from_db()
    assert (answer.verdict, answer.confidence, answer.answered_by) == (
        "harmful", 90, cast.vendor_analyst
    )  # fmt: skip
    assert Notification.objects.filter(kind=VERDICT_ANSWERED).count() == 4  # 2 staff x 2
    service.close_request(None, cast.commander, vr)
    with pytest.raises(ValidationError):
        service.answer_verdict(None, cast.vendor_analyst, answer, verdict="harmless",
                               confidence=10, notes="")  # fmt: skip
    answer.refresh_from_db()
    assert answer.verdict == "harmful"
    with pytest.raises(ValidationError):
        service.close_request(None, cast.commander, vr)


def test_only_the_vendors_members_answer(cast: Cast, second_vendor: Organisation) -> None:
    vr = ask(cast, cast.vendor, second_vendor)
    theirs = vr.answers.get(vendor=second_vendor)
    for person in (cast.vendor_analyst, cast.analyst, cast.auditor, cast.member_a):
        with pytest.raises(PermissionDenied):
            service.answer_verdict(None, person, theirs, verdict="harmful", confidence=1,
                                   notes="")  # fmt: skip
    assert not VerdictAnswer.objects.exclude(verdict="").exists()
    with pytest.raises(PermissionDenied):
        service.close_request(None, cast.vendor_analyst, vr)


def test_bad_answers_are_refused(cast: Cast) -> None:
    answer = ask(cast).answers.get()
    for verdict, confidence in (("maybe", 50), ("harmful", 101), ("harmful", -1)):
        with pytest.raises(ValidationError):
            service.answer_verdict(None, cast.vendor_analyst, answer, verdict=verdict,
                                   confidence=confidence, notes="")  # fmt: skip
    answer.refresh_from_db()
    assert answer.verdict == "" and answer.answered_at is None


def rows(*answers: tuple[str, int | None]) -> list[VerdictAnswer]:
    return [VerdictAnswer(verdict=v, confidence=c) for v, c in answers]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([], (None, None)),
        ([("", None)], (None, None)),
        ([("unknown", 80)], ("unknown", None)),
        ([("harmful", 80), ("harmful", 80)], ("harmful", 80)),
        ([("harmful", 80), ("harmful", 60), ("harmless", 90)], ("harmful", 47)),
        ([("harmful", 30), ("harmless", 90)], ("harmless", 45)),
        ([("harmful", 50), ("harmless", 50)], ("harmful", 25)),  # harmful wins ties
        ([("harmful", None), ("harmless", 40), ("unknown", 99)], ("harmful", 25)),
        ([("harmless", 0), ("harmful", 0)], ("harmful", 0)),
    ],
)
def test_the_combined_verdict_is_a_confidence_weighted_majority(
    answers: list[tuple[str, int | None]], expected: tuple[str | None, int | None]
) -> None:
    verdict, confidence, _counts = service.combined_verdict(VerdictRequest(), rows(*answers))
    assert (verdict, confidence) == expected


def test_the_counts_include_those_still_waiting() -> None:
    _v, _c, counts = service.combined_verdict(
        VerdictRequest(), rows(("harmful", 1), ("", None), ("unknown", 5), ("", None))
    )
    assert (counts.harmful, counts.harmless, counts.unknown, counts.waiting) == (1, 0, 1, 2)


def test_the_member_sees_numbered_vendors_and_the_centre_sees_names(
    cast: Cast, second_vendor: Organisation
) -> None:
    vr = ask(cast, cast.vendor, second_vendor)
    service.answer_verdict(None, cast.vendor_analyst, vr.answers.get(vendor=cast.vendor),
                           verdict="harmful", confidence=70, notes="C2")  # fmt: skip
    centre = service.answers_for(cast.analyst, vr)
    assert [a.vendor for a in centre] == [cast.vendor.display_name, second_vendor.display_name]
    assert centre[0].answered_by == cast.vendor_analyst.name
    with translation.override("en"):
        member = service.answers_for(cast.member_a, vr)
    assert [(a.vendor, a.verdict, a.answered_by) for a in member] == [
        ("Vendor 1", "harmful", ""), ("Vendor 2", "", "")
    ]  # fmt: skip
    vendor = service.answers_for(cast.vendor_analyst, vr)
    assert [(a.vendor, a.own, a.notes) for a in vendor] == [(cast.vendor.display_name, True,
                                                            "C2")]  # fmt: skip
