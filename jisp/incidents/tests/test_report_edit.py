"""Editing a draft: only the reporting organisation, only drafts, send from the edit page."""

from __future__ import annotations

from typing import Any

import pytest

from jisp.core.testing import Cast
from jisp.incidents.models import Case, Report
from jisp.incidents.testing import make_report


def url(report: Report) -> str:
    return f"/incidents/reports/{report.pk}/edit/"


def form(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "incident",
        "title": "公式サイトの閲覧障害（続報）",
        "description": "接続しにくい。",
        "category": "dos",
        "event_impact": "yes",
        "public_awareness": "unknown",
        "tlp": "amber",
    }
    data.update(fields)
    return data


def test_a_colleague_edits_the_draft(cast: Cast, signed_in: Any) -> None:
    draft = make_report(cast.member_a, submit=False)
    client = signed_in(cast.member_a2)
    response = client.get(url(draft))
    assert response.status_code == 200
    assert response.context["form"]["title"].value() == draft.title
    response = client.post(url(draft), form(save_draft="1"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "公式サイトの閲覧障害（続報）"
    assert draft.category == "dos"
    assert draft.status == "draft"


def test_sending_from_the_edit_page_opens_the_case(cast: Cast, signed_in: Any) -> None:
    draft = make_report(cast.member_a, submit=False)
    response = signed_in(cast.member_a).post(url(draft), form(send="1"))
    assert response["Location"] == f"/incidents/reports/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert Case.objects.get().report == draft


def test_a_failed_send_keeps_the_draft_as_it_was(cast: Cast, signed_in: Any) -> None:
    draft = make_report(cast.member_a, "元の題", submit=False)
    response = signed_in(cast.member_a).post(url(draft), form(description="", send="1"))
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.title == "元の題"
    assert draft.status == "draft"
    assert not Case.objects.exists()


def test_a_sent_report_goes_to_its_page(cast: Cast, signed_in: Any) -> None:
    report = make_report(cast.member_a)
    response = signed_in(cast.member_a).post(url(report), form(save_draft="1"))
    assert response["Location"] == f"/incidents/reports/{report.pk}/"
    report.refresh_from_db()
    assert report.title != "公式サイトの閲覧障害（続報）"


@pytest.mark.parametrize(
    "name", ["member_b", "responder", "vendor_analyst", "analyst", "auditor", "outsider"]
)
def test_it_hides_drafts_from_everyone_else(cast: Cast, signed_in: Any, name: str) -> None:
    draft = make_report(cast.member_a, submit=False)
    client = signed_in(getattr(cast, name))
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft), form(save_draft="1")).status_code == 404
    draft.refresh_from_db()
    assert draft.title == "公式サイトの閲覧障害"


def test_the_auditor_sees_a_sent_report_but_may_not_change_it(cast: Cast, signed_in: Any) -> None:
    report = make_report(cast.member_a)
    assert signed_in(cast.auditor).post(url(report), form()).status_code == 403
