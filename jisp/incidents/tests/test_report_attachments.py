"""A report's files: upload by the reporting organisation (checked like the sharing app's),
download as an attachment with safe headers for those who see the details, audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.incidents.models import Report, ReportAttachment, RoutingRule
from jisp.incidents.testing import make_report
from jisp.sharing.services import attachments as sharing_attachments

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def upload_url(report: Report) -> str:
    return f"/incidents/reports/{report.pk}/attachments/"


def download_url(attachment: ReportAttachment) -> str:
    return f"/incidents/reports/attachments/{attachment.pk}/"


def upload(client: Any, report: Report, name: str, content: bytes) -> Any:
    return client.post(upload_url(report), {"file": SimpleUploadedFile(name, content)})


def consume(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_reporter_attaches_a_pdf_to_a_draft(cast: Cast, signed_in: Any, media: Any) -> None:
    draft = make_report(cast.member_a, submit=False)
    response = upload(signed_in(cast.member_a), draft, "ログ.pdf", PDF)
    assert response["Location"] == f"/incidents/reports/{draft.pk}/edit/"
    attachment = ReportAttachment.objects.get()
    assert attachment.filename == "ログ.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == cast.member_a
    assert "ログ" not in attachment.file.name
    assert AuditEvent.objects.filter(action="incidents.attachment.added").count() == 1


def test_it_refuses_a_program_dressed_as_a_pdf(cast: Cast, signed_in: Any, media: Any) -> None:
    report = make_report(cast.member_a)
    response = upload(signed_in(cast.member_a), report, "invoice.pdf", EXE)
    assert response.status_code == 400
    assert not ReportAttachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_it_refuses_an_oversized_file_with_413(
    cast: Cast, signed_in: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(sharing_attachments, "ATTACHMENT_MAX_BYTES", 1000)
    report = make_report(cast.member_a)
    response = upload(signed_in(cast.member_a), report, "big.pdf", PDF + b"\x00" * 1000)
    assert response.status_code == 413
    assert not ReportAttachment.objects.exists()


def test_a_missing_file_is_refused(cast: Cast, signed_in: Any) -> None:
    report = make_report(cast.member_a)
    response = signed_in(cast.member_a).post(upload_url(report), {})
    assert response.status_code == 400
    assert not ReportAttachment.objects.exists()


def test_a_body_declared_too_large_is_refused_before_reading(
    cast: Cast, signed_in: Any, monkeypatch: Any, media: Any
) -> None:
    monkeypatch.setattr(sharing_attachments, "ATTACHMENT_MAX_BYTES", 1000)
    report = make_report(cast.member_a)
    response = upload(signed_in(cast.member_a), report, "big.pdf", PDF + b"\x00" * 100_000)
    assert response.status_code == 413
    assert not ReportAttachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_an_upload_without_the_csrf_token_is_refused(cast: Cast) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member_a)
    report = make_report(cast.member_a)
    response = client.post(upload_url(report), {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 403
    assert not ReportAttachment.objects.exists()


def test_get_is_not_allowed(cast: Cast, signed_in: Any) -> None:
    report = make_report(cast.member_a)
    assert signed_in(cast.member_a).get(upload_url(report)).status_code == 405


@pytest.mark.parametrize(("name", "status"), [
    ("member_b", 404), ("outsider", 404), ("responder", 403), ("auditor", 403),
])  # fmt: skip
def test_others_may_not_attach(cast: Cast, signed_in: Any, name: str, status: int) -> None:
    RoutingRule.objects.create(name="agency", recipient=cast.agency)
    report = make_report(cast.member_a, route=True)
    assert upload(signed_in(getattr(cast, name)), report, "a.pdf", PDF).status_code == status
    assert not ReportAttachment.objects.exists()


def stored(report: Report) -> ReportAttachment:
    return report.attachments.create(
        file=ContentFile(b"<html><script>alert(1)</script></html>", name="x.bin"),
        filename="報告.txt", content_type="text/plain", size=10, sha256="0" * 64,
    )  # fmt: skip


def test_the_download_is_an_attachment_with_safe_headers_and_audited(
    cast: Cast, signed_in: Any
) -> None:
    attachment = stored(make_report(cast.member_a))
    response = signed_in(cast.analyst).get(download_url(attachment))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "private, no-store"
    assert consume(response).startswith(b"<html>")
    event = AuditEvent.objects.get(action="incidents.attachment.downloaded")
    assert event.actor == cast.analyst


@pytest.mark.parametrize(("name", "status"), [
    ("member_a2", 200), ("responder", 200), ("auditor", 200), ("vendor_analyst", 404),
    ("member_b", 404), ("outsider", 404),
])  # fmt: skip
def test_only_those_who_see_the_details_download(
    cast: Cast, signed_in: Any, name: str, status: int
) -> None:
    RoutingRule.objects.create(name="agency", recipient=cast.agency, grant="full")
    RoutingRule.objects.create(name="vendor", recipient=cast.vendor, grant="redacted")
    attachment = stored(make_report(cast.member_a, route=True))
    response = signed_in(getattr(cast, name)).get(download_url(attachment))
    assert response.status_code == status
    if status == 200:
        consume(response)


def test_an_unknown_attachment_is_404(cast: Cast, signed_in: Any) -> None:
    assert signed_in(cast.analyst).get("/incidents/reports/attachments/999999/").status_code == 404
