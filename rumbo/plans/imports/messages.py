"""What the plan import says of its result and of its errors."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rumbo.core.tabular import (
    RowError,
)
from rumbo.plans.imports.results import ImportResult


def plan_import_summary(result: ImportResult, *, filename: str) -> str:
    """One sentence for the user and the plan's history."""
    return _(
        "Imported %(file)s: %(created)s nodes created, %(updated)s updated, %(unchanged)s unchanged; "
        "%(untouched)s nodes of the plan that are not in the file were left as they were."
    ) % {"file": filename, **result.as_dict()}


def plan_import_errors_message(errors: list[RowError]) -> str:
    """The Spanish summary of a failed import ("El archivo tiene 3 errores; no se importó nada.")."""
    count = len(errors)
    return ngettext(
        "The file has %(count)s error; nothing was imported.",
        "The file has %(count)s errors; nothing was imported.",
        count,
    ) % {"count": count}
