"""Writes of the reports app: create reports, edit their narrative, move them through the
workflow (draft → review → approved → published), generate versions, and keep the archive.

Permissions: the responsible office writes (REPORT_DATA: reporters, planners, administrators);
approvers approve or return (APPROVE); publishing needs PUBLISH. Every change is audited with
the plan as scope.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, entity_can, require
from rumbo.core.audit import AuditAction, audit_record, model_snapshot, snapshot_diff
from rumbo.core.jobs import job_create, job_enqueue
from rumbo.core.models import Job
from rumbo.indicators.models import Period
from rumbo.plans.models import Node, Plan
from rumbo.reports.models import ArchiveDocument, Report, ReportKind, ReportStatus, ReportVersion

JOB_KIND = "report_generation"
NARRATIVE_FIELDS = (
    "title",
    "responsible_office",
    "analysis",
    "difficulties",
    "corrective_actions_text",
    "conclusions",
    "recommendations",
)
EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.REVIEW)

Progress = Callable[[int, int, str], None]


def _audit(
    *,
    actor: Any,
    action: str,
    report: Report | ReportVersion | ArchiveDocument,
    plan: Plan,
    changes: dict[str, Any] | None = None,
    message: str = "",
) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=report,
        entity_id=plan.entity_id,
        scope=plan,
        changes=changes,
        message=message,
    )


def report_create(
    *,
    actor: Any,
    plan: Plan,
    kind: str,
    node: Node | None,
    period_from: Period,
    period_to: Period,
    title: str = "",
    responsible_office: str = "",
) -> Report:
    """A draft report. An axis report needs a first-level node of the plan; the evaluation
    document covers the whole plan (no node)."""
    require(actor, plan.entity_id, Capability.REPORT_DATA)
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Unknown kind of report.")})
    if kind == ReportKind.AXIS_PROGRESS:
        if node is None or node.plan_id != plan.pk or node.parent_id is not None:
            raise ValidationError({"node": _("Choose one of the plan's axes (first-level nodes).")})
    else:
        node = None
    if period_from.start > period_to.start:
        raise ValidationError({"period_from": _("The first period must not be after the last one.")})
    if not title:
        if node is not None:
            title = _("Progress report of %(axis)s — %(period)s") % {
                "axis": f"{node.code} {node.title}",
                "period": period_to.code,
            }
        else:
            title = _("Follow-up and evaluation document — %(period)s") % {"period": period_to.code}
    with transaction.atomic():
        report = Report.objects.create(
            plan=plan,
            node=node,
            kind=kind,
            period_from=period_from,
            period_to=period_to,
            title=title[:300],
            responsible_office=responsible_office or (node.responsible if node is not None else ""),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _audit(
            actor=actor,
            action=AuditAction.CREATED,
            report=report,
            plan=plan,
            changes={"kind": [None, kind], "period": [None, f"{period_from.code}–{period_to.code}"]},
        )
    return report


def report_update_narrative(*, actor: Any, report: Report, **fields: str) -> Report:
    """Change the title and the narrative sections (analysis, difficulties, corrective actions,
    conclusions, recommendations) while the report is a draft or in review."""
    require(actor, report.plan.entity_id, Capability.REPORT_DATA)
    if report.status not in EDITABLE_STATUSES:
        raise ValidationError(_("An approved or published report can no longer be edited."))
    unknown = set(fields) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationError({"title": _("The title must not be empty.")})
    with transaction.atomic():
        before = model_snapshot(report, NARRATIVE_FIELDS)
        for name, value in fields.items():
            setattr(report, name, (value or "").strip())
        changes = snapshot_diff(before, model_snapshot(report, NARRATIVE_FIELDS))
        if changes:
            report.save(update_fields=[*changes, "updated_at"])
            _audit(actor=actor, action=AuditAction.UPDATED, report=report, plan=report.plan, changes=changes)
    return report


def _transition(
    *,
    actor: Any,
    report: Report,
    capability: Capability,
    allowed_from: tuple[str, ...],
    to: str,
    message: str = "",
    comment: str | None = None,
) -> Report:
    require(actor, report.plan.entity_id, capability)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status not in allowed_from:
            raise ValidationError(
                _("This cannot be done while the report is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        changes: dict[str, Any] = {"status": [locked.status, to]}
        report.status = to
        fields = ["status", "updated_at"]
        if comment is not None:
            changes["return_comment"] = [locked.return_comment, comment]
            report.return_comment = comment
            fields.append("return_comment")
        report.save(update_fields=fields)
        _audit(
            actor=actor,
            action=AuditAction.UPDATED,
            report=report,
            plan=report.plan,
            changes=changes,
            message=message,
        )
    return report


def report_submit_for_review(*, actor: Any, report: Report) -> Report:
    """The responsible office sends its draft to the approvers."""
    return _transition(
        actor=actor,
        report=report,
        capability=Capability.REPORT_DATA,
        allowed_from=(ReportStatus.DRAFT,),
        to=ReportStatus.REVIEW,
        comment="",
    )


def report_approve(*, actor: Any, report: Report) -> Report:
    """An approver accepts a report in review; its narrative is locked from then on."""
    return _transition(
        actor=actor,
        report=report,
        capability=Capability.APPROVE,
        allowed_from=(ReportStatus.REVIEW,),
        to=ReportStatus.APPROVED,
    )


def report_return(*, actor: Any, report: Report, comment: str) -> Report:
    """An approver sends a report in review back to draft, saying what to change."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what has to be changed.")})
    return _transition(
        actor=actor,
        report=report,
        capability=Capability.APPROVE,
        allowed_from=(ReportStatus.REVIEW,),
        to=ReportStatus.DRAFT,
        comment=comment.strip(),
        message=comment.strip(),
    )


