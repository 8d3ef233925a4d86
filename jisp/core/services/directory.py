"""Named actions of the directory beyond ``accounts``: invitation e-mail, link look-up, joining.

The writes on memberships and invitations themselves (invite, accept, revoke, change a role,
remove) are in ``jisp.core.services.accounts``; this module adds what the pages around them need.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.core.mail import EmailMultiAlternatives
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jisp.core import audit
from jisp.core.models import Invitation, Organisation, User
from jisp.core.models.users import hash_secret
from jisp.core.services import accounts

logger = logging.getLogger(__name__)

#: The states of an invitation link, as its holder sees them.
OPEN = "open"
EXPIRED = "expired"
USED = "used"
REVOKED = "revoked"
UNKNOWN = "unknown"

#: Longer tokens are refused without touching the database (ours are 43 characters).
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class InvitationLookup:
    invitation: Invitation | None
    state: str

    @property
    def is_open(self) -> bool:
        return self.state == OPEN


def look_up_invitation(token: str) -> InvitationLookup:
    """The invitation behind a link's token and its state; never raises, whatever the token."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return InvitationLookup(None, UNKNOWN)
    try:
        token_hash = hash_secret(token)
    except UnicodeError:
        return InvitationLookup(None, UNKNOWN)
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=token_hash)
        .first()
    )
    if invitation is None:
        return InvitationLookup(None, UNKNOWN)
    if invitation.revoked_at is not None:
        return InvitationLookup(invitation, REVOKED)
    if invitation.accepted_at is not None:
        return InvitationLookup(invitation, USED)
    if invitation.expires_at <= timezone.now():
        return InvitationLookup(invitation, EXPIRED)
    return InvitationLookup(invitation, OPEN)


def open_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    """The organisation's invitations still waiting for an answer, newest first."""
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def count_open_invitations() -> int:
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).count()


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("core:invitation_accept", args=[token])


def send_invitation(invitation: Invitation, token: str) -> bool:
    """E-mail the invitation link, in Japanese then English (the invitee has no language yet).

    Returns whether the message was handed to the mail server; a failure is logged, not raised,
    because the invitation itself is already saved (the inviter can revoke it and try again).
    """
    context: dict[str, Any] = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": invitation.invited_by,
        "link": invitation_link(token),
        "expires_at": invitation.expires_at,
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = " ".join(render_to_string("core/mail/invitation.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("core/mail/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("core/mail/invitation.html", context), "text/html")
    try:
        message.send()
    except Exception:  # the mail server's errors vary by backend
        logger.exception("Could not send the invitation %s", invitation.pk)
        return False
    return True


def join_with_new_account(
    request: HttpRequest, invitation: Invitation, *, name: str, password: str, language: str
) -> User:
    """Create the invited person's account, join the organisation and sign them in."""
    user = accounts.accept_invitation(
        request, invitation, name=name, password=password, language=language
    )
    login(request, user, backend="jisp.core.auth.EmailBackend")
    audit.record(audit.SIGNIN_SUCCEEDED, request=request, actor=user, method="invitation")
    return user
