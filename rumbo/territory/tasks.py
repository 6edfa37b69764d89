"""Background task: import a spatial layer file saved on a Job."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_tasks import task

from rumbo.accounts.models import Entity
from rumbo.core.jobs import JobProgress
from rumbo.core.models import Job
from rumbo.territory.layers import LayerImportError, layer_import


@task()
def layer_import_task(job_id: int) -> None:
    """Read, check and write the layer; the job ends with the layer's counts or with the reasons
    it was refused (nothing written)."""
    job = Job.objects.get(pk=job_id)
    progress = JobProgress(job)
    progress.start(total=1, message=_("Reading the layer…"))
    params = job.params
    entity = Entity.objects.filter(pk=params.get("entity_id")).first()
    actor = get_user_model().objects.filter(pk=params.get("actor_id")).first()
    try:
        if entity is None or actor is None:
            raise PermissionDenied
        layer = layer_import(
            actor=actor,
            entity=entity,
            uploaded_file_path=Path(job.input_file.path),
            original_name=params["filename"],
            name=params.get("name", ""),
            kind=params["kind"],
            code_field=params.get("code_field") or None,
        )
    except LayerImportError as exc:
        progress.fail(
            errors=[{"row": None, "column": None, "message": m} for m in exc.messages],
            message=_("The layer was not imported; nothing was saved."),
        )
    except PermissionDenied:
        progress.fail(errors=[], message=_("You may not import layers for this entity."))
    else:
        notes = getattr(layer, "import_messages", [])
        progress.succeed(
            result={"layer_id": layer.pk, "lines": notes},
            message=_("Layer %(name)s imported: %(count)s features.")
            % {"name": layer.name, "count": layer.feature_count},
        )
    finally:
        job.input_file.delete(save=False)
