"""``jisp worker``: the background worker alone (Huey consumer), e.g. on a worker host."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (Huey consumer) in the foreground."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("run_huey")
