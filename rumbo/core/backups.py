"""Backups that restore, and the cleaning of generated files.

A backup is ONE archive, `rumbo-backup-YYYYmmdd-HHMMSS.tar.gz` (local time) in RUMBO_BACKUP_DIR:

    database/db.sqlite3    SQLite: a copy made with SQLite's online backup API (consistent while
                           the web server and the worker write)
    database/db.dump       PostgreSQL: `pg_dump --format=custom`
    media/<path>           every file under MEDIA_ROOT (uploaded and generated)
    manifest.json          versions, database vendor, migrations, row counts, sha256 of every member

The database goes in first and the files after it, so every file a row of the copy refers to was
already on disk (files are written before their row and deleted after it). The archive is written
under a temporary dot-name and renamed at the end: a reader never finds half an archive.

A restore goes into an empty installation of the same database system: it refuses an archive
whose members escape their folder, are links, or do not match the manifest's checksums, before
touching anything. See docs/backups.md.
"""

from __future__ import annotations

import contextlib
import datetime
import glob
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/db.sqlite3"
POSTGRESQL_MEMBER = "database/db.dump"
DATABASE_MEMBERS = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRESQL_MEMBER}
MEDIA_PREFIX = "media/"
ARCHIVE_PATTERN = re.compile(r"^rumbo-backup-(\d{8}-\d{6})(?:-(\d+))?\.tar(?:\.gz)?$")
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# bookkeeping of the worker, written by a fresh installation before anyone uses it
_NOT_DATA = {"core.scheduledrun"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore cannot go on; the message (translated) says why and what to do."""


@dataclass(frozen=True, slots=True)
class RestoreResult:
    tables: int  # tables of the backup's manifest
    rows: int  # rows in those tables after the restore
    files: int  # files put back under MEDIA_ROOT
    vendor: str
    created_at: str  # when the backup was made (ISO 8601)
    rumbo_version: str
    # table → (rows now, rows in the manifest), where they differ (a newer code's migrations)
    mismatched: dict[str, tuple[int, int]] = field(default_factory=dict)


# --- the parts of a manifest ----------------------------------------------------------------------


def _vendor_name(vendor: str) -> str:
    return VENDOR_NAMES.get(vendor, vendor)


def _rumbo_version() -> dict[str, str]:
    """The version in pyproject.toml, and the git commit when the code is a checkout."""
    base = Path(settings.BASE_DIR)
    found = {"rumbo_version": "unknown"}
    try:
        with (base / "pyproject.toml").open("rb") as handle:
            found["rumbo_version"] = str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    git = shutil.which("git")
    if git and (base / ".git").exists():
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            commit = subprocess.run(  # noqa: S603 — fixed arguments
                [git, "-C", str(base), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                check=True,
            ).stdout.strip()
            if commit:
                found["rumbo_commit"] = commit
    return found


def _model_tables() -> dict[str, type[Model]]:
    """db_table → model, for every installed concrete model with a table of its own (the
    many-to-many tables Django creates included)."""
    tables: dict[str, type[Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in tables:
            continue
        tables[meta.db_table] = model
    return dict(sorted(tables.items()))


def _migrations_latest(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """app label → name of its latest applied migration."""
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app_label, ""):
            latest[app_label] = name
    return dict(sorted(latest.items()))


def _row_counts_orm(connection: BaseDatabaseWrapper) -> dict[str, int]:
    existing = set(connection.introspection.table_names())
    return {
        table: model._base_manager.using(connection.alias).count()
        for table, model in _model_tables().items()
        if table in existing
    }


def _row_counts_sqlite_file(path: Path) -> dict[str, int]:
    """Counted in the copy itself, so that the manifest describes exactly what was copied."""
    copy = sqlite3.connect(path)
    try:
        existing = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        counts: dict[str, int] = {}
        for table in _model_tables():
            if table in existing:
                quoted = '"' + table.replace('"', '""') + '"'
                counts[table] = int(copy.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()[0])  # noqa: S608
        return counts
    finally:
        copy.close()


# --- PostgreSQL client programs -------------------------------------------------------------------


def _pg_program(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple[int, ...]:
        part = Path(path).parent.parent.name
        return tuple(int(piece) for piece in part.split(".") if piece.isdigit())

    candidates = [path for path in glob.glob(f"/usr/lib/postgresql/*/bin/{name}") if os.access(path, os.X_OK)]
    if not candidates:
        raise BackupError(
            _(
                "%(program)s was not found: install PostgreSQL's client programs "
                "(for example: apt-get install postgresql-client)."
            )
            % {"program": name}
        )
    return max(candidates, key=version)


def _pg_arguments(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump/pg_restore; the password travels in
    PGPASSWORD only, never on the command line (where `ps` shows it)."""
    arguments = ["--no-password"]
    if settings_dict.get("HOST"):
        arguments.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        arguments.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        arguments.append(f"--username={settings_dict['USER']}")
    arguments.append(f"--dbname={settings_dict['NAME']}")
    environment = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            environment[variable] = str(options[option])
    return arguments, environment


def _pg_run(command: list[str], environment: dict[str, str], program: str) -> None:
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout or "").strip()[-2000:]
        raise BackupError(
            _("%(program)s failed: %(detail)s")
            % {"program": program, "detail": detail or completed.returncode}
        )


