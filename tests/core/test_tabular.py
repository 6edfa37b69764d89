"""One set of file quirks, run against every importer: the plan import, the measurement import
and the budget-execution import read files through rumbo.core.tabular, so each quirk must be
accepted, or refused with the same Spanish message, by all three."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from rumbo.core.tabular import Column, Columns, ImportRefused, RowError, table_detect, table_open
from rumbo.indicators.measurements.imports import measurement_import_preview
from rumbo.investments.execution.imports import execution_import_job_preview, execution_import_upload
from rumbo.plans.imports import PlanImportError, plan_import_parse
from tests.core.bombs import xlsx_with_one_cell

pytestmark = pytest.mark.django_db

# A header every importer knows part of: the plan import takes codigo and titulo, the
# measurement import indicador, periodo and valor; the execution import lists them all.
HEADER = ["Código", "Título", "Indicador", "Período", "Valor"]
ROW = ["E1", "Gestión del territorio", "IND-1", "2025T1", "1.234,5"]

Read = dict[str, Any]  # {"headers": headers as written, "rows": first data rows as {header: text}}
Reader = Callable[[Any, bytes, str], Read]


def _plan(world: Any, data: bytes, filename: str) -> Read:
    parsed = plan_import_parse(data=data, filename=filename)
    if parsed.errors:
        raise PlanImportError(parsed.errors)
    names = {"codigo": "Código", "titulo": "Título"}
    return {
        "headers": list(parsed.headers.values()),
        "rows": [{names[k]: str(v) for k, v in r.values.items()} for r in parsed.rows],
    }


def _measurement(world: Any, data: bytes, filename: str) -> Read:
    preview = measurement_import_preview(
        actor=world.users["reporter"],
        plan=world.plan,
        opener=lambda: io.BytesIO(data),
        filename=filename,
        size=len(data),
    )
    if preview.errors:
        raise ImportRefused(preview.errors)
    return {
        "headers": list(preview.mapping.values()),
        "rows": [{preview.mapping[k]: v for k, v in preview.values(r).items()} for r in preview.rows],
    }


def _execution(world: Any, data: bytes, filename: str) -> Read:
    actor = world.users["reporter"]
    try:
        job = execution_import_upload(
            actor=actor, entity=world.entity, uploaded_file=SimpleUploadedFile(filename, data)
        )
    except ValidationError as exc:  # the upload form's refusal, with the importers' message
        raise ImportRefused([RowError(0, None, m) for m in exc.messages]) from exc
    preview = execution_import_job_preview(actor=actor, job=job)
    if preview.errors and not preview.headers:
        raise ImportRefused(preview.errors)
    named = [h for h in preview.headers if h]
    rows = [{preview.mapping[k]: v for k, v in preview.values(r).items()} for r in preview.rows]
    return {"headers": named, "rows": rows}


IMPORTERS: dict[str, Reader] = {"plan": _plan, "measurement": _measurement, "execution": _execution}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _csv(lines: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(lines)
    return out.getvalue().encode(encoding)


def _xlsx(build: Callable[[Any], None]) -> bytes:
    wb = Workbook()
    build(wb.active)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _refusals(world: Any, data: bytes, filename: str) -> dict[str, str]:
    """The first message of each importer, which must refuse the file."""
    messages = {}
    for name, read in IMPORTERS.items():
        with pytest.raises(ImportRefused) as exc:
            read(world, data, filename)
        messages[name] = exc.value.errors[0].message
    return messages


def _same_read(world: Any, data: bytes, filename: str) -> None:
    for name, read in IMPORTERS.items():
        result = read(world, data, filename)
        for header in result["headers"]:
            assert header in HEADER, (name, result["headers"])
        assert len(result["rows"]) == 1, (name, result["rows"])
        for header, text in result["rows"][0].items():
            assert text == ROW[HEADER.index(header)], (name, header, text)


# --- accepted quirks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ";"), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8", ","), ("cp1252", "\t")],
)
def test_encodings_and_delimiters_of_spanish_excel_are_read_by_every_importer(
    world: Any, encoding: str, delimiter: str
) -> None:
    _same_read(world, _csv([HEADER, ROW], delimiter=delimiter, encoding=encoding), "datos.csv")


def test_empty_trailing_rows_are_not_rows(world: Any) -> None:
    data = _csv([HEADER, ROW, [""] * 5, [""] * 5, [" "] * 5])
    _same_read(world, data, "datos.csv")

    def sheet(ws: Any) -> None:
        ws.append(HEADER)
        ws.append(ROW)
        for row in range(3, 40):  # formatted but empty rows, as Excel leaves them
            ws.cell(row=row, column=1).number_format = "0.00"
        ws.append([None, None, None, None, None])

    _same_read(world, _xlsx(sheet), "datos.xlsx")


def test_a_header_cell_merged_over_the_next_one_is_read_once(world: Any) -> None:
    def sheet(ws: Any) -> None:
        ws.append([*HEADER, ""])
        ws.append([*ROW, ""])
        ws.merge_cells("F1:G1")  # a merged, empty header cell beyond the data

    _same_read(world, _xlsx(sheet), "datos.xlsx")


def test_formulas_are_never_read_as_formulas(world: Any) -> None:
    def sheet(ws: Any) -> None:
        ws.append(HEADER)
        ws.append(ROW)
        ws.append(["=A2", '=HYPERLINK("http://x")', "=1+1", "=B2", "=SUM(1,2)"])

    data = _xlsx(sheet)
    for name, read in IMPORTERS.items():
        try:
            result = read(world, data, "datos.xlsx")
        except ImportRefused:
            continue  # a row without values may be refused; it is never read as a formula
        texts = [str(v) for row in result["rows"] for v in row.values()]
        assert not any(t.startswith("=") for t in texts), (name, texts)


def test_text_an_export_protected_with_an_apostrophe_comes_back_as_it_was(world: Any) -> None:
    data = _csv([["codigo", "titulo"], ["E1", "'=Suma de metas"]])
    parsed = plan_import_parse(data=data, filename="arbol.csv")
    assert parsed.rows[0].values["titulo"] == "=Suma de metas"


# --- refused files: one message for all ---------------------------------------------------------------


def test_an_executable_renamed_xlsx_is_refused_alike(world: Any) -> None:
    messages = _refusals(world, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000, "datos.xlsx")
    assert len(set(messages.values())) == 1, messages
    assert "no es un libro de Excel" in messages["plan"]


def test_a_workbook_cut_in_half_is_refused_alike(world: Any) -> None:
    data = _xlsx(lambda ws: [ws.append(HEADER), ws.append(ROW)])
    messages = _refusals(world, data[: len(data) // 2], "datos.xlsx")
    assert len(set(messages.values())) == 1 and "dañado" in messages["plan"], messages


def test_utf16_text_is_refused_alike(world: Any) -> None:
    messages = _refusals(world, "\r\n".join([";".join(HEADER), ";".join(ROW)]).encode("utf-16"), "d.csv")
    assert len(set(messages.values())) == 1 and "UTF-16" in messages["plan"], messages


def test_binary_junk_and_old_excel_files_are_refused_alike(world: Any) -> None:
    junk = _refusals(world, bytes(range(256)) * 20, "datos.csv")
    assert len(set(junk.values())) == 1 and "no es una hoja de cálculo" in junk["plan"], junk
    xls = _refusals(world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "datos.xls")
    assert len(set(xls.values())) == 1 and "Excel antiguo" in xls["plan"], xls


def test_a_file_over_the_limit_is_refused_alike(world: Any, settings: Any) -> None:
    # 1 MB stands for the 50 MB default (the 60 MB file itself: tests/core/test_uploads.py)
    settings.RUMBO_UPLOAD_MAX_BYTES = 1024 * 1024
    big = _csv([HEADER] + [ROW] * 40_000)
    messages = _refusals(world, big, "datos.csv")
    assert len(set(messages.values())) == 1 and "demasiado grande" in messages["plan"], messages


def test_a_zip_bomb_is_refused_alike(world: Any, tmp_path: Path) -> None:
    bomb = xlsx_with_one_cell(tmp_path / "bomba.xlsx", b"A" * (1 << 20), repeat=64).read_bytes()
    assert len(bomb) < 1024 * 1024  # a small file that unpacks to 64 MB
    messages = _refusals(world, bomb, "datos.xlsx")
    assert len(set(messages.values())) == 1, messages


# --- the framework itself -------------------------------------------------------------------------------


def test_columns_match_headers_case_accent_and_space_blind() -> None:
    columns = Columns([Column("codigo", ("code",), required=True), Column("anio_inicio", ("ano_inicio",))])
    found = columns.match(["  CÓDIGO ", "Año  Inicio", "otra"])
    assert found.positions == {"codigo": 0, "anio_inicio": 1}
    assert found.written == {"codigo": "CÓDIGO", "anio_inicio": "Año  Inicio"}
    assert found.ignored == ["otra"] and not found.errors
    twice = columns.match(["code", "Código"])
    assert twice.errors[0].row == 1 and "codigo" in twice.errors[0].message
    missing = columns.match(["inicio"])  # not a name of anio_inicio: ignored
    assert missing.errors and "codigo" in missing.errors[0].message


def test_rows_keep_the_numbers_excel_shows(tmp_path: Path) -> None:
    data = _csv([HEADER, ROW, [""] * 5, ROW])
    info = table_detect(lambda: io.BytesIO(data), "d.csv", len(data))
    with table_open(lambda: io.BytesIO(data), info) as table:
        numbers = [n for n, _cells in table.rows()]
    assert numbers == [1, 2, 3, 4]  # blank rows keep their place: messages name Excel's row
    assert info.encoding == "utf-8" and info.delimiter == ";" and info.estimated_rows == 3
