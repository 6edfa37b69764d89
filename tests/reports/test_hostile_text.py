"""Reports whose names carry markup, quotes and control characters (pasted from other programs)
are still generated: the DOCX and PDF show the text, the control characters are dropped."""

from __future__ import annotations

from typing import Any

import pytest

from rumbo.core.models import JobStatus
from rumbo.indicators.models import CorrectiveAction
from rumbo.indicators.periods import period_get_or_create
from rumbo.reports import services
from rumbo.reports.models import ReportVersion
from tests.reports.conftest import AxisData, docx_text, pdf_text

pytestmark = pytest.mark.django_db

# NUL is not here: PostgreSQL cannot store it (the API and Django forms refuse it at the door)
HOSTILE = '<script>alert(\'x\')</script> "citas" & =HYPERLINK("http://x")\x0b\x01\x1f fin'
CLEAN = '<script>alert(\'x\')</script> "citas" & =HYPERLINK("http://x") fin'


def test_a_report_with_hostile_names_is_generated_as_pdf_and_docx(
    world: Any, axis_data: AxisData, django_capture_on_commit_callbacks: Any
) -> None:
    # given hostile text in the axis, an indicator, a corrective action and the narrative
    axis_data.axis.title = "Eje " + HOSTILE
    axis_data.axis.save(update_fields=["title"])
    axis_data.water.name = "Agua " + HOSTILE
    axis_data.water.save(update_fields=["name"])
    CorrectiveAction.objects.filter(indicator=axis_data.water).update(title="Acción " + HOSTILE)
    period = period_get_or_create("2025T3")
    report = services.report_create(
        actor=world.users["reporter"],
        plan=world.plan,
        kind="axis_progress",
        node=world.node,
        period_from=period,
        period_to=period,
    )
    services.report_update_narrative(
        actor=world.users["reporter"], report=report, title="Informe " + HOSTILE, difficulties=HOSTILE
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_generate_start(actor=world.users["reporter"], report=report)
    # then
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    version = ReportVersion.objects.get(pk=job.result["version_id"])
    word = docx_text(version.docx.open("rb").read())
    assert "Agua " + CLEAN in word and "Informe " + CLEAN in word and "Acción " + CLEAN in word
    assert "\x0b" not in word and "\x01" not in word
    pdf = " ".join(pdf_text(version.pdf.open("rb").read()).split())
    assert "Agua <script>alert('x')</script>" in pdf