# --- the database copy ------------------------------------------------------------------------------


def _sqlite_copy(connection: BaseDatabaseWrapper, target: Path) -> dict[str, int]:
    """SQLite's online backup API: a consistent copy while others write (WAL included)."""
    destination = sqlite3.connect(target)
    try:
        if connection.is_in_memory_db():  # type: ignore[attr-defined]
            # an in-memory database lives in its connection only (the tests' database); SQLite
            # would wait forever to copy it from inside that connection's own open transaction
            if connection.in_atomic_block:
                raise BackupError(_("The database cannot be copied from inside an open transaction."))
            connection.ensure_connection()
            connection.connection.backup(destination)
        else:
            source = sqlite3.connect(str(connection.settings_dict["NAME"]))
            try:
                source.backup(destination)
            finally:
                source.close()
    finally:
        destination.close()
    return _row_counts_sqlite_file(target)


def _postgresql_copy(connection: BaseDatabaseWrapper, target: Path) -> dict[str, int]:
    """pg_dump into the custom format. Outside a transaction, the row counts are taken in a
    repeatable-read transaction whose snapshot pg_dump shares, so they describe the dump."""
    arguments, environment = _pg_arguments(connection.settings_dict)
    command = [_pg_program("pg_dump"), "--format=custom", f"--file={target}", *arguments]
    if connection.in_atomic_block:
        _pg_run(command, environment, "pg_dump")
        return _row_counts_orm(connection)
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _pg_run([*command, f"--snapshot={snapshot}"], environment, "pg_dump")
        return _row_counts_orm(connection)


# --- writing the archive -------------------------------------------------------------------------


