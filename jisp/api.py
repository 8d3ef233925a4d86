"""The JSON API under /api/v1 (django-ninja): routers of every app are mounted here.

What every operation gets from here, so that routers only parse, ask the policy and respond:

* **Sign-in.** ``Authorization: Bearer jisp_<key>_<secret>`` (an API token), or the browser's
  session for reading (the docs page "Try it out"). Reading (GET, HEAD, OPTIONS) needs any token;
  writing needs a token with the ``write`` scope, never the session (so no CSRF to worry about).
  A missing, malformed, unknown, expired or revoked token answers 401 with ``WWW-Authenticate``.
* **Errors** are always JSON ``{"detail": <message or list>}`` with a 4xx status, in the caller's
  language (``Accept-Language`` if sent, else the person's language): 400 unreadable body,
  401, 403, 404 (also unknown paths), 405, 413 (body over ``MAX_BODY_BYTES``), 422 invalid input
  (``{"detail": [{"loc", "msg", "type"}]}``).
* **Audit.** Each request is recorded once as ``core.api.request`` (method, path, status).
* **Docs** at ``/api/v1/docs`` (Swagger UI from ``/static/ninja/``, no CDN, no inline script)
  and the schema at ``/api/v1/openapi.json``.

Lists answer ``{"count": n, "count_complete": bool, "items": [...]}`` with ``limit`` /
``offset``: see ``jisp.core.schemas.PageIn`` and ``paginate()``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from jisp.core import audit, policy
from jisp.core.api import router as core_router
from jisp.core.choices import TokenScope
from jisp.core.models import ApiToken, AuditEvent, User
from jisp.core.services import accounts

#: Request bodies above this size are refused with 413 before they are read.
MAX_BODY_BYTES = 1024 * 1024

#: Larger limits for the few operations made for bulk input (the match API takes 100,000 values).
BODY_LIMITS: dict[str, int] = {"/api/v1/intel/match": 16 * 1024 * 1024}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: The shape of a token, checked before the database is asked (anything else is malformed).
TOKEN_PATTERN = accounts.TOKEN_PATTERN

DESCRIPTION = """
The JSON API of JISP.

**Sign-in**: send `Authorization: Bearer jisp_<key>_<secret>` with a token made on your account
page. A token with the *read* scope may only read (GET); writing needs the *write* scope. In the
browser, this page also works for reading while you are signed in.

**Lists** answer `{"count": n, "count_complete": true, "items": [...]}`; choose the page with
`limit` (1 to the maximum) and `offset`. Counts stop at 10,000 (`count_complete` is then false).

**Errors** answer `{"detail": "message"}` with a 4xx status; invalid input (422) answers
`{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`. Messages follow `Accept-Language`,
else your language. Times are ISO 8601 in UTC.
"""


# --- Sign-in -------------------------------------------------------------------------------------


class NotSignedIn(AuthenticationError):
    """401 with a message and the RFC 6750 error code for ``WWW-Authenticate``."""

    def __init__(self, message: str, error: str = "") -> None:
        super().__init__(401, message)
        self.error = error


class ApiError(HttpError):
    """An error of ours, with a message already in the caller's language."""


class TokenOrSession(HttpBearer):
    """An API token (any method, within its scope) or the signed-in session (reading only)."""

    def __call__(self, request: HttpRequest) -> User | None:
        request.jisp_via = AuditEvent.Via.API  # type: ignore[attr-defined]
        header = request.headers.get("Authorization")
        if header is not None:
            return self.authenticate(request, header)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            raise NotSignedIn(_("Send an API token: Authorization: Bearer <token>."))
        if request.method not in SAFE_METHODS:
            raise NotSignedIn(_("Writing through the API needs a token with the write scope."))
        if not user.has_two_factor and policy.access(user).needs_two_factor:
            raise ApiError(403, _("Set up two-factor sign-in first."))
        assert isinstance(user, User)
        return user

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        scheme, _sep, raw = token.strip().partition(" ")
        raw = raw.strip()
        if scheme.lower() != "bearer" or not TOKEN_PATTERN.fullmatch(raw):
            raise NotSignedIn(
                _("The Authorization header must be: Bearer <token>."), "invalid_request"
            )
        api_token = accounts.authenticate_token(raw)
        if api_token is None:
            raise NotSignedIn(_("This token is unknown, expired or revoked."), "invalid_token")
        user = api_token.user
        request.user = user
        request.jisp_token = api_token  # type: ignore[attr-defined]
        if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        if request.method not in SAFE_METHODS and api_token.scope != TokenScope.WRITE:
            raise ApiError(403, _("This token may only read: writing needs the write scope."))
        return user


# --- Errors -------------------------------------------------------------------------------------


