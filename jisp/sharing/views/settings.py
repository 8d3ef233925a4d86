"""Following and muting: a topic's follow button, and the page of follows, mutes and the digest.

Everything here is the signed-in person's own; a topic they may not see answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jisp.core import policy
from jisp.core.models import User
from jisp.sharing.choices import SubscriptionKind, TopicStatus
from jisp.sharing.forms.settings import DigestForm, SubscriptionForm
from jisp.sharing.models import LIST_ORDER, Subscription, Tag, Topic
from jisp.sharing.services import following as follows
from jisp.sharing.services.following import FollowState
from jisp.sharing.services.topics import readable_topics

#: Tags offered as suggestions on the page, from this many of the latest topics.
TAG_SUGGESTIONS = 200
RECENT_TOPICS = 500


def _authenticated(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_POST
def follow_topic(request: HttpRequest, pk: int) -> HttpResponse:
    """POST ``state`` = follow / mute / none; without it, toggle following."""
    user = _authenticated(request)
    topic = policy.get_visible_or_404(user, readable_topics(user), pk=pk)
    state = request.POST.get("state") or ""
    if not state:
        current = follows.state_of(user, topic=topic)
        state = FollowState.NONE if current == FollowState.FOLLOW else FollowState.FOLLOW
    if state not in FollowState.values:
        return HttpResponse(_("Choose follow, mute or neither."), status=400)
    follows.set_state(request, user, state, topic=topic)
    messages.success(request, _state_message(state))
    return redirect(_next(request, reverse("sharing:detail", args=[topic.pk])))


def _state_message(state: str) -> str:
    if state == FollowState.FOLLOW:
        return _("You follow this topic: you are told about new comments and versions.")
    if state == FollowState.MUTE:
        return _("You muted this topic.")
    return _("You no longer follow this topic.")


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def following(request: HttpRequest) -> HttpResponse:
    """List and change the person's follows and mutes, and their daily digest.

    POST ``action``: ``digest`` (the digest form), ``add`` (follow or mute a tag or sector),
    ``remove`` (with ``subscription=<id>``).
    """
    user = _authenticated(request)
    current = follows.reader_settings(user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    digest_form = DigestForm(
        request.POST if action == "digest" else None,
        initial={"digest_enabled": current.digest_enabled, "digest_hour": current.digest_hour},
    )
    add_form = SubscriptionForm(request.POST if action == "add" else None, user=user)
    status = 200
    if action == "digest":
        if digest_form.is_valid():
            follows.save_reader_settings(
                request,
                user,
                digest_enabled=digest_form.cleaned_data["digest_enabled"],
                digest_hour=digest_form.cleaned_data["digest_hour"],
            )
            messages.success(request, _("Your digest settings were saved."))
            return redirect("sharing:following")
        status = 400
    elif action == "add":
        if add_form.is_valid():
            target = add_form.cleaned_data["target"]
            kind = add_form.cleaned_data["kind"]
            follows.set_state(
                request,
                user,
                add_form.cleaned_data["state"],
                tag=target if kind == SubscriptionKind.TAG else None,
                sector=target if kind == SubscriptionKind.SECTOR else None,
            )
            messages.success(request, _("Saved."))
            return redirect("sharing:following")
        status = 400
    elif action == "remove":
        row = get_object_or_404(Subscription, pk=_int(request.POST.get("subscription")), user=user)
        follows.remove_subscription(request, user, row)
        messages.success(request, _("Removed."))
        return redirect("sharing:following")
    elif request.method == "POST":
        status = 400
    return render(
        request, "sharing/following.html", _context(user, digest_form, add_form), status=status
    )


def _context(user: User, digest_form: DigestForm, add_form: SubscriptionForm) -> dict[str, Any]:
    rows = list(follows.subscriptions_of(user))
    topic_rows = list(follows.topic_subscriptions_of(user))
    # Only topics the person may still see are listed.
    visible = set(
        readable_topics(
            user, Topic.objects.filter(pk__in=[r.topic_id for r in topic_rows])
        ).values_list("pk", flat=True)
    )
    return {
        "digest_form": digest_form,
        "add_form": add_form,
        "lists": [
            (_("You follow"), [r for r in rows if not r.muted]),
            (_("You muted"), [r for r in rows if r.muted]),
        ],
        "topic_rows": [r for r in topic_rows if r.topic_id in visible],
        "tag_suggestions": _tag_suggestions(user),
        "nav": "sharing",
    }


def _tag_suggestions(user: User) -> list[str]:
    """Tags of the latest topics the person may read (never a tag only hidden topics carry)."""
    # Published ones, on the list's index (a plain descending order by publication puts
    # PostgreSQL's NULLs first and sorted every visible topic: 1.2 s at 1,000,000 topics).
    published = readable_topics(user).filter(status=TopicStatus.PUBLISHED)
    recent = published.order_by(*LIST_ORDER).values("pk")[:RECENT_TOPICS]
    names = Tag.objects.filter(topics__in=recent).values_list("name", flat=True).distinct()
    return sorted(names[:TAG_SUGGESTIONS])


def _int(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0
