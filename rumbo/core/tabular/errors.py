"""What an import says when a file or its rows cannot be taken: one shape for every importer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


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


def file_refused(message: str) -> ImportRefused:
    """A refusal of the file as a whole (row 0)."""
    return ImportRefused([RowError(row=0, column=None, message=message)])


@contextmanager
def refused_as(error_class: type[ImportRefused]) -> Iterator[None]:
    """Inside the block, a refusal of the framework is raised again as `error_class`."""
    try:
        yield
    except ImportRefused as exc:
        if isinstance(exc, error_class):
            raise
        raise error_class(exc.errors, exc.total) from exc
