"""Multi-criteria prioritisation of investment projects: weighted scores, ranking, sensitivity.

Pure arithmetic — no models, no database: plain dataclasses in, plain dataclasses out, so the
project bank can feed it from whatever it stores.

The rules, each one explainable to a council member:

* **Scores** are given on ``0..scale_max`` per criterion (default 0–5). They are normalised to
  ``0..1``: ``score / scale_max`` when higher is better, ``1 − score / scale_max`` when lower is
  better (cost, risk). A score outside ``0..scale_max`` is an error.
* **Weights** are raw, non-negative numbers; each criterion's *share* is its weight divided by the
  sum of the weights, so shares always sum to 1 (3/2/1 → 0.5/0.333/0.167). Negative weights, or
  weights that are all zero, are rejected with ``ValueError``.
* **Total** = Σ share × normalised score, on ``0..1`` (``total_percent`` on ``0..100``). Each
  project's breakdown lists the contribution of each criterion; the contributions sum to the total.
* **Missing scores** (``None`` or absent) are, by default (``missing="exclude"``), *not* counted as
  0: the total is taken over the criteria the project does have, with their shares rescaled to sum
  to 1 over those, and the project is flagged ``incomplete`` with the missing criteria listed. A
  project with no usable score at all gets a total of 0. With ``missing="zero"`` a missing score
  counts as the worst value (normalised 0, whatever the criterion's direction) and the shares are
  not rescaled; the project is still flagged ``incomplete``.
* Scores for keys that are not among the criteria are ignored (a criterion dropped from the matrix
  does not invalidate earlier scoring).
* **Rank** 1 is the best. Totals equal to within 1e-9 tie and share a rank, and the next rank skips
  ("1, 2, 2, 4"); within a tie projects are listed by code, then id. Everything is deterministic.

Ranking is vectorised with numpy (a matrix of normalised scores, NaN where missing), so re-ranking
tens of thousands of projects after a weight change is a matter of milliseconds; the pure-Python
path only builds the per-project breakdowns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _

MissingRule = Literal["exclude", "zero"]

# Totals are compared after rounding to this many decimals, so that float noise (1/3 + 1/6 vs 1/2)
# never splits a tie that the arithmetic on paper would give.
TIE_DECIMALS = 9
# The "top N" whose membership the sensitivity summary watches.
TOP_N = 10

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Criterion:
    """A prioritisation criterion with its raw weight and the scale its scores are given on."""

    key: str
    name: str
    weight: Decimal | float
    higher_is_better: bool = True
    scale_max: float = 5.0

    def normalise(self, score: float) -> float:
        """Map a raw score on ``0..scale_max`` to ``0..1``, 1 being the most desirable."""
        ratio = float(score) / float(self.scale_max)
        return ratio if self.higher_is_better else 1.0 - ratio


@dataclass(frozen=True, slots=True)
class ProjectScores:
    """One project's raw scores by criterion key (``None`` or absent = not scored yet)."""

    project_id: int
    code: str
    title: str
    scores: dict[str, float | None]
    justifications: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class BreakdownItem:
    """How one criterion contributes to a project's total: ``contribution = weight_share × normalised``."""

    key: str
    name: str
    raw_score: float | None
    normalised: float | None
    weight_share: float
    contribution: float
    higher_is_better: bool
    scale_max: float
    justification: str = ""


