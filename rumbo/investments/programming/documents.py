"""The investment plan as documents: XLSX (openpyxl; one sheet per view) and PDF (WeasyPrint,
A4 landscape, "DRAFT" watermark until approved, page numbers). Both are built from the same
selectors as the pages, so the figures match."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from rumbo.core.exports import text_printable, xlsx_row
from rumbo.investments.models import InvestmentLine, InvestmentPlan, InvestmentPlanStatus
from rumbo.investments.programming.selectors import (
    CeilingRow,
    InvestmentSummary,
    SummaryRow,
    investment_plan_ceiling_check,
    investment_plan_lines,
    investment_plan_summary,
    line_figures,
)

MONEY = "#,##0.00"


@dataclass
class PlanDocument:
    """Everything the documents show."""

    investment_plan: InvestmentPlan
    lines: list[InvestmentLine]
    summary: InvestmentSummary
    ceilings: list[CeilingRow]
    draft: bool
    generated_at: Any


def document_path(*, investment_plan_id: int, job_id: int, fmt: str) -> Path:
    """Where a generated document lives."""
    return Path(settings.MEDIA_ROOT) / "investments" / "plans" / str(investment_plan_id) / f"{job_id}.{fmt}"


def plan_document_content(*, investment_plan: InvestmentPlan) -> PlanDocument:
    lines = investment_plan_lines(investment_plan=investment_plan)
    return PlanDocument(
        investment_plan=investment_plan,
        lines=lines,
        summary=investment_plan_summary(investment_plan=investment_plan),
        ceilings=investment_plan_ceiling_check(investment_plan=investment_plan, lines=line_figures(lines)),
        draft=investment_plan.status != InvestmentPlanStatus.APPROVED,
        generated_at=timezone.localtime(),
    )


def _summary_sheet(wb: Workbook, title: str, heading: str, rows: list[SummaryRow], total: Decimal) -> None:
    ws = wb.create_sheet(title)
    ws.append(xlsx_row(ws, [heading, _("Amount"), _("Share (%)")]))
    for row in rows:
        ws.append(xlsx_row(ws, [row.label, row.amount, row.share]))
    ws.append(xlsx_row(ws, [_("Total"), total, None]))
    _style(ws)


def _style(ws: Any) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY
    ws.column_dimensions["A"].width = 40


def investment_plan_xlsx(*, content: PlanDocument) -> bytes:
    """Sheets: Lines, By year, By source, By axis, By territory, Ceilings; each ends with its total."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Lines"
    ws.append(
        xlsx_row(
            ws,
            [
                _("Code"),
                _("Project"),
                _("Year"),
                _("Source"),
                _("Amount"),
                _("Start date"),
                _("End date"),
                _("Note"),
            ],
        )
    )
    for li in content.lines:
        ws.append(
            xlsx_row(
                ws,
                [
                    li.project.code,
                    li.project.title,
                    li.year,
                    li.source.name,
                    li.amount,
                    li.starts_on,
                    li.ends_on,
                    li.note,
                ],
            )
        )
    ws.append(xlsx_row(ws, [_("Total"), None, None, None, content.summary.total, None, None, None]))
    _style(ws)
    s = content.summary
    _summary_sheet(wb, "By year", _("Year"), s.by_year, s.total)
    _summary_sheet(wb, "By source", _("Source"), s.by_source, s.total)
    _summary_sheet(wb, "By axis", _("Axis"), s.by_axis, s.total)
    _summary_sheet(wb, "By territory", _("Territorial unit"), s.by_unit, s.total)
    ws = wb.create_sheet("Ceilings")
    ws.append(xlsx_row(ws, [_("Year"), _("Source"), _("Programmed"), _("Ceiling"), _("Excess"), _("Status")]))
    labels = {"ok": _("Within the ceiling"), "over": _("Over the ceiling"), "no_ceiling": _("No ceiling set")}
    for r in content.ceilings:
        ws.append(xlsx_row(ws, [r.year, r.source_name, r.programmed, r.ceiling, r.excess, labels[r.status]]))
    _style(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def investment_plan_html(*, content: PlanDocument) -> str:
    return render_to_string("investments/programming/pdf.html", {"c": content})


def investment_plan_pdf(*, content: PlanDocument) -> bytes:
    """A4 landscape PDF; nothing is fetched (no images or network). Control characters pasted
    into titles would print as empty boxes: they are taken out (rumbo.core.exports)."""
    from weasyprint import HTML

    html = text_printable(investment_plan_html(content=content))
    return bytes(HTML(string=html, base_url="/").write_pdf())
