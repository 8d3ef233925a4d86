"""System checks (``jisp check``) for configuration that is valid but unwise."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_site_url(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not settings.SITE_URL.startswith("https://"):
        messages.append(
            Warning(
                "SITE_URL is not https://: links in e-mails and cookies are not protected.",
                hint="Serve JISP behind TLS and set SITE_URL=https://...",
                id="jisp.W001",
            )
        )
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        messages.append(
            Warning(
                "EMAIL_URL is not set: e-mails are printed to the console, not sent.",
                hint="Set EMAIL_URL=smtp://host:25 (or smtp+tls://user:pass@host:587).",
                id="jisp.W002",
            )
        )
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and settings.REDIS_URL:
        messages.append(
            Warning(
                "REDIS_URL is set but the database is SQLite: several hosts cannot share it.",
                hint="Use PostgreSQL (DATABASE_URL=postgres://...) when you scale out.",
                id="jisp.W003",
            )
        )
    return messages
