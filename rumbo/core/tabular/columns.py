"""An importer's columns, declared once: canonical name, the other names people give them, and
whether the file must have them. Row 1 is matched against them case-, accent- and
spacing-blind ("Código del indicador", "CODIGO_INDICADOR" and "código indicador" are one name)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from rumbo.core.tabular.cells import CellError
from rumbo.core.tabular.errors import RowError, RowErrors
from rumbo.core.tabular.reading import cell_text, fold_header


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # canonical, as the documentation and the messages name it (Spanish)
    aliases: tuple[str, ...] = ()
    required: bool = False
    parser: Callable[[str], Any] | None = None  # a parser of rumbo.core.tabular.cells; None: the text
    label: StrOrPromise = ""  # what the column holds, for the preview and the mapping form (gettext_lazy)

    def parse(self, row: int, text: str, errors: RowErrors) -> Any:
        """The cell's value by the column's parser, or None after recording why it cannot be read
        (an empty cell is None, without error: whether it may be empty is the importer's check)."""
        t = text.strip()
        if self.parser is None:
            return t
        if not t:
            return None
        try:
            return self.parser(t)
        except CellError as exc:
            errors.cell(row, self.name, exc.message)
            return None


@dataclass(slots=True)
class HeaderMap:
    """Row 1 read against the columns."""

    positions: dict[str, int]  # canonical → position in the row
    written: dict[str, str]  # canonical → the header as written in the file
    ignored: list[str]  # headers that match no column, as written
    errors: list[RowError] = field(default_factory=list)

    def values(self, cells: list[Any]) -> dict[str, Any]:
        """canonical → cell of a data row; a column the file lacks is an absent key."""
        return {name: (cells[pos] if pos < len(cells) else None) for name, pos in self.positions.items()}


class Columns:
    """The columns of one importer."""

    def __init__(self, columns: Iterable[Column]) -> None:
        self.columns = tuple(columns)
        self._index: dict[str, str] = {}
        self._by_name = {c.name: c for c in self.columns}
        for column in self.columns:
            for alias in (column.name, *column.aliases):
                self._index[fold_header(alias)] = column.name

    def __getitem__(self, name: str) -> Column:
        return self._by_name[name]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def canonical(self, header: str) -> str | None:
        return self._index.get(fold_header(header))

    def match(self, header_cells: list[Any]) -> HeaderMap:
        """Positions of the known columns in row 1; two headers meaning one column, and
        required columns that are missing, are errors on row 1."""
        found = HeaderMap(positions={}, written={}, ignored=[])
        for pos, raw in enumerate(header_cells):
            text = cell_text(raw).strip().lstrip("\ufeff").strip()
            if not text:
                continue
            canonical = self.canonical(text)
            if canonical is None:
                found.ignored.append(text)
            elif canonical in found.positions:
                found.errors.append(
                    RowError(
                        row=1,
                        column=text,
                        message=_(
                            "Row 1: the columns %(first)s and %(second)s both mean %(column)s; keep only one."
                        )
                        % {"first": found.written[canonical], "second": text, "column": canonical},
                    )
                )
            else:
                found.positions[canonical] = pos
                found.written[canonical] = text
        missing = [c.name for c in self.columns if c.required and c.name not in found.positions]
        if missing:
            found.errors.append(
                RowError(
                    row=1,
                    column=None,
                    message=_(
                        "Row 1 must hold the column names; missing: %(missing)s. Expected columns: %(columns)s."
                    )
                    % {"missing": ", ".join(missing), "columns": ", ".join(self.names)},
                )
            )
        return found
