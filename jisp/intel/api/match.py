"""POST /api/v1/intel/match: which of these values (or the values in these log lines) are known.

Matching only reads, so a token with the *read* scope may call it although it is a POST; the
session never does (no cookie makes a request here). See ``jisp.intel.matching``.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from jisp.core import audit
from jisp.core.models import AuditEvent, User
from jisp.core.schemas import ERRORS_WRITE
from jisp.core.services import accounts
from jisp.intel import matching
from jisp.intel.extract import extract

router = Router(tags=["intel"])


class ReadingToken(HttpBearer):
    """Any usable API token (read or write scope); never the session."""

    def __call__(self, request: HttpRequest) -> User | None:
        from jisp import api  # imported late: jisp.api mounts this router while it loads

        request.jisp_via = AuditEvent.Via.API  # type: ignore[attr-defined]
        header = request.headers.get("Authorization")
        if header is None:
            raise api.NotSignedIn(_("Send an API token: Authorization: Bearer <token>."))
        return self.authenticate(request, header)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        from jisp import api

        scheme, _sep, raw = token.strip().partition(" ")
        raw = raw.strip()
        if scheme.lower() != "bearer" or not api.TOKEN_PATTERN.fullmatch(raw):
            raise api.NotSignedIn(
                _("The Authorization header must be: Bearer <token>."), "invalid_request"
            )
        api_token = accounts.authenticate_token(raw)
        if api_token is None:
            raise api.NotSignedIn(_("This token is unknown, expired or revoked."), "invalid_token")
        user = api_token.user
        request.user = user
        request.jisp_token = api_token  # type: ignore[attr-defined]
        if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
            from django.utils import translation

            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return user


class MatchIn(Schema):
    values: list[str] | None = Field(
        None, description="Up to 100,000 values.", examples=[["198.51.100.7", "evil.example"]]
    )
    text: str | None = Field(
        None, description="Raw text (log lines): its indicators are matched, defanged ones too."
    )


class MatchedIndicator(Schema):
    id: int
    kind: str
    value: str
    via: str = Field(
        description="exact, parent_domain, network, host (of a URL) or email_domain.",
        examples=["exact"],
    )
    stix_id: str
    confidence: int = Field(description="After decay.")
    tlp: str
    labels: list[str]
    malware: str
    first_seen: datetime | None
    last_seen: datetime | None
    valid_until: datetime | None
    false_positive: bool
    sources: list[str]


class WarninglistHit(Schema):
    list: str = Field(description="The warninglist's id.", examples=["public-dns"])
    title: str
    reason: str
    entry: str = Field(description="The listed entry that matched.", examples=["8.8.8.8/32"])


class Match(Schema):
    input: str
    kind: str
    value: str = Field(description="The input normalised.")
    indicators: list[MatchedIndicator]
    sightings: int = Field(description="Times seen, in the sightings you may see.")
    warninglists: list[WarninglistHit]


class MatchOut(Schema):
    count: int
    matches: list[Match]


def _inputs(body: MatchIn) -> list[str]:
    if body.values is not None and body.text is not None:
        raise ValidationError(_("Send either values or text, not both."))
    if body.text is not None:
        values = [found.value for found in extract(body.text)]
    else:
        values = list(body.values or [])
    if not values:
        raise ValidationError(
            _("Send at least one value.") if body.text is None else _("The text has no values.")
        )
    if len(values) > matching.MAX_VALUES:
        raise ValidationError(
            _("Send at most %(limit)s values; this request has %(count)s.")
            % {"limit": f"{matching.MAX_VALUES:,}", "count": f"{len(values):,}"}
        )
    return values


@router.post(
    "",
    auth=ReadingToken(),
    response={200: MatchOut, **ERRORS_WRITE},
    summary="Match values against the indicators",
)
def match_values(request: HttpRequest, body: MatchIn) -> HttpResponse:
    """The values (or the values found in ``text``) that are known, with the indicators you may
    see: a domain also through its parent domains, an IP address through the networks holding it,
    a URL or an e-mail address through its host (``via``). At most 100,000 values; the values
    themselves are not recorded in the audit log, only how many."""
    values = _inputs(body)
    # Written as JSON directly (``match_json``): 100,000 matches through the schema would cost
    # seconds, and even as dicts through ``json.dumps`` a quarter of the time.
    matched, answer = matching.match_json(request.user, values)
    audit.record("intel.match", request=request, count=len(values), matched=matched)
    return HttpResponse(answer.encode("utf-8"), content_type="application/json")