@dataclass(slots=True)
class RankedProject:
    """A project's place in the ranking, its total on 0..1 and the breakdown that explains it."""

    rank: int
    project_id: int
    code: str
    title: str
    total: float
    total_percent: float
    incomplete: bool
    missing: list[str]
    breakdown: list[BreakdownItem]
    missing_rule: MissingRule = "exclude"
    weight_total: float = 1.0

    def explanation(self) -> list[str]:
        """Human-readable lines, one per step, that let anyone redo the arithmetic by hand."""
        lines = [
            _("Rank %(rank)s, total %(percent)s%% (%(total)s on a scale of 0 to 1).")
            % {"rank": self.rank, "percent": _fmt(self.total_percent, 1), "total": _fmt(self.total)}
        ]
        if not math.isclose(self.weight_total, 1.0, rel_tol=0, abs_tol=1e-12):
            lines.append(
                _("The weights add up to %(sum)s, not 1; each weight is divided by %(sum)s.")
                % {"sum": _fmt(self.weight_total)}
            )
        if self.missing and self.missing_rule == "exclude":
            names = ", ".join(item.name for item in self.breakdown if item.key in self.missing)
            lines.append(
                _(
                    "Incomplete: no score for %(criteria)s; those criteria are left out and the "
                    "remaining weights are rescaled to add up to 1."
                )
                % {"criteria": names}
            )
        elif self.missing:
            names = ", ".join(item.name for item in self.breakdown if item.key in self.missing)
            lines.append(_("Incomplete: no score for %(criteria)s; each counts as 0.") % {"criteria": names})
        for item in self.breakdown:
            if item.raw_score is None:
                lines.append(_("%(name)s: not scored.") % {"name": item.name})
                continue
            values = {
                "name": item.name,
                "score": _fmt(item.raw_score),
                "max": _fmt(item.scale_max),
                "normalised": _fmt(item.normalised or 0.0),
                "share": _fmt(item.weight_share),
                "contribution": _fmt(item.contribution),
            }
            if item.higher_is_better:
                line = (
                    _(
                        "%(name)s: score %(score)s of %(max)s → %(normalised)s; "
                        "× weight %(share)s = %(contribution)s."
                    )
                    % values
                )
            else:
                line = (
                    _(
                        "%(name)s (lower is better): score %(score)s of %(max)s → "
                        "1 − %(score)s/%(max)s = %(normalised)s; × weight %(share)s = %(contribution)s."
                    )
                    % values
                )
            if item.justification:
                line += " " + _("Justification: %(text)s") % {"text": item.justification}
            lines.append(line)
        return lines


@dataclass(slots=True)
class SensitivityEntry:
    """One project's rank before and after a weight change; ``change`` > 0 means it moved up."""

    project_id: int
    code: str
    rank_before: int
    rank_after: int
    change: int


@dataclass(slots=True)
class SensitivityRow:
    """The ranking after multiplying one criterion's raw weight by ``1 + delta``."""

    criterion_key: str
    delta: float
    weight_before: float
    weight_after: float
    share_before: float
    share_after: float
    entries: list[SensitivityEntry]
    changed_count: int
    top_n: int
    top_changed: bool
    entered_top: list[str]
    left_top: list[str]


# --- weights ------------------------------------------------------------------------------------


def weight_shares(criteria: Sequence[Criterion]) -> tuple[FloatArray, float]:
    """Each criterion's share of the total weight (summing to 1) and the raw total.

    Raises ``ValueError`` on no criteria, duplicate keys, a negative or non-finite weight, a
    non-positive scale, or weights that are all zero.
    """
    if not criteria:
        raise ValueError(_("At least one criterion is needed to prioritise projects."))
    keys = [c.key for c in criteria]
    if len(set(keys)) != len(keys):
        raise ValueError(_("Criterion keys must be unique."))
    raw = np.array([float(c.weight) for c in criteria], dtype=np.float64)
    for criterion, value in zip(criteria, raw, strict=True):
        if not math.isfinite(value) or value < 0:
            raise ValueError(
                _("The weight of criterion %(name)s must be zero or positive (got %(weight)s).")
                % {"name": criterion.name, "weight": criterion.weight}
            )
        if not float(criterion.scale_max) > 0:
            raise ValueError(
                _("The scale of criterion %(name)s must have a positive maximum.") % {"name": criterion.name}
            )
    total = float(raw.sum())
    if total <= 0:
        raise ValueError(_("All weights are zero; give at least one criterion a positive weight."))
    return raw / total, total


# --- the score matrix (vectorised path) ---------------------------------------------------------


