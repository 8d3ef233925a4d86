"""Named actions on people and their access: sign-in, two-factor, invitations, tokens, roles.

Views parse and authorise; these functions do the work atomically and record it in the audit log.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from jisp.core import audit, policy
from jisp.core.choices import Role, TokenScope
from jisp.core.models import ApiToken, Invitation, Membership, Organisation, User
from jisp.core.models.users import hash_secret
from jisp.core.statements import Statement

TOTP_ISSUER = "JISP"

#: The shape of an API token, checked before the database is asked (anything else is malformed).
TOKEN_PATTERN = re.compile(r"jisp_[0-9a-f]{1,16}_[A-Za-z0-9_-]{1,150}")


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str = ""


def sign_in(request: HttpRequest, email: str, password: str) -> SignInResult:
    """Check an e-mail and password; count failures and lock the account after too many."""
    address = email.strip().lower()
    user = authenticate(request, email=address, password=password)
    if user is not None:
        assert isinstance(user, User)
        if user.failed_signins:
            User.objects.filter(pk=user.pk).update(failed_signins=0, locked_until=None)
            user.failed_signins = 0
        return SignInResult(user)
    known = User.objects.filter(email=address).first()
    if known is not None and known.is_locked():
        audit.record(audit.SIGNIN_FAILED, request=request, actor=known, reason="locked")
        return SignInResult(None, _("Too many failed attempts. Try again later."))
    if known is not None:
        register_failure(request, known, reason="password")
    else:
        audit.record(audit.SIGNIN_FAILED, request=request, email=address, reason="unknown")
    return SignInResult(None, _("The e-mail address or the password is wrong."))


def register_failure(request: HttpRequest | None, user: User, *, reason: str) -> None:
    """Count one failed attempt (password or second factor); lock when the limit is reached."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_signins=F("failed_signins") + 1)
        user.refresh_from_db(fields=["failed_signins", "locked_until"])
        audit.record(audit.SIGNIN_FAILED, request=request, actor=user, reason=reason)
        if user.failed_signins >= settings.LOCKOUT_FAILURES:
            until = timezone.now() + timedelta(minutes=settings.LOCKOUT_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_signins=0)
            user.locked_until = until
            audit.record("core.signin.locked", request=request, actor=user)


def needs_two_factor(user: User) -> bool:
    """Whether this person must sign in with a second factor (by role) or chose to."""
    return user.has_two_factor or policy.access(user).needs_two_factor


# --- Two-factor (TOTP, RFC 6238) -------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step whose code matches (the current one or one either side), else None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    for offset in (0, -1, 1):
        step = int(now // totp.interval) + offset
        if totp.at(step * totp.interval) == code:
            return step
    return None


def verify_totp(request: HttpRequest | None, user: User, code: str) -> bool:
    """Check a code against the person's confirmed secret; a used code cannot be used again."""
    if not user.has_two_factor or user.is_locked():
        return False
    step = _matching_step(user.totp_secret, code)
    if step is not None and step > user.totp_last_step:
        # Conditional update: of two requests with the same code, only one wins.
        won = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(
            totp_last_step=step, failed_signins=0
        )
        if won:
            user.totp_last_step = step
            return True
    register_failure(request, user, reason="two_factor")
    audit.record("core.two_factor.failed", request=request, actor=user)
    return False


def enable_two_factor(request: HttpRequest, user: User, secret: str, code: str) -> bool:
    """Confirm a new secret with a first code from the person's app; then it is required."""
    step = _matching_step(secret, code)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_confirmed_at = timezone.now()
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    audit.record("core.two_factor.enabled", request=request, actor=user)
    return True


def disable_two_factor(request: HttpRequest, user: User) -> None:
    if policy.access(user).needs_two_factor:
        raise PermissionDenied(_("Your role requires two-factor sign-in."))
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    audit.record("core.two_factor.disabled", request=request, actor=user)


# --- Invitations -----------------------------------------------------------------------------


@transaction.atomic
def invite_person(
    request: HttpRequest | None, inviter: User, organisation: Organisation, email: str, role: str
) -> tuple[Invitation, str]:
    """Create an invitation and return it with its secret token (to put in the e-mailed link)."""
    if not policy.can_manage_people(inviter, organisation):
        raise PermissionDenied(_("You may not invite people to this organisation."))
    if role not in policy.grantable_roles(inviter, organisation):
        raise ValidationError({"role": _("You may not grant this role in this organisation.")})
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if Membership.objects.filter(
        user__email=address, organisation=organisation, role=role
    ).exists():
        raise ValidationError({"email": _("This person already has this role here.")})
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        email=address,
        organisation=organisation,
        role=role,
        invited_by=inviter,
        token_hash=token_hash,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    audit.record(
        "core.invitation.sent",
        request=request,
        actor=inviter,
        obj=invitation,
        organisation=organisation,
        role=role,
        email_invited=address,
    )
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """The open invitation for a link's token, or None (unknown, used, revoked or expired)."""
    if not token or len(token) > 100:
        return None
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=hash_secret(token))
        .first()
    )
    return invitation if invitation is not None and invitation.is_open else None


