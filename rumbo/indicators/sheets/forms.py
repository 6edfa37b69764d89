"""Forms parse and validate input for indicator sheets and their companions; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from rumbo.indicators.models import (
    CorrectiveAction,
    CorrectiveActionStatus,
    Direction,
    Indicator,
    ReportingFrequency,
    Variable,
)
from rumbo.indicators.sheets.catalogue import general_catalogue
from rumbo.plans.forms import BootstrapMixin
from rumbo.plans.models import Node, Plan

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHEET_FIELDS = (
    "code",
    "name",
    "definition",
    "justification",
    "level",
    "unit",
    "unit_label",
    "formula",
    "method",
    "direction",
    "achievement_formula",
    "cap_percent",
    "baseline_value",
    "baseline_date",
    "baseline_source",
    "periodicity",
    "source",
    "means_of_verification",
    "responsible",
    "territorial_disaggregation",
    "population_disaggregation",
    "limitations",
    "assumptions",
    "threshold_green",
    "threshold_amber",
    "weight",
)
TEXTAREAS = ("definition", "justification", "method", "means_of_verification", "limitations", "assumptions")


def _node_choices(plan: Plan) -> Any:
    return Node.objects.filter(plan=plan).order_by("path")


def _style(form: forms.Form) -> None:
    """Bootstrap classes for fields added after the form was built."""
    for field in form.fields.values():
        field.widget.attrs.setdefault(
            "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        )


class VariableForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Variable, fields=("code", "name", "definition", "unit", "source", "territorial_level")
            )
        )
        self.fields["definition"].widget = forms.Textarea(attrs={"rows": 2})
        _style(self)


class IndicatorForm(forms.Form):
    """Every field of the sheet, with the plan's nodes to attach it to."""

    node = forms.ModelChoiceField(
        label=_("Tree node"),
        queryset=Node.objects.none(),
        required=False,
        empty_label=_("The plan as a whole"),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = _node_choices(plan)  # type: ignore[attr-defined]
        self.fields["node"].label_from_instance = lambda n: f"{'— ' * (n.depth - 1)}{n.code} {n.title}"  # type: ignore[attr-defined]
        self.fields.update(fields_for_model(Indicator, fields=SHEET_FIELDS))
        self.fields["direction"] = forms.ChoiceField(
            label=_("Direction"),
            required=False,
            choices=[("", _("Infer from the baseline and the targets")), *Direction.choices],
        )
        for name in TEXTAREAS:
            self.fields[name].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["baseline_date"].widget = DATE_WIDGET
        _style(self)

    def sheet_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("direction", "territorial_disaggregation"):
            data[name] = data.get(name) or ""
        return data


class CatalogueForm(BootstrapMixin, forms.Form):
    keys = forms.MultipleChoiceField(label=_("General indicators"), widget=forms.CheckboxSelectMultiple)
    node = forms.ModelChoiceField(
        label=_("Attach to node"),
        queryset=Node.objects.none(),
        required=False,
        empty_label=_("The plan as a whole"),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keys"].choices = [(e.key, f"{e.code} {e.name}") for e in general_catalogue().entries]  # type: ignore[attr-defined]
        self.fields["keys"].widget.attrs["class"] = "form-check-input"
        self.fields["node"].queryset = _node_choices(plan)  # type: ignore[attr-defined]


class CorrectiveActionForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    responsible = forms.CharField(label=_("Responsible"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(
        label=_("Status"), choices=CorrectiveActionStatus.choices, initial=CorrectiveActionStatus.OPEN
    )
    node = forms.ModelChoiceField(label=_("Tree node"), queryset=Node.objects.none(), required=False)
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = _node_choices(plan)  # type: ignore[attr-defined]
        self.fields["indicator"].queryset = Indicator.objects.filter(plan=plan).order_by("code")  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(action: CorrectiveAction) -> dict[str, Any]:
        return {
            "title": action.title,
            "responsible": action.responsible,
            "due_date": action.due_date,
            "status": action.status,
            "node": action.node_id,
            "indicator": action.indicator_id,
            "description": action.description,
        }


class FollowUpForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("Follow-up"), widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(
        label=_("New status"), required=False, choices=[("", _("Unchanged")), *CorrectiveActionStatus.choices]
    )


class PeriodForm(BootstrapMixin, forms.Form):
    period = forms.CharField(label=_("Period"), max_length=12, help_text=_("2025, 2025S1, 2025T3 or 2025-07"))


class FinancialProgressForm(PeriodForm):
    programmed = forms.DecimalField(label=_("Programmed"), min_value=0, max_digits=20, decimal_places=2)
    executed = forms.DecimalField(label=_("Executed"), min_value=0, max_digits=20, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)


class CalendarForm(BootstrapMixin, forms.Form):
    frequency = forms.ChoiceField(label=_("Reporting frequency"), choices=ReportingFrequency.choices)
    due_days_after_period_end = forms.IntegerField(
        label=_("Days to report after the period ends"), min_value=0, max_value=365
    )
    notify_emails = forms.CharField(
        label=_("Also notify"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E-mail addresses, one per line or separated by commas."),
    )
