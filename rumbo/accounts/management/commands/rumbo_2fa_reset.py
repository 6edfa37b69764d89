"""Remove a user's two-factor authentication (lost phone, no recovery codes left), from the
server's command line: `manage.py rumbo_2fa_reset USERNAME`. Audited like the admin action."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rumbo.accounts.services import two_factor_reset


class Command(BaseCommand):
    help = "Reset a user's two-factor authentication: the password alone signs in until they set it up again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user named {options['username']}.")
        if two_factor_reset(actor=None, user=user):
            self.stdout.write(f"Two-factor authentication reset for {user.get_username()}.")
        else:
            self.stdout.write(f"{user.get_username()} had no two-factor authentication; nothing to do.")
