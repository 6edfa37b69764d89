"""Backups that restore: an archive of a populated instance, restored into a fresh empty database
elsewhere (a second SQLite file, or a second PostgreSQL database on the same server) with a
second MEDIA_ROOT, has every table's rows and every file byte for byte; and what is refused."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from rumbo.core.backups import (
    BackupError,
    backup_create,
    backup_restore,
    backup_verify,
    backups_list,
    backups_prune,
    generated_files_clean,
)
from rumbo.core.models import Job, JobStatus
from rumbo.core.tasks import backup_scheduled_task, generated_files_clean_task
from rumbo.indicators.models import Evidence
from rumbo.indicators.periods import period_get_or_create
from rumbo.reports.models import Report, ReportVersion

ELSEWHERE = "elsewhere"
EVIDENCE_BYTES = b"%PDF-1.4\n% acta de conformidad de obra\n" + os.urandom(2048)


# --- helpers ------------------------------------------------------------------------------------


def _table_counts(conn: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows of every table of the database (Rumbo's, Django's and the task queue's)."""
    counts: dict[str, int] = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:*") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def _write_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(archive: Path) -> dict[str, Any]:
    return dict(json.loads(_members(archive)["manifest.json"]))


@pytest.fixture
def places(tmp_path: Path, settings: Any) -> dict[str, Path]:
    """This instance's MEDIA_ROOT and backup folder, and a second MEDIA_ROOT for "elsewhere"."""
    found = {
        "media": tmp_path / "media",
        "backups": tmp_path / "backups",
        "elsewhere_media": tmp_path / "elsewhere-media",
    }
    settings.MEDIA_ROOT = found["media"]
    settings.RUMBO_BACKUP_DIR = found["backups"]
    return found


@pytest.fixture
def elsewhere(transactional_db: Any, tmp_path: Path) -> Iterator[BaseDatabaseWrapper]:
    """A fresh, empty database under a second alias: a new SQLite file, or a new PostgreSQL
    database on the test server (dropped afterwards)."""
    config = dict(connection.settings_dict)
    created = ""
    if connection.vendor == "postgresql":
        created = f"rumbo_restore_{uuid.uuid4().hex[:10]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{created}"')
        config["NAME"] = created
    else:
        config["NAME"] = str(tmp_path / "elsewhere.sqlite3")
    # a connection made here rather than declared in DATABASES, so that the test case's guard
    # (which refuses aliases the test did not ask for) lets it through
    other = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias=ELSEWHERE)
    connections[ELSEWHERE] = other
    try:
        yield other
    finally:
        other.close()
        del connections[ELSEWHERE]
        if created:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def _populate(world: Any) -> dict[str, Any]:
    """The world of conftest plus an uploaded evidence file, a generated report version (PDF and
    DOCX) and an import job with its input file."""
    evidence = Evidence.objects.create(
        kind="file",
        name="Acta de conformidad",
        file=SimpleUploadedFile("acta.pdf", EVIDENCE_BYTES, content_type="application/pdf"),
        size=len(EVIDENCE_BYTES),
        sha256=hashlib.sha256(EVIDENCE_BYTES).hexdigest(),
        uploaded_by=world.users["planner"],
    )
    period = period_get_or_create("2025T3")
    report = Report.objects.create(
        plan=world.plan, kind="evaluation", period_from=period, period_to=period, title="Informe 2025"
    )
    version = ReportVersion(report=report, number=1, status_at_generation="draft")
    version.pdf.save("informe-1-v1.pdf", ContentFile(b"%PDF-1.4 informe"), save=False)
    version.docx.save("informe-1-v1.docx", ContentFile(b"PK\x03\x04 informe"), save=False)
    version.save()
    job = Job.objects.create(kind="plan_import", title="Importación", status=JobStatus.SUCCEEDED)
    job.input_file.save("arbol.csv", ContentFile("código,título\nE1,Eje uno\n".encode()), save=True)
    return {"evidence": evidence, "version": version, "job": job}