class _HashingReader:
    """Hashes what tarfile reads from a file while it copies it into the archive."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk = self.data[self.offset : end]
        self.offset += len(chunk)
        return chunk


def _add_file(archive: tarfile.TarFile, source: Path, name: str) -> dict[str, Any] | None:
    """One regular file as `name`; None when it vanished since the folder was listed."""
    try:
        handle = source.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size = stat.st_size
        info.mtime = int(stat.st_mtime)
        info.mode = 0o644
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def _media_files(media_root: Path, skip: set[Path]) -> Iterator[tuple[Path, str]]:
    """(absolute path, posix path under MEDIA_ROOT) of every regular file, in a stable order;
    links are not followed."""
    if not media_root.is_dir():
        return
    for folder, subfolders, files in os.walk(media_root):
        here = Path(folder)
        subfolders[:] = sorted(d for d in subfolders if (here / d).resolve() not in skip)
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path, path.relative_to(media_root).as_posix()


def _archive_name(folder: Path) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"rumbo-backup-{stamp}.tar.gz"
    number = 2
    while candidate.exists():
        candidate = folder / f"rumbo-backup-{stamp}-{number}.tar.gz"
        number += 1
    return candidate


def backup_create(*, destination_dir: Path | None = None, using: str = DEFAULT_DB_ALIAS) -> Path:
    """Writes one archive with the database, every file under MEDIA_ROOT and a manifest, into
    `destination_dir` (default RUMBO_BACKUP_DIR), and returns its path. Never leaves half an
    archive under the final name."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL; this installation uses %(vendor)s.")
            % {"vendor": vendor}
        )
    folder = Path(destination_dir or settings.RUMBO_BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    media_root = Path(settings.MEDIA_ROOT)
    final = _archive_name(folder)
    partial = folder / f".{final.name}.partial"
    created_at = timezone.now()
    member = DATABASE_MEMBERS[vendor]
    try:
        with tempfile.TemporaryDirectory(prefix=".rumbo-backup-", dir=folder) as work:
            database_copy = Path(work) / Path(member).name
            if vendor == "sqlite":
                counts = _sqlite_copy(connection, database_copy)
            else:
                counts = _postgresql_copy(connection, database_copy)
            migrations = _migrations_latest(connection)
            files: dict[str, dict[str, Any]] = {}
            # the archive holds every password hash: readable by its owner only
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with (
                os.fdopen(descriptor, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive,
            ):
                added = _add_file(archive, database_copy, member)
                if added is None:  # pragma: no cover — written a moment ago
                    raise BackupError(_("The copy of the database disappeared while it was archived."))
                files[member] = added
                for path, relative in _media_files(media_root, skip={folder.resolve()}):
                    entry = _add_file(archive, path, MEDIA_PREFIX + relative)
                    if entry is not None:
                        files[MEDIA_PREFIX + relative] = entry
                manifest = {
                    "format": FORMAT_VERSION,
                    **_rumbo_version(),
                    "django_version": django.get_version(),
                    "database_vendor": vendor,
                    "database_member": member,
                    "created_at": created_at.isoformat(),
                    "migrations": migrations,
                    "row_counts": counts,
                    "files": files,
                }
                body = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(body)
                info.mtime = int(created_at.timestamp())
                info.mode = 0o644
                archive.addfile(info, _BytesReader(body))
                archive.close()
                raw.flush()
                os.fsync(raw.fileno())
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    logger.info("backup written to %s (%s bytes)", final, final.stat().st_size)
    return final


def backups_list(*, folder: Path | None = None) -> list[Path]:
    """The archives in the backup folder, newest first (by the time in their names)."""
    directory = Path(folder or settings.RUMBO_BACKUP_DIR)
    if not directory.is_dir():
        return []
    found: list[tuple[tuple[str, int], Path]] = []
    for path in directory.iterdir():
        match = ARCHIVE_PATTERN.match(path.name)
        if match and path.is_file():
            found.append(((match.group(1), int(match.group(2) or 1)), path))
    return [path for _key, path in sorted(found, key=lambda item: item[0], reverse=True)]


def backups_prune(*, keep: int | None = None, folder: Path | None = None) -> list[Path]:
    """Deletes the oldest archives beyond the `keep` newest (default RUMBO_BACKUP_KEEP; at least
    one is always kept, so a prune right after a backup never removes it). Returns the removed."""
    keep = max(1, settings.RUMBO_BACKUP_KEEP if keep is None else keep)
    removed: list[Path] = []
    for path in backups_list(folder=folder)[keep:]:
        path.unlink(missing_ok=True)
        removed.append(path)
        logger.info("old backup removed: %s", path)
    return removed


# --- reading an archive -------------------------------------------------------------------------


def _member_name_check(member: tarfile.TarInfo) -> str | None:
    """The member's normalised name, None for a folder; refuses links, devices, absolute paths
    and `..` (an archive must not write outside its folder)."""
    name = member.name
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or "\x00" in name or not path.parts:
        raise BackupError(
            _("The archive holds an unsafe path (%(name)s): it is refused and nothing was restored.")
            % {"name": name[:200]}
        )
    if member.isdir():
        return None
    if not member.isfile():
        raise BackupError(
            _(
                "The archive holds a link or a special file (%(name)s): it is refused and "
                "nothing was restored."
            )
            % {"name": name[:200]}
        )
    return path.as_posix()


def _member_copy(source: IO[bytes], target: Path | None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    output: IO[bytes] | None = None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        output = target.open("wb")
    try:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if output is not None:
                output.write(chunk)
    finally:
        if output is not None:
            output.close()
    return digest.hexdigest(), size


def _archive_read(archive: Path, staging: Path | None) -> dict[str, Any]:
    """Reads every member once: checks its name, hashes it, writes it under `staging` when
    given, then checks the hashes against the manifest. Returns the manifest."""
    if not archive.is_file():
        raise BackupError(_("There is no backup at %(path)s.") % {"path": archive})
    hashes: dict[str, tuple[str, int]] = {}
    manifest_bytes: bytes | None = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                name = _member_name_check(member)
                if name is None:
                    continue
                if name in hashes or (name == MANIFEST and manifest_bytes is not None):
                    raise BackupError(
                        _("The archive holds %(name)s twice: it is refused and nothing was restored.")
                        % {"name": name[:200]}
                    )
                source = tar.extractfile(member)
                if source is None:  # pragma: no cover — regular files always have data
                    continue
                with source:
                    if name == MANIFEST:
                        manifest_bytes = source.read(64 * 1024 * 1024)
                    else:
                        hashes[name] = _member_copy(source, staging / name if staging else None)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(_("The archive cannot be read: %(error)s") % {"error": exc}) from exc
    if manifest_bytes is None:
        raise BackupError(_("This file is not a Rumbo backup: it has no manifest.json."))
    try:
        manifest = json.loads(manifest_bytes)
        listed: dict[str, dict[str, Any]] = manifest["files"]
        format_version = int(manifest["format"])
        vendor = str(manifest["database_vendor"])
        database_member = str(manifest["database_member"])
        dict(manifest["row_counts"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(_("The manifest of this backup cannot be read.")) from exc
    if format_version > FORMAT_VERSION:
        raise BackupError(
            _(
                "This backup has format %(found)s and this version of Rumbo reads up to %(known)s: "
                "update Rumbo first."
            )
            % {"found": format_version, "known": FORMAT_VERSION}
        )
    wrong = sorted(
        name
        for name in set(listed) | set(hashes)
        if name not in listed
        or name not in hashes
        or hashes[name][0] != listed[name].get("sha256")
        or hashes[name][1] != listed[name].get("size")
    )
    if wrong:
        raise BackupError(
            _(
                "The archive does not match its manifest: %(name)s differs or is missing "
                "(%(count)s in all). It is damaged or was changed, and nothing was restored."
            )
            % {"count": len(wrong), "name": wrong[0][:200]}
        )
    if DATABASE_MEMBERS.get(vendor) != database_member or database_member not in hashes:
        raise BackupError(_("The manifest of this backup cannot be read."))
    return dict(manifest)


def backup_verify(*, archive: Path) -> dict[str, Any]:
    """Reads the whole archive and checks every member against the manifest without restoring
    anything; returns the manifest, or raises BackupError."""
    return _archive_read(Path(archive), staging=None)


# --- restoring ------------------------------------------------------------------------------------


def _tables_with_data(connection: BaseDatabaseWrapper) -> list[str]:
    """Rumbo's tables that hold rows (users, entities, territorial units, plans, …)."""
    existing = set(connection.introspection.table_names())
    found: list[str] = []
    for table, model in _model_tables().items():
        app_config = model._meta.app_config
        if app_config is None or not app_config.name.startswith("rumbo."):
            continue
        if model._meta.label_lower in _NOT_DATA or table not in existing:
            continue
        if model._base_manager.using(connection.alias).exists():
            found.append(table)
    return found


def _migrations_unknown(manifest: dict[str, Any]) -> list[str]:
    """Migrations the backup's code had applied that this code does not know (newer code)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    apps_here = {app_label for app_label, _name in known}
    return [
        f"{app_label}.{name}"
        for app_label, name in sorted(dict(manifest.get("migrations") or {}).items())
        if app_label in apps_here and (app_label, name) not in known
    ]


def _sqlite_restore(connection: BaseDatabaseWrapper, copy: Path) -> None:
    """Replaces the whole database with the copy, through the backup API rather than a file copy
    so that the target's WAL and shared-memory files stay coherent."""
    source = sqlite3.connect(copy)
    try:
        if connection.is_in_memory_db():  # type: ignore[attr-defined]
            connection.ensure_connection()
            source.backup(connection.connection)
            return
        connection.close()
        target = Path(str(connection.settings_dict["NAME"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _postgresql_restore(connection: BaseDatabaseWrapper, dump: Path) -> None:
    """Drops the tables there are (a newer code's tables would stop `migrate`), then pg_restore
    in one transaction. Owners and grants are not restored: the configured user owns it all."""
    tables = connection.introspection.table_names()
    if tables:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS " + ", ".join(quote(t) for t in tables) + " CASCADE")
    connection.close()
    arguments, environment = _pg_arguments(connection.settings_dict)
    command = [
        _pg_program("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        *arguments,
        str(dump),
    ]
    _pg_run(command, environment, "pg_restore")


def _staging_dir(media_root: Path) -> str | None:
    """Next to MEDIA_ROOT when possible, so that files are moved into place, not copied."""
    parent = media_root.parent
    return str(parent) if parent.is_dir() and os.access(parent, os.W_OK) else None


def backup_restore(*, archive: Path, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> RestoreResult:
    """Restores an archive of backup_create into an empty installation of the same database
    system: the database (then `migrate`, for code newer than the backup) and the files under
    MEDIA_ROOT. Refuses, before changing anything, a database that already holds Rumbo's data
    (unless `force`), an archive that does not match its manifest or that holds unsafe paths or
    links, and an archive of another database system. Stop the web server and the worker first."""
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError(_("A restore cannot run inside a transaction."))
    if not force:
        busy = _tables_with_data(connection)
        if busy:
            raise BackupError(
                _(
                    "The database already holds data (%(tables)s): a backup is restored only into "
                    "an empty installation. Restore with --force to replace that data."
                )
                % {"tables": ", ".join(busy[:5]) + ("…" if len(busy) > 5 else "")}
            )
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".rumbo-restore-", dir=_staging_dir(media_root)) as work:
        staging = Path(work)
        manifest = _archive_read(Path(archive), staging)
        vendor = str(manifest["database_vendor"])
        if vendor != connection.vendor:
            raise BackupError(
                _(
                    "This backup holds a %(archive_vendor)s database and this installation uses "
                    "%(target_vendor)s: a backup is restored only into the same database system."
                )
                % {"archive_vendor": _vendor_name(vendor), "target_vendor": _vendor_name(connection.vendor)}
            )
        unknown = _migrations_unknown(manifest)
        if unknown:
            raise BackupError(
                _(
                    "This backup was made by a newer version of Rumbo (migration %(migration)s is "
                    "unknown here): update Rumbo first, then restore."
                )
                % {"migration": unknown[0]}
            )
        copy = staging / str(manifest["database_member"])
        if vendor == "sqlite":
            _sqlite_restore(connection, copy)
        else:
            _postgresql_restore(connection, copy)
        call_command("migrate", database=using, interactive=False, verbosity=0)
        files = 0
        for name in sorted(manifest["files"]):
            if not name.startswith(MEDIA_PREFIX):
                continue
            target = media_root / name[len(MEDIA_PREFIX) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging / name), str(target))
            files += 1
    expected = {str(table): int(count) for table, count in dict(manifest["row_counts"]).items()}
    now = _row_counts_orm(connection)
    mismatched = {
        table: (now.get(table, 0), count) for table, count in expected.items() if now.get(table, 0) != count
    }
    logger.info("backup %s restored: %s tables, %s files", archive, len(expected), files)
    return RestoreResult(
        tables=len(expected),
        rows=sum(now.get(table, 0) for table in expected),
        files=files,
        vendor=vendor,
        created_at=str(manifest.get("created_at", "")),
        rumbo_version=str(manifest.get("rumbo_version", "unknown")),
        mismatched=mismatched,
    )


# --- cleaning generated files -------------------------------------------------------------------

# Only these folders under MEDIA_ROOT are ever cleaned; everything else is a record.
REPORTS_FOLDER = "reports"  # ReportVersion.pdf / .docx (rumbo.reports)
JOBS_FOLDER = "jobs"  # Job.input_file
EXPORTS_FOLDER = "investments/plans"  # investment plan PDF/XLSX (rumbo.investments.programming.tasks)


@dataclass(frozen=True, slots=True)
class CleanResult:
    report_files: int = 0  # report files no version refers to
    exports: int = 0  # investment plan documents
    job_inputs: int = 0  # input files of finished jobs, and files under jobs/ no job refers to

    @property
    def total(self) -> int:
        return self.report_files + self.exports + self.job_inputs


def _old_files(folder: Path, cutoff: float) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
            yield path


def _referenced(model_label: str, *fields: str) -> set[str]:
    """Storage names that rows of a model point to; an app that is not installed points to
    nothing. By label, not by import: core sits below every domain (import-linter)."""
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return set()
    names: set[str] = set()
    for row in model._base_manager.values_list(*fields):
        names.update(str(value) for value in row if value)
    return names


def generated_files_clean(
    *, max_age_days: int | None = None, now: datetime.datetime | None = None
) -> CleanResult:
    """Deletes generated files older than `max_age_days` (default RUMBO_GENERATED_MAX_AGE_DAYS).

    "Generated" means written by Rumbo itself and either made again on demand or no longer
    reachable from any row — exactly three kinds:

    - files under MEDIA_ROOT/reports/ that no ReportVersion points to (the version went with its
      deleted report, or a generation failed after writing them), by file age. The files of the
      versions that exist are the report archive — published versions are never overwritten,
      every version's hashes are on record and its page links to both files — so they are kept,
      however old;
    - investment plan documents under MEDIA_ROOT/investments/plans/ (the PDF/XLSX a job exports,
      made again with one click), by file age;
    - the input files of finished jobs (Job.input_file: a working copy of an uploaded import,
      read by the job and done with once it succeeded or failed), when the job finished more than
      `max_age_days` ago; the field is cleared. Files under MEDIA_ROOT/jobs/ that no job points
      to go too, by file age.

    Nothing else is ever touched: evidence (evidence/, investments/evidence/), legal acts, the
    plan archive, inventory, route step files, viability documents, spatial layers and any other
    file uploaded as a record.
    """
    days = settings.RUMBO_GENERATED_MAX_AGE_DAYS if max_age_days is None else max_age_days
    threshold = (now or timezone.now()) - datetime.timedelta(days=max(0, days))
    cutoff = threshold.timestamp()
    media_root = Path(settings.MEDIA_ROOT)

    report_files = 0
    referenced = _referenced("reports.ReportVersion", "pdf", "docx")
    for path in _old_files(media_root / REPORTS_FOLDER, cutoff):
        if path.relative_to(media_root).as_posix() not in referenced:
            path.unlink(missing_ok=True)
            report_files += 1

    exports = 0
    for path in _old_files(media_root / EXPORTS_FOLDER, cutoff):
        path.unlink(missing_ok=True)
        exports += 1

    from rumbo.core.models import Job, JobStatus

    job_inputs = 0
    finished = (
        Job.objects.filter(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED], finished_at__lt=threshold)
        .exclude(input_file="")
        .only("pk", "input_file")
    )
    for job in finished:
        job.input_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="")
        job_inputs += 1
    in_use = _referenced("core.Job", "input_file")
    for path in _old_files(media_root / JOBS_FOLDER, cutoff):
        if path.relative_to(media_root).as_posix() not in in_use:
            path.unlink(missing_ok=True)
            job_inputs += 1
    result = CleanResult(report_files=report_files, exports=exports, job_inputs=job_inputs)
    logger.info("generated files cleaned: %s", result)
    return result
