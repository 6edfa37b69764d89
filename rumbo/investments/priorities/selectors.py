"""Reads of the prioritisation pages: the criteria with their shares, one project's score sheet
with its breakdown, the sensitivity of the bank's ranking to a weight, and the ranking as CSV.
All arithmetic is the engine's (rumbo.investments.prioritisation); nothing here writes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.core.exports import csv_writer
from rumbo.investments.models import PriorityCriterion, Project, ProjectScore, ProjectStage, Sector
from rumbo.investments.prioritisation import (
    TOP_N,
    Criterion,
    MissingRule,
    ProjectScores,
    RankedProject,
    ScoreMatrix,
    SensitivityEntry,
    SensitivityRow,
    rank,
    sensitivity,
    weight_shares,
)
from rumbo.investments.selectors import BankRankingRow, BankScores, entity_bank_scores

# The proportional changes offered on the sensitivity page and used by the one-at-a-time table.
SENSITIVITY_DELTAS: tuple[float, ...] = (-0.5, -0.25, 0.25, 0.5)
ONE_AT_A_TIME_DELTA = 0.25


@dataclass(frozen=True, slots=True)
class CriterionRow:
    """A criterion of the matrix with its share of the total weight (0..1) and how many scores it has."""

    criterion: PriorityCriterion
    share: float
    scores: int

    @property
    def share_percent(self) -> float:
        return self.share * 100

    @property
    def weight_text(self) -> str:
        return decimal_text(self.criterion.weight)

    @property
    def scale_text(self) -> str:
        return decimal_text(self.criterion.scale_max)


@dataclass(frozen=True, slots=True)
class CriteriaTable:
    """The entity's matrix: the rows, the sum of the raw weights, and why shares are missing (if so)."""

    rows: list[CriterionRow]
    weight_total: Decimal
    problem: str

    @property
    def weight_total_text(self) -> str:
        return decimal_text(self.weight_total)


def decimal_text(value: Decimal | float) -> str:
    """A number as the user's locale writes it, without trailing zeros ("25", "2,5")."""
    number = Decimal(str(value)) if isinstance(value, float) else value
    return number_format(Decimal(format(number.normalize(), "f")))


def criteria_table(*, entity: Entity) -> CriteriaTable:
    """The entity's criteria by key, each with its normalised share = weight / Σ weights."""
    criteria = list(
        PriorityCriterion.objects.filter(entity=entity).annotate(n=Count("scores")).order_by("key")
    )
    total = sum((c.weight for c in criteria), Decimal(0))
    problem = ""
    if criteria and total <= 0:
        problem = _("All weights are zero; give at least one criterion a positive weight.")
    rows = [
        CriterionRow(criterion=c, share=float(c.weight / total) if total > 0 else 0.0, scores=c.n)
        for c in criteria
    ]
    return CriteriaTable(rows=rows, weight_total=total, problem=problem)


# --- breakdowns as shown -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreakdownLine:
    """One criterion's part of a total in the units a page shows: the share and the contribution
    in percent (points of the 0–100 total), the normalised score on 0..1."""

    key: str
    name: str
    raw_score: float | None
    scale_max: float
    higher_is_better: bool
    normalised: float | None
    share_percent: float
    contribution_points: float
    justification: str


def breakdown_lines(ranked: RankedProject) -> list[BreakdownLine]:
    """The engine's breakdown of a project, in percent; the contributions add up to the total."""
    return [
        BreakdownLine(
            key=i.key,
            name=i.name,
            raw_score=i.raw_score,
            scale_max=i.scale_max,
            higher_is_better=i.higher_is_better,
            normalised=i.normalised,
            share_percent=i.weight_share * 100,
            contribution_points=i.contribution * 100,
            justification=i.justification,
        )
        for i in ranked.breakdown
    ]


@dataclass(frozen=True, slots=True)
class RankingDisplayRow:
    """A ranked project as the ranking page shows it: facts, breakdown lines, missing names."""

    row: BankRankingRow
    lines: list[BreakdownLine]
    missing_names: list[str]
    explanation: list[str]
    stage_label: str


def ranking_display(*, rows: Sequence[BankRankingRow]) -> list[RankingDisplayRow]:
    """Each ranked project with its breakdown in percent and its explanation lines."""
    stages = dict(ProjectStage.choices)
    result = []
    for row in rows:
        lines = breakdown_lines(row.ranked)
        names = {line.key: line.name for line in lines}
        result.append(
            RankingDisplayRow(
                row=row,
                lines=lines,
                missing_names=[names.get(k, k) for k in row.ranked.missing],
                explanation=row.ranked.explanation(),
                stage_label=str(stages.get(row.facts.stage, row.facts.stage)),
            )
        )
    return result


