"""Views: placeholders until written (each answers 404)."""

from django.http import Http404


def audit_log(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404


def signins(request, **kwargs):  # type: ignore[no-untyped-def]
    raise Http404

