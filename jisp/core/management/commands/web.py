"""``jisp web``: the web server alone (gunicorn), for hosts that run no worker."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jisp.core.management.commands.serve import add_web_arguments, web_command


class Command(BaseCommand):
    help = "Run the web server (gunicorn) in the foreground."

    def add_arguments(self, parser: CommandParser) -> None:
        add_web_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cmd = web_command(options["bind"], options["workers"], options["threads"])
        os.execv(cmd[0], cmd)  # noqa: S606  (our own fixed command line)
