"""Starting a layer import as a background job (the upload is checked and stored first)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.accounts.permissions import Capability, require
from rumbo.core.jobs import job_create, job_enqueue
from rumbo.core.models import Job
from rumbo.core.uploads import upload_check

LAYER_EXTENSIONS = (".gpkg", ".zip", ".geojson", ".json")


def layer_import_start(
    *, actor: Any, entity: Entity, uploaded_file: Any, name: str, kind: str, code_field: str
) -> Job:
    """Queue the import of an uploaded layer file; type and size are checked before queueing."""
    require(actor, entity.pk, Capability.MANAGE_ENTITY)
    filename = PurePath(uploaded_file.name or "capa").name
    if not filename.lower().endswith(LAYER_EXTENSIONS):
        raise ValidationError(_("Upload a GeoPackage (.gpkg), a zipped Shapefile (.zip) or a GeoJSON file."))
    upload_check(uploaded_file, "layer")

    with transaction.atomic():
        job = job_create(
            kind="layer_import",
            title=_("Import of the layer %(file)s") % {"file": filename},
            created_by=actor,
            entity_id=entity.pk,
            params={
                "entity_id": entity.pk,
                "actor_id": actor.pk,
                "filename": filename,
                "name": name,
                "kind": kind,
                "code_field": code_field,
                "return_url": reverse("territory:layers", kwargs={"entity_id": entity.pk}),
            },
        )
        job.input_file.save(filename, uploaded_file, save=True)
        job_id = job.pk
        job_enqueue("rumbo.territory.tasks.layer_import_task", job_id)
    return job
