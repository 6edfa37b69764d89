"""Reports: workflow with permissions, generation through the job, archived published versions,
permission-checked downloads, the archive page and the API contract."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from rumbo.accounts.services import api_token_create
from rumbo.core.models import AuditEvent, Job, JobStatus
from rumbo.indicators.periods import period_get_or_create
from rumbo.plans.models import LegalAct
from rumbo.reports import services
from rumbo.reports.models import ArchiveDocument, Report, ReportStatus, ReportVersion
from tests.reports.conftest import AxisData, build_axis, docx_text, pdf_text


def _report(world: Any, *, plan: Any = None, node: Any = None, kind: str = "axis_progress") -> Report:
    period = period_get_or_create("2025T3")
    return services.report_create(
        actor=world.users["reporter"],
        plan=plan or world.plan,
        kind=kind,
        node=node or world.node,
        period_from=period,
        period_to=period,
    )


def _generate(world: Any, report: Report, capture: Any, user: str = "reporter") -> ReportVersion:
    with capture(execute=True):
        job = services.report_generate_start(actor=world.users[user], report=report)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    return ReportVersion.objects.get(pk=job.result["version_id"])


def test_reporter_writes_and_submits_approver_returns_then_approves(world: Any) -> None:
    # given
    report = _report(world)
    # when
    services.report_update_narrative(actor=world.users["reporter"], report=report, analysis="Avance notable")
    services.report_submit_for_review(actor=world.users["reporter"], report=report)
    services.report_return(
        actor=world.users["approver"], report=report, comment="Falta el análisis de brechas"
    )
    # then
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.return_comment == "Falta el análisis de brechas"
    services.report_submit_for_review(actor=world.users["reporter"], report=report)
    services.report_approve(actor=world.users["approver"], report=report)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.APPROVED
    assert (
        AuditEvent.objects.filter(
            scope_type="plans.plan", scope_id=world.plan.pk, target_id=str(report.pk)
        ).count()
        >= 6
    )


def test_roles_without_the_capability_are_refused(world: Any) -> None:
    report = _report(world)
    with pytest.raises(PermissionDenied):
        _report_for(world, "committee_member")
    with pytest.raises(PermissionDenied):
        services.report_update_narrative(actor=world.users["observer"], report=report, analysis="x")
    services.report_submit_for_review(actor=world.users["reporter"], report=report)
    with pytest.raises(PermissionDenied):
        services.report_approve(actor=world.users["reporter"], report=report)
    with pytest.raises(PermissionDenied):
        services.report_approve(actor=world.users["other_admin"], report=report)
    services.report_approve(actor=world.users["approver"], report=report)
    with pytest.raises(PermissionDenied):
        services.report_publish(actor=world.users["reporter"], report=report)


def _report_for(world: Any, role: str) -> Report:
    period = period_get_or_create("2025T3")
    return services.report_create(
        actor=world.users[role],
        plan=world.plan,
        kind="axis_progress",
        node=world.node,
        period_from=period,
        period_to=period,
    )


def test_invalid_transitions_and_locked_narrative(world: Any) -> None:
    report = _report(world)
    with pytest.raises(ValidationError):
        services.report_approve(actor=world.users["approver"], report=report)  # still a draft
    services.report_submit_for_review(actor=world.users["reporter"], report=report)
    services.report_approve(actor=world.users["approver"], report=report)
    with pytest.raises(ValidationError):
        services.report_update_narrative(actor=world.users["reporter"], report=report, analysis="tarde")
    with pytest.raises(ValidationError):
        services.report_return(actor=world.users["approver"], report=report, comment="no")


def test_an_axis_report_needs_an_axis_of_the_plan(world: Any, axis_data: AxisData) -> None:
    period = period_get_or_create("2025T3")
    with pytest.raises(ValidationError):
        services.report_create(
            actor=world.users["reporter"],
            plan=world.plan,
            kind="axis_progress",
            node=axis_data.objective,
            period_from=period,
            period_to=period,
        )
    with pytest.raises(ValidationError):
        services.report_create(
            actor=world.users["reporter"],
            plan=world.plan,
            kind="axis_progress",
            node=world.other_node,
            period_from=period,
            period_to=period,
        )


def test_generation_job_creates_a_version_whose_pdf_and_docx_show_the_value(
    world: Any, axis_data: AxisData, django_capture_on_commit_callbacks: Any
) -> None:
    # given an approved value of 71.5 for 2025T3
    report = _report(world)
    services.report_update_narrative(
        actor=world.users["reporter"], report=report, difficulties="Lluvias intensas retrasaron las obras"
    )
    # when
    version = _generate(world, report, django_capture_on_commit_callbacks)
    # then
    assert version.number == 1 and not version.is_published
    pdf = version.pdf.open("rb").read()
    assert pdf.startswith(b"%PDF") and len(version.pdf_sha256) == 64
    text = pdf_text(pdf)
    assert "71,5" in text  # the value of the period, with the Spanish decimal mark
    assert "Cobertura de agua potable" in text and "Lluvias intensas" in text
    assert "71,5 / 70" in text  # the formula line
    assert "Ampliar redes en zona rural" in text  # corrective action of the subtree
    word = docx_text(version.docx.open("rb").read())
    assert "71,5" in word and "Cobertura de agua potable" in word


def test_missing_values_are_shown_as_no_data(
    world: Any, axis_data: AxisData, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import translation

    with translation.override("en"):
        version = _generate(world, _report(world), django_capture_on_commit_callbacks)
        text = pdf_text(version.pdf.open("rb").read())
    assert "no data" in text  # the roads indicator has no value for 2025T3
    assert "DRAFT" in text


def test_evaluation_document_covers_every_axis_and_the_model_gap(
    world: Any, axis_data: AxisData, django_capture_on_commit_callbacks: Any
) -> None:
    from rumbo.plans.services import node_create

    second = node_create(
        actor=world.users["planner"], plan=world.plan, parent=None, code="E2", title="Eje dos"
    )
    build_axis(actor=world.users["planner"], plan=world.plan, axis=second, value="64")
    period = period_get_or_create("2025T3")
    report = services.report_create(
        actor=world.users["planner"],
        plan=world.plan,
        kind="evaluation",
        node=None,
        period_from=period_get_or_create("2025T1"),
        period_to=period,
    )
    version = _generate(world, report, django_capture_on_commit_callbacks, user="planner")
    text = pdf_text(version.pdf.open("rb").read())
    assert "E1-IND1" in text and "E2-IND1" in text and "64" in text
    assert "(2030)" in text  # the final target of the proposed model


def test_publishing_generates_a_published_version_and_keeps_earlier_ones(
    world: Any, axis_data: AxisData, django_capture_on_commit_callbacks: Any
) -> None:
    report = _report(world)
    draft = _generate(world, report, django_capture_on_commit_callbacks)
    services.report_submit_for_review(actor=world.users["reporter"], report=report)
    services.report_approve(actor=world.users["approver"], report=report)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(actor=world.users["approver"], report=report)
    first = report.versions.get(number=2)
    assert (
        first.is_published and first.published_at and not ReportVersion.objects.get(pk=draft.pk).is_published
    )
    published_text = pdf_text(first.pdf.open("rb").read())
    assert "DRAFT" not in published_text and "BORRADOR" not in published_text  # no watermark
    assert "71,5" in published_text
    # a new generation of the published report adds a second published version; the first stays
    second = _generate(world, report, django_capture_on_commit_callbacks, user="approver")
    first.refresh_from_db()
    assert second.number == 3 and second.is_published and first.is_published
    assert first.pdf.name != second.pdf.name and first.pdf.storage.exists(first.pdf.name)


def test_reporters_cannot_regenerate_a_published_report(world: Any) -> None:
    report = _report(world)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.PUBLISHED)
    report.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.report_generate_start(actor=world.users["reporter"], report=report)


def test_downloads_are_permission_checked(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    data = build_axis(
        actor=world.users["planner"], plan=world.public_plan, axis=world.public_plan.nodes.get(code="P1")
    )
    report = _report(world, plan=world.public_plan, node=data.axis)
    draft = _generate(world, report, django_capture_on_commit_callbacks)
    for step in (services.report_submit_for_review, services.report_approve):
        step(actor=world.users["approver" if step is services.report_approve else "reporter"], report=report)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(actor=world.users["approver"], report=report)
    published = report.versions.get(is_published=True)
    anonymous = Client()
    assert anonymous.get(reverse("reports:version_pdf", args=[published.pk])).status_code == 200
    assert anonymous.get(reverse("reports:version_docx", args=[published.pk])).status_code == 200
    assert anonymous.get(reverse("reports:version_pdf", args=[draft.pk])).status_code == 404
    member = Client()
    member.force_login(world.users["observer"])
    assert member.get(reverse("reports:version_pdf", args=[draft.pk])).status_code == 200
    stranger = Client()
    stranger.force_login(world.users["other_admin"])
    assert stranger.get(reverse("reports:version_pdf", args=[draft.pk])).status_code == 404


def test_published_version_of_a_private_plan_stays_private(
    world: Any, axis_data: AxisData, django_capture_on_commit_callbacks: Any
) -> None:
    report = _report(world)
    services.report_submit_for_review(actor=world.users["reporter"], report=report)
    services.report_approve(actor=world.users["approver"], report=report)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(actor=world.users["approver"], report=report)
    version = report.versions.get()
    assert version.is_published
    assert Client().get(reverse("reports:version_pdf", args=[version.pk])).status_code == 404


def test_report_pages_and_workflow_buttons(
    world: Any, axis_data: AxisData, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["reporter"])
    url = reverse("reports:plan_reports", args=[world.plan.pk])
    response = client.post(url, {"kind": "axis_progress", "node": world.node.pk, "period_to": "2025t3"})
    assert response.status_code == 302
    report = Report.objects.get(plan=world.plan)
    assert report.period_to.code == "2025T3" and report.period_from_id == report.period_to_id
    page = client.get(reverse("reports:report", args=[report.pk]))
    assert b"Send for review" in page.content and b"Generate PDF and DOCX" in page.content
    response = client.post(
        reverse("reports:report", args=[report.pk]),
        {"title": report.title, "analysis": "Buen avance del eje"},
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:generate", args=[report.pk]))
    assert response.status_code == 302 and "/trabajos/" in response["Location"]
    job = Job.objects.get(kind="report_generation")
    assert job.params["return_url"] == reverse("reports:report", args=[report.pk])
    page = client.get(reverse("reports:report", args=[report.pk]))
    assert reverse("reports:version_pdf", args=[report.versions.get().pk]).encode() in page.content
    client.post(reverse("reports:workflow", args=[report.pk]), {"action": "submit"})
    assert Report.objects.get(pk=report.pk).status == ReportStatus.REVIEW
    # the reporter may not approve, even by posting the form
    client.post(reverse("reports:workflow", args=[report.pk]), {"action": "approve"})
    assert Report.objects.get(pk=report.pk).status == ReportStatus.REVIEW


def test_the_public_sees_no_draft_reports(world: Any, axis_data: AxisData) -> None:
    report = _report(world, plan=world.public_plan, node=world.public_plan.nodes.get(code="P1"))
    assert Client().get(reverse("reports:report", args=[report.pk])).status_code == 404
    listing = Client().get(reverse("reports:plan_reports", args=[world.public_plan.pk]))
    assert listing.status_code == 200 and report.title.encode() not in listing.content
    assert Client().get(reverse("reports:plan_reports", args=[world.plan.pk])).status_code == 404


def test_archive_lists_acts_documents_and_reports_newest_first(
    world: Any, axis_data: AxisData, django_capture_on_commit_callbacks: Any
) -> None:
    LegalAct.objects.create(
        plan=world.plan,
        act_type="ordinance",
        number="012-2020-MPM",
        issuer="Concejo",
        date=datetime.date(2020, 5, 4),
    )
    _generate(world, _report(world), django_capture_on_commit_callbacks)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["planner"])
    upload = SimpleUploadedFile("acta.pdf", b"%PDF-1.4 acta", content_type="application/pdf")
    response = client.post(
        reverse("reports:archive", args=[world.plan.pk]),
        {"kind": "minutes", "title": "Acta del comité de gestión", "date": "2023-02-01", "file": upload},
    )
    assert response.status_code == 302
    fake = SimpleUploadedFile("falso.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("reports:archive", args=[world.plan.pk]),
        {"kind": "study", "title": "Estudio", "date": "2023-02-01", "file": fake},
    )
    assert response.status_code == 422
    html = client.get(reverse("reports:archive", args=[world.plan.pk])).content.decode()
    order = [html.index(s) for s in ("v1", "Acta del comité de gestión", "012-2020-MPM")]
    assert order == sorted(order)
    document = ArchiveDocument.objects.get()
    assert client.get(reverse("reports:archive_file", args=[document.pk])).status_code == 200
    assert Client().get(reverse("reports:archive_file", args=[document.pk])).status_code == 404


def test_observers_cannot_add_to_the_archive(world: Any) -> None:
    client = Client()
    client.force_login(world.users["observer"])
    response = client.post(
        reverse("reports:archive", args=[world.plan.pk]),
        {"kind": "other", "title": "x", "date": "2024-01-01", "url": "https://example.org"},
    )
    assert response.status_code == 403


def test_api_lists_reports_shows_versions_and_generates_with_a_token(
    world: Any, axis_data: AxisData, django_capture_on_commit_callbacks: Any
) -> None:
    report = _report(world)
    _token, raw = api_token_create(actor=world.users["reporter"], name="ci")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client()
    listed = client.get(f"/api/v1/plans/{world.plan.pk}/reports", **auth).json()
    assert [r["id"] for r in listed] == [report.pk] and listed[0]["period_to"] == "2025T3"
    assert client.get(f"/api/v1/plans/{world.plan.pk}/reports").status_code == 404  # private plan
    assert client.post(f"/api/v1/reports/{report.pk}/generate").status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/reports/{report.pk}/generate", **auth)
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.status == JobStatus.SUCCEEDED
    detail = client.get(f"/api/v1/reports/{report.pk}", **auth).json()
    assert detail["status"] == "draft" and len(detail["versions"]) == 1
    assert detail["versions"][0]["pdf_url"].endswith(
        reverse("reports:version_pdf", args=[detail["versions"][0]["id"]])
    )
    spec = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/plans/{plan_id}/reports",
        "/api/v1/reports/{report_id}",
        "/api/v1/reports/{report_id}/generate",
    } <= set(spec["paths"])
