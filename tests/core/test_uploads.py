"""One upload policy: the same size limit and message everywhere, and no compressed bomb reaches a
reader. Each test sends the hostile file the way a person would (the form, or the service the
API calls) and checks the refusal, the time it took and what the process had to hold."""

from __future__ import annotations

import random
import resource
import string
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rumbo.core.models import Job
from rumbo.core.spreadsheets import CellTooLong, xlsx_guard
from rumbo.core.uploads import UploadRefused, upload_check, zip_guard
from rumbo.investments.execution.services import project_evidence_add
from rumbo.investments.models import Project
from rumbo.plans.models import Node
from tests.core.bombs import xlsx_bomb, xlsx_with_one_cell

BOMB_WORDS = "bomba"
SIZE_WORDS = "demasiado grande"


@pytest.fixture(scope="session")
def bomb(tmp_path_factory: Any) -> bytes:
    return xlsx_bomb(tmp_path_factory.mktemp("bombs") / "bomba.xlsx").read_bytes()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post_refused(client: Client, url: str, name: str, content: bytes, words: str) -> str:
    """Post a file to an import form; it must come back within 5 s, refused, without growth."""
    peak, started = _peak_mb(), time.monotonic()
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"{url} took {elapsed:.1f} s"
    assert _peak_mb() - peak < 200, f"{url} grew the process by {_peak_mb() - peak:.0f} MB"
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    assert words in text, text[-3000:]
    return text


def test_the_bomb_is_a_small_file_that_unpacks_to_a_gibibyte(bomb: bytes, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "b.xlsx"
    path.write_bytes(bomb)
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    assert len(bomb) < 10 * 1024 * 1024 and unpacked > 1 << 30


@pytest.mark.django_db
def test_the_bomb_is_refused_by_every_import_form(world: Any, bomb: bytes) -> None:
    planner = _client(world.users["planner"])
    reporter = _client(world.users["reporter"])
    jobs = Job.objects.count()
    _post_refused(planner, f"/planes/{world.plan.pk}/importar/", "arbol.xlsx", bomb, BOMB_WORDS)
    _post_refused(
        reporter, f"/seguimiento/planes/{world.plan.pk}/importar-mediciones/", "med.xlsx", bomb, BOMB_WORDS
    )
    _post_refused(
        reporter, f"/inversiones/entidades/{world.entity.pk}/ejecucion/importar/", "ej.xlsx", bomb, BOMB_WORDS
    )
    assert Job.objects.count() == jobs  # nothing kept for later either
    assert not Node.objects.filter(plan=world.plan).exclude(code="E1").exists()


@pytest.mark.django_db
def test_the_bomb_is_refused_as_evidence(world: Any, bomb: bytes, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    project = Project.objects.create(entity=world.entity, code="P-1", title="Pistas")
    started = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        project_evidence_add(
            actor=world.users["reporter"], project=project, upload=SimpleUploadedFile("acta.xlsx", bomb)
        )
    assert time.monotonic() - started < 5
    assert BOMB_WORDS in " ".join(refused.value.messages)
    assert not any(tmp_path.rglob("*.xlsx"))


@pytest.mark.django_db
def test_an_oversized_csv_gets_the_same_refusal_everywhere(world: Any, settings: Any) -> None:
    # a limit of 1 MB stands for the 50 MB default, so that the test stays fast
    settings.RUMBO_UPLOAD_MAX_BYTES = 1024 * 1024
    big = b"codigo;titulo\r\n" + b"A.1;Objetivo con un titulo largo\r\n" * 60_000  # about 2 MB
    planner = _client(world.users["planner"])
    reporter = _client(world.users["reporter"])
    texts = [
        _post_refused(planner, f"/planes/{world.plan.pk}/importar/", "arbol.csv", big, SIZE_WORDS),
        _post_refused(
            reporter, f"/seguimiento/planes/{world.plan.pk}/importar-mediciones/", "m.csv", big, SIZE_WORDS
        ),
        _post_refused(
            reporter,
            f"/inversiones/entidades/{world.entity.pk}/ejecucion/importar/",
            "e.csv",
            big,
            SIZE_WORDS,
        ),
    ]
    # one message, word for word, naming the size and the limit
    sentences = {next(line for line in t.splitlines() if SIZE_WORDS in line).strip() for t in texts}
    assert all("1,0\xa0MB" in s or "1,0 MB" in s for s in sentences), sentences
    messages = {s[s.index("El archivo") : s.index("MB.") + 3] for s in sentences}
    assert len(messages) == 1, messages


@pytest.mark.django_db
def test_a_sixty_megabyte_csv_to_the_plan_import_is_refused_not_a_server_error(world: Any) -> None:
    # the defect: 500 with a traceback (PlanImportError escaped the view)
    big = b"codigo;titulo\r\n" + b"A;" + b"x" * (60 * 1024 * 1024) + b"\r\n"
    client = _client(world.users["planner"])
    response = client.post(f"/planes/{world.plan.pk}/importar/", {"file": SimpleUploadedFile("a.csv", big)})
    assert response.status_code == 200 and SIZE_WORDS in response.content.decode()
    assert "50,0" in response.content.decode()  # the limit is stated


def test_the_form_states_the_limit(world: Any) -> None:
    response = _client(world.users["planner"]).get(f"/planes/{world.plan.pk}/importar/")
    assert "Hasta 50,0" in response.content.decode()


def test_an_ordinary_workbook_passes_the_guard(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    for row in range(2000):
        wb.active.append([f"A.{row}", "Objetivo " * 20, row * 1.5])
    path = tmp_path / "ok.xlsx"
    wb.save(path)
    zip_guard(str(path))
    xlsx_guard(str(path))


def test_a_cell_longer_than_excel_allows_is_refused_while_streaming(tmp_path: Path) -> None:
    # 6 MB of random letters in one cell: it compresses little, so only the cell scan sees it
    letters = "".join(random.choices(string.ascii_letters, k=6 * 1024 * 1024)).encode()
    path = xlsx_with_one_cell(tmp_path / "celda.xlsx", letters)
    zip_guard(str(path))  # not a bomb by its ratio
    with pytest.raises(CellTooLong) as refused:
        xlsx_guard(str(path))
    assert "32.767" in refused.value.messages[0]


def test_layers_are_checked_for_size_only(settings: Any) -> None:
    # a Shapefile's .dbf compresses hundreds of times: the layer import guards its own unpacking
    settings.RUMBO_LAYER_MAX_BYTES = 10
    with pytest.raises(UploadRefused):
        upload_check(SimpleUploadedFile("capa.zip", b"x" * 11), "layer")