class ScoreMatrix:
    """Normalised scores of many projects (rows) on the criteria (columns), NaN where missing.

    Built once; ranking it under any set of weights is then a few numpy operations.
    """

    def __init__(self, projects: Sequence[ProjectScores], criteria: Sequence[Criterion]) -> None:
        """Validate and normalise every score; raises ``ValueError`` on a score outside its scale."""
        self.projects = list(projects)
        self.criteria = list(criteria)
        n, k = len(self.projects), len(self.criteria)
        raw = np.full((n, k), np.nan, dtype=np.float64)
        for j, criterion in enumerate(self.criteria):
            key = criterion.key
            column = [p.scores.get(key) for p in self.projects]
            raw[:, j] = [np.nan if v is None else float(v) for v in column]
        scale = np.array([float(c.scale_max) for c in self.criteria], dtype=np.float64)
        bad = ~np.isnan(raw) & ((raw < 0) | (raw > scale) | ~np.isfinite(raw))
        if bad.any():
            i, j = (int(x) for x in np.argwhere(bad)[0])
            raise ValueError(
                _("Project %(code)s: score %(score)s for %(name)s is outside 0–%(max)s.")
                % {
                    "code": self.projects[i].code,
                    "score": raw[i, j],
                    "name": self.criteria[j].name,
                    "max": _fmt(scale[j]),
                }
            )
        higher = np.array([c.higher_is_better for c in self.criteria], dtype=bool)
        ratio = raw / scale
        self.normalised: FloatArray = np.where(higher, ratio, 1.0 - ratio)
        self.present = ~np.isnan(self.normalised)
        self.filled: FloatArray = np.where(self.present, self.normalised, 0.0)
        # Position of each project when sorted by (code, id): the tie-break inside equal totals.
        order = sorted(range(n), key=lambda i: (self.projects[i].code, self.projects[i].project_id))
        self.tiebreak: IntArray = np.empty(n, dtype=np.int64)
        self.tiebreak[np.array(order, dtype=np.int64)] = np.arange(n, dtype=np.int64)

    def totals(self, shares: FloatArray, missing: MissingRule = "exclude") -> FloatArray:
        """Each project's total on 0..1 under the given weight shares and missing-score rule."""
        weighted = self.filled @ shares
        if missing == "zero":
            return weighted
        if missing != "exclude":
            raise ValueError(_('The missing-score rule must be "exclude" or "zero".'))
        available = self.present.astype(np.float64) @ shares
        with np.errstate(invalid="ignore", divide="ignore"):
            result = np.where(available > 0, weighted / np.where(available > 0, available, 1.0), 0.0)
        return result

    def ranks(self, totals: FloatArray) -> tuple[IntArray, IntArray]:
        """Competition ranks ("1, 2, 2, 4") per project and the display order (best first)."""
        n = totals.shape[0]
        if n == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        keyed = np.round(totals, TIE_DECIMALS)
        order = np.lexsort((self.tiebreak, -keyed)).astype(np.int64)
        ordered = keyed[order]
        new_group = np.empty(n, dtype=bool)
        new_group[0] = True
        new_group[1:] = ordered[1:] != ordered[:-1]
        positions = np.arange(1, n + 1, dtype=np.int64)
        rank_sorted = np.maximum.accumulate(np.where(new_group, positions, 0))
        ranks = np.empty(n, dtype=np.int64)
        ranks[order] = rank_sorted
        return ranks, order


# --- public API ---------------------------------------------------------------------------------


def rank(
    projects: Sequence[ProjectScores],
    criteria: Sequence[Criterion],
    *,
    missing: MissingRule = "exclude",
) -> list[RankedProject]:
    """Rank projects best-first by their weighted total, each with its breakdown (see module doc)."""
    shares, weight_total = weight_shares(criteria)
    matrix = ScoreMatrix(projects, criteria)
    totals = matrix.totals(shares, missing)
    ranks, order = matrix.ranks(totals)
    share_list = shares.tolist()
    columns = [(c.key, c.name, c.higher_is_better, float(c.scale_max)) for c in matrix.criteria]
    result: list[RankedProject] = []
    for i in order.tolist():
        project = matrix.projects[i]
        breakdown, absent = _breakdown(project, columns, share_list, missing)
        total = float(totals[i])
        result.append(
            RankedProject(
                rank=int(ranks[i]),
                project_id=project.project_id,
                code=project.code,
                title=project.title,
                total=total,
                total_percent=round(total * 100, 1),
                incomplete=bool(absent),
                missing=absent,
                breakdown=breakdown,
                missing_rule=missing,
                weight_total=weight_total,
            )
        )
    return result


