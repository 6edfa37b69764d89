"""The daily upkeep the worker enqueues (rumbo.core.worker.UPKEEP): the backup and the cleaning
of generated files. Both take no arguments, so `.enqueue()` alone runs them."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from rumbo.core.backups import backup_create, backups_prune, generated_files_clean

logger = logging.getLogger(__name__)


@task()
def backup_scheduled_task() -> dict[str, Any]:
    """One archive into RUMBO_BACKUP_DIR, then only the RUMBO_BACKUP_KEEP newest kept."""
    path = backup_create()
    removed = backups_prune()
    size = path.stat().st_size
    logger.info("scheduled backup written to %s (%s bytes); %s old one(s) removed", path, size, len(removed))
    return {"path": str(path), "size": size, "removed": [p.name for p in removed]}


@task()
def generated_files_clean_task() -> dict[str, Any]:
    """Generated files older than RUMBO_GENERATED_MAX_AGE_DAYS (see generated_files_clean for
    exactly which); never evidence or any other uploaded record."""
    result = generated_files_clean()
    if result.total:
        logger.info("removed %s generated file(s)", result.total)
    return {"report_files": result.report_files, "exports": result.exports, "job_inputs": result.job_inputs}