@transaction.atomic
def accept_invitation(
    request: HttpRequest | None,
    invitation: Invitation,
    *,
    user: User | None = None,
    name: str = "",
    password: str = "",
    language: str = "ja",
) -> User:
    """Join the organisation as the signed-in person, or as a new account for the invited one."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_open:
        raise ValidationError(_("This invitation is no longer valid."))
    if user is None:
        if User.objects.filter(email=locked.email).exists():
            raise ValidationError(_("An account with this e-mail address exists: sign in first."))
        user = User.objects.create_user(
            locked.email, password, name=name.strip(), language=language
        )
    elif user.email != locked.email:
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    Membership.objects.get_or_create(user=user, organisation=locked.organisation, role=locked.role)
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    policy.forget(user)
    audit.record(
        "core.invitation.accepted",
        request=request,
        actor=user,
        obj=locked,
        organisation=locked.organisation_id,
        role=locked.role,
    )
    return user


@transaction.atomic
def revoke_invitation(request: HttpRequest | None, actor: User, invitation: Invitation) -> None:
    if not policy.can_manage_people(actor, invitation.organisation_id):
        raise PermissionDenied(_("You may not manage this organisation's invitations."))
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None or locked.revoked_at is not None:
        # An accepted invitation is history, not something to revoke; revoking twice is a no-op.
        raise ValidationError(_("This invitation is no longer open."))
    invitation.revoked_at = locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit.record(
        "core.invitation.revoked",
        request=request,
        actor=actor,
        obj=invitation,
        organisation=invitation.organisation_id,
    )


# --- Memberships -------------------------------------------------------------------------------


def _keep_one_admin(organisation: Organisation) -> None:
    """Refuse to take away the organisation's last administrator (rows locked: no race)."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Role.ORG_ADMIN)
        .values_list("pk", flat=True)
    )
    if len(admins) <= 1:
        raise ValidationError(_("An organisation keeps at least one administrator."))


@transaction.atomic
def set_role(request: HttpRequest | None, actor: User, membership: Membership, role: str) -> None:
    organisation = membership.organisation
    if role not in policy.grantable_roles(actor, organisation):
        raise PermissionDenied(_("You may not grant this role in this organisation."))
    if membership.role not in policy.grantable_roles(actor, organisation):
        raise PermissionDenied(_("You may not change this person's role."))
    old = membership.role
    if old == role:
        return
    if old == Role.ORG_ADMIN and not policy.access(actor).is_centre_staff:
        _keep_one_admin(organisation)
    if (
        Membership.objects.filter(user_id=membership.user_id, organisation=organisation, role=role)
        .exclude(pk=membership.pk)
        .exists()
    ):
        membership.delete()
    else:
        membership.role = role
        membership.save(update_fields=["role"])
    audit.record(
        "core.membership.changed",
        request=request,
        actor=actor,
        organisation=organisation,
        person=membership.user_id,
        old_role=old,
        new_role=role,
    )


@transaction.atomic
def remove_membership(request: HttpRequest | None, actor: User, membership: Membership) -> None:
    organisation = membership.organisation
    if membership.role not in policy.grantable_roles(actor, organisation):
        raise PermissionDenied(_("You may not remove this person."))
    if membership.role == Role.ORG_ADMIN and not policy.access(actor).is_centre_staff:
        _keep_one_admin(organisation)
    membership.delete()
    audit.record(
        "core.membership.removed",
        request=request,
        actor=actor,
        organisation=organisation,
        person=membership.user_id,
        role=membership.role,
    )


# --- API tokens ---------------------------------------------------------------------------------


