"""Views: placeholders until written (each answers 404)."""

from django.http import Http404


def preferences(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def webhooks(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def webhook_delete(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def inbox(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def open_notification(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def mark_all_read(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

