"""``jisp totp <email>``: the current two-factor code of a demo account (and only of one)."""

from __future__ import annotations

from typing import Any

import pyotp
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisp.core.demo.loader import is_demo_address
from jisp.core.models import User


class Command(BaseCommand):
    help = (
        "Print the current 6-digit TOTP code of a demo account. Refuses any address that is not "
        "on a reserved example domain (*.example, *.example.jp): real people's codes stay secret."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The demo account's e-mail address.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        if not is_demo_address(email):
            raise CommandError(
                "Only demo accounts (e-mail on *.example or *.example.jp) have codes shown here."
            )
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {email}.")
        if not user.has_two_factor:
            raise CommandError(f"{email} has no two-factor sign-in set up.")
        totp = pyotp.TOTP(user.totp_secret)
        self.stdout.write(totp.now())
