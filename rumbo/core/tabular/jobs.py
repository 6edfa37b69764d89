"""The file of an import job, and the checks an upload passes before it is kept."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import PurePath
from typing import IO, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from rumbo.core.audit import audit_record
from rumbo.core.jobs import JobProgress, job_create
from rumbo.core.models import AuditAction, Job
from rumbo.core.tabular.errors import ImportRefused, file_refused, refusal_summary
from rumbo.core.tabular.reading import Opener, Progress
from rumbo.core.uploads import UploadRefused, upload_check

logger = logging.getLogger(__name__)
R = TypeVar("R")


def job_opener(job: Job) -> Opener:
    """An opener for the file kept with `job` (each call opens it anew: imports read twice)."""
    storage, name = job.input_file.storage, str(job.input_file.name)

    def opener() -> IO[bytes]:
        return storage.open(name, "rb")

    return opener


def upload_accept(uploaded_file: UploadedFile[Any]) -> None:
    """The upload policy (size, type) as an import refusal on row 0."""
    try:
        upload_check(uploaded_file)
    except UploadRefused as exc:
        raise file_refused(exc.messages[0]) from exc


def import_job_keep(
    *,
    kind: str,
    actor: Any,
    target: Any,
    uploaded_file: UploadedFile[Any],
    title: Callable[[str], str],
    return_url: str,
    default_name: str = "import",
) -> Job:
    """Keep an upload as the input file of a new import job for `target` (a plan or an entity,
    kept as params.plan_id or params.entity_id), not started (params.confirmed false) until the
    person confirms the preview; `title` makes the job's title from the file's name. One
    transaction: no job exists without its file."""
    filename = uploaded_file_name(uploaded_file, default=default_name)
    entity_id = getattr(target, "entity_id", None) or target.pk
    params = {
        "actor_id": getattr(actor, "pk", None),
        "filename": filename,
        f"{target._meta.model_name}_id": target.pk,
        "size": uploaded_file.size or 0,
        "confirmed": False,
        "return_url": return_url,
    }
    with transaction.atomic():
        job = job_create(
            kind=kind, title=title(filename), created_by=actor, entity_id=entity_id, params=params
        )
        job.input_file.save(filename, uploaded_file, save=True)
    return job


def import_job_target(*, actor: Any, job: Job, kind: str, queryset: Any, param: str) -> Any:
    """The plan or entity (`queryset`, looked up by `job.params[param]`) of an import job of `kind`
    that `actor` started; PermissionDenied otherwise. The caller checks the capability."""
    if job.kind != kind or job.created_by_id != getattr(actor, "pk", None):
        raise PermissionDenied
    target = queryset.filter(pk=job.params.get(param)).first()
    if target is None:
        raise PermissionDenied
    return target


def import_audit(*, actor: Any, target: Any, message: str, changes: dict[str, Any]) -> None:
    """The one history event of an import, on its plan or entity (inside the import's transaction)."""
    entity_id = getattr(target, "entity_id", None) or target.pk
    scope = target if hasattr(target, "entity_id") else None
    audit_record(
        actor=actor,
        action=AuditAction.IMPORTED,
        target=target,
        entity_id=entity_id,
        scope=scope,
        message=message,
        changes=changes,
    )


def uploaded_file_name(uploaded_file: UploadedFile[Any], *, default: str) -> str:
    """The upload's own name without any folder a browser may send."""
    return PurePath(uploaded_file.name or default).name


def phase_reporter(progress: JobProgress) -> Progress:
    """The Progress callback of the two-pass importers: "check" then "write", shown on the job."""

    def report(phase: str, done: int, total: int) -> None:
        if phase == "check":
            progress.update(
                done=done, total=total, message=_("Checking the rows: %(done)s…") % {"done": done}
            )
        else:
            progress.update(
                done=done,
                total=total,
                force=True,
                message=_("Writing %(total)s rows in one transaction…") % {"total": total},
            )

    return report


def import_job_run(
    job_id: int,
    *,
    run: Callable[[Job, JobProgress], R],
    result_dict: Callable[[R], dict[str, Any]],
    summary: Callable[[R], str],
    denied_message: str,
    refused_message: Callable[[ImportRefused], str] = refusal_summary,
) -> None:
    """The body of every import task: the job ends succeeded with `result_dict(result)` and the
    summary, or failed with the row errors (nothing written: `run` writes in one transaction).
    An unexpected error fails the job with a generic message and is raised again for the log."""
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job)
    progress.start(message=_("Reading the file…"))
    try:
        result = run(job, progress)
    except ImportRefused as exc:
        progress.fail(errors=[e.as_dict() for e in exc.errors], message=refused_message(exc))
        return
    except PermissionDenied:
        progress.fail(errors=[], message=denied_message)
        return
    except Exception:
        logger.exception("%s job %s failed", job.kind, job_id)
        progress.fail(
            errors=[], message=_("The import stopped because of an unexpected error; nothing was imported.")
        )
        raise
    progress.succeed(result=result_dict(result), message=summary(result))
