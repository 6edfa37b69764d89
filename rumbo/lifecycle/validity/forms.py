"""Forms of the validity pages. They only parse input; the services and engines decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.lifecycle.validity.deadlines import MAX_AMOUNT
from rumbo.lifecycle.validity.models import PlanStatusEventKind, ValidityRegime
from rumbo.lifecycle.validity.periods import COUNTRIES
from rumbo.plans.models import LegalAct, Plan

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _date(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=DATE_WIDGET, input_formats=["%Y-%m-%d"], help_text=help_text
    )


def _text(label: Any, *, max_length: int = 300, area: bool = False) -> forms.CharField:
    widget = (
        forms.Textarea(attrs={"class": "form-control", "rows": 2})
        if area
        else forms.TextInput(attrs={"class": "form-control"})
    )
    return forms.CharField(
        label=label, required=False, max_length=None if area else max_length, widget=widget
    )


class PlanValidityForm(forms.Form):
    regime = forms.ChoiceField(
        label=_("Legal regime"),
        required=False,
        choices=[("", _("By adoption date")), *ValidityRegime.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    adoption_date = _date(_("Adoption date"))
    adoption_act = forms.ModelChoiceField(
        label=_("Adoption act"),
        required=False,
        queryset=LegalAct.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    revision_restarts_from = _date(
        _("A revision restarts the count from"),
        help_text=_("Adoption date of a revision that restarted the count, if any."),
    )
    revision_restart_note = _text(_("Why the count restarts"), area=True)
    authority_fixed_end = _date(_("End fixed by an authority"))
    authority = _text(_("Authority"), max_length=200)
    authority_act = _text(_("Act of the authority"))
    declared_long_term_end = _date(
        _("Long-term end declared by the plan"),
        help_text=_("Counts only if it is later than the legal floor."),
    )
    declared_article = _text(_("Article of the plan on its vigencia"))
    notes = _text(_("Notes"), area=True)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        act_field = self.fields["adoption_act"]
        assert isinstance(act_field, forms.ModelChoiceField)
        act_field.queryset = LegalAct.objects.filter(plan=plan)


class PlanStatusEventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"),
        choices=PlanStatusEventKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date = _date(_("Date"), required=True)
    authority = _text(_("Authority"), max_length=200)
    act_reference = _text(_("Act"))
    in_force_result = _text(_("What is in force as a result"), area=True)


class VigenciaCalculatorForm(forms.Form):
    adopted = _date(_("Adoption date"), required=True)
    restart_from = _date(_("A revision restarts the count from"))
    declared_long_term_end = _date(_("Long-term end declared by the plan"))
    authority_fixed_end = _date(_("End fixed by an authority"))
    authority = _text(_("Authority"), max_length=200)


class DeadlineCalculatorForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"),
        choices=[(c, c) for c in COUNTRIES],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start = _date(_("Start date"), required=True)
    amount = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    unit = forms.ChoiceField(
        label=_("Count"),
        choices=[("business_days", _("Business days")), ("calendar_days", _("Calendar days"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    count_start = forms.ChoiceField(
        label=_("Counting starts"),
        choices=[
            ("next_day", _("The day after the start (day 1 = next day)")),
            ("same_day", _("On the start day (day 1 = start day)")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    roll_to_business_day = forms.BooleanField(
        label=_("Move a calendar-day due date that falls on a holiday to the next business day"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class PopulationForm(forms.Form):
    population = forms.IntegerField(
        label=_("Population of the municipality"),
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