def report_publish(*, actor: Any, report: Report) -> Job:
    """Publish an approved report: its status becomes published and a final version (without
    the draft watermark) is generated and marked published. Earlier published versions stay
    archived. The files are public when the plan is published."""
    require(actor, report.plan.entity_id, Capability.PUBLISH)
    with transaction.atomic():
        _transition(
            actor=actor,
            report=report,
            capability=Capability.PUBLISH,
            allowed_from=(ReportStatus.APPROVED,),
            to=ReportStatus.PUBLISHED,
        )
        return report_generate_start(actor=actor, report=report)


def report_can_generate(*, user: Any, report: Report) -> bool:
    """Who may produce a new version: the office and the approvers; once published, a new
    (published) version needs PUBLISH."""
    entity_id = report.plan.entity_id
    if report.status == ReportStatus.PUBLISHED:
        return entity_can(user, entity_id, Capability.PUBLISH)
    return any(entity_can(user, entity_id, c) for c in (Capability.REPORT_DATA, Capability.APPROVE))


def report_generate_start(*, actor: Any, report: Report) -> Job:
    """Queue the generation of a new version (PDF and DOCX) as a background job; the task runs
    after the commit and the job page links back to the report."""
    if not report_can_generate(user=actor, report=report):
        raise PermissionDenied(Capability.REPORT_DATA.value)

    with transaction.atomic():
        job = job_create(
            kind=JOB_KIND,
            title=_("Generation of %(title)s") % {"title": report.title},
            created_by=actor,
            entity_id=report.plan.entity_id,
            params={
                "report_id": report.pk,
                "actor_id": getattr(actor, "pk", None),
                "return_url": reverse("reports:report", kwargs={"report_id": report.pk}),
            },
        )
        job_id = job.pk
        job_enqueue("rumbo.reports.tasks.report_generate_task", job_id)
    return job


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_generate(
    *, report: Report, progress: Progress | None = None, actor: Any = None, job_id: int | None = None
) -> ReportVersion:
    """Build the report's content from the data, render its charts once, write the PDF and
    the DOCX, and store them as the next version (published at once when the report is)."""
    from rumbo.reports.pdf import report_pdf
    from rumbo.reports.selectors import report_content
    from rumbo.reports.word import report_docx

    def step(done: int, message: str) -> None:
        if progress is not None:
            progress(done, 4, message)

    step(0, _("Reading the data…"))
    content = report_content(report=report)
    step(1, _("Drawing %(count)s charts…") % {"count": content.chart_count})
    content.render_charts()
    step(2, _("Writing the PDF…"))
    started = time.perf_counter()
    pdf = report_pdf(content=content)
    pdf_seconds = time.perf_counter() - started
    step(3, _("Writing the DOCX…"))
    docx = report_docx(content=content)
    published = report.status == ReportStatus.PUBLISHED
    base = f"informe-{report.pk}"
    with transaction.atomic():
        # Lock the report row (ordering cleared: the default one joins nullable relations, which
        # PostgreSQL refuses to lock).
        list(Report.objects.select_for_update().filter(pk=report.pk).order_by().values_list("pk", flat=True))
        number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ReportVersion(
            report=report,
            number=number,
            status_at_generation=report.status,
            pdf_sha256=_sha256(pdf),
            docx_sha256=_sha256(docx),
            pdf_size=len(pdf),
            docx_size=len(docx),
            generated_by=actor if getattr(actor, "is_authenticated", False) else None,
            is_published=published,
            published_at=timezone.now() if published else None,
            job_id=job_id,
        )
        version.pdf.save(f"{base}-v{number}.pdf", ContentFile(pdf), save=False)
        version.docx.save(f"{base}-v{number}.docx", ContentFile(docx), save=False)
        version.save()
        _audit(
            actor=actor,
            action=AuditAction.CREATED,
            report=version,
            plan=report.plan,
            changes={
                "number": [None, number],
                "published": [None, published],
                "pdf_sha256": [None, version.pdf_sha256],
            },
            message=_("Version %(number)s generated (PDF in %(seconds)s s).")
            % {"number": number, "seconds": f"{pdf_seconds:.1f}"},
        )
    step(4, _("Done."))
    return version


def archive_document_add(
    *,
    actor: Any,
    plan: Plan,
    kind: str,
    title: str,
    date: Any,
    file: Any = None,
    url: str = "",
    notes: str = "",
) -> ArchiveDocument:
    """Add a document (act, study, minutes…) to the plan's technical and historical archive;
    it needs a file or a link."""
    require(actor, plan.entity_id, Capability.EDIT_PLAN)
    if not file and not url:
        raise ValidationError(_("Attach a file or give a link."))
    with transaction.atomic():
        document = ArchiveDocument(
            plan=plan,
            kind=kind,
            title=title,
            date=date,
            url=url,
            notes=notes,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if file:
            document.file.save(getattr(file, "name", "documento"), file, save=False)
        document.full_clean(exclude=["file", "created_by"])
        document.save()
        _audit(
            actor=actor,
            action=AuditAction.CREATED,
            report=document,
            plan=plan,
            changes={"title": [None, title], "date": [None, str(date)]},
        )
    return document


__all__ = [
    "JOB_KIND",
    "archive_document_add",
    "report_approve",
    "report_can_generate",
    "report_create",
    "report_generate",
    "report_generate_start",
    "report_publish",
    "report_return",
    "report_submit_for_review",
    "report_update_narrative",
]
