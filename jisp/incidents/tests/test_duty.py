"""The duty log: shifts (no overlap for one person), who is on duty, handover notes; the page
across roles."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jisp.core.choices import Role
from jisp.core.models import AuditEvent, User
from jisp.core.testing import Cast, make_person
from jisp.incidents.models import DutyShift
from jisp.incidents.services import duty

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2021, 7, 24, 10, 0, tzinfo=JST)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def controller(cast: Cast) -> User:
    return make_person("ic@centre.example", cast.centre, Role.INCIDENT_CONTROLLER, name="小川 司")


def hours(n: float) -> datetime:
    return NOW + timedelta(hours=n)


def test_the_controller_adds_a_shift(cast: Cast, controller: User) -> None:
    shift = duty.add_shift(controller, cast.analyst, "incident_handler", hours(-1), hours(7))
    assert shift.created_by == controller
    assert list(duty.on_duty()) == [shift]
    assert list(duty.on_duty(hours(8))) == []
    assert AuditEvent.objects.filter(action="incidents.duty.changed").count() == 1


def test_the_commander_adds_a_shift_too(cast: Cast) -> None:
    shift = duty.add_shift(cast.commander, cast.commander, "commander", hours(0), hours(12))
    assert shift.role == "commander"


@pytest.mark.parametrize("who", ["analyst", "auditor", "member_a", "responder", "outsider"])
def test_others_may_not_plan(cast: Cast, who: str) -> None:
    with pytest.raises(PermissionDenied):
        duty.add_shift(getattr(cast, who), cast.analyst, "duty_officer", hours(0), hours(8))
    assert not DutyShift.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "member_a", "responder", "outsider"])
def test_only_the_centre_staff_are_put_on_duty(cast: Cast, controller: User, who: str) -> None:
    with pytest.raises(ValidationError) as error:
        duty.add_shift(controller, getattr(cast, who), "duty_officer", hours(0), hours(8))
    assert "person" in error.value.message_dict


def test_it_refuses_inverted_long_and_unknown_role_shifts(cast: Cast, controller: User) -> None:
    with pytest.raises(ValidationError) as error:
        duty.add_shift(controller, cast.analyst, "duty_officer", hours(8), hours(8))
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        duty.add_shift(controller, cast.analyst, "duty_officer", hours(0), hours(25))
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        duty.add_shift(controller, cast.analyst, "chef", hours(0), hours(8))
    assert "role" in error.value.message_dict
    assert not DutyShift.objects.exists()


def test_it_refuses_overlapping_shifts_of_one_person(cast: Cast, controller: User) -> None:
    duty.add_shift(controller, cast.analyst, "incident_handler", hours(0), hours(8))
    for start, end in [(-2, 1), (7, 10), (1, 2), (-1, 9)]:
        with pytest.raises(ValidationError) as error:
            duty.add_shift(controller, cast.analyst, "duty_officer", hours(start), hours(end))
        assert "starts_at" in error.value.message_dict
    # Back to back is fine, and another person may overlap.
    duty.add_shift(controller, cast.analyst, "duty_officer", hours(8), hours(16))
    duty.add_shift(controller, cast.commander, "commander", hours(0), hours(8))
    assert DutyShift.objects.count() == 3


def test_the_person_hands_over(cast: Cast, controller: User) -> None:
    shift = duty.add_shift(controller, cast.analyst, "duty_officer", hours(-8), hours(0))
    duty.hand_over(cast.analyst, shift, "事案#12 は報告者の回答待ち")
    shift.refresh_from_db()
    assert shift.handover_note == "事案#12 は報告者の回答待ち"
    assert shift.handed_over_at == NOW
    with pytest.raises(ValidationError):
        duty.hand_over(cast.analyst, shift, "もう一度")


def test_the_controller_hands_over_for_someone(cast: Cast, controller: User) -> None:
    shift = duty.add_shift(controller, cast.analyst, "duty_officer", hours(-8), hours(0))
    duty.hand_over(controller, shift, "引継ぎ")
    assert DutyShift.objects.get(pk=shift.pk).handover_note == "引継ぎ"


@pytest.mark.parametrize("who", ["commander_is_fine", "auditor", "member_a", "outsider"])
def test_others_may_not_hand_over(cast: Cast, controller: User, who: str) -> None:
    shift = duty.add_shift(controller, cast.analyst, "duty_officer", hours(-8), hours(0))
    if who == "commander_is_fine":
        duty.hand_over(cast.commander, shift, "ok")
        return
    other = make_person("ho@centre.example", cast.centre, Role.DUTY_OFFICER)
    with pytest.raises(PermissionDenied):
        duty.hand_over(other, shift, "x")
    with pytest.raises(PermissionDenied):
        duty.hand_over(getattr(cast, who), shift, "x")
    assert DutyShift.objects.get(pk=shift.pk).handover_note == ""


def test_it_refuses_an_empty_note_and_a_shift_not_started(cast: Cast, controller: User) -> None:
    later = duty.add_shift(controller, cast.analyst, "duty_officer", hours(2), hours(10))
    with pytest.raises(ValidationError):
        duty.hand_over(cast.analyst, later, "早すぎる")
    now = duty.add_shift(controller, cast.commander, "commander", hours(-1), hours(2))
    with pytest.raises(ValidationError):
        duty.hand_over(cast.commander, now, "   ")
    assert not DutyShift.objects.exclude(handover_note="").exists()


# --- The page ------------------------------------------------------------------------------------


@pytest.fixture
def log(cast: Cast, controller: User) -> dict[str, DutyShift]:
    return {
        "now": duty.add_shift(controller, cast.analyst, "incident_handler", hours(-2), hours(6)),
        "next": duty.add_shift(controller, cast.commander, "commander", hours(20), hours(30)),
        "far": duty.add_shift(controller, cast.commander, "commander", hours(60), hours(70)),
        "past": duty.add_shift(
            controller, controller, "incident_controller", hours(-30), hours(-20)
        ),
        "old": duty.add_shift(
            controller, controller, "incident_controller", hours(-200), hours(-190)
        ),
    }


def test_the_page_shows_now_next_and_past(
    cast: Cast, signed_in: Any, log: dict[str, DutyShift], django_assert_max_num_queries: Any
) -> None:
    duty.hand_over(log["past"].person, log["past"], "昨夜は平穏")
    for who in ("analyst", "auditor"):
        client = signed_in(getattr(cast, who))
        with django_assert_max_num_queries(12):
            response = client.get(reverse("incidents:duty"))
        assert response.status_code == 200
        assert response.context["current"] == [log["now"]]
        assert response.context["coming"] == [log["next"]]
        assert response.context["past"] == [log["past"]]
        assert "昨夜は平穏" in response.content.decode()
        assert response.context["planner"] is False


@pytest.mark.parametrize("who", ["member_a", "member_b", "responder", "vendor_analyst", "outsider"])
def test_the_page_is_404_outside_the_centre(cast: Cast, signed_in: Any, who: str) -> None:
    assert signed_in(getattr(cast, who)).get(reverse("incidents:duty")).status_code == 404


def test_the_controller_adds_a_shift_on_the_page(
    cast: Cast, signed_in: Any, controller: User
) -> None:
    client = signed_in(controller)
    assert client.get(reverse("incidents:duty")).context["planner"] is True
    response = client.post(
        reverse("incidents:duty"),
        {"person": cast.analyst.pk, "role": "duty_officer",
         "starts_at": "2021-07-24T18:00", "ends_at": "2021-07-25T02:00"},
    )  # fmt: skip
    assert response.status_code == 302
    shift = DutyShift.objects.get()
    assert shift.starts_at == datetime(2021, 7, 24, 18, 0, tzinfo=JST)


def test_the_page_shows_an_overlap_error(cast: Cast, signed_in: Any, controller: User) -> None:
    duty.add_shift(controller, cast.analyst, "duty_officer", hours(0), hours(8))
    response = signed_in(controller).post(
        reverse("incidents:duty"),
        {"person": cast.analyst.pk, "role": "duty_officer",
         "starts_at": "2021-07-24T12:00", "ends_at": "2021-07-24T20:00"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "starts_at" in response.context["shift_form"].errors
    assert DutyShift.objects.count() == 1


def test_the_page_refuses_an_outsider_in_the_person_list(
    cast: Cast, signed_in: Any, controller: User
) -> None:
    response = signed_in(controller).post(
        reverse("incidents:duty"),
        {"person": cast.member_a.pk, "role": "duty_officer",
         "starts_at": "2021-07-24T12:00", "ends_at": "2021-07-24T20:00"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not DutyShift.objects.exists()


@pytest.mark.parametrize("who", ["analyst", "auditor"])
def test_others_may_not_add_shifts_on_the_page(cast: Cast, signed_in: Any, who: str) -> None:
    response = signed_in(getattr(cast, who)).post(
        reverse("incidents:duty"),
        {"person": cast.analyst.pk, "role": "duty_officer",
         "starts_at": "2021-07-24T12:00", "ends_at": "2021-07-24T20:00"},
    )  # fmt: skip
    assert response.status_code == 403
    assert not DutyShift.objects.exists()


def test_the_person_hands_over_on_the_page(
    cast: Cast, signed_in: Any, log: dict[str, DutyShift]
) -> None:
    client = signed_in(cast.analyst)
    page = client.get(reverse("incidents:duty"))
    assert reverse("incidents:duty_handover", args=[log["now"].pk]) in page.content.decode()
    url = reverse("incidents:duty_handover", args=[log["now"].pk])
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "引継ぎ事項"}).status_code == 302
    assert DutyShift.objects.get(pk=log["now"].pk).handover_note == "引継ぎ事項"
    assert client.post(url, {"note": "二度目"}).status_code == 400


@pytest.mark.parametrize("who", ["auditor", "member_a", "outsider"])
def test_others_may_not_hand_over_on_the_page(
    cast: Cast, signed_in: Any, log: dict[str, DutyShift], who: str
) -> None:
    url = reverse("incidents:duty_handover", args=[log["now"].pk])
    response = signed_in(getattr(cast, who)).post(url, {"note": "x"})
    assert response.status_code == (403 if who == "auditor" else 404)
    assert DutyShift.objects.get(pk=log["now"].pk).handover_note == ""


def test_handover_of_an_unknown_shift_is_404(cast: Cast, signed_in: Any) -> None:
    url = reverse("incidents:duty_handover", args=[999])
    assert signed_in(cast.analyst).post(url, {"note": "x"}).status_code == 404
