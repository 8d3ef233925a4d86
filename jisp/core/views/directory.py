"""Views: placeholders until written (each answers 404)."""

from django.http import Http404


def organisations(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def organisation(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def invite(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def membership(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def invitation_revoke(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def invitation_accept(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

