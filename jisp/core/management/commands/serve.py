"""``jisp serve``: the web server and the background worker together, stopped with Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from jisp import config


def web_command(bind: str, workers: int, threads: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "jisp.wsgi:application",
        "--bind", bind,
        "--workers", str(workers),
        "--threads", str(threads),
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--access-logfile", "-",
        "--timeout", "60",
        "--graceful-timeout", "20",
    ]  # fmt: skip


def worker_command() -> list[str]:
    return [
        sys.executable,
        "-m",
        "jisp.cli",
        "run_huey",
        "--workers",
        str(
            settings.HUEY["consumer"]["workers"]  # type: ignore[index]
        ),
    ]


def add_web_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--bind",
        default=config.string("JISP_BIND", "127.0.0.1:8000"),
        help="Address and port to listen on (JISP_BIND; default 127.0.0.1:8000).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=config.integer("JISP_WEB_WORKERS", 2, minimum=1),
        help="Web worker processes (JISP_WEB_WORKERS; default 2).",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=config.integer("JISP_WEB_THREADS", 4, minimum=1),
        help="Threads per web worker (JISP_WEB_THREADS; default 4).",
    )


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and the background worker (Huey) until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        add_web_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        commands = {
            "web": web_command(options["bind"], options["workers"], options["threads"]),
            "worker": worker_command(),
        }
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # Our own fixed command lines (sys.executable -m ...), no shell, no user input.
        children = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(
            f"JISP is running at http://{options['bind']}/ (web and worker); Ctrl-C stops it."
        )
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 25
            for child in children.values():
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [name for name, child in children.items() if child.returncode not in (0, -15)]
        if failed and not stopping:
            raise SystemExit(f"jisp serve: the {', '.join(failed)} process stopped unexpectedly")
