"""The import pages, one view and one template for every importer (rumbo.core.tabular.flow):
upload → preview with the column mapping → confirm → the job's page.

An importer's view checks the person's access to its plan or entity, then hands `import_page`
an `ImportPage` with its own functions bound to that scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _lazy

from rumbo.core.forms import form_add_validation_error
from rumbo.core.models import Job
from rumbo.core.tabular.errors import ImportRefused
from rumbo.core.tabular.flow import ImportPreview, job_headers_keep
from rumbo.core.uploads import upload_help


class UploadForm(forms.Form):
    file = forms.FileField(label=_lazy("File"), help_text=upload_help())

    def __init__(self, *args: Any, accept: str, label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = label
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": accept})


@dataclass(frozen=True)
class ImportPage:
    kind: str  # the import job's kind
    title: str  # "Importar mediciones"
    intro_template: str  # what the file must hold (columns, formats), shown above the upload form
    back_url: str
    back_label: str
    accept: str  # for the file input: ".csv,.xlsx"
    file_label: str
    upload: Callable[[UploadedFile[Any]], Job]  # raises ImportRefused or ValidationError
    preview: Callable[[Job, dict[str, str] | None], ImportPreview]  # raises ImportRefused
    confirm: Callable[[Job, dict[str, str] | None], Job]  # raises ValidationError
    owns: Callable[[Job], bool]  # whether a job of the person belongs to this page's plan or entity
    recent: Callable[[QuerySet[Job]], QuerySet[Job]]  # the same test as a filter, for the recent list
    context: dict[str, Any] | None = None  # the scope, for the template ("plan", "entity")


def _job(request: HttpRequest, page: ImportPage, raw: str) -> Job:
    job = (
        Job.objects.filter(pk=int(raw), kind=page.kind, created_by_id=request.user.pk).first()
        if raw.isdigit()
        else None
    )
    if job is None or not page.owns(job):
        raise Http404
    return job


def _chosen(request: HttpRequest, preview: ImportPreview) -> dict[str, str] | None:
    """The mapping the person chose in the form; None when the form sent none (the suggestion)."""
    names = [column.name for column, _header in preview.columns]
    if not any(f"map-{name}" in request.POST for name in names):
        return None
    return {name: request.POST.get(f"map-{name}", "").strip() for name in names}


def import_page(request: HttpRequest, page: ImportPage) -> HttpResponse:
    context: dict[str, Any] = {"page": page, **(page.context or {})}
    posted_job = request.POST.get("job") if request.method == "POST" else None
    if posted_job is None and request.method == "POST":
        return _upload(request, page, context)
    raw = posted_job if posted_job is not None else request.GET.get("job")
    if raw is None:
        return _upload(request, page, context)
    job = _job(request, page, raw)
    if job.params.get("confirmed"):
        return redirect("job", job_id=job.pk)
    try:
        preview = page.preview(job, None)
    except ImportRefused as exc:
        return _upload(request, page, context, file_errors=exc.errors)
    mapping_errors: list[str] = []
    if posted_job is not None:
        chosen = (_chosen(request, preview) or preview.mapping) if preview.mappable else None
        if "confirm" in request.POST:
            try:
                page.confirm(job, chosen)
            except ValidationError as exc:
                mapping_errors = exc.messages
            else:
                return redirect("job", job_id=job.pk)
        if chosen is not None and chosen != preview.mapping:  # read again only for a changed mapping
            preview = page.preview(job, chosen)
    return _preview(request, context, job, preview, mapping_errors)


def _upload(
    request: HttpRequest, page: ImportPage, context: dict[str, Any], file_errors: list[Any] | None = None
) -> HttpResponse:
    posted = request.method == "POST" and "job" not in request.POST
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        accept=page.accept,
        label=page.file_label,
    )
    if posted and form.is_valid():
        try:
            job = page.upload(form.cleaned_data["file"])
        except ImportRefused as exc:
            for error in exc.errors:
                form.add_error("file", error.message)
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(f"{request.path}?job={job.pk}")
    recent = page.recent(Job.objects.filter(kind=page.kind, created_by_id=request.user.pk))[:10]
    context.update({"form": form, "file_errors": file_errors or [], "recent": recent})
    return render(request, "core/import.html", context, status=422 if file_errors else 200)


def _preview(
    request: HttpRequest, context: dict[str, Any], job: Job, preview: ImportPreview, mapping_errors: list[str]
) -> HttpResponse:
    job_headers_keep(job, preview)
    context.update({"job": job, "preview": preview, "mapping_errors": mapping_errors})
    return render(request, "core/import.html", context, status=422 if mapping_errors else 200)
