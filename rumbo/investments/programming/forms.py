"""Forms of the programming pages: they only parse; the services check and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity
from rumbo.investments.models import FundingSource, InvestmentPlan, Project, ProjectStatus
from rumbo.investments.programming.selectors import plan_kinds_for
from rumbo.plans.forms import BootstrapMixin
from rumbo.plans.models import Plan


def _source_choices(entity: Entity) -> list[tuple[str, str]]:
    return [
        (s.code, s.name)
        for s in FundingSource.objects.filter(country__in=[entity.country, "XX"]).order_by("country", "code")
    ]


class InvestmentPlanForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    title = forms.CharField(label=_("Title"), max_length=300)
    plan = forms.ModelChoiceField(label=_("Territorial plan"), queryset=Plan.objects.none(), required=False)
    year_start = forms.IntegerField(label=_("First year"))
    year_end = forms.IntegerField(label=_("Last year"))

    def __init__(self, *args: Any, entity: Entity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = plan_kinds_for(country=entity.country)  # type: ignore[attr-defined]
        self.fields["plan"].queryset = Plan.objects.filter(entity=entity).order_by("name")  # type: ignore[attr-defined]


class LineForm(BootstrapMixin, forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)
    year = forms.IntegerField(label=_("Year"))
    source = forms.ChoiceField(label=_("Funding source"))
    amount = forms.CharField(label=_("Amount"), help_text=_("For example 1.250.000,50"))
    starts_on = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(
        self, *args: Any, investment_plan: InvestmentPlan, with_project: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        entity = investment_plan.entity
        self.fields["source"].choices = _source_choices(entity)  # type: ignore[attr-defined]
        if with_project:
            self.fields["project"].queryset = Project.objects.filter(  # type: ignore[attr-defined]
                entity=entity, status=ProjectStatus.ACCEPTED
            ).order_by("code")
        else:
            del self.fields["project"]


class ProgramForm(BootstrapMixin, forms.Form):
    investment_plan = forms.ModelChoiceField(
        label=_("Investment plan"), queryset=InvestmentPlan.objects.none(), required=False
    )
    create_next = forms.BooleanField(label=_("Create next year's annual plan"), required=False)
    year = forms.IntegerField(label=_("Year"))
    source = forms.ChoiceField(label=_("Funding source"))
    amount = forms.CharField(label=_("Amount"))
    starts_on = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, entity: Entity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["investment_plan"].queryset = InvestmentPlan.objects.filter(  # type: ignore[attr-defined]
            entity=entity, status="draft"
        ).order_by("-year_start", "title")
        self.fields["source"].choices = _source_choices(entity)  # type: ignore[attr-defined]


class WhatIfForm(BootstrapMixin, forms.Form):
    project = forms.TypedChoiceField(label=_("Project"), coerce=int)
    from_year = forms.TypedChoiceField(label=_("From year"), coerce=int)
    to_year = forms.TypedChoiceField(label=_("To year"), coerce=int)

    def __init__(
        self, *args: Any, investment_plan: InvestmentPlan, projects: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        years = [(y, str(y)) for y in range(investment_plan.year_start, investment_plan.year_end + 1)]
        self.fields["project"].choices = projects  # type: ignore[attr-defined]
        self.fields["from_year"].choices = years  # type: ignore[attr-defined]
        self.fields["to_year"].choices = years  # type: ignore[attr-defined]
