"""Reads of the reports app: gatekeepers, the content of a report (everything its documents
show, computed from the data by the roll-up), and the plan's archive.

The content is computed once per generation and shared by the PDF and the DOCX; every chart
is rendered once (`ReportContent.render_charts`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rumbo.accounts.permissions import Capability, user_access
from rumbo.governance.models import Agreement, AgreementStatus
from rumbo.governance.selectors import agreement_state, agreements_for_nodes, owner_label
from rumbo.indicators.achievement import light_label, number_text, percent_text
from rumbo.indicators.models import (
    CorrectiveAction,
    Indicator,
    IndicatorLevel,
    IndicatorUnit,
    Measurement,
    MeasurementStatus,
    Period,
    Target,
)
from rumbo.indicators.periods import period_bounds, period_codes_between
from rumbo.indicators.rollup import PlanRollup, RollupSeries, plan_rollup, plan_rollup_series
from rumbo.plans.models import LegalAct, Node, Plan, PlanLevel
from rumbo.plans.selectors import TreeRow, plan_get_for_user, plan_tree
from rumbo.reports.charts import ChartImage, indicators_chart_spec, progress_chart_spec, render_charts
from rumbo.reports.models import ArchiveDocument, Report, ReportKind, ReportStatus, ReportVersion

SERIES_POINTS = 8  # periods shown in a chart when the report covers a single period
SERIES_MAX = 12  # at most this many periods in a chart
PANELS_PER_FIGURE = 8  # indicator panels per small-multiples image (fits half an A4 page)


# --- gatekeepers ---------------------------------------------------------------------------------


def report_get_for_user(*, report_id: int, user: Any, capability: Capability | None = None) -> Report | None:
    """The report if the user may see it: its plan is visible and, unless the user reads the
    entity's private data, the report is published. None for missing and forbidden alike."""
    report = (
        Report.objects.select_related("plan", "plan__entity", "node", "period_from", "period_to")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return None
    plan = plan_get_for_user(plan_id=report.plan_id, user=user, capability=capability)
    if plan is None:
        return None
    report.plan = plan
    if report.status != ReportStatus.PUBLISHED and not user_access(user).can(
        plan.entity_id, Capability.VIEW_PRIVATE
    ):
        return None
    return report


def reports_for_plan(*, plan: Plan, user: Any) -> QuerySet[Report]:
    """The plan's reports this user may see (only published ones for the public), newest period first."""
    qs = Report.objects.filter(plan=plan).select_related("node", "period_from", "period_to")
    if not user_access(user).can(plan.entity_id, Capability.VIEW_PRIVATE):
        qs = qs.filter(status=ReportStatus.PUBLISHED)
    return qs.order_by("-period_to__start", "kind", "node__path", "-pk")


def report_versions_for_user(*, report: Report, user: Any) -> list[ReportVersion]:
    """Versions of a report, newest first; the public sees published versions only."""
    qs = report.versions.order_by("-number")
    if not user_access(user).can(report.plan.entity_id, Capability.VIEW_PRIVATE):
        qs = qs.filter(is_published=True)
    return list(qs)


def version_get_for_download(*, version_id: int, user: Any) -> ReportVersion | None:
    """A version whose files this user may download: anyone for a published version of a
    published plan; otherwise only people who read the entity's private data."""
    version = ReportVersion.objects.select_related("report", "report__plan").filter(pk=version_id).first()
    if version is None:
        return None
    plan = plan_get_for_user(plan_id=version.report.plan_id, user=user)
    if plan is None:
        return None
    if version.is_published and plan.is_published:
        return version
    if user_access(user).can(plan.entity_id, Capability.VIEW_PRIVATE):
        return version
    return None


def archive_document_get_for_user(*, document_id: int, user: Any) -> ArchiveDocument | None:
    """An archive document of a plan the user may see (the archive is public with the plan)."""
    document = ArchiveDocument.objects.filter(pk=document_id).first()
    if document is None or plan_get_for_user(plan_id=document.plan_id, user=user) is None:
        return None
    return document


def plan_axes(*, plan: Plan) -> QuerySet[Node]:
    return Node.objects.filter(plan=plan, parent__isnull=True).order_by("position", "code")


# --- archive -------------------------------------------------------------------------------------


@dataclass(slots=True)
class ArchiveEntry:
    date: datetime.date
    source: str  # "report" | "act" | "document"
    kind_label: str
    title: str
    detail: str
    url: str  # download or page link ("" when there is no file)


def plan_archive(*, plan: Plan, user: Any) -> list[ArchiveEntry]:
    """The plan's technical and historical archive: every report version the user may see, every
    legal act and every archive document, with its date, newest first. Three queries."""
    private = user_access(user).can(plan.entity_id, Capability.VIEW_PRIVATE)
    entries: list[ArchiveEntry] = []
    versions = ReportVersion.objects.filter(report__plan=plan).select_related("report", "report__period_to")
    if not private:
        versions = versions.filter(is_published=True)
    for v in versions:
        when = timezone.localtime(v.published_at or v.generated_at).date()
        status = _("published") if v.is_published else ReportStatus(v.status_at_generation).label
        entries.append(
            ArchiveEntry(
                date=when,
                source="report",
                kind_label=str(ReportKind(v.report.kind).label),
                title=f"{v.report.title} · v{v.number}",
                detail=str(status),
                url=reverse("reports:version_pdf", kwargs={"version_id": v.pk}),
            )
        )
    for act in LegalAct.objects.filter(plan=plan):
        entries.append(
            ArchiveEntry(
                date=act.date,
                source="act",
                kind_label=act.get_act_type_display(),
                title=f"{act.get_act_type_display()} {act.number}",
                detail=" · ".join(p for p in (act.issuer, act.summary[:200]) if p),
                url=reverse("plans:legal_act_file", kwargs={"act_id": act.pk}) if act.file else "",
            )
        )
    for doc in ArchiveDocument.objects.filter(plan=plan):
        url = reverse("reports:archive_file", kwargs={"document_id": doc.pk}) if doc.file else doc.url
        entries.append(
            ArchiveEntry(
                date=doc.date,
                source="document",
                kind_label=doc.get_kind_display(),
                title=doc.title,
                detail=doc.notes[:300],
                url=url,
            )
        )
    entries.sort(key=lambda e: (e.date, e.source != "report"), reverse=True)
    return entries


# --- content -------------------------------------------------------------------------------------


@dataclass(slots=True)
class SummaryRow:
    code: str
    title: str
    level_name: str
    depth: int  # relative to the axis (0 = the axis)
    percent: str
    light: str
    light_label: str
    explanation: list[str]


@dataclass(slots=True)
class IndicatorBlock:
    indicator_id: int
    code: str
    name: str
    node_code: str
    level_label: str
    unit: str
    baseline: str
    target: str
    target_period: str
    value: str
    achievement: str
    light: str
    light_label: str
    formula_lines: list[str]
    means_of_verification: str
    evidence_count: int
    chart_key: str | None  # the figure that holds its panel


@dataclass(slots=True)
class ActionRow:
    title: str
    target: str  # node or indicator code
    responsible: str
    due_date: str
    status: str
    description: str


@dataclass(slots=True)
class AgreementRow:
    number: int
    text: str
    body: str
    owner: str
    due_date: str
    state: str  # a status, or "overdue"
    state_label: str
    about: str  # the codes of the axis' items it concerns


@dataclass
class AxisSection:
    node_id: int
    code: str
    title: str
    level_name: str
    responsible: str
    percent: str
    light: str
    light_label: str
    explanation: list[str]
    rows: list[SummaryRow]
    indicators: list[IndicatorBlock]
    actions: list[ActionRow]
    chart_key: str | None
    gap_rows: list[GapRow] = field(default_factory=list)
    figure_keys: list[str] = field(default_factory=list)  # small multiples of its indicators
    agreements: list[AgreementRow] = field(default_factory=list)  # of the plan's public bodies


@dataclass(slots=True)
class ProjectRow:
    axis_code: str
    code: str
    title: str
    physical: str
    financial: str
    explanation: list[str]


@dataclass(slots=True)
class GapRow:
    code: str
    name: str
    level_label: str
    unit: str
    baseline: str
    current: str
    current_period: str
    target: str
    target_period: str
    gap: str
    closed: str


@dataclass(slots=True)
class NarrativeSection:
    heading: str
    text: str


@dataclass
class ReportContent:
    """Everything a report's documents show, in order. Charts are specs until `render_charts`."""

    report_id: int
    kind: str
    title: str
    plan_name: str
    plan_type: str
    entity_name: str
    axis_label: str
    period_label: str
    period_code: str
    status_label: str
    draft: bool  # shows the "DRAFT" watermark
    responsible_office: str
    generated_at: str
    plan_percent: str
    plan_light: str
    plan_light_label: str
    series_periods: list[str]
    sections: list[AxisSection]
    narrative: list[NarrativeSection]
    projects: list[ProjectRow] | None  # None: not an evaluation document
    projects_note: str
    overview_chart_key: str | None
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    charts: dict[str, ChartImage] = field(default_factory=dict)

    @property
    def chart_count(self) -> int:
        return len(self.specs)

    @property
    def charted_indicator_count(self) -> int:
        return sum(1 for s in self.sections for i in s.indicators if i.chart_key)

    @property
    def indicator_count(self) -> int:
        return sum(len(s.indicators) for s in self.sections)

    def render_charts(self) -> None:
        """Render every chart once (PNG and its JPEG copy); both documents reuse the images."""
        if not self.charts:
            self.charts = render_charts(self.specs)


def _sep() -> str:
    return str(formats.get_format("DECIMAL_SEPARATOR")) or "."


def _no_data() -> str:
    return _("no data")


def _period_object(code: str, known: dict[str, Period]) -> Period:
    if code in known:
        return known[code]
    normalised, kind, start, end = period_bounds(code)
    return Period(code=normalised, kind=kind, start=start, end=end)


def report_series_periods(*, report: Report) -> list[Period]:
    """The periods of the report's charts, of the kind of its last period: the span it covers,
    or the last eight periods up to it when it covers one (unsaved periods where none exist)."""
    last = report.period_to
    if report.period_from_id == report.period_to_id:
        years_back = {"year": 8, "semester": 4, "quarter": 2, "month": 1}.get(last.kind, 2)
        start = datetime.date(last.start.year - years_back, 1, 1)
        codes = period_codes_between(last.kind, start, last.start)[-SERIES_POINTS:]
    else:
        codes = period_codes_between(last.kind, report.period_from.start, last.start)[-SERIES_MAX:]
    if last.code not in codes:
        codes.append(last.code)
    known = {p.code: p for p in Period.objects.filter(code__in=codes)}
    return [_period_object(code, known) for code in codes]


def _light(light: str) -> tuple[str, str]:
    return light, (_no_data() if light == "missing" else light_label(light))


def _subtree(rows: list[TreeRow], axis_id: int) -> list[TreeRow]:
    """The axis row and its descendants: rows are depth-first, so the subtree runs until the next axis."""
    out: list[TreeRow] = []
    inside = False
    for row in rows:
        if row.depth == 1:
            if inside:
                break
            inside = row.id == axis_id
        if inside:
            out.append(row)
    return out


def report_content(*, report: Report) -> ReportContent:
    """The content of a report from the current data: the roll-up of its period, the subtree of
    its axis (or every axis), each indicator against its target with the formula, charts over
    the series periods, corrective actions, the narrative, and — for the evaluation document —
    the execution of the programme and the gap between the current and the proposed model."""
    plan = Plan.objects.select_related("entity", "plan_type").get(pk=report.plan_id)
    period = report.period_to
    series_periods = report_series_periods(report=report)
    rollup = plan_rollup(plan=plan, period=period)
    series = plan_rollup_series(plan=plan, periods=series_periods)
    tree = plan_tree(plan=plan)
    sep = _sep()
    evaluation = report.kind == ReportKind.EVALUATION
    axis_ids = [r.node_id for r in rollup.roots] if evaluation else [report.node_id or 0]

    indicator_info: dict[int, dict[str, Any]] = {
        row["id"]: dict(row)
        for row in Indicator.objects.filter(plan=plan).values(
            "id", "code", "level", "unit", "unit_label", "means_of_verification", "node_id"
        )
    }
    codes = [p.code for p in series_periods]
    points = _indicator_points(plan=plan, codes=codes)
    value_label, target_label = _("Value"), _("Target")
    actions = _actions_by_node(plan=plan)
    agreements = _agreements_by_node(plan=plan, node_ids=[r.id for r in tree.rows])
    latest, final_targets = _gap_data(plan=plan, period=period) if evaluation else ({}, {})

    specs: dict[str, dict[str, Any]] = {}
    sections: list[AxisSection] = []
    for axis_id in axis_ids:
        sub = _subtree(tree.rows, axis_id)
        if not sub:
            continue
        section = _axis_section(
            rollup=rollup,
            sub=sub,
            indicator_info=indicator_info,
            sep=sep,
            actions=actions,
        )
        section.agreements = _agreement_rows(agreements, {r.id: r.code for r in sub})
        charted: list[tuple[IndicatorBlock, list[dict[str, Any]]]] = []
        for block in section.indicators:
            by_period = points.get(block.indicator_id, {})
            label = _short(f"{block.code} {block.name}", 46)
            data = [
                {"indicator": label, "period": code, "series": series_label, "value": by_period[(code, kind)]}
                for code in codes
                for kind, series_label in (("value", value_label), ("target", target_label))
                if (code, kind) in by_period
            ]
            if data:
                charted.append((block, data))
        for start in range(0, len(charted), PANELS_PER_FIGURE):
            group = charted[start : start + PANELS_PER_FIGURE]
            key = f"f{axis_id}_{start // PANELS_PER_FIGURE}"
            section.figure_keys.append(key)
            specs[key] = indicators_chart_spec(
                points=[row for _block, data in group for row in data],
                value_label=value_label,
                target_label=target_label,
            )
            for block, _data in group:
                block.chart_key = key
        axis_points = _axis_points(series, axis_id, _short(f"{section.code} {section.title}", 60))
        if axis_points:
            section.chart_key = f"a{axis_id}"
            specs[section.chart_key] = progress_chart_spec(points=axis_points)
        if evaluation:
            section.gap_rows = _gap_rows(
                section=section,
                info=indicator_info,
                rollup=rollup,
                latest=latest,
                final_targets=final_targets,
                sep=sep,
            )
        sections.append(section)

    overview_key = None
    if evaluation and sections:
        overview = [
            pt for s in sections for pt in _axis_points(series, s.node_id, _short(f"{s.code} {s.title}", 40))
        ]
        if overview:
            overview_key = "overview"
            specs[overview_key] = progress_chart_spec(points=overview)

    projects: list[ProjectRow] | None = None
    projects_note = ""
    if evaluation:
        projects, projects_note = _programme_execution(plan=plan, rows=tree.rows, period=period)

    narrative = [
        NarrativeSection(_("Analysis of the results"), report.analysis),
        NarrativeSection(_("Difficulties"), report.difficulties),
        NarrativeSection(_("Corrective actions"), report.corrective_actions_text),
    ]
    if evaluation or report.conclusions or report.recommendations:
        narrative += [
            NarrativeSection(_("Conclusions"), report.conclusions),
            NarrativeSection(_("Recommendations"), report.recommendations),
        ]
    axis_label = ""
    if report.node_id is not None and sections:
        axis_label = f"{sections[0].level_name}: {sections[0].code} {sections[0].title}".strip(": ")
    period_label = (
        period.code
        if report.period_from_id == report.period_to_id
        else f"{report.period_from.code} – {period.code}"
    )
    plan_light, plan_light_text = _light(rollup.total.light)
    return ReportContent(
        report_id=report.pk,
        kind=report.kind,
        title=report.title,
        plan_name=plan.name,
        plan_type=f"{plan.plan_type.code} — {plan.plan_type.name}",
        entity_name=plan.entity.name,
        axis_label=axis_label,
        period_label=period_label,
        period_code=period.code,
        status_label=str(ReportStatus(report.status).label),
        draft=report.status != ReportStatus.PUBLISHED,
        responsible_office=report.responsible_office,
        generated_at=formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
        plan_percent=percent_text(rollup.total.progress, sep)
        if rollup.total.progress is not None
        else _no_data(),
        plan_light=plan_light,
        plan_light_label=plan_light_text,
        series_periods=codes,
        sections=sections,
        narrative=narrative,
        projects=projects,
        projects_note=projects_note,
        overview_chart_key=overview_key,
        specs=specs,
    )


def _axis_section(
    *,
    rollup: PlanRollup,
    sub: list[TreeRow],
    indicator_info: dict[int, dict[str, Any]],
    sep: str,
    actions: dict[int | None, list[tuple[CorrectiveAction, int | None]]],
) -> AxisSection:
    axis = sub[0]
    level_labels = dict(IndicatorLevel.choices)
    unit_labels = dict(IndicatorUnit.choices)
    rows: list[SummaryRow] = []
    blocks: list[IndicatorBlock] = []
    for row in sub:
        result = rollup.nodes.get(row.id)
        light, text = _light(result.light if result else "missing")
        rows.append(
            SummaryRow(
                code=row.code,
                title=row.title,
                level_name=row.level_name,
                depth=row.depth - 1,
                percent=percent_text(result.progress, sep)
                if result and result.progress is not None
                else _no_data(),
                light=light,
                light_label=text,
                explanation=list(result.explanation) if result else [],
            )
        )
        for indicator_id in result.indicator_ids if result else []:
            ind = rollup.indicators.get(indicator_id)
            info = indicator_info.get(indicator_id)
            if ind is None or info is None:
                continue
            light, text = _light(ind.light)
            unit = info["unit_label"] or str(unit_labels.get(info["unit"], info["unit"]))
            blocks.append(
                IndicatorBlock(
                    indicator_id=indicator_id,
                    code=ind.code,
                    name=ind.name,
                    node_code=row.code,
                    level_label=str(level_labels.get(info["level"], info["level"])),
                    unit=unit,
                    baseline=number_text(ind.baseline, sep) if ind.baseline is not None else _no_data(),
                    target=number_text(ind.target, sep) if ind.target is not None else _no_data(),
                    target_period=ind.target_period_code or "",
                    value=number_text(ind.value, sep) if ind.value is not None else _no_data(),
                    achievement=percent_text(ind.achievement, sep)
                    if ind.achievement is not None
                    else _no_data(),
                    light=light,
                    light_label=text,
                    formula_lines=list(ind.explanation),
                    means_of_verification=info["means_of_verification"],
                    evidence_count=ind.evidence_count,
                    chart_key=None,
                )
            )
    subtree_ids = {r.id for r in sub}
    action_rows = [
        ActionRow(
            title=a.title,
            target=(a.indicator.code if a.indicator_id and a.indicator else "")
            or (a.node.code if a.node else ""),
            responsible=a.responsible,
            due_date=formats.date_format(a.due_date, "SHORT_DATE_FORMAT") if a.due_date else "",
            status=a.get_status_display(),
            description=a.description,
        )
        for node_id, items in actions.items()
        if node_id in subtree_ids
        for a, _ind_node in items
    ]
    axis_result = rollup.nodes.get(axis.id)
    light, text = _light(axis_result.light if axis_result else "missing")
    return AxisSection(
        node_id=axis.id,
        code=axis.code,
        title=axis.title,
        level_name=axis.level_name,
        responsible=axis.responsible,
        percent=rows[0].percent,
        light=light,
        light_label=text,
        explanation=list(axis_result.explanation) if axis_result else [],
        rows=rows,
        indicators=blocks,
        actions=action_rows,
        chart_key=None,
    )


def _agreements_by_node(*, plan: Plan, node_ids: list[int]) -> dict[int, list[Agreement]]:
    """Agreements of the plan's public bodies concerning each node (the report may be published)."""
    found = agreements_for_nodes(node_ids=node_ids, today=timezone.localdate())
    return {
        node_id: [a for a in rows if a.body.is_public and a.plan_id == plan.pk]
        for node_id, rows in found.items()
    }


def _agreement_rows(by_node: dict[int, list[Agreement]], codes: dict[int, str]) -> list[AgreementRow]:
    """One row per agreement concerning the axis' items, overdue first, with the state of today."""
    today = timezone.localdate()
    labels = {"overdue": _("Overdue"), **dict(AgreementStatus.choices)}
    seen: dict[int, tuple[Agreement, list[str]]] = {}
    for node_id, code in codes.items():
        for a in by_node.get(node_id, []):
            seen.setdefault(a.pk, (a, []))[1].append(code)
    rows = []
    for a, about in seen.values():
        state = agreement_state(agreement=a, today=today)
        rows.append(
            AgreementRow(
                number=a.number,
                text=a.text,
                body=a.body.name,
                owner=owner_label(a),
                due_date=formats.date_format(a.due_date, "SHORT_DATE_FORMAT") if a.due_date else "",
                state=state,
                state_label=str(labels.get(state, state)),
                about=", ".join(about),
            )
        )
    order = {"overdue": 0, "in_progress": 1, "pending": 2, "done": 3, "dropped": 4}
    return sorted(rows, key=lambda r: (order.get(r.state, 9), r.number))


def _indicator_points(*, plan: Plan, codes: list[str]) -> dict[int, dict[tuple[str, str], float]]:
    """indicator id → (period code, "value"|"target") → number, for the chart periods (two queries;
    the highest approved whole-territory version of a value counts, as in the roll-up)."""
    points: dict[int, dict[tuple[str, str], float]] = defaultdict(dict)
    for indicator_id, code, value in Target.objects.filter(
        indicator__plan=plan, period__code__in=codes
    ).values_list("indicator_id", "period__code", "value"):
        points[indicator_id][(code, "target")] = float(value)
    for indicator_id, code, value in (
        Measurement.objects.filter(
            indicator__plan=plan,
            period__code__in=codes,
            unit__isnull=True,
            disaggregation="",
            status=MeasurementStatus.APPROVED,
        )
        .order_by("version")
        .values_list("indicator_id", "period__code", "value")
    ):
        points[indicator_id][(code, "value")] = float(value)
    return points


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _axis_points(series: RollupSeries, axis_id: int, label: str) -> list[dict[str, Any]]:
    values = series.progress.get(axis_id, [])
    return [
        {"period": code, "series": label, "percent": round(v * 100, 1)}
        for code, v in zip(series.period_codes, values, strict=False)
        if v is not None
    ]


def _actions_by_node(*, plan: Plan) -> dict[int | None, list[tuple[CorrectiveAction, int | None]]]:
    """Corrective actions keyed by the node they concern (the indicator's node when only an
    indicator is given)."""
    out: dict[int | None, list[tuple[CorrectiveAction, int | None]]] = defaultdict(list)
    for action in (
        CorrectiveAction.objects.filter(plan=plan)
        .select_related("node", "indicator")
        .order_by("due_date", "pk")
    ):
        node_id = action.node_id or (action.indicator.node_id if action.indicator else None)
        out[node_id].append((action, node_id))
    return out


def _gap_data(
    *, plan: Plan, period: Period
) -> tuple[dict[int, tuple[Decimal, str]], dict[int, tuple[Decimal, str]]]:
    """(latest approved whole-territory value up to the period, last target of the plan) per indicator."""
    latest: dict[int, tuple[Decimal, str]] = {}
    for indicator_id, value, code in (
        Measurement.objects.filter(
            indicator__plan=plan,
            period__end__lte=period.end,
            unit__isnull=True,
            disaggregation="",
            status=MeasurementStatus.APPROVED,
        )
        .order_by("period__end", "-period__start", "version")
        .values_list("indicator_id", "value", "period__code")
    ):
        latest[indicator_id] = (value, code)
    final: dict[int, tuple[Decimal, str]] = {}
    for indicator_id, value, code in (
        Target.objects.filter(indicator__plan=plan)
        .order_by("period__end", "-period__start")
        .values_list("indicator_id", "value", "period__code")
    ):
        final[indicator_id] = (value, code)
    return latest, final


def _gap_rows(
    *,
    section: AxisSection,
    info: dict[int, dict[str, Any]],
    rollup: PlanRollup,
    latest: dict[int, tuple[Decimal, str]],
    final_targets: dict[int, tuple[Decimal, str]],
    sep: str,
) -> list[GapRow]:
    """The current model against the proposed one: impact and outcome indicators of the axis,
    their latest value against the plan's final target."""
    rows: list[GapRow] = []
    for block in section.indicators:
        if info[block.indicator_id]["level"] not in (IndicatorLevel.IMPACT, IndicatorLevel.OUTCOME):
            continue
        baseline = rollup.indicators[block.indicator_id].baseline
        current = latest.get(block.indicator_id)
        target = final_targets.get(block.indicator_id)
        gap = closed = _no_data()
        if current is not None and target is not None:
            gap = number_text(target[0] - current[0], sep)
            if baseline is not None and target[0] != baseline:
                closed = percent_text((current[0] - baseline) / (target[0] - baseline), sep)
        rows.append(
            GapRow(
                code=block.code,
                name=block.name,
                level_label=block.level_label,
                unit=block.unit,
                baseline=block.baseline,
                current=number_text(current[0], sep) if current else _no_data(),
                current_period=current[1] if current else "",
                target=number_text(target[0], sep) if target else _no_data(),
                target_period=target[1] if target else "",
                gap=gap,
                closed=closed,
            )
        )
    return rows


def _programme_execution(*, plan: Plan, rows: list[TreeRow], period: Period) -> tuple[list[ProjectRow], str]:
    """Physical and financial progress of the nodes of the plan's last level (projects and actions),
    when the progress selectors are available."""
    try:
        from rumbo.indicators.sheets.selectors import project_financial_progress, project_physical_progress
    except ImportError:
        return [], _("Physical and financial progress is not available in this installation.")
    deepest = PlanLevel.objects.filter(plan=plan).order_by("-depth").values_list("depth", flat=True).first()
    if not deepest or deepest < 2:
        return [], _("The plan's tree has no project level.")
    wanted = [r for r in rows if r.depth == deepest]
    nodes = Node.objects.in_bulk([r.id for r in wanted])
    axis_code = ""
    axis_of: dict[int, str] = {}
    for r in rows:
        if r.depth == 1:
            axis_code = r.code
        axis_of[r.id] = axis_code
    out: list[ProjectRow] = []
    for r in wanted:
        node = nodes.get(r.id)
        if node is None:
            continue
        physical = project_physical_progress(node=node, period=period)
        financial = project_financial_progress(node=node, period=period)
        out.append(
            ProjectRow(
                axis_code=axis_of.get(r.id, ""),
                code=r.code,
                title=r.title,
                physical=percent_text(physical.value, _sep()) if physical.value is not None else _no_data(),
                financial=percent_text(financial.value, _sep())
                if financial.value is not None
                else _no_data(),
                explanation=[*physical.explanation[:1], *financial.explanation[:1]],
            )
        )
    return out, ""
