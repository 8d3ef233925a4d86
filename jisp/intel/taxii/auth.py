"""Who is calling: HTTP Basic (the person's e-mail address and an API token) or a bearer token.

TAXII clients must support HTTP Basic (section 8.5.1), so the password is an API token
``jisp_<key>_<secret>`` made on the account page and the user name the e-mail address of the
person it belongs to; ``Authorization: Bearer <token>`` works too. Sessions are not used: no
cookie ever authorises a TAXII request (so there is no CSRF to consider). Reading needs any
usable token; adding and deleting objects need a token with the ``write`` scope.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from jisp.core.choices import TokenScope
from jisp.core.models import ApiToken, AuditEvent, User
from jisp.core.services import accounts
from jisp.intel.taxii.errors import TaxiiError


def _not_signed_in(message: str) -> TaxiiError:
    return TaxiiError(401, message)


def _token_from_header(header: str) -> tuple[str, str | None]:
    """(token, e-mail address given with it or None) from an ``Authorization`` header."""
    found = accounts.credentials(header)
    if found is not None:
        return found
    scheme = header.strip().partition(" ")[0].lower()
    if scheme == "basic":
        raise _not_signed_in(_("The Basic credentials could not be read."))
    raise _not_signed_in(
        _("Sign in with HTTP Basic (your e-mail address and an API token) or a bearer token.")
    )


def authenticate(request: HttpRequest) -> User:
    """The person making the request; ``TaxiiError(401)`` for missing or bad credentials.

    Sets ``request.user`` and ``request.jisp_token`` (for the audit log) and, unless the client
    sent ``Accept-Language``, activates the person's language for the messages."""
    request.jisp_via = AuditEvent.Via.TAXII  # type: ignore[attr-defined]
    header = request.headers.get("Authorization")
    if not header:
        raise _not_signed_in(
            _("Sign in with HTTP Basic (your e-mail address and an API token) or a bearer token.")
        )
    raw, email = _token_from_header(header)
    if not accounts.TOKEN_PATTERN.fullmatch(raw):
        raise _not_signed_in(_("The password must be an API token (jisp_...)."))
    token = accounts.authenticate_token(raw)
    if token is None:
        raise _not_signed_in(_("This token is unknown, expired or revoked."))
    user = token.user
    if email is not None and email.casefold() != user.email.casefold():
        raise _not_signed_in(_("This token is not one of this person's."))
    request.user = user
    request.jisp_token = token  # type: ignore[attr-defined]
    if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
    return user


def may_write(request: HttpRequest) -> bool:
    """Whether the request's token has the ``write`` scope."""
    token = getattr(request, "jisp_token", None)
    return isinstance(token, ApiToken) and token.scope == TokenScope.WRITE