# --- the round trip -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_elsewhere_has_every_row_and_every_file(
    world: Any, places: dict[str, Path], elsewhere: BaseDatabaseWrapper, settings: Any
) -> None:
    # given a populated instance with uploaded and generated files
    made = _populate(world)
    rows_before = _table_counts(connection)
    files_before = _file_hashes(places["media"])
    assert made["evidence"].file.name in files_before and made["version"].pdf.name in files_before
    # when it is backed up
    archive = backup_create()
    # then one archive in the backup folder, nothing half-written beside it, and a manifest
    assert [p.name for p in places["backups"].iterdir()] == [archive.name]
    assert archive.name.startswith("rumbo-backup-") and archive.name.endswith(".tar.gz")
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    manifest = _manifest(archive)
    assert manifest["format"] == 1 and manifest["database_vendor"] == connection.vendor
    assert manifest["rumbo_version"] == "0.1.0" and manifest["django_version"].startswith("5.2")
    applied = MigrationRecorder(connection).applied_migrations()
    assert manifest["migrations"]["core"] == max(name for app, name in applied if app == "core")
    assert manifest["row_counts"]["accounts_user"] == rows_before["accounts_user"]
    assert {k: v for k, v in manifest["row_counts"].items()} == {
        table: rows_before[table] for table in manifest["row_counts"]
    }
    assert {
        name[len("media/") :]: entry["sha256"]
        for name, entry in manifest["files"].items()
        if name.startswith("media/")
    } == files_before
    assert backup_verify(archive=archive)["created_at"] == manifest["created_at"]

    # when it is restored into a fresh empty database elsewhere, with its own MEDIA_ROOT, as an
    # administrator does on a new server
    settings.MEDIA_ROOT = places["elsewhere_media"]
    out = io.StringIO()
    call_command("rumbo_restore", str(archive), database=ELSEWHERE, stdout=out)

    # then every table has the same rows, and every file the same bytes
    assert _table_counts(elsewhere) == rows_before
    assert _file_hashes(places["elsewhere_media"]) == files_before
    # and the command said what it restored, with nothing that differs from the manifest
    said = out.getvalue()
    assert (
        f"Tablas: {len(manifest['row_counts'])}; filas: {sum(manifest['row_counts'].values())}; "
        f"archivos: {len(files_before)}." in said
    )
    assert "Se restauró la copia de seguridad del" in said and "indicaba" not in said
    # and the restored rows point at the restored files
    restored = Evidence.objects.using(ELSEWHERE).get(pk=made["evidence"].pk)
    assert (places["elsewhere_media"] / str(restored.file.name)).read_bytes() == EVIDENCE_BYTES
    # and a backup of the restored instance describes the same rows and files as the original
    again = _manifest(backup_create(destination_dir=places["backups"] / "again", using=ELSEWHERE))
    assert again["row_counts"] == manifest["row_counts"]
    assert {n: e for n, e in again["files"].items() if n.startswith("media/")} == {
        n: e for n, e in manifest["files"].items() if n.startswith("media/")
    }


# --- what a restore refuses ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_tampered_archive_is_refused_in_spanish_and_nothing_is_restored(
    world: Any, places: dict[str, Path], tmp_path: Path
) -> None:
    # given a backup in which one uploaded file was changed afterwards
    made = _populate(world)
    members = _members(backup_create())
    evidence_member = "media/" + made["evidence"].file.name
    members[evidence_member] = members[evidence_member].replace(b"conformidad", b"disconforme")
    tampered = _write_tar(tmp_path / "rumbo-backup-20260101-000000.tar.gz", members)
    users = _table_counts(connection)["accounts_user"]
    # when it is restored (forced, so that only the archive can stop it)
    with pytest.raises(BackupError, match="no coincide con su manifiesto") as refused:
        backup_restore(archive=tampered, force=True)
    # then it is refused before anything changed
    assert evidence_member in str(refused.value)
    assert _table_counts(connection)["accounts_user"] == users
    assert (places["media"] / made["evidence"].file.name).read_bytes() == EVIDENCE_BYTES


