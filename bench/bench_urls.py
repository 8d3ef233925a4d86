"""The bench URLconf (``bench_settings``): a bare view, then every URL of the product.

``GET /bench/bare/<pk>/`` answers the bytes of ``BENCH_BARE_BODY`` (a topic page captured by
``bench_load.py``) from memory: no query of its own, no template. The middleware is the product's,
so with the same session cookie it costs what every signed-in request costs (session, user,
language, two-factor check, security headers); the difference to the topic page is the view.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from jisp.urls import urlpatterns as product

_BODY_FILE = os.environ.get("BENCH_BARE_BODY", "")
BODY = Path(_BODY_FILE).read_bytes() if _BODY_FILE else b"<!doctype html><p>bare</p>"


def bare(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/<int:pk>/", bare, name="bench_bare"),
    *product,
]
