"""Forms of the reports app: parse and validate; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rumbo.indicators.periods import PeriodCodeError, period_bounds
from rumbo.plans.forms import BootstrapMixin, clean_document_upload
from rumbo.plans.models import Node
from rumbo.reports.models import ArchiveDocument, ArchiveKind, ReportKind


def _period_code(value: str) -> str:
    try:
        return period_bounds(value)[0]
    except PeriodCodeError as exc:
        raise ValidationError(str(exc)) from exc


class ReportCreateForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices, initial=ReportKind.AXIS_PROGRESS)
    node: forms.ModelChoiceField[Node] = forms.ModelChoiceField(
        label=_("Axis"),
        queryset=Node.objects.none(),
        required=False,
        help_text=_("Only for a progress report of an axis."),
    )
    period_from = forms.CharField(
        label=_("From period"),
        max_length=12,
        required=False,
        help_text=_("Empty: the same as the period. e.g. 2025T1"),
    )
    period_to = forms.CharField(label=_("Period"), max_length=12, help_text=_("e.g. 2025T3, 2025S1, 2025"))
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Empty: a title is written from the axis and the period."),
    )

    def __init__(self, *args: Any, axes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = axes  # type: ignore[attr-defined]

    def clean_period_to(self) -> str:
        return _period_code(self.cleaned_data["period_to"])

    def clean_period_from(self) -> str:
        value = self.cleaned_data.get("period_from") or ""
        return _period_code(value) if value.strip() else ""


class NarrativeForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    responsible_office = forms.CharField(label=_("Responsible office"), max_length=200, required=False)
    analysis = forms.CharField(
        label=_("Analysis of the results"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    difficulties = forms.CharField(
        label=_("Difficulties"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    corrective_actions_text = forms.CharField(
        label=_("Corrective actions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    conclusions = forms.CharField(
        label=_("Conclusions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recommendations = forms.CharField(
        label=_("Recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(
        label=_("What has to be changed"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class ArchiveDocumentForm(BootstrapMixin, forms.ModelForm[ArchiveDocument]):
    class Meta:
        model = ArchiveDocument
        fields = ["kind", "title", "date", "file", "url", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    kind = forms.ChoiceField(label=_("Kind"), choices=ArchiveKind.choices)
    url = forms.URLField(label=_("Link"), required=False, max_length=1000, assume_scheme="https")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "size") and not isinstance(upload, str):
            return clean_document_upload(upload)
        return upload
