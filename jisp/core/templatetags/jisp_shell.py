"""The page shell's navigation, rendered once per language and variant and kept in the process.

The navigation bar is the same for everyone with the same language, current area and the two
rights it depends on; rendering it (a ``{% url %}`` and a translation per area) was a tenth of a
topic page's rendering time (bench/bench_sharing.py).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from jisp.core.context_processors import AREAS

register = template.Library()

#: Rendered navigation bars by (language, URLs, area, audit log, administration): a few dozen
#: at most.
_NAV: dict[tuple[Any, ...], SafeString] = {}


@register.simple_tag
def site_nav(nav: str = "", can_read_audit_log: bool = False, can_use_admin: bool = False) -> str:
    urls = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    key = (get_language(), urls, nav, bool(can_read_audit_log), bool(can_use_admin))
    html = _NAV.get(key)
    if html is None:
        html = _NAV[key] = mark_safe(  # noqa: S308 (a template's output)
            render_to_string(
                "core/includes/site_nav.html",
                {
                    "nav": nav,
                    "AREAS": AREAS,
                    "can_read_audit_log": can_read_audit_log,
                    "can_use_admin": can_use_admin,
                },
            )
        )
    return html
