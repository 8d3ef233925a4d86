"""Plumbing shared by the TAXII views: the view decorator, media types, settings, bindings."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from jisp.core.models import User
from jisp.intel.taxii.auth import authenticate
from jisp.intel.taxii.errors import TaxiiError, error_response

TAXII_TYPE = "application/taxii+json"
#: Largest request body accepted (the API root's ``max_content_length``).
DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024

View = Callable[..., HttpResponse]


def max_content_length() -> int:
    return int(getattr(settings, "TAXII_MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH))


def _media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
    """``type/subtype`` and parameters of each range of an Accept or Content-Type header."""
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        params = {}
        for piece in pieces[1:]:
            name, _sep, value = piece.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        ranges.append((pieces[0].lower(), params))
    return ranges


def _is_taxii_21(media: str, params: dict[str, str]) -> bool:
    """``application/taxii+json`` with version 2.1 or none ("the latest the server supports")."""
    return media == TAXII_TYPE and params.get("version", "2.1") == "2.1"


def acceptable(header: str | None) -> bool:
    """Whether a TAXII 2.1 answer satisfies the Accept header. No header, ``*/*`` and
    ``application/*`` accept it; other media types (or TAXII 2.0) do not."""
    if header is None or not header.strip():
        return True
    for media, params in _media_ranges(header):
        try:
            if float(params.get("q", "1")) <= 0:
                continue
        except ValueError:
            continue
        if media in ("*/*", "application/*") or _is_taxii_21(media, params):
            return True
    return False


def check_content_type(request: HttpRequest) -> None:
    """415 unless the body is ``application/taxii+json`` (version 2.1 or none)."""
    ranges = _media_ranges(request.META.get("CONTENT_TYPE", ""))
    if len(ranges) != 1 or not _is_taxii_21(*ranges[0]):
        raise TaxiiError(
            415, _("Send the objects as application/taxii+json;version=2.1 (an envelope).")
        )


def binding(endpoint: str, user: User, *parts: Any) -> str:
    """What a ``next`` token is bound to: the endpoint, what it names, and the caller."""
    return "|".join([endpoint, str(user.pk), *(str(p) for p in parts)])


def taxii_view(*methods: str) -> Callable[[View], View]:
    """Wrap a TAXII view: method (405), credentials (401), Accept (406); every error answered as
    a TAXII error object. The view gets the signed-in person as its second argument."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise TaxiiError(
                        405,
                        _("This method is not allowed here."),
                        headers={"Allow": ", ".join(methods)},
                    )
                user = authenticate(request)
                if not acceptable(request.headers.get("Accept")):
                    raise TaxiiError(
                        406, _("Accept application/taxii+json;version=2.1 in the Accept header.")
                    )
                return view(request, user, *args, **kwargs)
            except TaxiiError as error:
                return error_response(error)
            except Http404:
                return error_response(TaxiiError(404))

        return csrf_exempt(wrapper)

    return decorate
