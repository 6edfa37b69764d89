"""The DOCX of a report (python-docx): the same sections as the PDF — cover, axes with their
summary tables (traffic-light cells shaded), indicators with their formula and chart, the
evaluation tables, corrective actions and the narrative — so offices can edit it in Word."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

from rumbo.core.exports import text_printable
from rumbo.reports.selectors import AxisSection, ReportContent

LIGHT_FILL = {"green": "C8E6C9", "amber": "FFECB3", "red": "FFCDD2", "missing": "EEEEEE"}
HEADER_FILL = "E8EEF5"


def _shade(cell: _Cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _heading(document: Any, text: str, level: int = 1) -> Any:
    return document.add_heading(text_printable(text), level=level)


def _paragraph(document: Any, text: str = "") -> Any:
    """A paragraph of user text: python-docx refuses control characters (a vertical tab pasted
    from Word, a NUL), and one would fail the whole report, so they are dropped."""
    return document.add_paragraph(text_printable(text))


def _table(
    document: object, header: list[str], rows: list[list[str]], lights: dict[int, list[str]] | None = None
) -> Table:
    """A table with a shaded header; `lights` maps a column index to each row's light."""
    table: Table = document.add_table(rows=1 + len(rows), cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    cells = table.rows[0].cells
    for i, text in enumerate(header):
        cells[i].text = text_printable(text)
        _shade(cells[i], HEADER_FILL)
        for run in cells[i].paragraphs[0].runs:
            run.bold = True
    for r, values in enumerate(rows, start=1):
        cells = table.rows[r].cells
        for i, text in enumerate(values):
            cells[i].text = text_printable(text)
        for column, per_row in (lights or {}).items():
            _shade(cells[column], LIGHT_FILL.get(per_row[r - 1], LIGHT_FILL["missing"]))
    return table


def _small(paragraph: object, size: float = 8) -> None:
    for run in paragraph.runs:  # type: ignore[attr-defined]
        run.font.size = Pt(size)
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)


def _section(document: object, content: ReportContent, s: AxisSection) -> None:
    doc = document
    _heading(doc, f"{s.level_name} {s.code} — {s.title}".strip(), level=1)
    _paragraph(
        doc,
        f"{_('Progress')}: {s.percent} · {s.light_label}"
        + (f" · {_('Responsible office')}: {s.responsible}" if s.responsible else ""),
    )
    for line in s.explanation:
        _small(_paragraph(doc, line))
    if s.chart_key:
        doc.add_picture(io.BytesIO(content.charts[s.chart_key].png), width=Cm(16))  # type: ignore[attr-defined]
    _heading(doc, _("Summary"), level=2)
    _table(
        doc,
        [_("Code"), _("Element"), _("Level"), _("Progress"), _("Light")],
        [["  " * r.depth + r.code, r.title, r.level_name, r.percent, r.light_label] for r in s.rows],
        {4: [r.light for r in s.rows]},
    )
    _heading(doc, _("Indicators"), level=2)
    if not s.indicators:
        _paragraph(doc, _("This axis has no indicators."))
    for i in s.indicators:
        _heading(doc, f"{i.code} — {i.name}", level=3)
        _table(
            doc,
            [
                _("Unit"),
                _("Baseline"),
                _("Target"),
                f"{_('Value')} {content.period_code}",
                _("Achievement"),
                _("Light"),
                _("Evidence"),
                _("Means of verification"),
            ],
            [
                [
                    i.unit,
                    i.baseline,
                    i.target,
                    i.value,
                    i.achievement,
                    i.light_label,
                    str(i.evidence_count),
                    i.means_of_verification or "—",
                ]
            ],
            {5: [i.light]},
        )
        for line in i.formula_lines:
            _small(_paragraph(doc, line))
    if s.figure_keys:
        _heading(doc, _("Values against targets per indicator"), level=3)
        for key in s.figure_keys:
            doc.add_picture(io.BytesIO(content.charts[key].png), width=Cm(16))  # type: ignore[attr-defined]
    if content.kind == "evaluation":
        _heading(doc, _("Current and proposed territorial model"), level=2)
        if s.gap_rows:
            _table(
                doc,
                [
                    _("Indicator"),
                    _("Level"),
                    _("Baseline"),
                    _("Current value"),
                    _("Target (proposed model)"),
                    _("Remaining gap"),
                    _("Gap closed"),
                ],
                [
                    [
                        f"{g.code} {g.name}",
                        g.level_label,
                        g.baseline,
                        f"{g.current} ({g.current_period})" if g.current_period else g.current,
                        f"{g.target} ({g.target_period})" if g.target_period else g.target,
                        g.gap,
                        g.closed,
                    ]
                    for g in s.gap_rows
                ],
            )
        else:
            _paragraph(doc, _("This axis has no impact or outcome indicators."))
    _heading(doc, _("Corrective actions"), level=2)
    if s.actions:
        _table(
            doc,
            [_("Action"), _("About"), _("Responsible"), _("Due date"), _("Status")],
            [[a.title, a.target, a.responsible, a.due_date, a.status] for a in s.actions],
        )
    else:
        _paragraph(doc, _("No corrective actions recorded."))
    _heading(doc, _("Agreements of the plan's bodies"), level=2)
    if s.agreements:
        _table(
            doc,
            ["N.º", _("Agreement"), _("About"), _("Owner"), _("Due date"), _("Status")],
            [[str(a.number), a.text, a.about, a.owner, a.due_date, a.state_label] for a in s.agreements],
        )
    else:
        _paragraph(doc, _("No agreements concern this axis."))


