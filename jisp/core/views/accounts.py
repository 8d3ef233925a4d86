"""Views: placeholders until written (each answers 404)."""

from django.http import Http404


def language(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def signin(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def signin_two_factor(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def signout(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def password_reset(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def password_reset_confirm(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def profile(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def password_change(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def two_factor_setup(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def two_factor_disable(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def tokens(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def token_revoke(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

