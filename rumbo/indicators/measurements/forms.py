"""Forms of the measurements area: they parse input; services check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.core.uploads import upload_help
from rumbo.indicators.models import MeasurementStatus
from rumbo.plans.forms import BootstrapMixin


class MeasurementForm(BootstrapMixin, forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=12,
        help_text=_("2025 (year), 2025S1 (semester), 2025T3 (quarter), 2025-07 (month)."),
    )
    unit = forms.CharField(
        label=_("Territorial unit code"),
        max_length=40,
        required=False,
        help_text=_("Empty: the plan's whole territory."),
    )
    disaggregation = forms.CharField(
        label=_("Disaggregation"),
        max_length=100,
        required=False,
        help_text=_("e.g. mujeres, rural, 0-5 años"),
    )
    value = forms.CharField(
        label=_("Value"), max_length=40, help_text=_("Decimal comma or point: 12,5 or 12.5.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_file = forms.FileField(label=_("Evidence file"), required=False, help_text=upload_help())
    evidence_url = forms.CharField(label=_("Evidence link"), max_length=1000, required=False)


class ReturnForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(label=_("What must be fixed"), widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(BootstrapMixin, forms.Form):
    value = forms.CharField(label=_("Corrected value"), max_length=40)
    reason = forms.CharField(label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("File"), required=False, help_text=upload_help())
    url = forms.CharField(label=_("Link"), max_length=1000, required=False)
    name = forms.CharField(label=_("Name"), max_length=255, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("url"):
            raise forms.ValidationError(_("Choose a file or enter a link."))
        return data


class MeasurementFilterForm(BootstrapMixin, forms.Form):
    indicator = forms.CharField(label=_("Indicator code"), required=False)
    period = forms.CharField(label=_("Period"), required=False)
    unit = forms.CharField(label=_("Unit code"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *MeasurementStatus.choices]
    )
