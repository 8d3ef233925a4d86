"""Sign-in (password, then a TOTP code where enabled), sign-out, language, password reset, and the
person's own account: profile, password, two-factor sign-in and API tokens.

Views parse, authorise and respond; the work is done by ``jisp.core.services.accounts``.
"""

from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from jisp.core import audit, policy
from jisp.core.forms.accounts import (
    PasswordResetRequestForm,
    ProfileForm,
    SignInForm,
    TokenForm,
    TwoFactorCodeForm,
)
from jisp.core.models import ApiToken, User
from jisp.core.services import accounts

#: Session keys: the person who passed the password step, and a new secret not yet confirmed.
PENDING_KEY = "jisp_signin_pending"
TOTP_SETUP_KEY = "jisp_totp_setup"
#: How long the code step may follow the password step.
PENDING_SECONDS = 5 * 60

_GET_POST = ["GET", "POST"]


def _authenticated(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """``value`` when it points into this site, else the home page (no open redirects)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("core:home")


def _complete_sign_in(request: HttpRequest, user: User, next_url: str, **data: Any) -> HttpResponse:
    """Log in (which rotates the session key), record it, and go on."""
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    audit.record(audit.SIGNIN_SUCCEEDED, request=request, actor=user, **data)
    return HttpResponseRedirect(_safe_next(request, next_url))


# --- Sign-in and sign-out --------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(_GET_POST)
def signin(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request, next_url))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = accounts.sign_in(
                request, form.cleaned_data["email"], form.cleaned_data["password"]
            )
            user = result.user
            if user is None:
                form.add_error(None, result.error)
            elif accounts.needs_two_factor(user) and user.has_two_factor:
                request.session.pop(TOTP_SETUP_KEY, None)
                request.session[PENDING_KEY] = {
                    "user": user.pk,
                    "at": time.time(),
                    "next": next_url,
                }
                return redirect("core:signin_two_factor")
            else:
                return _complete_sign_in(request, user, next_url)
    context = {"form": form, "next": next_url}
    return render(request, "core/accounts/signin.html", context, status=status)


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    """The person who passed the password step less than five minutes ago, and where to go."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, ""
    started = pending.get("at")
    if not isinstance(started, int | float) or not 0 <= time.time() - started <= PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, ""
    user_id = pending.get("user")
    user = (
        User.objects.filter(pk=user_id, is_active=True).first()
        if isinstance(user_id, int)
        else None
    )
    if user is None or not user.has_two_factor:
        request.session.pop(PENDING_KEY, None)
        return None, ""
    return user, str(pending.get("next") or "")


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(_GET_POST)
def signin_two_factor(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    user, next_url = _pending_user(request)
    if user is None:
        messages.info(request, _("Your sign-in took too long or has ended. Sign in again."))
        return redirect("core:signin")
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if accounts.verify_totp(request, user, form.cleaned_data["code"]):
                del request.session[PENDING_KEY]
                return _complete_sign_in(request, user, next_url, two_factor=True)
            if user.is_locked():
                # Locked: the person starts again from the password step once the lock ends.
                request.session.pop(PENDING_KEY, None)
                form.add_error(None, _("Too many failed attempts. Try again later."))
            else:
                form.add_error("code", _("This code is not right or was already used."))
    return render(request, "core/accounts/signin_two_factor.html", {"form": form}, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record("core.signout", request=request, actor=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("core:signin")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: a cookie for all, and the account's choice if signed in."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."), content_type="text/plain")
    translation.activate(code)
    request.LANGUAGE_CODE = code
    if request.user.is_authenticated:
        accounts.set_language(request, _authenticated(request), code)
    response = HttpResponseRedirect(_safe_next(request, request.POST.get("next")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# --- Password reset --------------------------------------------------------------------------


@never_cache
@require_http_methods(_GET_POST)
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            accounts.request_password_reset(request, form.cleaned_data["email"])
            # The same answer whether or not the address is known.
            return render(request, "core/accounts/password_reset_sent.html")
        return render(request, "core/accounts/password_reset.html", {"form": form}, status=400)
    return render(request, "core/accounts/password_reset.html", {"form": form})


def _user_from_link(uidb64: str, token: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = User.objects.filter(pk=int(pk), is_active=True).first()
    except (TypeError, ValueError, OverflowError, ValidationError):
        return None
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(_GET_POST)
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _user_from_link(uidb64, token)
    if user is None:
        return render(request, "core/accounts/password_reset_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            accounts.reset_password(request, user, form.cleaned_data["new_password1"])
            messages.success(request, _("Your password was changed. Sign in with the new one."))
            return redirect("core:signin")
    return render(
        request, "core/accounts/password_reset_confirm.html", {"form": form}, status=status
    )


# --- The person's own account ----------------------------------------------------------------


@login_required
@require_http_methods(_GET_POST)
def profile(request: HttpRequest) -> HttpResponse:
    user = _authenticated(request)
    form = ProfileForm(request.POST or None, instance=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            accounts.update_profile(request, user, form.changed_data)
            translation.activate(user.language)
            messages.success(request, _("Your profile was saved."))
            return redirect("core:profile")
        # Keep the header showing the saved name while the form shows what was typed.
        user.refresh_from_db(fields=["name", "name_en", "language"])
    memberships = user.memberships.select_related("organisation").order_by(
        "organisation__name", "role"
    )
    context = {
        "form": form,
        "memberships": memberships,
        "two_factor_required": policy.access(user).needs_two_factor,
        "nav": "profile",
    }
    return render(request, "core/accounts/profile.html", context, status=status)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
@require_http_methods(_GET_POST)
def password_change(request: HttpRequest) -> HttpResponse:
    user = _authenticated(request)
    form = PasswordChangeForm(user, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            accounts.change_password(request, user, form.cleaned_data["new_password1"])
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("core:profile")
    return render(request, "core/accounts/password_change.html", {"form": form}, status=status)


def _qr_data_uri(text: str) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=4, dark="#000", light="#fff"))


@sensitive_post_parameters("code")
@login_required
@require_http_methods(_GET_POST)
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = _authenticated(request)
    required = policy.access(user).needs_two_factor
    if user.has_two_factor:
        request.session.pop(TOTP_SETUP_KEY, None)
        if request.method == "POST":
            return redirect("core:two_factor_setup")
        status_context = {"enabled": True, "required": required}
        return render(request, "core/accounts/two_factor_setup.html", status_context)

    secret = request.session.get(TOTP_SETUP_KEY)
    if not isinstance(secret, str) or not secret:
        secret = accounts.new_totp_secret()
        request.session[TOTP_SETUP_KEY] = secret
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if accounts.enable_two_factor(request, user, secret, form.cleaned_data["code"]):
                del request.session[TOTP_SETUP_KEY]
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("core:home" if required else "core:profile")
            form.add_error(
                "code",
                _("This code is not right. Check that your device shows the right time."),
            )
    uri = accounts.totp_uri(user, secret)
    context = {
        "enabled": False,
        "required": required,
        "form": form,
        "secret": secret,
        "qr": _qr_data_uri(uri),
    }
    response = render(request, "core/accounts/two_factor_setup.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = _authenticated(request)
    if not user.has_two_factor:
        return redirect("core:two_factor_setup")
    try:
        accounts.disable_two_factor(request, user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("core:two_factor_setup")
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("core:profile")


@login_required
@require_http_methods(_GET_POST)
def tokens(request: HttpRequest) -> HttpResponse:
    user = _authenticated(request)
    form = TokenForm(request.POST or None)
    status = 200
    created: tuple[ApiToken, str] | None = None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = accounts.create_api_token(
                    request, user, data["name"], data["scope"], data["days"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                status = 200
                form = TokenForm()
    context = {
        "form": form,
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
        "created": created[0] if created else None,
        "full_token": created[1] if created else "",
        "nav": "profile",
    }
    response = render(request, "core/accounts/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _authenticated(request)
    token = get_object_or_404(ApiToken, pk=pk, user=user)
    accounts.revoke_api_token(request, user, token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("core:tokens")
