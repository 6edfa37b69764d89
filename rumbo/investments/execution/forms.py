"""Forms of the execution area: they parse input; services check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.core.uploads import upload_help
from rumbo.investments.models import ContractStatus
from rumbo.plans.forms import BootstrapMixin

_DATE = forms.DateInput(attrs={"type": "date"})


class ExecutionRecordForm(BootstrapMixin, forms.Form):
    period = forms.CharField(
        label=_("Period"), max_length=10, help_text=_("2026 (year), 2026S1, 2026T1 (quarter) or 2026-03.")
    )
    programmed = forms.CharField(label=_("Programmed"), max_length=40, help_text=_("e.g. 1.250.000,50"))
    committed = forms.CharField(label=_("Committed"), max_length=40)
    paid = forms.CharField(label=_("Paid"), max_length=40)
    physical_planned = forms.CharField(
        label=_("Physical progress planned (%)"), max_length=10, required=False
    )
    physical_actual = forms.CharField(
        label=_("Physical progress achieved (%)"),
        max_length=10,
        required=False,
        help_text=_("Cumulative: the percent of the whole project done by the end of the period."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MilestoneForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Milestone"), max_length=300)
    due_on = forms.DateField(label=_("Due date"), widget=_DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MilestoneDoneForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(label=_("Achieved on"), widget=_DATE, required=False)


class ContractForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=100)
    contractor = forms.CharField(label=_("Contractor"), max_length=300)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.CharField(label=_("Amount"), max_length=40)
    signed_on = forms.DateField(label=_("Signed on"), widget=_DATE)
    ends_on = forms.DateField(label=_("End date"), widget=_DATE, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ContractStatus.choices, initial=ContractStatus.SIGNED
    )
    url = forms.CharField(label=_("Link to the procurement record"), max_length=200, required=False)


class EvidenceForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Photo or document"),
        help_text=upload_help(_("JPEG, PNG, WebP, PDF, Office or OpenDocument.")),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)
    period = forms.CharField(label=_("Period"), max_length=10, required=False)
