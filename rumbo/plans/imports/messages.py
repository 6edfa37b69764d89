"""What the plan import says of its result and of its errors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rumbo.plans.imports.results import ImportResult


def plan_import_summary(result: ImportResult, *, filename: str) -> str:
    """One sentence for the user and the plan's history."""
    return _(
        "Imported %(file)s: %(created)s nodes created, %(updated)s updated, %(unchanged)s unchanged; "
        "%(untouched)s nodes of the plan that are not in the file were left as they were."
    ) % {"file": filename, **result.as_dict()}
