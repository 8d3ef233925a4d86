"""Request middleware: security headers, the person's language, and enforced two-factor sign-in."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

Handler = Callable[[HttpRequest], HttpResponse]


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (no inline script or style; every asset local)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class UserLanguageMiddleware:
    """A signed-in person sees the language they chose; others get the cookie or Japanese."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


#: Paths a person who must still set up two-factor sign-in may reach.
_SETUP_ALLOWED = ("/static/", "/i18n/", "/api/")


class TwoFactorMiddleware:
    """Sends a signed-in person whose role requires two-factor sign-in to set it up first."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.has_two_factor:
            from jisp.core import policy

            if policy.access(user).needs_two_factor:
                allowed = {
                    reverse("core:two_factor_setup"),
                    reverse("core:signout"),
                    reverse("core:language"),
                }
                if request.path not in allowed and not request.path.startswith(_SETUP_ALLOWED):
                    return HttpResponseRedirect(reverse("core:two_factor_setup"))
        return self.get_response(request)
