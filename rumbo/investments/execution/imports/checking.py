"""Checking every mapped row of a budget-execution file: every error at once, nothing written."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from rumbo.accounts.models import Entity
from rumbo.core.tabular import RowErrors
from rumbo.indicators.periods import PeriodCodeError, period_bounds
from rumbo.investments.execution.imports.results import COLUMNS, MAX_ERRORS_KEPT
from rumbo.investments.execution.services import (
    SeriesPoint,
    execution_series_problems,
)
from rumbo.investments.models import ExecutionRecord, Project

# --- checking and writing -----------------------------------------------------------------------------

_AMOUNTS = tuple((name, COLUMNS[name]) for name in ("programmed", "committed", "paid"))
_PERCENTS = tuple((name, COLUMNS[name]) for name in ("physical_planned", "physical_actual"))
_NOTE = COLUMNS["note"]


@dataclass(slots=True)
class _Row:
    number: int
    project_id: int
    period: str
    start: Any
    end: Any
    programmed: Decimal
    committed: Decimal
    paid: Decimal
    physical_planned: Decimal | None
    physical_actual: Decimal | None
    note: str


@dataclass
class _Checker:
    entity: Entity
    positions: dict[str, int]
    headers: dict[str, str]  # field → header as written
    problems: RowErrors = field(init=False)
    codes: dict[str, int] = field(default_factory=dict)
    national: dict[str, list[int]] = field(default_factory=dict)
    seen: dict[tuple[int, str], int] = field(default_factory=dict)

    _at: dict[str, int] = field(init=False)  # column → position in a row, -1 when not mapped
    _width: int = field(init=False)

    def __post_init__(self) -> None:
        self.problems = RowErrors(self.headers, keep=MAX_ERRORS_KEPT)
        self._at = {name: self.positions.get(name, -1) for name in COLUMNS.names}
        self._width = max(self._at.values()) + 1

    def load(self) -> None:
        for pk, code, national in Project.objects.filter(entity=self.entity).values_list(
            "pk", "code", "national_code"
        ):
            self.codes[code.strip().casefold()] = pk
            if national.strip():
                self.national.setdefault(national.strip().casefold(), []).append(pk)

    def error(self, row: int, name: str | None, message: str) -> None:
        self.problems.add(row, name, message)

    def check(self, number: int, cells: list[str]) -> _Row | None:
        at = self._at
        row = [*cells, ""] if len(cells) >= self._width else [*cells, *[""] * (self._width - len(cells) + 1)]

        def cell(name: str) -> str:  # an unmapped column reads the "" at the end
            return row[at[name]].strip()

        before = self.problems.total
        code = cell("project_code")
        project_id: int | None = None
        if not code:
            self.problems.at(number, "project_code", _("Row %(row)s: the project code is missing."))
        else:
            project_id = self.codes.get(code.casefold())
            if project_id is None:
                matches = self.national.get(code.casefold(), [])
                if len(matches) == 1:
                    project_id = matches[0]
                elif len(matches) > 1:
                    self.problems.at(
                        number,
                        "project_code",
                        _(
                            "Row %(row)s: several projects have the national code %(code)s; use the internal code."
                        ),
                        code=code[:60],
                    )
                else:
                    self.problems.at(
                        number,
                        "project_code",
                        _("Row %(row)s: there is no project of the entity with the code %(code)s."),
                        code=code[:60],
                    )
        period = start = end = None
        try:
            period, _kind, start, end = period_bounds(cell("period"))
        except PeriodCodeError as exc:
            self.problems.row(number, "period", str(exc))
        amounts: dict[str, Decimal] = {}
        for name, column in _AMOUNTS:
            amount = column.parse(number, cell(name) or "0", self.problems)
            if amount is not None:
                amounts[name] = amount
        percents: dict[str, Decimal | None] = {}
        for name, column in _PERCENTS:
            percents[name] = column.parse(number, row[at[name]], self.problems)
        if "paid" in amounts and "committed" in amounts and amounts["paid"] > amounts["committed"]:
            self.problems.at(
                number,
                "paid",
                _("Row %(row)s: the amount paid (%(paid)s) exceeds the amount committed (%(committed)s)."),
                paid=amounts["paid"],
                committed=amounts["committed"],
            )
        if project_id is not None and period is not None:
            earlier = self.seen.get((project_id, period))
            if earlier is not None:
                self.problems.at(
                    number,
                    "project_code",
                    _("Row %(row)s: the same project and period already appear in row %(earlier)s."),
                    earlier=earlier,
                )
            else:
                self.seen[(project_id, period)] = number
        note = _NOTE.parse(number, row[at["note"]], self.problems)
        if self.problems.total > before or project_id is None or period is None:
            return None
        return _Row(
            number,
            project_id,
            period,
            start,
            end,
            amounts["programmed"],
            amounts["committed"],
            amounts["paid"],
            percents["physical_planned"],
            percents["physical_actual"],
            note or "",
        )

    def check_series(self, rows: list[_Row]) -> None:
        """Overlapping periods and achieved progress going down, against what is stored too."""
        by_project: dict[int, list[_Row]] = {}
        for r in rows:
            by_project.setdefault(r.project_id, []).append(r)
        stored: dict[int, list[SeriesPoint]] = {}
        for project_id, period, actual, note in ExecutionRecord.objects.filter(
            project_id__in=list(by_project)
        ).values_list("project_id", "period", "physical_actual", "note"):
            _code, _kind, start, end = period_bounds(period)
            stored.setdefault(project_id, []).append(SeriesPoint(period, start, end, actual, note))
        for project_id, file_rows in by_project.items():
            in_file = {r.period: r for r in file_rows}
            points = [p for p in stored.get(project_id, []) if p.period not in in_file]
            points += [SeriesPoint(r.period, r.start, r.end, r.physical_actual, r.note) for r in file_rows]
            for problem in execution_series_problems(points=points):
                row = in_file.get(problem.period) or in_file.get(problem.other)
                if row is not None:
                    self.problems.row(
                        row.number,
                        "period" if problem.kind == "overlap" else "physical_actual",
                        problem.message,
                    )
