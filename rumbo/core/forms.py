"""Form plumbing shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def form_add_validation_error(form: Any, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
