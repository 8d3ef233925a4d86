"""The person's notifications: the inbox, what they are told on which channel, and webhooks.

Views parse, authorise and respond; the work is done by ``jisp.core.services.notifications``.
Everything here is the signed-in person's own: another person's notification or webhook answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisp.core.forms.notifications import PreferencesForm, WebhookForm
from jisp.core.models import Notification, User, Webhook
from jisp.core.services import notifications

PER_PAGE = 25
_GET_POST = ["GET", "POST"]


def _authenticated(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- The inbox -----------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _authenticated(request)
    unread_only = request.GET.get("unread") == "1"
    qs = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "unread_only": unread_only, "nav": "notifications"}
    return render(request, "core/notifications/inbox.html", context)


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go to what it is about (a path on this site only), else back to the inbox."""
    user = _authenticated(request)
    notification = get_object_or_404(Notification, pk=pk, recipient=user)
    notifications.mark_read(user, notification)
    if notification.url and notifications.is_local_path(notification.url):
        return HttpResponseRedirect(notification.url)
    return redirect("core:notifications")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications.mark_all_read(_authenticated(request))
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification marked as read.",
                "%(count)d notifications marked as read.",
                count,
            )
            % {"count": count},
        )
    return redirect("core:notifications")


# --- Preferences ---------------------------------------------------------------------------------


@login_required
@require_http_methods(_GET_POST)
def preferences(request: HttpRequest) -> HttpResponse:
    user = _authenticated(request)
    table = notifications.preference_table(user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, table=table)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            notifications.save_preferences(request, user, form.choices())
            messages.success(request, _("Your notification settings were saved."))
            return redirect("core:notification_preferences")
    context = {
        "form": form,
        "has_webhooks": Webhook.objects.filter(user=user, is_active=True).exists(),
        "nav": "profile",
    }
    return render(request, "core/notifications/preferences.html", context, status=status)


# --- Webhooks ------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(_GET_POST)
def webhooks(request: HttpRequest) -> HttpResponse:
    """List and add webhooks; POST ``action=test`` or ``action=reveal`` with ``webhook=<id>``."""
    user = _authenticated(request)
    action = request.POST.get("action", "add") if request.method == "POST" else ""
    form = WebhookForm(request.POST if action == "add" else None)
    status = 200
    created: Webhook | None = None
    revealed: Webhook | None = None
    if action in {"test", "reveal"}:
        hook = get_object_or_404(Webhook, pk=_int(request.POST.get("webhook")), user=user)
        if action == "test":
            notifications.send_test_webhook(request, user, hook)
            messages.success(
                request,
                _("A test message is on its way to “%(name)s”. Reload to see the result.")
                % {"name": hook.name},
            )
            return redirect("core:webhooks")
        revealed = hook
    elif action == "add":
        status = 400
        if form.is_valid():
            try:
                created = notifications.create_webhook(
                    request, user, form.cleaned_data["name"], form.cleaned_data["url"]
                )
            except ValidationError as exc:
                form.add_error("url", exc)
            else:
                status = 200
                form = WebhookForm()
    elif action:
        return render(
            request,
            "core/notifications/webhooks.html",
            _webhook_context(user, form, None, None),
            status=400,
        )
    context = _webhook_context(user, form, created, revealed)
    return render(request, "core/notifications/webhooks.html", context, status=status)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _authenticated(request)
    hook = get_object_or_404(Webhook, pk=pk, user=user)
    notifications.delete_webhook(request, user, hook)
    messages.success(request, _("The webhook “%(name)s” was deleted.") % {"name": hook.name})
    return redirect("core:webhooks")


def _webhook_context(
    user: User, form: WebhookForm, created: Webhook | None, revealed: Webhook | None
) -> dict[str, object]:
    hooks = list(Webhook.objects.filter(user=user).order_by("name", "id"))
    last = notifications.last_deliveries(hooks)
    return {
        "form": form,
        "rows": [(hook, last.get(hook.pk)) for hook in hooks],
        "created": created,
        "revealed": revealed,
        "nav": "profile",
    }


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
