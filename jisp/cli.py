"""The ``jisp`` command: Django's management commands with JISP's own (serve, web, worker, demo).

``jisp serve`` runs the web server (gunicorn) and the background worker (Huey) together;
``jisp web`` and ``jisp worker`` run one each, for hosts that run only one of them.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisp.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["jisp", *(sys.argv[1:] if argv is None else argv)])
    except ImproperlyConfigured as exc:
        # A malformed setting stops everything with one clear line, not a traceback.
        print(f"jisp: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
