"""``jisp demo``: load the demo data set (330 fictional organisations, about 1,800 people)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError, RestrictedError

from jisp.core.choices import Role
from jisp.core.demo import loader
from jisp.incidents import demo as incidents_demo
from jisp.intel import demo as intel_demo
from jisp.sharing import demo as sharing_demo


class Command(BaseCommand):
    help = (
        "Load the demo data set: 330 fictional organisations in every category and sector, about "
        "1,800 people in every role, 30 days of sign-ins. Deterministic for a given --seed. "
        "Does nothing if the demo is already loaded, unless --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo organisations and people first, then load again "
            "(the append-only audit log is kept).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=loader.DEFAULT_SEED,
            help="Random seed (default %(default)s).",
        )
        parser.add_argument(
            "--history-end",
            type=date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="Last day of the 30-day sign-in history (default: today in Tokyo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        plan = loader.build_plan(options["seed"])
        if loader.is_loaded(plan):
            if not options["reset"]:
                self.stdout.write(
                    "The demo data is already loaded (use --reset to delete and load it again)."
                )
                self._load_topics(plan)
                self._load_incidents(plan)
                self._load_intel(plan)
                self._print_accounts(plan)
                return
            try:
                intel_demo.delete(plan)  # indicators, sightings and assets refer to them too
                incidents_demo.delete(plan)  # reports and cases refer to the demo organisations
                sharing_demo.delete(plan)  # topics refer to the demo organisations
                orgs, people = loader.delete_demo(plan)
            except (ProtectedError, RestrictedError) as exc:
                raise CommandError(
                    "Cannot delete the demo organisations: other records still refer to them "
                    f"({exc.args[0]})"
                ) from None
            self.stdout.write(f"Deleted {orgs} demo organisations and {people} demo people.")
        result = loader.load(plan, history_end=options["history_end"])
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.organisations} organisations (330 with the reference ones), "
                f"{result.people} people, {result.memberships} memberships, "
                f"{result.signins} sign-ins over {loader.HISTORY_DAYS} days and "
                f"{result.notifications} notifications in {elapsed:.1f} s."
            )
        )
        if result.history_skipped:
            self.stdout.write(
                f"{result.history_skipped} sign-ins of the history were already in the audit log "
                "from an earlier load (it is append-only), so they were not added again."
            )
        self._load_topics(plan)
        self._load_incidents(plan)
        self._load_intel(plan)
        self._print_accounts(plan)

    def _load_topics(self, plan: loader.Plan) -> None:
        """The sharing app's demo topics (skipped if they are there already)."""
        started = time.perf_counter()
        result = sharing_demo.load(plan)
        if result is not None:
            self.stdout.write(
                f"Loaded {result.topics} topics ({result.versions} versions, {result.comments} "
                f"comments, {result.acknowledgements} acknowledgements, {result.readings} "
                f"readers, {result.views} views) in {time.perf_counter() - started:.1f} s."
            )

    def _load_incidents(self, plan: loader.Plan) -> None:
        """The incidents app's demo reports, cases and situation reports (skipped if there)."""
        started = time.perf_counter()
        result = incidents_demo.load(plan)
        if result is not None:
            self.stdout.write(
                f"Loaded {result.reports} reports and cases ({result.entries} timeline entries, "
                f"{result.support_requests} support requests), {result.sitreps} situation "
                f"reports, {result.shifts} duty shifts and {result.rules} routing rules in "
                f"{time.perf_counter() - started:.1f} s."
            )

    def _load_intel(self, plan: loader.Plan) -> None:
        """The intel app's demo indicators, sightings, verdicts and assets (skipped if there)."""
        started = time.perf_counter()
        result = intel_demo.load(plan)
        if result is not None:
            self.stdout.write(
                f"Loaded {result.indicators} indicators ({result.versions} STIX versions, "
                f"{result.sightings} sightings), {result.verdict_requests} verdict requests "
                f"({result.answers} answers) and {result.assets} assets in "
                f"{time.perf_counter() - started:.1f} s."
            )

    def _print_accounts(self, plan: loader.Plan) -> None:
        rows = [
            (str(Role(role).label), email, loader.DEMO_PASSWORD, secret or "-")
            for role, email, secret in loader.featured_accounts(plan)
        ]
        header = ("Role", "E-mail", "Password", "TOTP secret")
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write("")
        self.stdout.write("Demo sign-ins (every demo account has the same password):")
        self.stdout.write(line.format(*header).rstrip())
        self.stdout.write(line.format(*("-" * width for width in widths)).rstrip())
        for row in rows:
            self.stdout.write(line.format(*row).rstrip())
        self.stdout.write("")
        self.stdout.write(
            "Accounts with a TOTP secret sign in with a second factor: add the secret to an "
            "authenticator app, or run `jisp totp <email>` for the current 6-digit code."
        )