def _default_message(status: int) -> str:
    messages = {
        400: _("The request body could not be read as JSON."),
        401: _("Send an API token: Authorization: Bearer <token>."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request body is too large."),
        422: _("The input is not valid."),
        429: _("Too many requests. Try again later."),
    }
    return messages.get(status, _("The request failed."))


def error_response(status: int, detail: Any, **headers: str) -> HttpResponse:
    response = JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _pydantic_message(error: dict[str, Any]) -> str:
    """Our message for a pydantic error type; pydantic's own (English) for the rare others."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    simple = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "string_type": _("Enter text."),
        "bool_parsing": _("Enter true or false."),
        "model_attributes_type": _("Send a JSON object."),
        "dict_type": _("Send a JSON object."),
        "string_pattern_mismatch": _("This value has characters that are not allowed."),
    }
    if kind in simple:
        return simple[kind]
    if kind in ("greater_than_equal", "greater_than"):
        return _("Enter a value of at least %(limit)s.") % {
            "limit": ctx.get("ge", ctx.get("gt", ""))
        }
    if kind in ("less_than_equal", "less_than"):
        return _("Enter a value of at most %(limit)s.") % {
            "limit": ctx.get("le", ctx.get("lt", ""))
        }
    if kind == "string_too_long":
        return _("Enter at most %(limit)s characters.") % {"limit": ctx.get("max_length", "")}
    if kind == "string_too_short":
        return _("Enter at least %(limit)s characters.") % {"limit": ctx.get("min_length", "")}
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(error.get("msg", _("The input is not valid.")))


def _loc(parts: Any) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in parts]


def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = [
        {
            "loc": _loc(error.get("loc", ())),
            "msg": _pydantic_message(error),
            "type": str(error.get("type", "invalid")),
        }
        for error in exc.errors
    ]
    return error_response(422, detail)


def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the input: one item per message, at ``body.<field>``."""
    if hasattr(exc, "error_dict"):
        detail = [
            {
                "loc": ["body", field] if field != "__all__" else ["body"],
                "msg": message,
                "type": "invalid",
            }
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        detail = [{"loc": ["body"], "msg": message, "type": "invalid"} for message in exc.messages]
    return error_response(422, detail)


def on_not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    error = getattr(exc, "error", "")
    challenge = f'Bearer realm="jisp", error="{error}"' if error else 'Bearer realm="jisp"'
    message = exc.message if isinstance(exc, NotSignedIn) else _default_message(401)
    return error_response(401, message, WWW_Authenticate=challenge)


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ours carry a translated message; ninja's (in English) get ours for their status."""
    message = exc.message if isinstance(exc, ApiError) else _default_message(exc.status_code)
    return error_response(exc.status_code, message)


def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, str(exc) or _default_message(403))


def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, _default_message(404))


def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, _default_message(413))


# --- Audit, size limit and JSON errors around every view ----------------------------------------


def _body_too_big(request: HttpRequest) -> bool:
    """Over this path's limit. Under a limit above Django's own (DATA_UPLOAD_MAX_MEMORY_SIZE),
    the body is read here, so that Django does not refuse it afterwards."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = BODY_LIMITS.get(request.path.rstrip("/"), MAX_BODY_BYTES)
    if length > limit:
        return True
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and request.method not in SAFE_METHODS:
        request._body = request.read(length)
    return False


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _carries_nul(request: HttpRequest) -> bool:
    """A NUL character anywhere in the query or the JSON body: no database stores it (PostgreSQL
    refuses it in text), so such input is refused up front, whatever field it is in."""
    if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
        "QUERY_STRING", ""
    ):
        return True
    if request.method in {"GET", "HEAD", "OPTIONS"} or b"\\u0000" not in request.body:
        return False
    try:
        return _has_nul(json.loads(request.body))
    except ValueError:
        return False  # not JSON: ninja answers 400 for it


def _as_json(response: HttpResponse) -> HttpResponse:
    """A non-JSON error from outside ninja's operations (405, Django's 404...) made JSON."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return response
    converted = error_response(response.status_code, _default_message(response.status_code))
    if response.has_header("Allow"):
        converted["Allow"] = response["Allow"]
    return converted


def _record(request: HttpRequest, status: int) -> None:
    token = getattr(request, "jisp_token", None)
    audit.record(
        "core.api.request",
        request=request,
        via=AuditEvent.Via.API,
        method=str(request.method)[:10],
        path=request.path[:200],
        status=status,
        token=token.key_id if isinstance(token, ApiToken) else "",
    )


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap one URL's view: refuse big bodies, answer errors as JSON, record the request once."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.jisp_via = AuditEvent.Via.API  # type: ignore[attr-defined]
        try:
            if _body_too_big(request):
                response = error_response(413, _default_message(413))
            elif _carries_nul(request):
                response = error_response(400, _("Text may not contain NUL characters."))
            else:
                response = _as_json(view(request, *args, **kwargs))
        except Http404:
            response = error_response(404, _default_message(404))
        except PermissionDenied:
            response = error_response(403, _default_message(403))
        except Exception:
            _record(request, 500)
            raise
        _record(request, response.status_code)
        return response

    # Writes need a token (the session only reads), so cookies alone never change anything.
    wrapper.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapper


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/v1/ that no operation answers."""
    raise Http404


class JispAPI(NinjaAPI):
    """NinjaAPI whose every URL is wrapped by ``api_view`` and ends with a JSON 404."""

    def _get_urls(self) -> list[Any]:
        urls = [*super()._get_urls(), path("<path:rest>", not_found, name="not-found")]
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = api_view(pattern.callback)
        return urls


api = JispAPI(
    title="JISP API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenOrSession(),
    # Swagger UI from /static/ninja/ ("ninja" is in INSTALLED_APPS); no call to a validator.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_decorator=require_safe,
)
HANDLERS: dict[type[Exception], Callable[..., HttpResponse]] = {
    NinjaValidationError: on_validation_error,
    DjangoValidationError: on_django_validation_error,
    AuthenticationError: on_not_signed_in,
    HttpError: on_http_error,
    PermissionDenied: on_permission_denied,
    Http404: on_not_found,
    RequestDataTooBig: on_too_big,
}
for exc_class, handler in HANDLERS.items():
    api.add_exception_handler(exc_class, handler)

api.add_router("/", core_router)
api.add_router("/topics", "jisp.sharing.api.router")
api.add_router("/incidents", "jisp.incidents.api.router")
api.add_router("/intel", "jisp.intel.api.router")
