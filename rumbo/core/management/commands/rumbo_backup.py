"""`manage.py rumbo_backup [--output DIR]`: one archive of the database and every file under
MEDIA_ROOT (rumbo.core.backups); prints its path and size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from rumbo.core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the uploaded and generated files into one archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, default=None, help="folder for the archive (default RUMBO_BACKUP_DIR)"
        )

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            try:
                path = backup_create(destination_dir=output)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                _("Backup written: %(path)s (%(size)s)")
                % {"path": path, "size": filesizeformat(path.stat().st_size)}
            )