def sensitivity(
    projects: Sequence[ProjectScores],
    criteria: Sequence[Criterion],
    *,
    criterion_key: str,
    deltas: Sequence[float] = (-0.5, -0.25, 0.25, 0.5),
    missing: MissingRule = "exclude",
    top_n: int = TOP_N,
) -> list[SensitivityRow]:
    """How the ranking moves when one criterion's raw weight is multiplied by ``1 + delta``.

    One row per delta, each listing every project's rank before and after (in the new ranking's
    order), how many projects changed rank, and whether the set of the top ``top_n`` changed.
    """
    keys = [c.key for c in criteria]
    if criterion_key not in keys:
        raise ValueError(_("Unknown criterion %(key)s.") % {"key": criterion_key})
    column = keys.index(criterion_key)
    shares, _total = weight_shares(criteria)
    matrix = ScoreMatrix(projects, criteria)
    ranks_before, order_before = matrix.ranks(matrix.totals(shares, missing))
    top_before = set(order_before[:top_n].tolist())
    codes = [p.code for p in matrix.projects]
    ids = [p.project_id for p in matrix.projects]
    before_list = ranks_before.tolist()
    raw = [float(c.weight) for c in criteria]
    rows: list[SensitivityRow] = []
    for delta in deltas:
        changed = list(criteria)
        original = criteria[column]
        new_weight = raw[column] * (1.0 + float(delta))
        changed[column] = Criterion(
            key=original.key,
            name=original.name,
            weight=new_weight,
            higher_is_better=original.higher_is_better,
            scale_max=original.scale_max,
        )
        new_shares, _t = weight_shares(changed)
        ranks_after, order_after = matrix.ranks(matrix.totals(new_shares, missing))
        after_list = ranks_after.tolist()
        top_after = set(order_after[:top_n].tolist())
        entries = [
            SensitivityEntry(
                project_id=ids[i],
                code=codes[i],
                rank_before=before_list[i],
                rank_after=after_list[i],
                change=before_list[i] - after_list[i],
            )
            for i in order_after.tolist()
        ]
        rows.append(
            SensitivityRow(
                criterion_key=criterion_key,
                delta=float(delta),
                weight_before=raw[column],
                weight_after=new_weight,
                share_before=float(shares[column]),
                share_after=float(new_shares[column]),
                entries=entries,
                changed_count=int(np.count_nonzero(ranks_after != ranks_before)),
                top_n=top_n,
                top_changed=top_after != top_before,
                entered_top=sorted(codes[i] for i in top_after - top_before),
                left_top=sorted(codes[i] for i in top_before - top_after),
            )
        )
    return rows


# --- helpers ------------------------------------------------------------------------------------


def _breakdown(
    project: ProjectScores,
    columns: list[tuple[str, str, bool, float]],
    share_list: list[float],
    missing: MissingRule,
) -> tuple[list[BreakdownItem], list[str]]:
    """One project's per-criterion contributions (pure Python) and its missing criterion keys.

    ``columns`` holds (key, name, higher_is_better, scale_max) per criterion, computed once per
    ranking so this loop stays cheap for tens of thousands of projects.
    """
    scores = project.scores
    notes = project.justifications
    scored = [scores.get(key) for key, _n, _h, _m in columns]
    absent = [col[0] for col, s in zip(columns, scored, strict=True) if s is None]
    if absent and missing == "exclude":
        available = math.fsum(w for w, s in zip(share_list, scored, strict=True) if s is not None)
        scale = 1.0 / available if available > 0 else 0.0
        effective = [0.0 if s is None else w * scale for w, s in zip(share_list, scored, strict=True)]
    else:
        effective = share_list
    absent_value = 0.0 if missing == "zero" else None
    items: list[BreakdownItem] = []
    for (key, name, higher, scale_max), score, share in zip(columns, scored, effective, strict=True):
        if score is None:
            items.append(
                BreakdownItem(
                    key, name, None, absent_value, share, 0.0, higher, scale_max, notes.get(key, "")
                )
            )
            continue
        raw = float(score)
        normalised = raw / scale_max if higher else 1.0 - raw / scale_max
        items.append(
            BreakdownItem(
                key, name, raw, normalised, share, share * normalised, higher, scale_max, notes.get(key, "")
            )
        )
    return items, absent


def _fmt(value: float, decimals: int = 3) -> str:
    """A number for an explanation line: fixed decimals, trailing zeros trimmed."""
    text = f"{float(value):.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
