"""The measurement workflow, its permissions, validation, corrections, evidence and visibility."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

from rumbo.core.audit import audit_events_for
from rumbo.indicators.measurements import selectors
from rumbo.indicators.measurements.services import (
    evidence_add_file,
    evidence_add_link,
    measurement_approve,
    measurement_correct,
    measurement_return,
    measurement_save,
    measurement_submit,
    measurement_value_parse,
)
from rumbo.indicators.models import Measurement, MeasurementStatus
from rumbo.indicators.periods import period_get_or_create
from tests.indicators.measurements.conftest import Data

pytestmark = pytest.mark.django_db

REPORTERS = {"administrator", "planner", "reporter"}
APPROVERS = {"administrator", "approver"}
ROLES = [
    "administrator",
    "planner",
    "reporter",
    "approver",
    "committee_member",
    "observer",
    "other_admin",
    "outsider",
    "overseer",
]


def _save(d: Data, role: str = "reporter", value: Any = "10", **kw: Any) -> Measurement:
    return measurement_save(actor=d.user(role), indicator=d.quarterly, period=d.q3, value=value, **kw)


def _submitted(d: Data) -> Measurement:
    m = _save(d)
    return measurement_submit(actor=d.user("reporter"), measurement=m)


@pytest.mark.parametrize("role", ROLES)
def test_only_roles_with_report_data_may_save_and_submit(data: Data, role: str) -> None:
    # given a user in some role
    user = data.user(role)
    if role in REPORTERS:
        # when they save and submit, then it works
        m = measurement_save(actor=user, indicator=data.quarterly, period=data.q3, value="1")
        measurement_submit(actor=user, measurement=m)
        assert m.status == MeasurementStatus.SUBMITTED
    else:
        with pytest.raises(PermissionDenied):
            measurement_save(actor=user, indicator=data.quarterly, period=data.q3, value="1")


@pytest.mark.parametrize("role", ROLES)
def test_only_roles_with_approve_may_approve_and_return(data: Data, role: str) -> None:
    m = _submitted(data)
    user = data.user(role)
    if role in APPROVERS:
        measurement_approve(actor=user, measurement=m)
        assert m.status == MeasurementStatus.APPROVED and m.reviewed_by == user
    else:
        with pytest.raises(PermissionDenied):
            measurement_approve(actor=user, measurement=m)
        with pytest.raises(PermissionDenied):
            measurement_return(actor=user, measurement=m, comment="no")


def test_nobody_approves_their_own_submission_except_a_superuser(data: Data, superuser: Any) -> None:
    # given an administrator (who may both report and approve) submits a value
    admin = data.user("administrator")
    m = measurement_save(actor=admin, indicator=data.quarterly, period=data.q3, value="3")
    measurement_submit(actor=admin, measurement=m)
    # when they try to approve it themselves, then it is refused
    with pytest.raises(PermissionDenied):
        measurement_approve(actor=admin, measurement=m)
    # and a superuser's own submission may be approved by them
    own = measurement_save(
        actor=superuser, indicator=data.quarterly, period=period_get_or_create("2025T4"), value="1"
    )
    measurement_submit(actor=superuser, measurement=own)
    measurement_approve(actor=superuser, measurement=own)
    assert own.status == MeasurementStatus.APPROVED


def test_return_needs_a_comment_and_the_reporter_resubmits(data: Data) -> None:
    m = _submitted(data)
    with pytest.raises(ValidationError):
        measurement_return(actor=data.user("approver"), measurement=m, comment="  ")
    measurement_return(actor=data.user("approver"), measurement=m, comment="Falta el acta")
    assert m.status == MeasurementStatus.RETURNED and m.return_comment == "Falta el acta"
    # the reporter fixes the draft (same row) and submits again
    fixed = _save(data, value="11")
    assert fixed.pk == m.pk and fixed.status == MeasurementStatus.DRAFT and fixed.value == Decimal("11")
    measurement_submit(actor=data.user("reporter"), measurement=fixed)
    measurement_approve(actor=data.user("approver"), measurement=fixed)
    assert fixed.status == MeasurementStatus.APPROVED


def test_saving_a_draft_twice_updates_the_same_current_row(data: Data) -> None:
    first = _save(data, value="1")
    second = _save(data, value="2,5")
    assert first.pk == second.pk
    assert Measurement.objects.filter(indicator=data.quarterly).count() == 1
    assert Measurement.objects.get().value == Decimal("2.5")


def test_an_approved_value_is_locked(data: Data) -> None:
    m = _submitted(data)
    measurement_approve(actor=data.user("approver"), measurement=m)
    with pytest.raises(ValidationError) as exc:
        _save(data, value="99")
    assert exc.value.code == "locked"
    with pytest.raises(ValidationError):
        measurement_submit(actor=data.user("reporter"), measurement=m)


def test_a_submitted_value_cannot_be_overwritten_by_a_draft(data: Data) -> None:
    _submitted(data)
    with pytest.raises(ValidationError):
        _save(data, value="5")


def test_a_correction_is_a_new_version_with_its_reason_and_keeps_the_history(data: Data) -> None:
    # given an approved value
    m = _submitted(data)
    measurement_approve(actor=data.user("approver"), measurement=m)
    # when a correction without reason is tried, then it is refused
    with pytest.raises(ValidationError):
        measurement_correct(actor=data.user("reporter"), measurement=m, value="12", reason="")
    # when a correction is made
    c = measurement_correct(
        actor=data.user("reporter"), measurement=m, value="12", reason="Error de digitación"
    )
    # then it is version 2, submitted, and the approved version still counts until it is approved
    assert (c.version, c.status, c.is_current) == (2, MeasurementStatus.SUBMITTED, False)
    m.refresh_from_db()
    assert m.is_current and m.status == MeasurementStatus.APPROVED
    assert c in selectors.approval_queue(plan=data.world.plan)
    # a second correction while one is pending updates it instead of adding a version
    again = measurement_correct(actor=data.user("reporter"), measurement=m, value="13", reason="Otra vez")
    assert again.pk == c.pk and Measurement.objects.count() == 2
    # when it is approved, it becomes current and version 1 stays in the history
    measurement_approve(actor=data.user("approver"), measurement=again)
    m.refresh_from_db()
    again.refresh_from_db()
    assert again.is_current and not m.is_current and again.value == Decimal("13")
    assert Measurement.objects.filter(is_current=True).count() == 1
    versions = selectors.measurement_versions(measurement=again, user=data.user("observer"))
    assert [v.version for v in versions] == [2, 1]
    assert again.correction_reason == "Otra vez"


def test_every_transition_is_audited_with_before_and_after(data: Data) -> None:
    m = _submitted(data)
    measurement_approve(actor=data.user("approver"), measurement=m)
    events = list(audit_events_for(m, include_scope=False).order_by("pk"))
    assert [e.actor.username for e in events] == ["reporter", "reporter", "approver"]
    assert events[-1].changes["status"] == ["submitted", "approved"]
    assert all(e.scope_id == data.world.plan.pk for e in events)
    assert len(selectors.measurement_history(measurement=m)) == 3


def test_percentage_values_must_be_between_0_and_100(data: Data) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        measurement_save(
            actor=data.user("reporter"), indicator=data.annual_pct, period=data.year, value="100,5"
        )
    assert "between 0 and 100" in exc.value.messages[0]
    m = measurement_save(
        actor=data.user("reporter"), indicator=data.annual_pct, period=data.year, value="100"
    )
    assert m.value == Decimal("100")


def test_the_period_kind_must_match_the_periodicity(data: Data) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        measurement_save(actor=data.user("reporter"), indicator=data.quarterly, period=data.year, value="1")
    assert "2025T3" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        measurement_save(actor=data.user("reporter"), indicator=data.annual_pct, period=data.q3, value="1")


def test_the_unit_must_be_in_the_plans_territory(data: Data) -> None:
    assert _save(data, unit=data.district).unit == data.district
    assert _save(data, unit=data.province).unit == data.province
    with pytest.raises(ValidationError) as exc:
        _save(data, unit=data.outside)
    assert exc.value.code == "unit"


def test_values_are_parsed_from_spanish_and_english_notation() -> None:
    assert measurement_value_parse("1.234,5") == Decimal("1234.5")
    assert measurement_value_parse("1,234.5") == Decimal("1234.5")
    assert measurement_value_parse("12,5") == Decimal("12.5")
    assert measurement_value_parse(-3) == Decimal("-3")
    for bad in ("abc", "", "NaN", "1e20", True):
        with pytest.raises(ValidationError):
            measurement_value_parse(bad)


def test_keys_with_different_units_or_disaggregations_are_different_rows(data: Data) -> None:
    a = _save(data)
    b = _save(data, unit=data.district)
    c = _save(data, unit=data.district, disaggregation="mujeres")
    assert len({a.pk, b.pk, c.pk}) == 3


# --- evidence ---------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def test_a_real_pdf_is_accepted_with_its_checksum(data: Data, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    m = _save(data)
    ev = evidence_add_file(
        actor=data.user("reporter"), measurement=m, upload=SimpleUploadedFile("acta.pdf", PDF)
    )
    import hashlib

    assert ev.content_type == "application/pdf" and ev.size == len(PDF)
    assert ev.sha256 == hashlib.sha256(PDF).hexdigest()
    assert ev.file.name.endswith(".pdf")


def test_office_files_and_text_are_sniffed(data: Data, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    m = _save(data)
    doc = evidence_add_file(
        actor=data.user("reporter"), measurement=m, upload=SimpleUploadedFile("x.bin", _docx())
    )
    assert doc.file.name.endswith(".docx")
    csv = evidence_add_file(
        actor=data.user("reporter"),
        measurement=m,
        upload=SimpleUploadedFile("d.csv", "año;valor\n2025;1\n".encode("cp1252")),
    )
    assert csv.content_type == "text/csv"


def test_an_executable_renamed_pdf_is_refused(data: Data) -> None:
    m = _save(data)
    exe = SimpleUploadedFile("informe.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200)
    with pytest.raises(ValidationError) as exc:
        evidence_add_file(actor=data.user("reporter"), measurement=m, upload=exe)
    assert exc.value.code == "file_type"


@override_settings(RUMBO_UPLOAD_MAX_BYTES=1000)
def test_an_oversize_file_is_refused(data: Data) -> None:
    m = _save(data)
    with pytest.raises(ValidationError) as exc:
        evidence_add_file(
            actor=data.user("reporter"), measurement=m, upload=SimpleUploadedFile("a.pdf", PDF + b"0" * 1000)
        )
    assert exc.value.code == "file_size"


def test_links_must_be_http_or_https(data: Data) -> None:
    m = _save(data)
    ev = evidence_add_link(
        actor=data.user("reporter"), measurement=m, url="https://example.org/acta", name="Acta"
    )
    assert ev.kind == "link" and ev.name == "Acta"
    for bad in ("javascript:alert(1)", "ftp://example.org/x", "no es un enlace"):
        with pytest.raises(ValidationError):
            evidence_add_link(actor=data.user("reporter"), measurement=m, url=bad, name="x")


def test_observers_cannot_add_evidence(data: Data) -> None:
    m = _save(data)
    with pytest.raises(PermissionDenied):
        evidence_add_link(actor=data.user("observer"), measurement=m, url="https://example.org", name="x")


# --- visibility ---------------------------------------------------------------------------------


def test_unapproved_values_are_private_and_approved_values_of_published_plans_public(data: Data) -> None:
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    reporter = data.user("reporter")
    draft = measurement_save(actor=reporter, indicator=data.public, period=data.q3, value="1")
    # a draft of a published plan: visible to members, not to the public
    assert selectors.measurement_get_for_user(measurement_id=draft.pk, user=data.user("observer")) is not None
    assert selectors.measurement_get_for_user(measurement_id=draft.pk, user=anon) is None
    assert selectors.measurement_get_for_user(measurement_id=draft.pk, user=data.user("other_admin")) is None
    measurement_submit(actor=reporter, measurement=draft)
    measurement_approve(actor=data.user("approver"), measurement=draft)
    # approved: public
    assert selectors.measurement_get_for_user(measurement_id=draft.pk, user=anon) is not None
    # an approved value of a private plan stays private
    private = _submitted(data)
    measurement_approve(actor=data.user("approver"), measurement=private)
    assert selectors.measurement_get_for_user(measurement_id=private.pk, user=anon) is None
    assert (
        selectors.measurement_get_for_user(measurement_id=private.pk, user=data.user("overseer")) is not None
    )


def test_evidence_can_be_attached_to_project_progress(data: Data) -> None:
    from rumbo.indicators.models import Milestone, MilestoneProgress

    milestone = Milestone.objects.create(node=data.world.node, name="Expediente técnico")
    progress = MilestoneProgress.objects.create(milestone=milestone, period=data.q3, percent=40)
    ev = evidence_add_link(
        actor=data.user("planner"),
        milestone_progress=progress,
        url="https://example.org/avance",
        name="Informe",
    )
    assert ev.milestone_progress == progress and ev.measurement is None
    assert selectors.evidence_get_for_user(evidence_id=ev.pk, user=data.user("observer")) == ev
    assert selectors.evidence_get_for_user(evidence_id=ev.pk, user=data.user("outsider")) is None
