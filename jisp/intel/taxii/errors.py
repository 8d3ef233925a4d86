"""TAXII error messages (section 3.6.1) and the responses every TAXII endpoint sends.

Every answer, success or failure, carries ``Content-Type: application/taxii+json;version=2.1``;
failures carry an error object whose ``http_status`` is the status code as a string.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

#: The one media type of every TAXII response (no space: clients compare it token by token).
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"

#: The challenges of a 401: HTTP Basic (e-mail address and API token) or a bearer API token.
CHALLENGE = 'Basic realm="JISP TAXII", Bearer realm="JISP TAXII"'


class TaxiiError(Exception):
    """Raised anywhere in a TAXII view: answered as a TAXII error object with ``status``."""

    def __init__(
        self,
        status: int,
        description: str = "",
        *,
        title: str = "",
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description or title)
        self.status = status
        self.title = title
        self.description = description
        self.headers = headers or {}
        self.details = details


def default_title(status: int) -> str:
    """A short title for each error status the TAXII endpoints answer."""
    titles = {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        413: _("Request too large"),
        415: _("Unsupported media type"),
        422: _("Unprocessable content"),
    }
    return titles.get(status, _("The request failed"))


def taxii_response(
    content: str | bytes, status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    """A response with the TAXII media type (``content`` is JSON text already)."""
    response = HttpResponse(content, status=status, content_type=TAXII_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def json_response(
    data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    """``data`` serialised compactly, with the TAXII media type."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return taxii_response(text, status, headers)


def error_response(error: TaxiiError) -> HttpResponse:
    """The TAXII error object of ``error``, with its status and headers."""
    body: dict[str, Any] = {
        "title": error.title or default_title(error.status),
        "http_status": str(error.status),
    }
    if error.description:
        body["description"] = error.description
    if error.details:
        body["details"] = error.details
    headers = dict(error.headers)
    if error.status == 401:
        headers.setdefault("WWW-Authenticate", CHALLENGE)
    return json_response(body, error.status, headers)
