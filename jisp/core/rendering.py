"""Helpers for the hot paths of list pages: row URLs without a ``reverse`` each, and filter
forms rendered once per query string.

Measured on the topic list and the case queue (bench/): a ``{% url %}`` per row and a filter form
rendered widget by widget through templates were each a fifth of the page's server time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

#: How long a rendered filter form is kept in the process's cache.
FORM_CACHE_SECONDS = 300


def url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many rows at the cost of one ``reverse``."""
    marker = 987654321
    head, _, tail = reverse(name, args=[marker]).partition(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def cached_form_html(
    request: HttpRequest, name: str, template: str, context: dict[str, Any], *, valid: bool
) -> SafeString:
    """``template`` rendered with ``context`` (a GET filter form), kept for a few minutes per
    ``name``, language and query string when the form is valid (an invalid one shows its errors
    and is rendered each time). The HTML must depend on nothing else: not on the person (no
    CSRF token: GET forms have none), and only on data that may be a few minutes stale (the
    choices of sectors or of the centre's staff)."""
    if not valid:
        return mark_safe(render_to_string(template, context, request))  # noqa: S308
    digest = hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()[:32]
    key = f"form:{name}:{get_language()}:{digest}"
    html: str | None = cache.get(key)
    if html is None:
        html = render_to_string(template, context, request)
        cache.set(key, html, FORM_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308  (rendered by the template engine, escaped there)
