"""Bulk import: Spanish Excel CSV and XLSX, row errors refusing the whole file, preview, the job."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from rumbo.core.models import Job, JobStatus
from rumbo.indicators.measurements.imports import (
    MeasurementImportError,
    measurement_import,
    measurement_import_preview,
    measurement_import_start,
)
from rumbo.indicators.measurements.services import measurement_approve, measurement_save, measurement_submit
from rumbo.indicators.models import Measurement, MeasurementStatus
from tests.indicators.measurements.conftest import Data

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "Indicador;Período;Unidad;Desagregación;Valor;Nota\r\n"
    "IND-1;2025T1;080101;;1.234,5;Año base según acta nº 3\r\n"
    "IND-1;2025T2;080101;mujeres;12,25;\r\n"
    "IND-1;2025T3;;;7;\r\n"
    "IND-2;2025;080102;;99,5;cobertura\r\n"
)


def _run(d: Data, content: bytes, filename: str = "mediciones.csv", **kw: Any) -> Any:
    return measurement_import(
        actor=d.user("reporter"),
        plan=d.world.plan,
        opener=lambda: io.BytesIO(content),
        filename=filename,
        size=len(content),
        **kw,
    )


def _errors(d: Data, content: bytes, filename: str = "mediciones.csv") -> list[str]:
    before = Measurement.objects.count()
    with translation.override("en"), pytest.raises(MeasurementImportError) as exc:
        _run(d, content, filename)
    assert Measurement.objects.count() == before
    return [e.message for e in exc.value.errors]


def test_a_spanish_excel_csv_in_windows_1252_is_imported(data: Data) -> None:
    # given a cp1252 file with ";" and decimal commas
    content = GOOD_CSV.encode("cp1252")
    # when it is imported
    result = _run(data, content)
    # then every row is stored, submitted, with the exact values
    assert (result.rows, result.created, result.replaced) == (4, 4, 0)
    rows = {(m.indicator.code, m.period.code, m.disaggregation): m for m in Measurement.objects.all()}
    assert rows[("IND-1", "2025T1", "")].value == Decimal("1234.5")
    assert rows[("IND-1", "2025T1", "")].notes == "Año base según acta nº 3"
    assert rows[("IND-1", "2025T2", "mujeres")].value == Decimal("12.25")
    assert rows[("IND-1", "2025T3", "")].unit is None
    assert {m.status for m in rows.values()} == {MeasurementStatus.SUBMITTED}
    assert all(m.submitted_by == data.user("reporter") for m in rows.values())


def test_utf8_with_bom_comma_delimiter_and_english_headers(data: Data) -> None:
    content = ('\ufeffindicator,period,unit,value,note\nIND-1,2025T1,080101,"1,234.5",x\n').encode()
    _run(data, content)
    assert Measurement.objects.get().value == Decimal("1234.5")


def test_an_xlsx_file_is_imported(data: Data) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "mediciones"
    ws.append(["indicador", "periodo", "unidad", "valor"])
    ws.append(["IND-1", "2025T1", "080101", 12.5])
    ws.append(["IND-2", 2025, None, 50])
    buf = io.BytesIO()
    wb.save(buf)
    result = _run(data, buf.getvalue(), "m.xlsx")
    assert result.created == 2
    assert Measurement.objects.get(indicator=data.annual_pct).period.code == "2025"


def test_a_file_with_bad_rows_is_refused_whole_with_row_numbers(data: Data) -> None:
    # given an approved value for IND-1 2025T4 whole territory
    m = measurement_save(
        actor=data.user("reporter"), indicator=data.quarterly, period=_p("2025T4"), value="1"
    )
    measurement_submit(actor=data.user("reporter"), measurement=m)
    measurement_approve(actor=data.user("approver"), measurement=m)
    content = (
        "indicador;periodo;unidad;valor\n"
        "IND-1;2025T1;080101;1\n"  # row 2: fine
        "NOPE;2025T1;080101;1\n"  # row 3: unknown indicator
        "IND-1;2025X9;080101;1\n"  # row 4: bad period
        "IND-1;2025T2;080101;mucho\n"  # row 5: not a number
        "IND-1;2025T2;999999;1\n"  # row 6: unknown unit
        "IND-1;2025T1;080101;2\n"  # row 7: duplicate of row 2
        "IND-1;2025T4;;5\n"  # row 8: approved already
        "IND-1;2025;080101;5\n"  # row 9: annual period for a quarterly indicator
        "IND-2;2025;080101;120\n"  # row 10: percentage above 100
        "IND-1;2025T3;150101;1\n"  # row 11: outside the territory
    ).encode("cp1252")
    messages = _errors(data, content)
    assert len(messages) == 9
    by_row = {int(msg.split(":")[0].split(",")[0].split()[1]): msg for msg in messages}
    assert set(by_row) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "no indicator" in by_row[3]
    assert "not a period" in by_row[4]
    assert "not a number" in by_row[5]
    assert "no territorial unit" in by_row[6]
    assert "earlier row" in by_row[7]
    assert "already approved" in by_row[8]
    assert "takes quarter periods" in by_row[9]
    assert "between 0 and 100" in by_row[10]
    assert "outside" in by_row[11]
    assert Measurement.objects.filter(import_job_id__isnull=False).count() == 0


def _p(code: str) -> Any:
    from rumbo.indicators.periods import period_get_or_create

    return period_get_or_create(code)


def test_errors_are_in_spanish_by_default(data: Data) -> None:
    content = b"indicador;periodo;valor\nNOPE;2025T1;1\n"
    with pytest.raises(MeasurementImportError) as exc:
        _run(data, content)
    assert exc.value.errors[0].message.startswith("Fila 3") or "NOPE" in exc.value.errors[0].message


def test_missing_columns_are_reported_on_row_1(data: Data) -> None:
    messages = _errors(data, b"indicador;valor\nIND-1;1\n")
    assert "periodo" in messages[0]


def test_a_draft_is_replaced_and_an_import_cannot_overwrite_a_submitted_value(data: Data) -> None:
    draft = measurement_save(actor=data.user("planner"), indicator=data.quarterly, period=data.q3, value="1")
    result = _run(data, b"indicador;periodo;valor\nIND-1;2025T3;2\n")
    draft.refresh_from_db()
    assert (
        result.replaced == 1 and draft.value == Decimal("2") and draft.status == MeasurementStatus.SUBMITTED
    )
    # now it is submitted: a second import of the same key is refused
    messages = _errors_keep(data, b"indicador;periodo;valor\nIND-1;2025T3;3\n")
    assert "waiting for approval" in messages[0]


def _errors_keep(d: Data, content: bytes) -> list[str]:
    with translation.override("en"), pytest.raises(MeasurementImportError) as exc:
        _run(d, content)
    return [e.message for e in exc.value.errors]


def test_only_the_first_errors_are_kept_and_all_are_counted(data: Data, monkeypatch: Any) -> None:
    monkeypatch.setattr("rumbo.indicators.measurements.imports.checking.MAX_ERRORS_KEPT", 5)
    content = ("indicador;periodo;valor\n" + "NOPE;2025T1;1\n" * 50).encode()
    with pytest.raises(MeasurementImportError) as exc:
        _run(data, content)
    assert len(exc.value.errors) == 5 and exc.value.total == 50


def test_many_chunks_are_written_in_one_go(data: Data) -> None:
    lines = ["indicador;periodo;unidad;desagregacion;valor"]
    lines += [f"IND-1;{2000 + i // 4}T{i % 4 + 1};080101;g{j};{i},5" for i in range(40) for j in range(30)]
    result = _run(data, "\n".join(lines).encode(), chunk_rows=100)
    assert result.created == 1200 == Measurement.objects.count()


def test_the_preview_shows_encoding_delimiter_columns_and_first_rows(data: Data) -> None:
    content = (GOOD_CSV + "NOPE;2025T1;;;1;\r\n").encode("cp1252")
    with translation.override("en"):
        preview = measurement_import_preview(
            actor=data.user("reporter"),
            plan=data.world.plan,
            opener=lambda: io.BytesIO(content),
            filename="m.csv",
            size=len(content),
        )
    assert preview.info.encoding == "cp1252" and preview.info.delimiter == ";"
    assert preview.mapping["periodo"] == "Período"
    assert [r.row for r in preview.rows] == [2, 3, 4, 5, 6]
    assert preview.values(preview.rows[0])["valor"] == "1.234,5"
    assert preview.rows[-1].errors and not preview.rows[0].errors
    assert Measurement.objects.count() == 0


def test_refused_for_people_without_report_data(data: Data) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        measurement_import(
            actor=data.user("observer"),
            plan=data.world.plan,
            opener=lambda: io.BytesIO(b"x"),
            filename="m.csv",
            size=1,
        )


def test_the_job_path_imports_in_the_background(
    data: Data, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("mediciones.csv", GOOD_CSV.encode("cp1252"))
    with django_capture_on_commit_callbacks(execute=True):
        job = measurement_import_start(
            actor=data.user("reporter"), plan=data.world.plan, uploaded_file=upload
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["created"] == 4 and job.result["lines"]
    assert set(Measurement.objects.values_list("import_job_id", flat=True)) == {job.pk}


def test_the_job_fails_with_row_errors_and_writes_nothing(
    data: Data, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("m.csv", b"indicador;periodo;valor\nIND-1;2025T1;1\nIND-1;2025T1;x\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = measurement_import_start(
            actor=data.user("reporter"), plan=data.world.plan, uploaded_file=upload
        )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert [e["row"] for e in job.errors] == [3]
    assert Measurement.objects.count() == 0


def test_the_import_page_previews_then_confirms(
    data: Data, client: Any, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(data.user("reporter"))
    url = reverse("indicators:measurement_import", kwargs={"plan_id": data.world.plan.pk})
    # when a file is uploaded, a preview is shown and nothing is imported yet
    response = client.post(url, {"file": SimpleUploadedFile("m.csv", GOOD_CSV.encode("cp1252"))}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="import-preview"' in body and "Windows-1252" in body and 'id="confirm-import"' in body
    assert Measurement.objects.count() == 0
    job = Job.objects.get(kind="measurement_import")
    assert job.status == JobStatus.QUEUED and not job.params["confirmed"]
    # when the import is confirmed, the job runs and redirects to its progress page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"job": job.pk, "confirm": job.pk})
    assert response.status_code == 302 and response["Location"] == reverse("job", kwargs={"job_id": job.pk})
    assert Measurement.objects.count() == 4


def test_the_import_page_is_forbidden_to_observers(data: Data, client: Any) -> None:
    client.force_login(data.user("observer"))
    url = reverse("indicators:measurement_import", kwargs={"plan_id": data.world.plan.pk})
    assert client.get(url).status_code == 403


def test_the_recent_imports_list_only_this_plans_files(
    data: Data, client: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(data.user("reporter"))
    url = reverse("indicators:measurement_import", kwargs={"plan_id": data.world.plan.pk})
    client.post(url, {"file": SimpleUploadedFile("propio.csv", GOOD_CSV.encode("cp1252"))})
    job = Job.objects.get(kind="measurement_import")
    # the plan's page lists the upload, not confirmed yet
    body = client.get(url).content.decode()
    assert f"?job={job.pk}" in body and 'id="recent-imports"' in body
    # the page of another plan of the same entity does not
    other = reverse("indicators:measurement_import", kwargs={"plan_id": data.world.public_plan.pk})
    response = client.get(other)
    assert response.status_code == 200 and 'id="recent-imports"' not in response.content.decode()