@pytest.mark.parametrize(
    "member",
    [
        pytest.param({"name": "media/../../fuera.txt"}, id="dot-dot"),
        pytest.param({"name": "{tmp}/fuera-absoluta.txt"}, id="absolute"),
        pytest.param({"name": "media/enlace", "link": "/etc/passwd"}, id="symlink"),
        pytest.param({"name": "media/duro", "hardlink": "manifest.json"}, id="hardlink"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_an_archive_with_a_member_leaving_its_folder_or_a_link_is_refused(
    member: dict[str, str], places: dict[str, Path], tmp_path: Path
) -> None:
    # given an archive with one dangerous member after a harmless one
    archive = tmp_path / "malicioso.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        harmless = tarfile.TarInfo("media/bien.txt")
        harmless.size = 2
        tar.addfile(harmless, io.BytesIO(b"ok"))
        info = tarfile.TarInfo(member["name"].replace("{tmp}", str(tmp_path)))
        if "link" in member:
            info.type, info.linkname = tarfile.SYMTYPE, member["link"]
            tar.addfile(info)
        elif "hardlink" in member:
            info.type, info.linkname = tarfile.LNKTYPE, member["hardlink"]
            tar.addfile(info)
        else:
            info.size = 5
            tar.addfile(info, io.BytesIO(b"fuera"))
    # when it is restored, then it is refused in Spanish and nothing landed anywhere
    with pytest.raises(BackupError, match="se rechaza y no se restauró nada"):
        backup_restore(archive=archive, force=True)
    assert not (tmp_path / "fuera.txt").exists() and not (tmp_path / "fuera-absoluta.txt").exists()
    assert not places["media"].exists() or not any(places["media"].rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_database_with_data_is_refused_in_spanish(world: Any, places: dict[str, Path]) -> None:
    # given a backup of this very instance, which has users and plans
    archive = backup_create()
    # when it is restored here without --force, then it is refused, naming the tables
    with pytest.raises(BackupError, match="ya tiene datos") as refused:
        backup_restore(archive=archive)
    assert "accounts_user" in str(refused.value)
    # and the command says the same as a CommandError
    with pytest.raises(CommandError, match="instalación vacía"):
        call_command("rumbo_restore", str(archive))


@pytest.mark.django_db(transaction=True)
def test_an_archive_of_the_other_database_system_is_refused_naming_both(
    places: dict[str, Path], tmp_path: Path
) -> None:
    # given an intact archive made on the other database system
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    member = "database/db.dump" if other == "postgresql" else "database/db.sqlite3"
    data = b"not really a database"
    manifest = {
        "format": 1,
        "database_vendor": other,
        "database_member": member,
        "created_at": timezone.now().isoformat(),
        "migrations": {},
        "row_counts": {},
        "files": {member: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}},
    }
    archive = _write_tar(
        tmp_path / "otro.tar.gz", {member: data, "manifest.json": json.dumps(manifest).encode()}
    )
    assert backup_verify(archive=archive)["database_vendor"] == other
    # when it is restored, then it is refused, naming both systems
    with pytest.raises(BackupError) as refused:
        backup_restore(archive=archive, force=True)
    message = str(refused.value)
    assert "SQLite" in message and "PostgreSQL" in message and "mismo sistema" in message


# --- the commands --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_prints_the_archive_and_its_size_and_check_verifies_it(
    world: Any, places: dict[str, Path], tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command("rumbo_backup", output=str(tmp_path / "fuera"), stdout=out)
    (archive,) = (tmp_path / "fuera").iterdir()
    assert f"Copia de seguridad escrita: {archive}" in out.getvalue() and "KB" in out.getvalue()
    checked = io.StringIO()
    call_command("rumbo_restore", str(archive), check=True, stdout=checked)
    assert "El archivo está íntegro" in checked.getvalue()


# --- retention ------------------------------------------------------------------------------------


def test_prune_keeps_the_n_newest_archives_by_the_time_in_their_names(tmp_path: Path) -> None:
    # given archives of five moments (written in a shuffled order) and an unrelated file
    names = [
        "rumbo-backup-20260103-023000.tar.gz",
        "rumbo-backup-20260101-023000.tar.gz",
        "rumbo-backup-20260105-023000.tar.gz",
        "rumbo-backup-20260104-023000.tar.gz",
        "rumbo-backup-20260105-023000-2.tar.gz",
        "rumbo-backup-20260102-023000.tar",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notas.txt").write_text("no es una copia")
    (tmp_path / ".rumbo-backup-20260106-023000.tar.gz.partial").write_bytes(b"x")
    # when pruned to three
    removed = backups_prune(keep=3, folder=tmp_path)
    # then the three newest stay, the rest is gone, and nothing else was touched
    assert [p.name for p in backups_list(folder=tmp_path)] == [
        "rumbo-backup-20260105-023000-2.tar.gz",
        "rumbo-backup-20260105-023000.tar.gz",
        "rumbo-backup-20260104-023000.tar.gz",
    ]
    assert sorted(p.name for p in removed) == [
        "rumbo-backup-20260101-023000.tar.gz",
        "rumbo-backup-20260102-023000.tar",
        "rumbo-backup-20260103-023000.tar.gz",
    ]
    assert (tmp_path / "notas.txt").exists() and (
        tmp_path / ".rumbo-backup-20260106-023000.tar.gz.partial"
    ).exists()
    # and a prune never removes the last one
    backups_prune(keep=0, folder=tmp_path)
    assert len(backups_list(folder=tmp_path)) == 1


# --- cleaning generated files -------------------------------------------------------------------


def _age(path: Path, days: int) -> None:
    moment = time.time() - days * 86400
    os.utime(path, (moment, moment))


@pytest.mark.django_db
def test_generated_files_clean_deletes_old_generated_files_and_keeps_every_record(
    world: Any, places: dict[str, Path], settings: Any
) -> None:
    # given, all 40 days old: evidence, a report version's files, a report file no version
    # refers to, an investment plan export, and the input of a finished job; plus a recent job
    settings.RUMBO_GENERATED_MAX_AGE_DAYS = 30
    made = _populate(world)
    media = places["media"]
    orphan = media / "reports/2025/01/informe-9-v1.pdf"
    export = media / "investments/plans/3/17.xlsx"
    stray_input = media / "jobs/2025/01/huerfano.csv"
    for path in (orphan, export, stray_input):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"generado")
    evidence = media / made["evidence"].file.name
    kept_report = media / made["version"].pdf.name
    old_input = media / made["job"].input_file.name
    for path in (orphan, export, stray_input, evidence, kept_report, old_input):
        _age(path, 40)
    Job.objects.filter(pk=made["job"].pk).update(finished_at=timezone.now() - datetime.timedelta(days=40))
    recent = Job.objects.create(
        kind="plan_import", title="Reciente", status=JobStatus.SUCCEEDED, finished_at=timezone.now()
    )
    recent.input_file.save("reciente.csv", ContentFile(b"a,b\n"), save=True)
    _age(media / str(recent.input_file.name), 40)  # the job's end decides, not the file's date
    # when the generated files are cleaned
    result = generated_files_clean()
    # then the old generated ones are gone and the job's field is cleared
    assert not orphan.exists() and not export.exists() and not old_input.exists() and not stray_input.exists()
    assert Job.objects.get(pk=made["job"].pk).input_file.name == ""
    assert (result.report_files, result.exports, result.job_inputs) == (1, 1, 2)
    # and evidence, the report's own versions and a recent job's input stay
    assert evidence.read_bytes() == EVIDENCE_BYTES
    assert kept_report.exists() and (media / made["version"].docx.name).exists()
    assert (media / str(recent.input_file.name)).exists()


# --- the scheduled tasks ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_tasks_run_from_enqueue_with_no_arguments(
    world: Any, places: dict[str, Path], settings: Any
) -> None:
    # given an older archive and a retention of one
    settings.RUMBO_BACKUP_KEEP = 1
    places["backups"].mkdir(parents=True)
    (places["backups"] / "rumbo-backup-20200101-023000.tar.gz").write_bytes(b"x")
    # when the worker's upkeep enqueues both tasks
    backup = backup_scheduled_task.enqueue()
    clean = generated_files_clean_task.enqueue()
    # then both succeeded; the backup replaced the older archive
    assert backup.status == TaskResultStatus.SUCCESSFUL, backup.errors
    assert clean.status == TaskResultStatus.SUCCESSFUL, clean.errors
    (archive,) = backups_list()
    returned = backup.return_value or {}
    assert returned["path"] == str(archive)
    assert returned["removed"] == ["rumbo-backup-20200101-023000.tar.gz"]
    assert clean.return_value == {"report_files": 0, "exports": 0, "job_inputs": 0}
