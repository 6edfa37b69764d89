"""`manage.py rumbo_restore ARCHIVE [--force] [--check]`: restores a backup of rumbo_backup into an
empty installation (rumbo.core.backups.backup_restore). Stop the web server and the worker first."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rumbo.core.backups import BackupError, backup_restore, backup_verify


def _local(moment: Any) -> str:
    """The manifest's ISO moment in the installation's time zone, as people read it."""
    try:
        parsed = datetime.datetime.fromisoformat(str(moment))
    except ValueError:
        return str(moment or "")
    return (
        timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(parsed) else str(parsed)
    )


class Command(BaseCommand):
    help = "Restore a backup archive into an empty installation (database and files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="a rumbo-backup-….tar.gz file")
        parser.add_argument(
            "--force", action="store_true", help="replace the data of a database that is not empty"
        )
        parser.add_argument(
            "--check", action="store_true", help="only check the archive against its manifest"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)")

    def handle(
        self, *args: Any, archive: Path, force: bool, check: bool, database: str, **options: Any
    ) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            try:
                if check:
                    manifest = backup_verify(archive=archive)
                    self.stdout.write(
                        _(
                            "The archive is intact: every member matches the manifest of the backup "
                            "of %(created_at)s (members: %(files)s)."
                        )
                        % {"files": len(manifest["files"]), "created_at": _local(manifest.get("created_at"))}
                    )
                    return
                result = backup_restore(archive=archive, force=force, using=database)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                _(
                    "Restored the backup of %(created_at)s (Rumbo %(version)s). Tables: %(tables)s; "
                    "rows: %(rows)s; files: %(files)s."
                )
                % {
                    "created_at": _local(result.created_at),
                    "version": result.rumbo_version,
                    "tables": result.tables,
                    "rows": result.rows,
                    "files": result.files,
                }
            )
            for table, (found, expected) in sorted(result.mismatched.items()):
                self.stdout.write(
                    _("Table %(table)s has %(found)s rows; the backup listed %(expected)s.")
                    % {"table": table, "found": found, "expected": expected}
                )
