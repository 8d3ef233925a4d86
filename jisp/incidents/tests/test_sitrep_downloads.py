"""Downloading a situation report as PDF and as Markdown."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.incidents.models import SituationReport
from jisp.incidents.services import sitreps
from jisp.incidents.testing import make_case
from jisp.incidents.tests.test_sitrep_services import jst

DAY = date(2021, 7, 24)


def draft(cast: Cast, kind: str = "situation", slot: str = "am") -> SituationReport:
    make_case(cast.member_a, "券売機システム障害", at=jst(DAY, 2))
    return sitreps.draft_sitrep(cast.analyst, kind, DAY, slot)


def pdf_text(content: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def test_the_pdf_has_the_title_the_period_and_the_tlp_label(cast: Cast) -> None:
    sitrep = draft(cast)
    pages, texts = pdf_text(sitreps.render_pdf(sitrep))
    assert pages == 1
    assert "2021-07-24" in texts[0]
    assert "TLP:AMBER" in texts[0]
    assert "券売機システム障害" in texts[0]


def test_the_pdf_puts_the_label_and_a_number_on_every_page(cast: Cast) -> None:
    sitrep = draft(cast)
    sitreps.update_sitrep(
        cast.analyst, sitrep, title="長い報告",
        body="\n\n".join(f"## 見出し {i}\n\n本文の段落 {i}。" for i in range(80)),
    )  # fmt: skip
    sitrep.refresh_from_db()
    pages, texts = pdf_text(sitreps.render_pdf(sitrep))
    assert pages > 1
    for number, text in enumerate(texts, start=1):
        assert "TLP:AMBER" in text
        assert f"- {number} -" in text


def test_the_bulletin_pdf_is_tlp_green(cast: Cast) -> None:
    sitrep = draft(cast, "bulletin", "day")
    _pages, texts = pdf_text(sitreps.render_pdf(sitrep))
    assert "TLP:GREEN" in texts[0] and "TLP:AMBER" not in texts[0]


def test_the_pdf_survives_markup_in_the_text(cast: Cast) -> None:
    sitrep = draft(cast)
    sitreps.update_sitrep(
        cast.analyst, sitrep, title="<b>x</b> & y",
        body="# t\n\n- <para>壊れた & タグ</b>\n\n| a | b |\n|---|---|\n| <1> | & |\n\n**太字**",
    )  # fmt: skip
    sitrep.refresh_from_db()
    _pages, texts = pdf_text(sitreps.render_pdf(sitrep))
    assert "<para>壊れた & タグ</b>" in texts[0]


def test_the_markdown_has_a_header(cast: Cast) -> None:
    sitrep = draft(cast)
    sitreps.approve_sitrep(cast.commander, sitrep)
    sitrep.refresh_from_db()
    text = sitreps.render_markdown(sitrep)
    header = text.split("---")[1]
    assert sitrep.title in header
    assert "2021-07-23 17:00 – 2021-07-24 09:00 JST" in header
    assert "TLP:AMBER" in header
    assert cast.commander.name in header
    assert text.rstrip().endswith(sitrep.body.rstrip())


@pytest.mark.parametrize(
    ("view", "kind", "filename"),
    [
        ("sitrep_pdf", "application/pdf", "sitrep-situation-2021-07-24-am.pdf"),
        ("sitrep_markdown", "text/markdown; charset=utf-8", "sitrep-situation-2021-07-24-am.md"),
    ],
)
def test_the_centre_downloads_a_report(
    cast: Cast, signed_in: Any, view: str, kind: str, filename: str
) -> None:
    sitrep = draft(cast)
    for name in ("analyst", "auditor"):
        response = signed_in(getattr(cast, name)).get(
            reverse(f"incidents:{view}", args=[sitrep.pk])
        )
        assert response.status_code == 200
        assert response["Content-Type"] == kind
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    events = AuditEvent.objects.filter(action="incidents.sitrep.viewed")
    assert {e.actor_id for e in events} == {cast.analyst.pk, cast.auditor.pk}
    assert {e.tlp for e in events} == {"amber"}


def test_a_member_downloads_an_issued_bulletin(cast: Cast, signed_in: Any) -> None:
    sitrep = draft(cast, "bulletin", "day")
    sitreps.approve_sitrep(cast.commander, sitrep)
    sitreps.issue_sitrep(cast.commander, sitrep)
    response = signed_in(cast.member_b).get(reverse("incidents:sitrep_pdf", args=[sitrep.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["member_a", "responder", "vendor_analyst", "outsider"])
def test_it_hides_downloads_of_a_draft_bulletin(cast: Cast, signed_in: Any, name: str) -> None:
    sitrep = draft(cast, "bulletin", "day")
    client = signed_in(getattr(cast, name))
    for view in ("sitrep_pdf", "sitrep_markdown"):
        assert client.get(reverse(f"incidents:{view}", args=[sitrep.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="incidents.sitrep.viewed").exists()