# --- one project's scores --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreSheetRow:
    """A criterion, the stored score (who gave it, when, why) and the engine's breakdown line."""

    criterion: PriorityCriterion
    share_percent: float
    score: ProjectScore | None
    line: BreakdownLine | None


@dataclass(frozen=True, slots=True)
class ScoreSheet:
    """A project's scores and the total the engine computes from them, with the rule applied."""

    project: Project
    rows: list[ScoreSheetRow]
    ranked: RankedProject | None
    missing: MissingRule
    bank_rank: int | None
    bank_size: int
    problem: str

    @property
    def contributions_sum(self) -> float:
        """Σ contributions in points; equals the total in percent (up to rounding)."""
        return sum(r.line.contribution_points for r in self.rows if r.line is not None)

    @property
    def explanation(self) -> list[str]:
        return self.ranked.explanation()[1:] if self.ranked is not None else []


def project_score_sheet(*, project: Project, missing: MissingRule = "exclude") -> ScoreSheet:
    """Everything the score page shows: each criterion with the stored score and its contribution
    to the project's total, plus the project's place in the bank's ranking when it is in the bank."""
    criteria = list(PriorityCriterion.objects.filter(entity_id=project.entity_id).order_by("key"))
    stored = {
        s.criterion_id: s
        for s in ProjectScore.objects.filter(project=project).select_related("scored_by", "criterion")
    }
    ranked: RankedProject | None = None
    problem = ""
    shares: list[float] = [0.0] * len(criteria)
    if criteria:
        engine_criteria = [
            Criterion(c.key, c.name, c.weight, c.higher_is_better, float(c.scale_max)) for c in criteria
        ]
        scores = ProjectScores(
            project_id=project.pk,
            code=project.code,
            title=project.title,
            scores={s.criterion.key: float(s.score) for s in stored.values()},
            justifications={s.criterion.key: s.justification for s in stored.values()},
        )
        try:
            shares = weight_shares(engine_criteria)[0].tolist()
            ranked = rank([scores], engine_criteria, missing=missing)[0]
        except ValueError as exc:
            problem = str(exc)
    lines = {line.key: line for line in breakdown_lines(ranked)} if ranked else {}
    rows = [
        ScoreSheetRow(criterion=c, share_percent=share * 100, score=stored.get(c.pk), line=lines.get(c.key))
        for c, share in zip(criteria, shares, strict=True)
    ]
    bank_rank: int | None = None
    bank_size = 0
    if project.is_public and ranked is not None:
        bank_rank, bank_size = _bank_position(project=project, missing=missing)
    return ScoreSheet(
        project=project,
        rows=rows,
        ranked=ranked,
        missing=missing,
        bank_rank=bank_rank,
        bank_size=bank_size,
        problem=problem,
    )


def _bank_position(*, project: Project, missing: MissingRule) -> tuple[int | None, int]:
    """The project's rank in the bank and the bank's size, from the engine's vectorised ranks
    (no per-project breakdowns)."""
    data = entity_bank_scores(entity=project.entity)
    matrix = ScoreMatrix(data.projects, data.criteria)
    ranks, _order = matrix.ranks(matrix.totals(weight_shares(data.criteria)[0], missing))
    ids = [p.project_id for p in matrix.projects]
    if project.pk not in ids:
        return None, len(ids)
    return int(ranks[ids.index(project.pk)]), len(ids)


# --- sensitivity -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SensitivityMove:
    """One project's place before and after the change; ``change`` > 0 means it moved up."""

    project_id: int
    code: str
    title: str
    rank_before: int
    rank_after: int
    change: int
    total_before_percent: float
    total_after_percent: float
    top_before: bool
    top_after: bool


@dataclass(frozen=True, slots=True)
class SensitivityResult:
    """How the ranking moves when one criterion's weight changes, with a one-number summary."""

    criterion: Criterion
    row: SensitivityRow
    moves: list[SensitivityMove]
    spearman: float | None

    @property
    def weight_before(self) -> str:
        return decimal_text(round(self.row.weight_before, 4))

    @property
    def weight_after(self) -> str:
        return decimal_text(round(self.row.weight_after, 4))

    @property
    def share_before_percent(self) -> float:
        return self.row.share_before * 100

    @property
    def share_after_percent(self) -> float:
        return self.row.share_after * 100


