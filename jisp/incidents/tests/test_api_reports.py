"""/api/v1/incidents/reports: list, read (shaped by grant), write, send, update, recipients."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from jisp.core.models import AuditEvent, User
from jisp.core.services import accounts
from jisp.core.testing import Cast
from jisp.incidents.models import Case, Report, ReportUpdate, RoutingRule
from jisp.incidents.testing import make_report

LIST = "/api/v1/incidents/reports"
NOW = datetime(2021, 7, 24, 5, 0, tzinfo=UTC)
REDACTED_ONLY = {
    "id", "access", "kind", "category", "category_label", "sector", "tlp", "status",
    "started_at", "detected_at", "event_impact", "public_awareness", "submitted_at",
    "case_state",
}  # fmt: skip


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def bearer(user: User, scope: str = "read") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}"}


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def world(cast: Cast) -> dict[str, Report]:
    RoutingRule.objects.create(name="agency", recipient=cast.agency, grant="full")
    RoutingRule.objects.create(name="vendor", recipient=cast.vendor, grant="redacted")
    return {
        "draft": make_report(cast.member_a, "下書き", submit=False),
        "sent": make_report(
            cast.member_a,
            "秘密の題",
            description="秘密の説明",
            indicators="198.51.100.7",
            at=NOW,
            route=True,
        ),
        "red": make_report(cast.member_a, "赤", tlp="red", route=True),
        "power": make_report(cast.member_b, "power", category="dos", route=True),
    }


def body(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "公式サイトの閲覧障害",
        "description": "13時頃から接続しにくい。",
        "category": "site_unreachable",
        "started_at": "2021-07-24T13:00:00+09:00",
        "detected_at": "2021-07-24T13:10:00+09:00",
        "support_wanted": ["advice"],
    }
    data.update(fields)
    return data


# --- Reading -----------------------------------------------------------------------------------


def test_a_member_lists_their_own_and_what_was_routed_to_them(
    client: Client, cast: Cast, world: dict[str, Report]
) -> None:
    mine = {world["draft"].pk, world["sent"].pk, world["red"].pk}
    assert ids(client.get(LIST, headers=bearer(cast.member_a))) == mine
    assert ids(client.get(LIST, headers=bearer(cast.member_b))) == {world["power"].pk}
    both = {world["sent"].pk, world["power"].pk}
    assert ids(client.get(LIST, headers=bearer(cast.responder))) == both
    assert ids(client.get(LIST + "?box=received", headers=bearer(cast.member_a))) == set()
    assert ids(client.get(LIST, headers=bearer(cast.outsider))) == set()
    centre = {world["sent"].pk, world["red"].pk, world["power"].pk}
    assert ids(client.get(LIST, headers=bearer(cast.auditor))) == centre


def test_the_list_filters(client: Client, cast: Cast, world: dict[str, Report]) -> None:
    headers = bearer(cast.member_a)
    assert ids(client.get(LIST + "?status=draft", headers=headers)) == {world["draft"].pk}
    assert ids(client.get(LIST + "?category=dos", headers=bearer(cast.analyst))) == {
        world["power"].pk
    }
    assert ids(client.get(LIST + "?kind=consultation", headers=headers)) == set()
    since = "2021-07-24T14:00:00%2B09:00"
    assert world["sent"].pk in ids(client.get(LIST + f"?since={since}", headers=headers))
    assert client.get(LIST + "?category=ufo", headers=headers).status_code == 422


def test_a_redacted_list_row_lacks_the_title_and_organisation(
    client: Client, cast: Cast, world: dict[str, Report]
) -> None:
    items = client.get(LIST, headers=bearer(cast.vendor_analyst)).json()["items"]
    assert items and all(set(item) <= REDACTED_ONLY for item in items)
    assert all(item["access"] == "redacted" for item in items)


def test_the_detail_is_shaped_by_the_grant(
    client: Client, cast: Cast, world: dict[str, Report]
) -> None:
    url = f"{LIST}/{world['sent'].pk}"
    owner = client.get(url, headers=bearer(cast.member_a2)).json()
    assert owner["access"] == "owner"
    assert owner["description"] == "秘密の説明"
    assert owner["case_id"] == world["sent"].case.pk
    full = client.get(url, headers=bearer(cast.responder)).json()
    assert full["access"] == "full"
    assert full["indicators"] == "198.51.100.7"
    assert "case_id" not in full
    response = client.get(url, headers=bearer(cast.vendor_analyst))
    redacted = response.json()
    assert set(redacted) <= REDACTED_ONLY
    assert redacted["sector"]["code"] == "railways"
    assert redacted["category"] == "site_unreachable"
    text = response.content.decode()
    for secret in ("秘密", "198.51.100.7", cast.org_a.name_en, "alice"):
        assert secret not in text


@pytest.mark.parametrize("name", ["member_b", "outsider"])
def test_it_hides_reports_from_other_organisations(
    client: Client, cast: Cast, world: dict[str, Report], name: str
) -> None:
    person = getattr(cast, name)
    for report in (world["draft"], world["sent"]):
        response = client.get(f"{LIST}/{report.pk}", headers=bearer(person))
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}


def test_a_red_report_is_hidden_from_recipients(
    client: Client, cast: Cast, world: dict[str, Report]
) -> None:
    assert (
        client.get(f"{LIST}/{world['red'].pk}", headers=bearer(cast.responder)).status_code == 404
    )


def test_reading_at_amber_is_audited(client: Client, cast: Cast, world: dict[str, Report]) -> None:
    client.get(f"{LIST}/{world['sent'].pk}", headers=bearer(cast.responder))
    assert AuditEvent.objects.filter(
        action="incidents.report.viewed", actor=cast.responder
    ).exists()


def test_recipients_are_for_the_owner_and_the_centre(
    client: Client, cast: Cast, world: dict[str, Report]
) -> None:
    url = f"{LIST}/{world['sent'].pk}/recipients"
    for person in (cast.member_a, cast.analyst, cast.auditor):
        response = client.get(url, headers=bearer(person))
        assert response.status_code == 200
        names = {item["organisation"]["id"]: item["grant"] for item in response.json()["items"]}
        assert names == {cast.agency.pk: "full", cast.vendor.pk: "redacted"}
    assert client.get(url, headers=bearer(cast.responder)).status_code == 403
    assert client.get(url, headers=bearer(cast.vendor_analyst)).status_code == 403
    assert client.get(url, headers=bearer(cast.member_b)).status_code == 404


def test_signed_out_callers_get_401(client: Client, world: dict[str, Report]) -> None:
    assert client.get(LIST).status_code == 401
    assert client.get(f"{LIST}/{world['sent'].pk}").status_code == 401


def test_the_list_takes_a_fixed_number_of_queries(
    client: Client, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    RoutingRule.objects.create(name="agency", recipient=cast.agency, grant="full")
    for i in range(15):
        make_report(cast.member_a, f"r{i}", route=True)
    headers = bearer(cast.responder)
    with django_assert_max_num_queries(14):
        assert len(ids(client.get(LIST, headers=headers))) == 15


# --- Writing -----------------------------------------------------------------------------------


def test_a_member_writes_a_draft(client: Client, cast: Cast) -> None:
    response = client.post(
        LIST, body(description="", category=None), content_type="application/json",
        headers=bearer(cast.member_a, "write"),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft" and data["channel"] == "api"
    assert data["category"] is None
    assert not Case.objects.exists()


def test_a_member_sends_at_once(client: Client, cast: Cast) -> None:
    RoutingRule.objects.create(name="agency", recipient=cast.agency, grant="full")
    response = client.post(
        LIST, body(submit=True), content_type="application/json",
        headers=bearer(cast.member_a, "write"),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted"
    assert data["case_state"] == "new"
    assert data["started_at"] == "2021-07-24T04:00:00Z"
    report = Report.objects.get()
    assert report.recipients.get().organisation == cast.agency


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"category": "ufo"}, 422),
        ({"started_at": "2021-07-25T13:00:00+09:00"}, 422),
        ({"detected_at": "2021-07-24T12:00:00+09:00"}, 422),
        ({"title": ""}, 422),
        ({"tlp": "purple"}, 422),
        ({"support_wanted": ["pizza"]}, 422),
        ({"description": "", "submit": True}, 422),
        ({"category": None, "submit": True}, 422),
    ],
)
def test_bad_input_keeps_nothing(client: Client, cast: Cast, fields: Any, status: int) -> None:
    response = client.post(
        LIST, body(**fields), content_type="application/json",
        headers=bearer(cast.member_a, "write"),
    )  # fmt: skip
    assert response.status_code == status, response.content
    assert "detail" in response.json()
    assert not Report.objects.exists()


def test_writing_needs_a_write_token(client: Client, cast: Cast, signed_in: Any) -> None:
    response = client.post(
        LIST, body(), content_type="application/json", headers=bearer(cast.member_a)
    )
    assert response.status_code == 403
    session = signed_in(cast.member_a)
    assert session.post(LIST, body(), content_type="application/json").status_code == 401
    assert not Report.objects.exists()


@pytest.mark.parametrize("name", ["auditor", "outsider"])
def test_those_without_a_member_role_cannot_write(client: Client, cast: Cast, name: str) -> None:
    response = client.post(
        LIST, body(), content_type="application/json",
        headers=bearer(getattr(cast, name), "write"),
    )  # fmt: skip
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_reporting_for_another_organisation_is_refused(client: Client, cast: Cast) -> None:
    response = client.post(
        LIST, body(organisation=cast.org_b.pk), content_type="application/json",
        headers=bearer(cast.member_a, "write"),
    )  # fmt: skip
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_a_draft_is_patched_then_submitted(client: Client, cast: Cast) -> None:
    draft = make_report(cast.member_a, "下書き", submit=False, category="")
    headers = bearer(cast.member_a2, "write")
    url = f"{LIST}/{draft.pk}"
    response = client.patch(
        url, {"title": "改題", "category": "dos"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "改題"
    draft.refresh_from_db()
    assert draft.description  # untouched fields stay
    response = client.post(url + "/submit", headers=headers)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert client.post(url + "/submit", headers=headers).status_code == 422
    assert client.patch(url, {"title": "x"}, content_type="application/json",
                        headers=headers).status_code == 422  # fmt: skip


def test_an_incomplete_draft_is_not_submitted(client: Client, cast: Cast) -> None:
    draft = make_report(cast.member_a, submit=False, description="")
    response = client.post(f"{LIST}/{draft.pk}/submit", headers=bearer(cast.member_a, "write"))
    assert response.status_code == 422
    assert {item["loc"][-1] for item in response.json()["detail"]} == {"description"}
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_update_is_added_to_a_sent_report(
    client: Client, cast: Cast, world: dict[str, Report]
) -> None:
    url = f"{LIST}/{world['sent'].pk}/updates"
    response = client.post(
        url, {"body": "14:10 復旧"}, content_type="application/json",
        headers=bearer(cast.member_a, "write"),
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "14:10 復旧"
    for person, status in ((cast.responder, 403), (cast.auditor, 403), (cast.member_b, 404)):
        response = client.post(
            url, {"body": "x"}, content_type="application/json", headers=bearer(person, "write")
        )
        assert response.status_code == status
    assert ReportUpdate.objects.count() == 1
    detail = client.get(f"{LIST}/{world['sent'].pk}", headers=bearer(cast.responder)).json()
    assert [u["body"] for u in detail["updates"]] == ["14:10 復旧"]
    redacted = client.get(f"{LIST}/{world['sent'].pk}", headers=bearer(cast.vendor_analyst))
    assert "updates" not in redacted.json()


@pytest.mark.parametrize(("name", "status"), [
    ("member_b", 404), ("outsider", 404), ("analyst", 404), ("responder", 404),
])  # fmt: skip
def test_others_cannot_patch_a_draft(client: Client, cast: Cast, name: str, status: int) -> None:
    draft = make_report(cast.member_a, "下書き", submit=False)
    response = client.patch(
        f"{LIST}/{draft.pk}", {"title": "x"}, content_type="application/json",
        headers=bearer(getattr(cast, name), "write"),
    )  # fmt: skip
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.title == "下書き"


def test_the_auditor_cannot_patch_or_submit(client: Client, cast: Cast, world: Any) -> None:
    url = f"{LIST}/{world['sent'].pk}"
    headers = bearer(cast.auditor, "write")
    assert client.patch(url, {"title": "x"}, content_type="application/json",
                        headers=headers).status_code == 403  # fmt: skip
    assert client.post(url + "/submit", headers=headers).status_code == 403
