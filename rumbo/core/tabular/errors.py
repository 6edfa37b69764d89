"""What an import says when a file or its rows cannot be taken: one shape for every importer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in the file. `row` is the row as Excel shows it (header = 1; a JSON list:
    index + 1); 0 means the file as a whole. `column` is the header as written in the file."""

    row: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRefused(Exception):
    """The file cannot be imported: `errors` holds the first problems, `total` counts them all.
    Each importer subclasses it (PlanImportError, MeasurementImportError …) so that its callers
    can tell whose import failed; `refused_as` turns the framework's refusals into that class."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        super().__init__("; ".join(e.message for e in errors[:5]))
        self.errors = errors
        self.total = total if total is not None else len(errors)

    @classmethod
    def file(cls, message: str) -> ImportRefused:
        """A refusal of the file as a whole (row 0)."""
        return cls([RowError(row=0, column=None, message=message)])


def refusal_summary(exc: ImportRefused) -> str:
    """The sentence over a refused import's list ("El archivo tiene 3 errores; no se importó nada.")."""
    message = ngettext(
        "The file has %(count)s error; nothing was imported.",
        "The file has %(count)s errors; nothing was imported.",
        exc.total,
    ) % {"count": exc.total}
    if exc.total > len(exc.errors):
        message += " " + _("The first %(shown)s are listed.") % {"shown": len(exc.errors)}
    return message


class RowErrors:
    """Every problem of a file, collected while its rows are checked: the first `keep` kept, all
    counted. `headers` maps an importer's column names to the headers as written in the file, so
    that a message names the column the way the user wrote it."""

    def __init__(self, headers: dict[str, str] | None = None, *, keep: int = 500) -> None:
        self.headers = headers or {}
        self.keep = keep
        self.errors: list[RowError] = []
        self.total = 0

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, row: int, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.errors) < self.keep:
            self.errors.append(RowError(row, self.headers.get(column or "", column), message))

    def at(self, row: int, column: str | None, template: str, **values: Any) -> None:
        """A problem worded by a translated template that names the row as %(row)s."""
        self.add(row, column, template % {"row": row, **values})

    def row(self, row: int, column: str | None, message: str) -> None:
        """A problem of the row, prefixed "Row N: "."""
        self.add(row, column, _("Row %(row)s: %(problem)s") % {"row": row, "problem": message})

    def cell(self, row: int, column: str, message: str) -> None:
        """A cell that cannot be read, prefixed "Row N, column: " (the column as written)."""
        written = self.headers.get(column, column)
        self.add(
            row,
            column,
            _("Row %(row)s, %(column)s: %(problem)s") % {"row": row, "column": written, "problem": message},
        )

    def refusal(self, error_class: type[ImportRefused]) -> ImportRefused:
        """The refusal to raise (errors in row order)."""
        return error_class(sorted(self.errors, key=lambda e: e.row), self.total)


def file_refused(message: str) -> ImportRefused:
    """A refusal of the file as a whole (row 0)."""
    return ImportRefused.file(message)


@contextmanager
def refused_as(error_class: type[ImportRefused]) -> Iterator[None]:
    """Inside the block, a refusal of the framework is raised again as `error_class`."""
    try:
        yield
    except ImportRefused as exc:
        if isinstance(exc, error_class):
            raise
        raise error_class(exc.errors, exc.total) from exc