@dataclass(frozen=True, slots=True)
class OneAtATimeRow:
    """One criterion's weight moved by −25 % and by +25 %: how many projects change rank, and
    whether the top N changes (``minus``/``plus`` are None for a criterion weighing zero)."""

    criterion: Criterion
    share: float
    minus: SensitivityRow | None
    plus: SensitivityRow | None

    @property
    def share_percent(self) -> float:
        return self.share * 100


def spearman_rho(entries: Sequence[SensitivityEntry]) -> float | None:
    """Spearman's rank correlation between the two rankings, 1 − 6 Σ d² / (n (n² − 1)), with d the
    change of rank of each project. Exact without ties, an approximation with them; None below 2."""
    n = len(entries)
    if n < 2:
        return None
    d2 = sum((e.rank_before - e.rank_after) ** 2 for e in entries)
    return 1.0 - 6.0 * d2 / (n * (n * n - 1))


def _row_for_new_weight(
    data: BankScores, column: int, new_weight: float, missing: MissingRule, top_n: int
) -> SensitivityRow:
    """The engine's SensitivityRow for a criterion whose weight is now zero, where no proportional
    change can reach ``new_weight``: both rankings come from the same score matrix."""
    criteria = data.criteria
    original = criteria[column]
    changed = list(criteria)
    changed[column] = Criterion(
        original.key, original.name, new_weight, original.higher_is_better, original.scale_max
    )
    matrix = ScoreMatrix(data.projects, criteria)
    shares_before, _t = weight_shares(criteria)
    shares_after, _t2 = weight_shares(changed)
    before, order_before = matrix.ranks(matrix.totals(shares_before, missing))
    after, order_after = matrix.ranks(matrix.totals(shares_after, missing))
    codes = [p.code for p in matrix.projects]
    top_before = set(order_before[:top_n].tolist())
    top_after = set(order_after[:top_n].tolist())
    return SensitivityRow(
        criterion_key=original.key,
        delta=float("inf"),
        weight_before=float(original.weight),
        weight_after=new_weight,
        share_before=float(shares_before[column]),
        share_after=float(shares_after[column]),
        entries=[
            SensitivityEntry(
                project_id=matrix.projects[i].project_id,
                code=codes[i],
                rank_before=int(before[i]),
                rank_after=int(after[i]),
                change=int(before[i] - after[i]),
            )
            for i in order_after.tolist()
        ],
        changed_count=int(np.count_nonzero(after != before)),
        top_n=top_n,
        top_changed=top_after != top_before,
        entered_top=sorted(codes[i] for i in top_after - top_before),
        left_top=sorted(codes[i] for i in top_before - top_after),
    )


def bank_sensitivity(
    *,
    entity: Entity,
    criterion_key: str,
    delta: float | None = None,
    new_weight: float | None = None,
    top_n: int = TOP_N,
    missing: MissingRule = "exclude",
    sector: str = "",
    stage: str = "",
    plan_id: int | None = None,
) -> SensitivityResult:
    """The bank's ranking before and after multiplying one criterion's weight by ``1 + delta`` (or
    setting it to ``new_weight``), computed by the engine; raises ``ValueError`` with a message
    (unknown criterion, weights that would all be zero). Nothing is saved."""
    data = entity_bank_scores(entity=entity, sector=sector, stage=stage, plan_id=plan_id)
    keys = [c.key for c in data.criteria]
    if criterion_key not in keys:
        raise ValueError(_("Unknown criterion %(key)s.") % {"key": criterion_key})
    column = keys.index(criterion_key)
    criterion = data.criteria[column]
    base = float(criterion.weight)
    if (delta is None) == (new_weight is None):
        raise ValueError(_("Give either a change in percent or a new weight."))
    if new_weight is not None and (not np.isfinite(new_weight) or new_weight < 0):
        raise ValueError(_("The weight must be zero or positive."))
    if delta is not None and (not np.isfinite(delta) or delta < -1):
        raise ValueError(_("A weight cannot fall by more than 100 %."))
    if new_weight is not None and base == 0:
        row = _row_for_new_weight(data, column, new_weight, missing, top_n)
    else:
        change = delta if delta is not None else (new_weight or 0.0) / base - 1.0
        row = sensitivity(
            data.projects,
            data.criteria,
            criterion_key=criterion_key,
            deltas=(change,),
            missing=missing,
            top_n=top_n,
        )[0]
        if new_weight is not None:
            row.weight_after = new_weight  # the same number, without the round trip through a ratio
    changed = list(data.criteria)
    changed[column] = Criterion(
        criterion.key, criterion.name, row.weight_after, criterion.higher_is_better, criterion.scale_max
    )
    matrix = ScoreMatrix(data.projects, data.criteria)
    index = {p.project_id: i for i, p in enumerate(matrix.projects)}
    totals_before = matrix.totals(weight_shares(data.criteria)[0], missing)
    totals_after = matrix.totals(weight_shares(changed)[0], missing)
    moves = [
        SensitivityMove(
            project_id=e.project_id,
            code=e.code,
            title=data.facts[e.project_id].title,
            rank_before=e.rank_before,
            rank_after=e.rank_after,
            change=e.change,
            total_before_percent=float(totals_before[index[e.project_id]]) * 100,
            total_after_percent=float(totals_after[index[e.project_id]]) * 100,
            top_before=e.rank_before <= top_n,
            top_after=e.rank_after <= top_n,
        )
        for e in row.entries
    ]
    return SensitivityResult(criterion=criterion, row=row, moves=moves, spearman=spearman_rho(row.entries))


