"""The budget-execution import: Spanish Excel files, the remembered mapping, all or nothing."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from rumbo.core.models import ImportMapping, Job, JobStatus
from rumbo.investments.execution.imports import (
    execution_import_confirm,
    execution_import_job_preview,
    execution_import_upload,
)
from rumbo.investments.models import ExecutionOrigin, ExecutionRecord, Project

HEADER = "Código CUI;Periodo;PIM;Comprometido;Girado;Avance físico %;Observación\r\n"
MAPPING = {
    "project_code": "Código CUI",
    "period": "Periodo",
    "programmed": "PIM",
    "committed": "Comprometido",
    "paid": "Girado",
    "physical_actual": "Avance físico %",
    "note": "Observación",
}


@pytest.fixture
def projects(world: Any) -> tuple[Project, Project]:
    a = Project.objects.create(entity=world.entity, code="P-1", national_code="2456789", title="Pistas")
    b = Project.objects.create(entity=world.entity, code="P-2", title="Agua")
    return a, b


def _run(world: Any, content: bytes, name: str, capture: Any, mapping: dict[str, str] = MAPPING) -> Job:
    actor = world.users["reporter"]
    job = execution_import_upload(
        actor=actor, entity=world.entity, uploaded_file=SimpleUploadedFile(name, content)
    )
    with capture(execute=True):
        execution_import_confirm(actor=actor, job=job, mapping=mapping)
    job.refresh_from_db()
    return job


def test_a_messy_spanish_excel_csv_with_three_bad_rows_writes_nothing(
    world: Any, projects: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a Windows-1252 CSV with semicolons, decimal commas and thousands dots; rows 3–5 are wrong
    text = (
        HEADER
        + "2456789;2026T1;1.250.000,50;1.000.000,00;800.000;35,5;Obra en curso\r\n"
        + "NO-EXISTE;2026T1;100;100;50;10;\r\n"
        + "P-2;2026T1;100;50;80;10;\r\n"
        + "P-2;2026T2;100;50;20;140;\r\n"
    )
    # when it is imported
    job = _run(world, text.encode("cp1252"), "ejecución.csv", django_capture_on_commit_callbacks)
    # then the job failed with a message per bad row, Excel numbering, and nothing was written
    assert job.status == JobStatus.FAILED
    assert [e["row"] for e in job.errors] == [3, 4, 5]
    assert job.errors[0]["column"] == "Código CUI" and "NO-EXISTE" in job.errors[0]["message"]
    assert job.errors[1]["column"] == "Girado"
    assert job.errors[2]["column"] == "Avance físico %"
    assert ExecutionRecord.objects.count() == 0


def test_a_good_file_is_written_matching_internal_and_national_codes(
    world: Any, projects: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a UTF-8 file with BOM, one row by national code and one by internal code
    a, b = projects
    text = (
        HEADER
        + "2456789;2026T1;1.250.000,50;1.000.000,00;800.000;35,5;Obra en curso\r\n"
        + "\r\n"
        + "p-2;2026-03;1000;900;900;;\r\n"
    )
    # when
    job = _run(world, text.encode("utf-8-sig"), "ejecucion.csv", django_capture_on_commit_callbacks)
    # then
    assert job.status == JobStatus.SUCCEEDED, job.errors
    first = ExecutionRecord.objects.get(project=a)
    assert first.programmed == Decimal("1250000.50") and first.paid == Decimal("800000")
    assert first.physical_actual == Decimal("35.5") and first.origin == ExecutionOrigin.IMPORT
    second = ExecutionRecord.objects.get(project=b)
    assert second.period == "2026-03" and second.physical_actual is None
    assert job.result["created"] == 2


def test_duplicate_project_and_period_in_the_file_is_refused(
    world: Any, projects: Any, django_capture_on_commit_callbacks: Any
) -> None:
    text = HEADER + "P-1;2026T1;10;5;5;;\r\nP-1;2026t1;10;5;5;;\r\n"
    job = _run(world, text.encode("utf-8"), "e.csv", django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED and [e["row"] for e in job.errors] == [3]
    assert ExecutionRecord.objects.count() == 0


def test_an_xlsx_is_read_and_replaces_an_earlier_record(
    world: Any, projects: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given an earlier record of P-1 in 2026T1
    a, _b = projects
    ExecutionRecord.objects.create(project=a, period="2026T1", period_end="2026-03-31", programmed=1)
    wb = Workbook()
    ws = wb.active
    ws.append(["Código CUI", "Periodo", "PIM", "Comprometido", "Girado", "Avance físico %", "Observación"])
    ws.append(["P-1", "2026T1", 5000.5, 4000, 3000, 20, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    # when
    job = _run(world, buffer.getvalue(), "ejecucion.xlsx", django_capture_on_commit_callbacks)
    # then
    assert job.status == JobStatus.SUCCEEDED, job.errors
    record = ExecutionRecord.objects.get(project=a)
    assert record.programmed == Decimal("5000.50") and job.result["replaced"] == 1


def test_the_mapping_is_remembered_and_suggested_for_the_next_file(
    world: Any, projects: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a first import mapped by hand with unusual column names
    odd = {"project_code": "Cod", "period": "Per", "programmed": "M1", "committed": "M2", "paid": "M3"}
    _run(
        world, b"Cod;Per;M1;M2;M3\r\nP-1;2026T1;10;5;5\r\n", "a.csv", django_capture_on_commit_callbacks, odd
    )
    assert ImportMapping.objects.get(entity_id=world.entity.pk, kind="execution_import").mapping == odd
    # when the next file with the same headers is uploaded
    actor = world.users["reporter"]
    job = execution_import_upload(
        actor=actor,
        entity=world.entity,
        uploaded_file=SimpleUploadedFile("b.csv", b"Per;Cod;M1;M2;M3;Nota\r\n"),
    )
    preview = execution_import_job_preview(actor=actor, job=job)
    # then the mapping is pre-filled from memory, and the usual names fill the rest
    assert {k: preview.mapping[k] for k in odd} == odd
    assert preview.mapping["note"] == "Nota" and preview.remembered


def test_the_pages_lead_from_upload_to_mapping_to_the_job(
    world: Any, projects: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a reporter on the import page
    client = Client()
    client.force_login(world.users["reporter"])
    url = f"/inversiones/entidades/{world.entity.pk}/ejecucion/importar/"
    content = (HEADER + "P-1;2026T1;10;5;5;;\r\n").encode("cp1252")
    # when a file is uploaded
    response = client.post(url, {"file": SimpleUploadedFile("e.csv", content)})
    # then the preview shows the headers with the usual names pre-selected, and the first row
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and "Código CUI" in body and 'id="mapping-form"' in body
    preview = page.context["preview"]
    assert preview.mapping["paid"] == "Girado" and preview.values(preview.rows[0])["project_code"] == "P-1"
    job = page.context["job"]
    # when a mapping that uses one column twice is confirmed, it is refused with a message
    bad = {f"map-{k}": v for k, v in MAPPING.items()} | {"map-committed": "Girado"}
    refused = client.post(url, {"job": job.pk, "confirm": job.pk, **bad})
    assert refused.status_code == 422 and refused.context["mapping_errors"]
    # when the mapping is confirmed
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"job": job.pk, "confirm": job.pk, **{f"map-{k}": v for k, v in MAPPING.items()}}
        )
    # then the job page follows and the row is written
    assert done.status_code == 302 and "/trabajos/" in done["Location"]
    assert ExecutionRecord.objects.filter(project=projects[0]).exists()
