"""Recording execution: the checks of amounts, percentages and the cumulative progress; uploads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from rumbo.core.models import AuditEvent
from rumbo.investments.execution.services import (
    contract_add,
    execution_record_set,
    project_evidence_add,
)
from rumbo.investments.models import ExecutionRecord, Project, ProjectEvidence, ProjectStatus


@pytest.fixture
def project(world: Any) -> Project:
    return Project.objects.create(
        entity=world.entity, code="P-10", title="Pistas", status=ProjectStatus.ACCEPTED, cost_total=1000
    )


def _record(world: Any, project: Project, **kwargs: Any) -> Any:
    values = {"period": "2026T1", "programmed": "1.000,00", "committed": "800", "paid": "500"}
    values.update(kwargs)
    return execution_record_set(actor=world.users["reporter"], project=project, **values)


def test_a_record_parses_spanish_amounts_and_is_audited(world: Any, project: Project) -> None:
    # when
    result = _record(world, project, programmed="1.250.000,50", committed="1.000.000", paid="0")
    # then
    record = ExecutionRecord.objects.get(project=project, period="2026T1")
    assert record.programmed == Decimal("1250000.50") and record.committed == Decimal("1000000")
    assert str(record.period_end) == "2026-03-31"
    assert result.created and result.warnings == []
    assert AuditEvent.objects.filter(target_id=str(record.pk), action="created").exists()


def test_paid_above_committed_is_refused_and_nothing_saved(world: Any, project: Project) -> None:
    # when
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        _record(world, project, committed="100", paid="150")
    # then
    assert "cannot exceed" in exc.value.message_dict["paid"][0]
    assert not ExecutionRecord.objects.exists()


def test_committed_above_programmed_is_saved_with_a_warning(world: Any, project: Project) -> None:
    # when
    with translation.override("en"):
        result = _record(world, project, programmed="100", committed="120", paid="50")
    # then
    assert ExecutionRecord.objects.count() == 1
    assert len(result.warnings) == 1 and "above the amount programmed" in result.warnings[0]


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("programmed", {"programmed": "-5"}),
        ("committed", {"committed": "mucho"}),
        ("physical_actual", {"physical_actual": "120"}),
        ("physical_planned", {"physical_planned": "-1"}),
        ("period", {"period": "2026T5"}),
    ],
)
def test_bad_input_is_reported_on_its_field_and_nothing_saved(
    world: Any, project: Project, field: str, kwargs: dict[str, str]
) -> None:
    # when
    with pytest.raises(ValidationError) as exc:
        _record(world, project, **kwargs)
    # then
    assert field in exc.value.message_dict
    assert not ExecutionRecord.objects.exists()


def test_achieved_progress_may_not_go_down_without_a_note(world: Any, project: Project) -> None:
    # given 40 % achieved by the end of the first quarter
    _record(world, project, period="2026T1", physical_actual="40")
    # when the second quarter reports 30 % without a note
    with pytest.raises(ValidationError) as exc:
        _record(world, project, period="2026T2", physical_actual="30")
    # then it is refused; with a note it is accepted
    assert "physical_actual" in exc.value.message_dict
    _record(world, project, period="2026T2", physical_actual="30", note="Se rehízo la losa dañada.")
    assert ExecutionRecord.objects.filter(project=project).count() == 2


def test_periods_of_a_project_may_not_overlap(world: Any, project: Project) -> None:
    # given a quarter
    _record(world, project, period="2026T1")
    # when the whole year is recorded too
    with pytest.raises(ValidationError) as exc:
        _record(world, project, period="2026")
    # then money would count twice: refused
    assert "period" in exc.value.message_dict


def test_correcting_a_period_replaces_it_and_keeps_before_and_after(world: Any, project: Project) -> None:
    # given
    first = _record(world, project, paid="100")
    # when
    second = _record(world, project, paid="200")
    # then
    assert not second.created and second.record.pk == first.record.pk
    event = AuditEvent.objects.filter(target_id=str(first.record.pk), action="updated").get()
    assert event.changes["paid"] == ["100.00", "200.00"]


def test_someone_without_report_data_may_not_record(world: Any, project: Project) -> None:
    with pytest.raises(PermissionDenied):
        execution_record_set(
            actor=world.users["observer"], project=project, period="2026T1", programmed=1, committed=1, paid=1
        )


def test_a_contract_ending_before_its_signature_is_refused(world: Any, project: Project) -> None:
    import datetime

    with pytest.raises(ValidationError) as exc:
        contract_add(
            actor=world.users["reporter"],
            project=project,
            number="C-1",
            contractor="Constructora",
            amount="-1",
            signed_on=datetime.date(2026, 3, 1),
            ends_on=datetime.date(2026, 2, 1),
        )
    assert {"amount", "ends_on"} <= set(exc.value.message_dict)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.mark.parametrize(("content", "content_type"), [(PNG, "image/png"), (WEBP, "image/webp")])
def test_photos_are_recognised_by_their_bytes_not_their_name(
    world: Any, project: Project, content: bytes, content_type: str
) -> None:
    # when a photo is uploaded with a misleading name
    evidence = project_evidence_add(
        actor=world.users["reporter"], project=project, upload=SimpleUploadedFile("foto.txt", content)
    )
    # then its type comes from its content, and its hash is kept
    import hashlib

    assert evidence.content_type == content_type
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()


def test_an_executable_named_pdf_is_refused(world: Any, project: Project) -> None:
    with pytest.raises(ValidationError):
        project_evidence_add(
            actor=world.users["reporter"],
            project=project,
            upload=SimpleUploadedFile("acta.pdf", b"MZ\x90\x00" * 10),
        )
    assert not ProjectEvidence.objects.exists()


def test_a_file_over_the_limit_is_refused(world: Any, project: Project, settings: Any) -> None:
    settings.RUMBO_UPLOAD_MAX_BYTES = 10
    upload = SimpleUploadedFile("acta.pdf", b"%PDF-1.4" + b"0" * 100)
    with pytest.raises(ValidationError) as exc:
        project_evidence_add(actor=world.users["reporter"], project=project, upload=upload)
    assert "file" in exc.value.message_dict