def create_api_token(
    request: HttpRequest | None, user: User, name: str, scope: str, days: int
) -> tuple[ApiToken, str]:
    """A new token; the full secret is returned once and never stored."""
    errors: dict[str, str] = {}
    if not name.strip() or len(name) > 100:
        errors["name"] = _("Give the token a name of at most 100 characters.")
    if scope not in TokenScope.values:
        errors["scope"] = _("Choose read or write.")
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = _("A token lasts from 1 to %(max)d days.") % {
            "max": settings.API_TOKEN_MAX_DAYS
        }
    if errors:
        raise ValidationError(errors)
    key_id, secret, full = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        key_id=key_id,
        secret_hash=hash_secret(secret),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record("core.token.created", request=request, actor=user, obj=token, scope=scope)
    return token, full


def revoke_api_token(request: HttpRequest | None, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk and not policy.access(user).is_centre_staff:
        raise PermissionDenied(_("You may not revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("core.token.revoked", request=request, actor=user, obj=token)


def credentials(header: str) -> tuple[str, str | None] | None:
    """(token, user name or None) from an ``Authorization`` header: ``Bearer <token>``, or HTTP
    Basic with the token as the password (for clients that only know Basic: TAXII clients,
    firewalls pulling feeds). None for another scheme or unreadable Basic credentials; the
    token's shape is not checked here (``TOKEN_PATTERN``)."""
    scheme, _sep, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value, None
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    name, sep, password = decoded.partition(":")
    if not sep:
        return None
    return password.strip(), name.strip()


#: The token of every API, TAXII and feed request, with its person: a compiled statement
#: (``jisp.core.statements``), not a queryset built each time.
_TOKEN_BY_KEY = Statement(
    lambda key_id: ApiToken.objects.select_related("user").filter(key_id=key_id)[:1], str
)


def authenticate_token(raw: str) -> ApiToken | None:
    """The usable token for ``jisp_<key_id>_<secret>``, or None. Constant-time comparison."""
    import hmac

    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 200:
        return None
    key_id, _sep, secret = raw[len(ApiToken.PREFIX) :].partition("_")
    if not key_id or not secret:
        return None
    token: ApiToken | None = _TOKEN_BY_KEY.first(key_id)
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_user(token: ApiToken) -> Any:
    return token.user


# --- The person's own account: profile, language, passwords ------------------------------------


def update_profile(request: HttpRequest | None, user: User, fields: list[str]) -> None:
    """Save the named profile fields (already set on ``user``), and record which changed."""
    allowed = {"name", "name_en", "language"}
    changed = [name for name in fields if name in allowed]
    if not changed:
        return
    user.save(update_fields=changed)
    audit.record("core.profile.changed", request=request, actor=user, fields=changed)


def set_language(request: HttpRequest | None, user: User, language: str) -> None:
    """Remember the person's language for the pages and the mail they get."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Japanese or English.")})
    if user.language != language:
        user.language = language
        update_profile(request, user, ["language"])


def change_password(request: HttpRequest | None, user: User, new_password: str) -> None:
    """Set a new password chosen by the signed-in person (the old one was checked by the form)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record("core.password.changed", request=request, actor=user)


@transaction.atomic
def reset_password(request: HttpRequest | None, user: User, new_password: str) -> None:
    """Set a new password from a reset link; this also lifts a lock-out."""
    user.set_password(new_password)
    user.failed_signins = 0
    user.locked_until = None
    user.save(update_fields=["password", "failed_signins", "locked_until"])
    audit.record("core.password.reset", request=request, actor=user)


def password_reset_link(user: User) -> str:
    """The absolute link (from ``SITE_URL``) that lets this person choose a new password."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse(
        "core:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


def request_password_reset(request: HttpRequest | None, email: str) -> bool:
    """Mail a reset link if an active account has this address; say nothing either way.

    Returns whether a mail was sent (for tests and logs only: never show it to the requester,
    or the answer would tell who has an account).
    """
    import logging

    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.utils import translation

    address = email.strip().lower()
    user = User.objects.filter(email=address, is_active=True).first()
    if user is None:
        audit.record("core.password.reset_requested", request=request, email=address, known=False)
        return False
    english = user.language == "en" and bool(user.name_en)
    context = {
        "user": user,
        "name": user.name_en if english else (user.name or user.email),
        "link": password_reset_link(user),
        "SITE_NAME": settings.SITE_NAME,
        "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("core/mail/password_reset_subject.txt", context)
        text = render_to_string("core/mail/password_reset.txt", context)
        html = render_to_string("core/mail/password_reset.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:  # a mail server that is down must not reveal who has an account
        logging.getLogger(__name__).exception("Could not send a password reset mail")
        return False
    audit.record("core.password.reset_requested", request=request, actor=user, known=True)
    return True
