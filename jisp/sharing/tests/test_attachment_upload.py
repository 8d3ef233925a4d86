"""Uploading attachments: type from the content, size limits, random storage names, and nothing
half-saved."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.sharing import choices
from jisp.sharing.models import Attachment, Topic
from jisp.sharing.services import attachments
from jisp.sharing.testing import make_topic
from jisp.sharing.views import writing

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def url(topic: Topic) -> str:
    return reverse("sharing:attachment_upload", args=[topic.pk])


def office(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(marker, "<x/>")
    return buffer.getvalue()


def upload(client, topic, name, content, **extra):
    return client.post(url(topic), {"file": SimpleUploadedFile(name, content)}, **extra)


def test_it_stores_a_pdf_under_a_random_name_and_keeps_the_original(cast, signed_in, media):
    topic = make_topic(cast.member_a, approve_by=cast.analyst)
    response = upload(signed_in(cast.member_a), topic, "被害報告 (1).pdf", PDF)
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:edit", args=[topic.pk])
    attachment = Attachment.objects.get()
    assert attachment.filename == "被害報告 (1).pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.uploaded_by == cast.member_a
    assert "被害報告" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    assert attachment.file.name.startswith("topics/")
    [path] = stored_files(media)
    assert path.read_bytes() == PDF
    event = AuditEvent.objects.get(action="sharing.attachment.added")
    assert event.data["sha256"] == attachment.sha256 and event.actor == cast.member_a


def test_it_tells_office_files_from_zip_archives_by_their_content(cast, signed_in):
    topic = make_topic(cast.analyst)
    client = signed_in(cast.analyst)
    assert upload(client, topic, "report.docx", office("word/document.xml")).status_code == 302
    assert upload(client, topic, "list.xlsx", office("xl/workbook.xml")).status_code == 302
    assert upload(client, topic, "samples.zip", office("samples/a.txt")).status_code == 302
    assert (
        upload(client, topic, "photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20).status_code == 302
    )
    assert (
        upload(
            client, topic, "ioc.csv", "ドメイン,種別\nexample.com,phishing\n".encode()
        ).status_code
        == 302
    )
    assert upload(client, topic, "ioc.json", b'{"ioc": ["198.51.100.1"]}').status_code == 302
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == sorted([
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip", "image/jpeg", "text/csv", "application/json",
    ])  # fmt: skip


def test_it_refuses_an_exe_renamed_pdf_and_saves_nothing(cast, signed_in, media):
    topic = make_topic(cast.analyst)
    response = upload(signed_in(cast.analyst), topic, "report.pdf", EXE)
    assert response.status_code == 400
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(action="sharing.attachment.added").exists()
    assert "PDF" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("image.pdf", PNG),  # content and name disagree
        ("report.docx", office("xl/workbook.xml")),
        ("tool.exe", EXE),  # a type not accepted
        ("notes.txt", b"text\x00with a NUL"),  # binary named text
        ("notes.txt", b"\xff\xfe\x00bad utf-8"),
        ("data.json", b"{not json"),
        ("broken.zip", b"PK\x03\x04garbage"),
        ("empty.pdf", b""),
    ],
)
def test_it_refuses_a_file_whose_content_is_not_accepted(cast, signed_in, media, name, content):
    topic = make_topic(cast.analyst)
    response = upload(signed_in(cast.analyst), topic, name, content)
    assert response.status_code == 400
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_it_refuses_an_oversized_file_with_413(cast, signed_in, media, monkeypatch):
    monkeypatch.setattr(attachments, "ATTACHMENT_MAX_BYTES", 1000)
    monkeypatch.setattr(writing, "ATTACHMENT_MAX_BYTES", 1000)
    topic = make_topic(cast.analyst)
    response = upload(signed_in(cast.analyst), topic, "big.pdf", PDF + b"x" * 1000)
    assert response.status_code == 413
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_it_refuses_a_file_of_the_real_limit_plus_one_byte(cast, signed_in, media):
    topic = make_topic(cast.analyst)
    content = PDF + b"\x00" * (choices.ATTACHMENT_MAX_BYTES + 1 - len(PDF))
    response = upload(signed_in(cast.analyst), topic, "big.pdf", content)
    assert response.status_code == 413
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_it_refuses_early_from_the_declared_length(cast, signed_in, media):
    topic = make_topic(cast.analyst)
    response = upload(signed_in(cast.analyst), topic, "small.pdf", PDF, CONTENT_LENGTH=str(10**9))
    assert response.status_code == 413
    assert Attachment.objects.count() == 0 and stored_files(media) == []


def test_it_asks_for_a_file(cast, signed_in):
    topic = make_topic(cast.analyst)
    assert signed_in(cast.analyst).post(url(topic), {}).status_code == 400


def test_it_forbids_those_who_may_not_change_and_hides_from_others(cast, signed_in, client):
    topic = make_topic(cast.member_a, approve_by=cast.analyst)
    for person in (cast.member_b, cast.member_a2, cast.auditor):
        signed_in(person)
        assert upload(client, topic, "a.pdf", PDF).status_code == 403
    hidden = make_topic(
        cast.analyst, tlp="amber", audience="organisations", organisations=[cast.org_a]
    )
    signed_in(cast.member_b)
    assert upload(client, hidden, "a.pdf", PDF).status_code == 404
    assert client.get(url(hidden)).status_code == 405
    assert Attachment.objects.count() == 0


def test_it_deletes_the_file_when_the_database_write_fails(cast, media, monkeypatch):
    topic = make_topic(cast.analyst)

    def fail(*args, **kwargs):
        raise IntegrityError("disk full")

    monkeypatch.setattr(attachments.audit, "record", fail)
    with pytest.raises(IntegrityError):
        attachments.add_attachment(None, cast.analyst, topic, SimpleUploadedFile("a.pdf", PDF))
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_it_refuses_files_for_a_withdrawn_topic(cast, media):
    topic = make_topic(cast.analyst)
    Topic.objects.filter(pk=topic.pk).update(status="withdrawn")
    topic.refresh_from_db()
    with pytest.raises(ValidationError):
        attachments.add_attachment(None, cast.analyst, topic, SimpleUploadedFile("a.pdf", PDF))


def test_it_cleans_file_names():
    assert attachments.clean_filename("../../etc/passwd.txt") == "passwd.txt"
    assert attachments.clean_filename("C:\\Users\\x\\報告.pdf") == "報告.pdf"
    assert attachments.clean_filename('a"b\r\n;c.pdf') == "a_b___c.pdf"
    assert attachments.clean_filename("...") == "attachment"
    long = attachments.clean_filename("あ" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
