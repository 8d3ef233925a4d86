"""Uploads and downloads of stored files (``jisp.core.models.StoredFile``), shared by the apps.

An upload view refuses a body too large by its Content-Length before reading it, and limits what
the parser keeps (``start_upload``); a download is never shown inline (``file_response``).
"""

from __future__ import annotations

import logging

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _

from jisp.core.models import StoredFile

log = logging.getLogger(__name__)

#: Room for the multipart envelope around a file of the largest size.
UPLOAD_OVERHEAD = 64 * 1024


class SizeLimit(FileUploadHandler):
    """Stops receiving a file as soon as it passes the limit (a client may lie about its size);
    the rest of the request is read and dropped, never written to disk."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def start_upload(request: HttpRequest, max_bytes: int) -> SizeLimit | None:
    """Before the body is read: None when its Content-Length is already too large for a file of
    ``max_bytes``; else the ``SizeLimit`` put first among the request's upload handlers (its
    ``too_large`` tells, after parsing, whether the file was dropped)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes + UPLOAD_OVERHEAD:
        return None
    limit = SizeLimit(request, max_bytes)
    request.upload_handlers = [limit, *request.upload_handlers]
    return limit


def too_large_text(max_bytes: int) -> str:
    return _("The file is too large: at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}


def file_response(stored: StoredFile) -> FileResponse:
    """The file as a download under its original name, never sniffed, run or cached; 404 when
    the file is missing from the storage."""
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        log.warning("%s %s has no file", type(stored).__name__, stored.pk)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.filename,
        content_type=stored.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
