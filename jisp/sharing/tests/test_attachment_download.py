"""Attachment downloads: only for those who see the topic, always as a download, safe headers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.sharing.models import Attachment
from jisp.sharing.testing import make_topic


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def attach(
    topic: Any, data: bytes = b"<html><script>alert(1)</script></html>", **kw: Any
) -> Attachment:
    fields = {"filename": "報告書.txt", "content_type": "text/plain"} | kw
    return topic.attachments.create(
        file=ContentFile(data, name="upload.bin"), size=len(data), sha256="0" * 64, **fields
    )


def consume(response: Any) -> bytes:
    """Read a streamed body to its end (the test client then closes the response as a server
    would; calling ``close()`` directly would close the test's database connection)."""
    return b"".join(response.streaming_content)


def url(attachment: Attachment) -> str:
    return reverse("sharing:attachment", args=[attachment.pk])


def test_it_serves_the_file_as_a_download_with_safe_headers(cast: Cast, signed_in: Any) -> None:
    attachment = attach(make_topic(cast.analyst, "添付あり"))
    response = signed_in(cast.member_a).get(url(attachment))
    assert response.status_code == 200
    body = b"<html><script>alert(1)</script></html>"
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%A0%B1%E5%91%8A%E6%9B%B8.txt" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert consume(response) == body


def test_it_never_serves_inline_even_for_images(cast: Cast, signed_in: Any) -> None:
    attachment = attach(
        make_topic(cast.analyst, "画像"), b"\x89PNG", filename="a.png", content_type="image/png"
    )
    response = signed_in(cast.member_a).get(url(attachment))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    consume(response)


def test_it_answers_404_to_those_who_may_not_see_the_topic(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(
        cast.analyst, "B社だけ", audience="organisations", organisations=[cast.org_b]
    )
    attachment = attach(topic)
    assert signed_in(cast.member_a).get(url(attachment)).status_code == 404
    assert signed_in(cast.outsider).get(url(attachment)).status_code == 404
    response = signed_in(cast.member_b).get(url(attachment))
    assert response.status_code == 200
    consume(response)


def test_it_answers_404_for_an_attachment_of_someone_elses_draft(
    cast: Cast, signed_in: Any
) -> None:
    attachment = attach(make_topic(cast.member_b, "下書き", publish=False))
    assert signed_in(cast.member_a).get(url(attachment)).status_code == 404


def test_it_answers_404_when_the_file_is_gone(cast: Cast, signed_in: Any) -> None:
    attachment = attach(make_topic(cast.analyst, "添付あり"))
    attachment.file.delete(save=False)
    assert signed_in(cast.member_a).get(url(attachment)).status_code == 404


def test_it_requires_sign_in(client: Any, cast: Cast) -> None:
    attachment = attach(make_topic(cast.analyst, "添付あり"))
    assert client.get(url(attachment)).status_code == 302


def test_it_audits_the_download(cast: Cast, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, "添付あり", tlp="amber")
    attachment = attach(topic)
    consume(signed_in(cast.member_a).get(url(attachment)))
    event = AuditEvent.objects.get(action="sharing.attachment.downloaded")
    assert event.actor == cast.member_a
    assert event.object_id == str(attachment.pk)
    assert event.tlp == "amber"
    assert event.data == {"topic": topic.pk}
