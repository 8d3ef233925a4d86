"""Views: placeholders until written (each answers 404)."""

from django.http import Http404


def home(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def area(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