def report_docx(*, content: ReportContent) -> bytes:
    """The report as DOCX bytes; a draft says so in its header and on the cover."""
    content.render_charts()
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(9)
    header = section.header.paragraphs[0]
    header.text = text_printable(
        f"{content.entity_name} · {content.period_label}" + (f" · {_('DRAFT')}" if content.draft else "")
    )
    _small(header)
    _page_number_footer(section.footer.paragraphs[0], content.title)

    _paragraph(doc, content.entity_name)
    _heading(doc, content.title, level=0)
    if content.draft:
        warning = _paragraph(doc)
        run = warning.add_run(_("DRAFT"))
        run.bold = True
        run.font.size = Pt(28)
        run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
    meta = [
        (_("Plan"), f"{content.plan_name} ({content.plan_type})"),
        (_("Axis"), content.axis_label),
        (_("Period"), content.period_label),
        (_("Responsible office"), content.responsible_office),
        (_("Status"), content.status_label),
        (_("Generated on"), content.generated_at),
    ]
    if content.kind == "evaluation":
        meta.append((_("Progress of the plan"), f"{content.plan_percent} · {content.plan_light_label}"))
    table = _table(doc, [_("Report"), ""], [[k, v] for k, v in meta if v])
    table.style = "Table Grid"

    if content.overview_chart_key:
        _heading(doc, _("Progress of the axes"), level=1)
        doc.add_picture(io.BytesIO(content.charts[content.overview_chart_key].png), width=Cm(16))
        _table(
            doc,
            [_("Axis"), _("Progress"), _("Light")],
            [[f"{s.code} {s.title}", s.percent, s.light_label] for s in content.sections],
            {2: [s.light for s in content.sections]},
        )
    if content.projects is not None:
        _heading(doc, _("Execution of the programme"), level=1)
        if content.projects:
            _table(
                doc,
                [
                    _("Axis"),
                    _("Code"),
                    _("Project or action"),
                    _("Physical progress"),
                    _("Financial progress"),
                ],
                [[p.axis_code, p.code, p.title, p.physical, p.financial] for p in content.projects],
            )
        else:
            _paragraph(doc, content.projects_note or _("No projects or actions to show."))
    for s in content.sections:
        _section(doc, content, s)
    _heading(doc, _("Assessment of the responsible office"), level=1)
    for n in content.narrative:
        _heading(doc, n.heading, level=2)
        _paragraph(doc, n.text or "—")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_number_footer(paragraph: object, title: str) -> None:
    """ "<title> · Page N" with a PAGE field Word fills in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT  # type: ignore[attr-defined]
    paragraph.add_run(text_printable(f"{title[:90]} · {_('Page')} "))  # type: ignore[attr-defined]
    run = paragraph.add_run()  # type: ignore[attr-defined]
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _small(paragraph)
