"""Checking every row of a measurement file against lookups loaded once: every error at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from rumbo.core.tabular import (
    FileInfo,
    HeaderMap,
    Opener,
    RowError,
    RowErrors,
    header_read,
)
from rumbo.indicators.measurements.imports.results import COLUMNS, MAX_ERRORS_KEPT, _file_error, table_records
from rumbo.indicators.measurements.services import (
    DISAGGREGATION_MAX,
    PERIOD_EXAMPLES,
    PERIOD_KIND_FOR,
    plan_territory_scope,
)
from rumbo.indicators.models import (
    Indicator,
    IndicatorUnit,
    Measurement,
    MeasurementStatus,
    Period,
    PeriodKind,
)
from rumbo.indicators.periods import PeriodCodeError, period_bounds
from rumbo.plans.models import Plan
from rumbo.territory.models import TerritorialUnit

# --- checking ---------------------------------------------------------------------------------

_PCT_MIN, _PCT_MAX = Decimal(0), Decimal(100)
_VALUE = COLUMNS["valor"]
_READ = ("indicador", "periodo", "unidad", "desagregacion", "valor", "nota")


@dataclass(slots=True)
class _Indicator:
    id: int
    code: str
    kind: str | None  # the period kind the indicator takes; None = any
    percentage: bool


@dataclass(slots=True)
class _Period:
    code: str
    kind: str


# (excel row, indicator id, unit id, period code, disaggregation, value, note)
Checked = tuple[int, int, int | None, str, str, Decimal, str]


@dataclass
class _Checker:
    """Lookups loaded once per import and the checks of one row."""

    plan: Plan
    positions: dict[str, int]
    headers: dict[str, str]
    problems: RowErrors = field(init=False)
    indicators: dict[str, _Indicator] = field(default_factory=dict)
    indicators_folded: dict[str, _Indicator] = field(default_factory=dict)
    units: dict[str, tuple[int, bool]] = field(default_factory=dict)  # code → (id, inside the territory)
    periods: dict[str, _Period | str] = field(default_factory=dict)  # text as written → period or error
    period_ids: dict[str, int] = field(default_factory=dict)
    period_codes: dict[int, str] = field(default_factory=dict)
    seen: set[int] | None = None
    has_existing: bool = False

    _at: tuple[int, ...] = field(init=False)  # position of each of _READ in a row, -1 when absent
    _width: int = field(init=False)

    def __post_init__(self) -> None:
        self.problems = RowErrors(self.headers, keep=MAX_ERRORS_KEPT)
        self._at = tuple(self.positions.get(name, -1) for name in _READ)
        self._width = max(self._at) + 1

    @property
    def errors(self) -> list[RowError]:
        return self.problems.errors

    @property
    def error_total(self) -> int:
        return self.problems.total

    def load(self, *, dedupe: bool) -> None:
        for pk, code, periodicity, unit in Indicator.objects.filter(plan=self.plan).values_list(
            "pk", "code", "periodicity", "unit"
        ):
            ind = _Indicator(pk, code, PERIOD_KIND_FOR.get(periodicity), unit == IndicatorUnit.PERCENTAGE)
            self.indicators[code] = ind
            self.indicators_folded.setdefault(code.strip().casefold(), ind)
        scope = plan_territory_scope(plan=self.plan)
        for pk, code, path in TerritorialUnit.objects.filter(country=scope.country).values_list(
            "pk", "code", "path"
        ):
            self.units[code] = (pk, scope.contains(path))
        for pk, code in Period.objects.values_list("pk", "code"):
            self.period_ids[code] = pk
            self.period_codes[pk] = code
        self.seen = set() if dedupe else None
        self.has_existing = Measurement.objects.filter(indicator__plan=self.plan, is_current=True).exists()

    def error(self, row: int, column: str, message: str) -> None:
        self.problems.add(row, column, message)

    def period(self, text: str) -> _Period | str:
        found = self.periods.get(text)
        if found is None:
            try:
                code, kind, _start, _end = period_bounds(text)
                found = _Period(code, kind)
            except PeriodCodeError as exc:
                found = str(exc)
            if len(self.periods) < 100_000:
                self.periods[text] = found
        return found

    def check(self, number: int, cells: list[Any]) -> Checked | None:
        """The row's values ready to write, or None after recording its errors."""
        before = self.problems.total
        row = cells if len(cells) >= self._width else [*cells, *[""] * (self._width - len(cells))]
        a_ind, a_per, a_unit, a_dis, a_value, a_note = self._at  # inline, not a helper: 1 M rows
        ind_text = row[a_ind].strip() if a_ind >= 0 else ""
        ind = self.indicators.get(ind_text) or self.indicators_folded.get(ind_text.casefold())
        if ind is None:
            if ind_text:
                self.problems.at(
                    number,
                    "indicador",
                    _("Row %(row)s: the plan has no indicator with the code %(code)s."),
                    code=ind_text[:60],
                )
            else:
                self.problems.at(number, "indicador", _("Row %(row)s: the indicator code is missing."))
        per_text = row[a_per].strip() if a_per >= 0 else ""
        per = self.period(per_text)
        if isinstance(per, str):
            self.problems.at(number, "periodo", _("Row %(row)s: %(problem)s"), problem=per)
        elif ind is not None and ind.kind is not None and per.kind != ind.kind:
            self.error(
                number,
                "periodo",
                _(
                    "Row %(row)s: the indicator %(code)s takes %(kind)s periods (e.g. %(example)s), not %(period)s."
                )
                % {
                    "row": number,
                    "code": ind.code,
                    "kind": str(PeriodKind(ind.kind).label).lower(),
                    "example": PERIOD_EXAMPLES[ind.kind],
                    "period": per_text,
                },
            )
        unit_text = row[a_unit].strip() if a_unit >= 0 else ""
        unit_id: int | None = None
        if unit_text:
            found = self.units.get(unit_text)
            if found is None:
                self.problems.at(
                    number,
                    "unidad",
                    _("Row %(row)s: there is no territorial unit with the code %(code)s."),
                    code=unit_text[:40],
                )
            elif not found[1]:
                self.problems.at(
                    number,
                    "unidad",
                    _("Row %(row)s: the territorial unit %(code)s is outside the plan's territory."),
                    code=unit_text,
                )
            else:
                unit_id = found[0]
        dis = row[a_dis].strip() if a_dis >= 0 else ""
        if len(dis) > DISAGGREGATION_MAX:
            self.problems.at(
                number,
                "desagregacion",
                _("Row %(row)s: the disaggregation is longer than %(max)s characters."),
                max=DISAGGREGATION_MAX,
            )
        value_text = row[a_value].strip() if a_value >= 0 else ""
        value: Decimal | None = None
        if not value_text:
            self.problems.at(number, "valor", _("Row %(row)s: the value is missing."))
        else:
            value = _VALUE.parse(number, value_text, self.problems)
            if (
                value is not None
                and ind is not None
                and ind.percentage
                and not (_PCT_MIN <= value <= _PCT_MAX)
            ):
                self.problems.at(
                    number,
                    "valor",
                    _("Row %(row)s: %(code)s is a percentage; %(value)s is not between 0 and 100."),
                    code=ind.code,
                    value=value_text,
                )
        if self.problems.total > before or ind is None or value is None or isinstance(per, str):
            return None
        if self.seen is not None:
            key = hash((ind.id, unit_id, per.code, dis))
            if key in self.seen:
                self.problems.at(
                    number,
                    "indicador",
                    _(
                        "Row %(row)s: the same indicator, period, territorial unit and disaggregation appear in an "
                        "earlier row."
                    ),
                )
                return None
            self.seen.add(key)
        return (number, ind.id, unit_id, per.code, dis, value, row[a_note].strip() if a_note >= 0 else "")

    def existing(self, rows: list[Checked]) -> dict[tuple[int, int | None, str, str], tuple[int, str]]:
        """Current values already stored for the keys of these rows: key → (id, status)."""
        if not self.has_existing or not rows:
            return {}
        indicator_ids = {r[1] for r in rows}
        period_ids = {self.period_ids[r[3]] for r in rows if r[3] in self.period_ids}
        if not period_ids:
            return {}
        found: dict[tuple[int, int | None, str, str], tuple[int, str]] = {}
        for pk, ind, unit, per, dis, status in Measurement.objects.filter(
            is_current=True, indicator_id__in=indicator_ids, period_id__in=period_ids
        ).values_list("pk", "indicator_id", "unit_id", "period_id", "disaggregation", "status"):
            found[(ind, unit, self.period_codes[per], dis)] = (pk, status)
        return found

    def refuse_locked(self, rows: list[Checked]) -> dict[tuple[int, int | None, str, str], tuple[int, str]]:
        """Record an error for each row over an approved or submitted value; the rest of `existing`."""
        existing = self.existing(rows)
        for r in rows:
            hit = existing.get((r[1], r[2], r[3], r[4]))
            if hit is None:
                continue
            if hit[1] == MeasurementStatus.APPROVED:
                self.error(
                    r[0],
                    "valor",
                    _("Row %(row)s: this value was already approved; use a correction.") % {"row": r[0]},
                )
            elif hit[1] == MeasurementStatus.SUBMITTED:
                self.error(
                    r[0],
                    "valor",
                    _(
                        "Row %(row)s: this value is waiting for approval; it can be replaced only after the approver returns it."
                    )
                    % {"row": r[0]},
                )
        return existing


def _chunks(
    checker: _Checker, records: Iterator[list[Any]], chunk_rows: int
) -> Iterator[tuple[int, list[Checked]]]:
    """(rows read so far, the checked rows of the next chunk) over the data rows."""
    chunk: list[Checked] = []
    read = 0
    for number, cells in enumerate(records, start=2):
        if not "".join(cells).strip():  # a blank row (one C call, not a generator per row)
            continue
        read += 1
        checked = checker.check(number, cells)
        if checked is not None:
            chunk.append(checked)
        if read % chunk_rows == 0:
            yield read, chunk
            chunk = []
    yield read, chunk


def _open_table(opener: Opener, info: FileInfo, mapping: dict[str, str] | None) -> HeaderMap:
    with table_records(opener, info) as records:
        header = next(records, None)
    if header is None:
        raise _file_error(_("The file is empty."))
    return header_read(COLUMNS, header, mapping)
