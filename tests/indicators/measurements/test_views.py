"""Pages: entering a value, the workflow buttons, the approval queue, the list, evidence download."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rumbo.indicators.measurements.services import (
    evidence_add_file,
    measurement_approve,
    measurement_save,
    measurement_submit,
)
from rumbo.indicators.models import Measurement, MeasurementStatus
from tests.indicators.measurements.conftest import Data

pytestmark = pytest.mark.django_db


def test_a_reporter_enters_and_submits_a_value_with_evidence(
    data: Data, client: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(data.user("reporter"))
    url = reverse("indicators:measurement_new", kwargs={"indicator_id": data.quarterly.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "period": "2025T3",
            "unit": "080101",
            "value": "12,5",
            "action": "submit",
            "evidence_file": SimpleUploadedFile("acta.pdf", b"%PDF-1.4\n%%EOF\n"),
            "evidence_url": "https://example.org/acta",
        },
    )
    m = Measurement.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "indicators:measurement_detail", kwargs={"measurement_id": m.pk}
    )
    assert m.status == MeasurementStatus.SUBMITTED and m.evidence.count() == 2


def test_a_bad_value_keeps_the_form_and_writes_nothing(data: Data, client: Any) -> None:
    client.force_login(data.user("reporter"))
    url = reverse("indicators:measurement_new", kwargs={"indicator_id": data.quarterly.pk})
    response = client.post(url, {"period": "2025", "value": "12,5", "action": "draft"})
    assert response.status_code == 200 and Measurement.objects.count() == 0


def test_the_approver_sees_the_queue_and_approves(data: Data, client: Any) -> None:
    m = measurement_save(actor=data.user("reporter"), indicator=data.quarterly, period=data.q3, value=1)
    measurement_submit(actor=data.user("reporter"), measurement=m)
    client.force_login(data.user("approver"))
    queue = client.get(reverse("indicators:approval_queue", kwargs={"plan_id": data.world.plan.pk}))
    assert f'data-measurement="{m.pk}"' in queue.content.decode()
    detail = reverse("indicators:measurement_detail", kwargs={"measurement_id": m.pk})
    assert 'id="approve-form"' in client.get(detail).content.decode()
    assert client.post(detail, {"action": "approve"}).status_code == 302
    m.refresh_from_db()
    assert m.status == MeasurementStatus.APPROVED
    assert 'data-status="approved"' in client.get(detail).content.decode()


def test_the_queue_is_forbidden_to_reporters(data: Data, client: Any) -> None:
    client.force_login(data.user("reporter"))
    assert (
        client.get(reverse("indicators:approval_queue", kwargs={"plan_id": data.world.plan.pk})).status_code
        == 403
    )


def test_the_list_filters_and_hides_private_plans(data: Data, client: Any) -> None:
    measurement_save(actor=data.user("reporter"), indicator=data.quarterly, period=data.q3, value=1)
    measurement_save(actor=data.user("reporter"), indicator=data.annual_pct, period=data.year, value=1)
    url = reverse("indicators:measurement_list", kwargs={"plan_id": data.world.plan.pk})
    assert client.get(url).status_code == 404
    client.force_login(data.user("observer"))
    body = client.get(url, {"indicator": "IND-2"}).content.decode()
    assert "IND-2" in body and "IND-1" not in body


def test_evidence_is_served_after_a_permission_check(
    data: Data, client: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    m = measurement_save(actor=data.user("reporter"), indicator=data.public, period=data.q3, value=1)
    ev = evidence_add_file(
        actor=data.user("reporter"), measurement=m, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")
    )
    url = reverse("indicators:evidence_file", kwargs={"evidence_id": ev.pk})
    # a draft's evidence is private
    assert client.get(url).status_code == 404
    client.force_login(data.user("observer"))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.logout()
    # once approved in a published plan, it is public
    measurement_submit(actor=data.user("reporter"), measurement=m)
    measurement_approve(actor=data.user("approver"), measurement=m)
    assert client.get(url).status_code == 200
