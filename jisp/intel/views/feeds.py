"""Product feeds: stable URLs that products and firewalls pull with an API token.

``GET /intel/feeds/plain/<list>/`` (``ipv4`` ... ``sha256``, ``ip``), ``/intel/feeds/csv/``,
``/suricata/``, ``/snort/``, ``/rpz/``, ``/stix/``. Sign-in is the token alone, never the session:
``Authorization: Bearer jisp_...`` or HTTP Basic with any user name and the token as password
(what firewalls offer). Query: ``since`` (ISO 8601; a delta), ``include_warninglisted=1``,
``kind=domain,url`` (narrows csv, rules and stix), ``zone`` (the RPZ zone name of a delta).
Answers carry ``Last-Modified``, ``ETag`` and ``X-JISP-Next-Since``, and honour
``If-None-Match`` / ``If-Modified-Since`` with 304. What the formats hold: ``jisp.intel.exports``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from jisp.core import audit
from jisp.core.models import AuditEvent, User
from jisp.core.services import accounts
from jisp.intel import exports

CHALLENGE = 'Basic realm="JISP feeds", Bearer realm="JISP feeds"'
_ZONE = re.compile(r"[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63}){0,20}", re.ASCII)


class FeedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> HttpResponse:
    response = JsonResponse(
        {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    if status == 401:
        response["WWW-Authenticate"] = CHALLENGE
    return response


def authenticate(request: HttpRequest) -> User:
    """The token's person; ``FeedError(401)`` otherwise. The session is never used."""
    request.jisp_via = AuditEvent.Via.API  # type: ignore[attr-defined]
    header = request.headers.get("Authorization")
    if not header:
        raise FeedError(401, _("Send an API token: Authorization: Bearer <token>."))
    found = accounts.credentials(header)
    raw = found[0] if found is not None else None
    if raw is None or not accounts.TOKEN_PATTERN.fullmatch(raw):
        raise FeedError(
            401, _("Send an API token as a bearer token or as the password of HTTP Basic.")
        )
    token = accounts.authenticate_token(raw)
    if token is None:
        raise FeedError(401, _("This token is unknown, expired or revoked."))
    user = token.user
    request.user = user
    request.jisp_token = token  # type: ignore[attr-defined]
    if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
    return user


def parse_since(text: str) -> datetime:
    """An ISO 8601 time (``Z`` or an offset; a ``+`` turned into a space by the URL is read
    back); without an offset, UTC."""
    text = text.strip()
    moment = None
    for candidate in (text, text.replace(" ", "+")):
        try:
            moment = parse_datetime(candidate)
        except ValueError:
            moment = None
        if moment is not None:
            break
    if moment is None:
        raise FeedError(
            400,
            _("Give since as an ISO 8601 time, for example 2026-07-24T09:30:00Z."),
        )
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def _kinds(request: HttpRequest, fmt: str) -> tuple[str, ...]:
    allowed = exports.FORMAT_KINDS[fmt]
    asked = [k.strip() for v in request.GET.getlist("kind") for k in v.split(",") if k.strip()]
    if not asked:
        return allowed
    unknown = [k for k in asked if k not in allowed]
    if unknown:
        raise FeedError(
            400,
            _("This feed has no type %(kind)s; choose from: %(choices)s.")
            % {"kind": unknown[0][:20], "choices": ", ".join(allowed)},
        )
    return tuple(k for k in allowed if k in asked)


def _flag(request: HttpRequest, name: str) -> bool:
    value = request.GET.get(name, "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise FeedError(400, _("Give %(name)s as 1 or 0.") % {"name": name})


def _zone(request: HttpRequest) -> str:
    zone = request.GET.get("zone", "").strip().strip(".").lower()
    if zone and (not _ZONE.fullmatch(zone) or len(zone) > 200):
        raise FeedError(400, _("Give zone as a domain name, for example rpz.example.jp."))
    return zone


def _not_modified(request: HttpRequest, state: exports.State) -> bool:
    etags = request.headers.get("If-None-Match")
    if etags is not None:
        wanted = {tag.strip().removeprefix("W/") for tag in etags.split(",")}
        return "*" in wanted or state.etag.removeprefix("W/") in wanted
    since = request.headers.get("If-Modified-Since")
    if since and state.last_modified is not None:
        moment = parse_http_date_safe(since)
        return moment is not None and int(state.last_modified.timestamp()) <= moment
    return False


def _headers(response: HttpResponseBase, state: exports.State) -> None:
    response["ETag"] = state.etag
    if state.last_modified is not None:
        response["Last-Modified"] = http_date(state.last_modified.timestamp())
    response["X-JISP-Next-Since"] = exports.iso(state.next_since)
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Authorization"


def _serve(request: HttpRequest, fmt: str, kinds: tuple[str, ...] | None, name: str) -> Any:
    try:
        user = authenticate(request)
        since = parse_since(request.GET["since"]) if request.GET.get("since") else None
        feed = exports.Feed(
            user=user,
            format=fmt,
            kinds=kinds if kinds is not None else _kinds(request, fmt),
            since=since,
            include_warninglisted=_flag(request, "include_warninglisted"),
            now=timezone.now(),
            zone=_zone(request) if fmt == "rpz" else "",
        )
    except FeedError as exc:
        return _error(exc.status, exc.message)
    state = exports.state(feed)
    if _not_modified(request, state):
        response: HttpResponseBase = HttpResponse(status=304)
        _headers(response, state)
        return response
    content_type = exports.CONTENT_TYPES[fmt]
    if request.method == "HEAD":
        response = HttpResponse(content_type=content_type)
        _headers(response, state)
        return response
    try:
        output = exports.render(feed, serial_from=state.last_modified)
    except ImportError:  # pragma: no cover - the STIX export lands with another change
        return _error(503, _("This format is not available yet."))

    def body() -> Any:
        try:
            yield from output
        finally:
            audit.record(
                "intel.export.feed",
                request=request,
                actor=user,
                format=name,
                since=exports.iso(since),
                count=output.count,
            )

    response = StreamingHttpResponse(body(), content_type=content_type)
    _headers(response, state)
    filename = exports.FILE_NAMES.get(fmt, "jisp-" + name.replace("/", "-") + ".txt")
    if since is not None and fmt != "stix":
        filename = filename.replace(".", "-changes.", 1)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def plain_feed(request: HttpRequest, name: str) -> Any:
    """One plain list: ``ipv4``, ``ipv6``, ``cidr``, ``ip`` (all three), ``domain``, ``url``,
    ``email``, ``md5``, ``sha1``, ``sha256``."""
    kinds = exports.PLAIN_LISTS.get(name)
    if kinds is None:
        return _error(404, _("There is no such list."))
    return _serve(request, "plain", kinds, f"plain/{name}")


@require_safe
def feed(request: HttpRequest, fmt: str) -> Any:
    """csv, suricata, snort, rpz or stix."""
    if fmt not in exports.FORMAT_KINDS or fmt == "plain":
        return _error(404, _("There is no such feed."))
    return _serve(request, fmt, None, fmt)


# Feeds are read with a token, never with cookies: nothing for CSRF to protect.
plain_feed.csrf_exempt = True  # type: ignore[attr-defined]
feed.csrf_exempt = True  # type: ignore[attr-defined]