def bank_sensitivity_one_at_a_time(
    *,
    entity: Entity,
    top_n: int = TOP_N,
    missing: MissingRule = "exclude",
    delta: float = ONE_AT_A_TIME_DELTA,
    sector: str = "",
    stage: str = "",
    plan_id: int | None = None,
) -> list[OneAtATimeRow]:
    """For each criterion in turn, the ranking with its weight −`delta` and +`delta` (the others
    unchanged): how many projects change rank and whether the top `top_n` changes."""
    data = entity_bank_scores(entity=entity, sector=sector, stage=stage, plan_id=plan_id)
    if not data.criteria:
        return []
    shares = weight_shares(data.criteria)[0].tolist()
    rows: list[OneAtATimeRow] = []
    for criterion, share in zip(data.criteria, shares, strict=True):
        if float(criterion.weight) == 0:
            rows.append(OneAtATimeRow(criterion=criterion, share=share, minus=None, plus=None))
            continue
        minus, plus = sensitivity(
            data.projects,
            data.criteria,
            criterion_key=criterion.key,
            deltas=(-delta, delta),
            missing=missing,
            top_n=top_n,
        )
        rows.append(OneAtATimeRow(criterion=criterion, share=share, minus=minus, plus=plus))
    return rows


# --- export ---------------------------------------------------------------------------------


def _decimal_comma(value: float | Decimal, decimals: int) -> str:
    return f"{float(value):.{decimals}f}".replace(".", ",")


def ranking_csv(*, rows: Sequence[BankRankingRow], criteria: Sequence[Criterion]) -> bytes:
    """The ranking for Spanish-locale Excel: UTF-8 with a BOM, `;` separator, decimal comma. Per
    criterion: the score and its contribution in points of the total (contributions add up to it).
    Text that starts like a formula is neutralised (rumbo.core.exports)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=";")
    header = [
        _("Rank"),
        _("Code"),
        _("Title"),
        _("Total (%)"),
        _("Incomplete"),
        _("Criteria without a score"),
        _("Stage"),
        _("Sector"),
        _("Total cost"),
        _("Currency"),
    ]
    for c in criteria:
        header += [
            _("%(name)s: score") % {"name": c.name},
            _("%(name)s: contribution (points)") % {"name": c.name},
        ]
    writer.writerow(header)
    stages = dict(ProjectStage.choices)
    sectors = dict(Sector.choices)
    for row in rows:
        r, f = row.ranked, row.facts
        names = {i.key: i.name for i in r.breakdown}
        line: list[Any] = [
            r.rank,
            r.code,
            r.title,
            _decimal_comma(r.total_percent, 1),
            _("yes") if r.incomplete else _("no"),
            ", ".join(names.get(k, k) for k in r.missing),
            str(stages.get(f.stage, f.stage)),
            str(sectors.get(f.sector, f.sector)) if f.sector else "",
            _decimal_comma(f.cost_total, 2),
            f.currency,
        ]
        items = {i.key: i for i in r.breakdown}
        for c in criteria:
            item = items.get(c.key)
            if item is None or item.raw_score is None:
                line += ["", _decimal_comma(0, 2)]
            else:
                line += [_decimal_comma(item.raw_score, 2), _decimal_comma(item.contribution * 100, 2)]
        writer.writerow(line)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
