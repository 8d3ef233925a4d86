"""Attachments of topics: checked by content, stored under a random name, never half-saved.

The type of a file is decided from its first bytes (and, for zip-based Office files, from the
names inside), never from its name or the browser's Content-Type; the name's extension must then
agree with it. The file is stored under a random name in ``settings.MEDIA_ROOT``; the original
name, cleaned, is kept for the download.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import posixpath
import re
import secrets
import unicodedata
import zipfile
from typing import IO, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from jisp.core import audit, policy
from jisp.core.models import StoredFile, User
from jisp.sharing.choices import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, TopicStatus
from jisp.sharing.models import Attachment, Topic

#: Extensions accepted besides the canonical one of each type.
_ALIASES = {".jpeg": ".jpg"}
#: Marker files that tell Office Open XML documents from plain zip archives.
_OFFICE = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
_TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".json": "application/json"}
#: Control characters that plain text does not contain (tab, line feed, form feed and carriage
#: return are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|;]')

TOO_LARGE = "too_large"

S = TypeVar("S", bound=StoredFile)


def extension(name: str) -> str:
    """The lower-cased extension of ``name`` with its dot; ``.jpeg`` counts as ``.jpg``."""
    ext = posixpath.splitext(name.lower())[1]
    return _ALIASES.get(ext, ext)


def clean_filename(name: str) -> str:
    """A file name safe to keep and to send back in Content-Disposition: no directories, no
    control or reserved characters, no leading dots, at most 200 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip().lstrip(".").strip()
    if len(name) > 200:
        stem, ext = posixpath.splitext(name)
        name = stem[: 200 - len(ext[:20])] + ext[:20]
    return name or "attachment"


def _is_text(file: IO[bytes], ext: str) -> bool:
    """Whether the whole file is UTF-8 text without control characters (JSON must also parse)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    chunks: list[str] = []
    file.seek(0)
    try:
        while block := file.read(64 * 1024):
            text = decoder.decode(block)
            if _CONTROL.search(text):
                return False
            if ext == ".json":
                chunks.append(text)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    if ext == ".json":
        try:
            json.loads("".join(chunks))
        except ValueError:
            return False
    return True


def sniff(file: IO[bytes], ext: str) -> str | None:
    """The content type of ``file`` judged from its content (``ext`` only tells the text types
    apart, after the content proved to be text), or None when it is not an accepted type."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            file.seek(0)
        for marker, content_type in _OFFICE.items():
            if marker in names:
                return content_type
        return "application/zip"
    if ext in _TEXT_TYPES and _is_text(file, ext):
        file.seek(0)
        return _TEXT_TYPES[ext]
    file.seek(0)
    return None


def _describe(content_type: str) -> str:
    return ATTACHMENT_TYPES[content_type].lstrip(".").upper()


def check_file(upload: UploadedFile) -> tuple[str, str]:
    """Refuse a file that is too large, of a type not accepted, or whose name does not match its
    content. Returns (clean file name, content type); raises ``ValidationError`` (code
    ``too_large`` for the size, so that the caller can answer 413)."""
    size = upload.size or 0
    if size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large: at most %(mb)d MB.")
            % {"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            code=TOO_LARGE,
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.file is None:
        raise ValidationError(_("The file is empty."), code="empty")
    filename = clean_filename(upload.name or "")
    ext = extension(filename)
    accepted = ", ".join(sorted({e.lstrip(".") for e in ATTACHMENT_TYPES.values()}))
    if ext not in set(ATTACHMENT_TYPES.values()):
        raise ValidationError(
            _("Files of this type are not accepted. Accepted: %(types)s.") % {"types": accepted},
            code="type",
        )
    content_type = sniff(upload.file, ext)
    if content_type is None:
        raise ValidationError(
            _(
                "The content of the file is not of an accepted type (its name says %(ext)s). "
                "Accepted: %(types)s."
            )
            % {"ext": ext.lstrip(".").upper(), "types": accepted},
            code="type",
        )
    if ATTACHMENT_TYPES[content_type] != ext:
        raise ValidationError(
            _("The file's content (%(content)s) does not match its name (%(ext)s).")
            % {"content": _describe(content_type), "ext": ext.lstrip(".").upper()},
            code="mismatch",
        )
    return filename, content_type


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while block := file.read(1024 * 1024):
        digest.update(block)
    file.seek(0)
    return digest.hexdigest()


def store_upload(
    stored: S, upload: UploadedFile, action: str, *, request: HttpRequest | None, **audit_data: Any
) -> S:
    """Check ``upload`` (``check_file``) and store it as ``stored``, an unsaved row of a
    ``StoredFile`` model with its item and ``uploaded_by`` set.

    The file is written under a random name, then the row and the audit event ``action`` (with
    ``audit_data``: actor, obj, organisation...) in one transaction; if that fails, the file is
    deleted again.
    """
    filename, content_type = check_file(upload)
    source = upload.file
    assert source is not None  # check_file refused a missing file
    stored.filename = filename
    stored.content_type = content_type
    stored.size = upload.size or 0
    stored.sha256 = _sha256(source)
    field: Any = type(stored)._meta.get_field("file")
    path = field.generate_filename(stored, secrets.token_hex(16) + ATTACHMENT_TYPES[content_type])
    source.seek(0)
    name = default_storage.save(path, source, max_length=field.max_length)
    try:
        with transaction.atomic():
            stored.file.name = name
            stored.save()
            audit.record(
                action,
                request=request,
                **audit_data,
                attachment=stored.pk,
                filename=filename,
                content_type=content_type,
                size=stored.size,
                sha256=stored.sha256,
            )
    except BaseException:
        default_storage.delete(name)
        raise
    return stored


def add_attachment(
    request: HttpRequest | None, user: User, topic: Topic, upload: UploadedFile
) -> Attachment:
    """Attach an uploaded file to a topic the person may change (``store_upload``)."""
    if not policy.can_change(user, topic):
        raise PermissionDenied(_("You may not add files to this topic."))
    if topic.status == TopicStatus.WITHDRAWN:
        raise ValidationError(_("A withdrawn topic cannot get new files."), code="withdrawn")
    return store_upload(
        Attachment(topic=topic, uploaded_by=user),
        upload,
        "sharing.attachment.added",
        request=request,
        actor=user,
        obj=topic,
    )
