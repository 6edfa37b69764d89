"""Forms of the project bank. They parse what people type (amounts stay text: the services read
Spanish formats); every rule is checked in the services."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity
from rumbo.core.uploads import upload_help
from rumbo.indicators.models import Indicator
from rumbo.investments.bank.selectors import national_code_label
from rumbo.investments.models import (
    FundingSource,
    ProjectKind,
    ProjectOrigin,
    ProjectStage,
    Sector,
    ZoningVerdict,
)
from rumbo.plans.forms import BootstrapMixin
from rumbo.plans.models import Node, Plan, Term
from rumbo.territory.models import SpatialLayer


def _blank(choices: Any, label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _unit_codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", text or "") if c]


class LocationMixin:
    """A GeoJSON geometry typed or pasted, or a point given by latitude and longitude."""

    def location_clean(self, data: dict[str, Any]) -> dict[str, Any] | None:
        text = (data.get("location") or "").strip()
        lat, lon = data.get("latitude"), data.get("longitude")
        if text:
            try:
                value = json.loads(text)
            except ValueError:
                self.add_error("location", _("The location is not valid GeoJSON."))  # type: ignore[attr-defined]
                return None
            if isinstance(value, dict) and value.get("type") == "Feature":
                value = value.get("geometry")
            if not isinstance(value, dict):
                self.add_error("location", _("The location is not valid GeoJSON."))  # type: ignore[attr-defined]
                return None
            return value
        if (lat is None) != (lon is None):
            self.add_error("latitude", _("Give both the latitude and the longitude."))  # type: ignore[attr-defined]
            return None
        if lat is not None and lon is not None:
            return {"type": "Point", "coordinates": [float(lon), float(lat)]}
        return None


class ProjectForm(LocationMixin, BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    code = forms.CharField(label=_("Code"), max_length=60)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=_blank(Sector.choices), required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=ProjectStage.choices, initial=ProjectStage.IDEA)
    term = forms.ChoiceField(label=_("Term"), choices=_blank(Term.choices), required=False)
    national_code = forms.CharField(label=_("National code"), max_length=40, required=False)
    responsible = forms.CharField(label=_("Responsible office"), max_length=200, required=False)
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.none(), required=False)
    nodes = forms.ModelMultipleChoiceField(
        label=_("Plan nodes it serves"),
        queryset=Node.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators it moves"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    cost_total = forms.CharField(
        label=_("Total cost"), max_length=40, help_text=_('For example "1.234.567,50".')
    )
    unit_codes = forms.CharField(
        label=_("Territorial units (codes)"),
        required=False,
        help_text=_("Official codes separated by commas or spaces."),
    )
    location = forms.CharField(
        label=_("Location (GeoJSON)"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control font-monospace"}),
        required=False,
        help_text=_("A GeoJSON point, line or polygon; or give a point below (or click the map)."),
    )
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, required=False)

    def __init__(self, *args: Any, entity: Entity, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entity = entity
        plans = Plan.objects.filter(entity=entity).order_by("name")
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["nodes"].queryset = (  # type: ignore[attr-defined]
            Node.objects.filter(plan__entity=entity).select_related("plan").order_by("plan__name", "path")
        )
        self.fields["nodes"].label_from_instance = lambda n: f"{n.plan.name} · {n.code} {n.title}"  # type: ignore[attr-defined]
        self.fields["indicators"].queryset = Indicator.objects.filter(  # type: ignore[attr-defined]
            plan__entity=entity
        ).order_by("code")
        label = national_code_label(country=entity.country)
        if label:
            self.fields["national_code"].label = label
        if editing:
            self.fields["stage"].disabled = True
            self.fields["stage"].help_text = _("The stage changes with “Move to the next stage”.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["location_value"] = self.location_clean(data)
        data["unit_list"] = _unit_codes(data.get("unit_codes", ""))
        return data


class YearCostForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200)
    amount = forms.CharField(label=_("Amount"), max_length=40)
    source = forms.ChoiceField(label=_("Funding source"), required=False)

    def __init__(self, *args: Any, sources: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _blank(sources or [])  # type: ignore[attr-defined]


YearCostFormSet = forms.formset_factory(YearCostForm, extra=3, can_delete=True)


def funding_source_choices(*, entity: Entity) -> list[tuple[str, str]]:
    return [
        (s.code, s.name)
        for s in FundingSource.objects.filter(country__in=[entity.country, "XX"]).order_by("country", "name")
    ]


def year_costs_from(formset: Any) -> list[tuple[int, Any, str | None]]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or data.get("year") is None:
            continue
        rows.append((data["year"], data.get("amount", ""), data.get("source") or None))
    return rows


class InitiativeForm(LocationMixin, BootstrapMixin, forms.Form):
    entity = forms.ModelChoiceField(
        label=_("Which government is it for?"), queryset=Entity.objects.order_by("name")
    )
    title = forms.CharField(label=_("Title of your initiative"), max_length=500)
    description = forms.CharField(
        label=_("What do you propose, and why?"), widget=forms.Textarea(attrs={"rows": 5})
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=_blank(Sector.choices), required=False)
    unit_codes = forms.CharField(
        label=_("Place: territorial units (codes)"),
        required=False,
        help_text=_("Optional: official codes of the districts or neighbourhoods."),
    )
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, required=False)
    location = forms.CharField(required=False, widget=forms.HiddenInput)
    cost_estimate = forms.CharField(label=_("Estimated cost (optional)"), max_length=40, required=False)
    proposer_name = forms.CharField(label=_("Your name"), max_length=200)
    proposer_email = forms.EmailField(
        label=_("Your e-mail (optional)"),
        required=False,
        help_text=_("Only to send you the tracking link; it is never shown."),
    )
    proposer_organisation = forms.CharField(
        label=_("Organisation (optional)"), max_length=200, required=False
    )
    # Anti-spam: a field people do not see (bots fill it) and a signed timestamp.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, entity: Entity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if entity is not None:
            self.fields["entity"].initial = entity.pk
            self.fields["entity"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["location_value"] = self.location_clean(data)
        data["unit_list"] = _unit_codes(data.get("unit_codes", ""))
        return data


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept into the bank")), ("reject", _("Reject"))]
    )
    note = forms.CharField(
        label=_("Note to the proposer"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.none(), required=False)
    nodes = forms.ModelMultipleChoiceField(
        label=_("Nodes it serves"), queryset=Node.objects.none(), required=False
    )

    def __init__(self, *args: Any, entity_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(entity_id=entity_id)  # type: ignore[attr-defined]
        self.fields["nodes"].queryset = Node.objects.filter(plan__entity_id=entity_id)  # type: ignore[attr-defined]


class ZoningRuleForm(BootstrapMixin, forms.Form):
    layer = forms.ModelChoiceField(label=_("Layer"), queryset=SpatialLayer.objects.none())
    attribute = forms.CharField(label=_("Attribute"), max_length=100)
    value = forms.CharField(label=_("Value"), max_length=200)
    sector = forms.ChoiceField(
        label=_("Sector"), choices=_blank(Sector.choices, _("Any sector")), required=False
    )
    verdict = forms.ChoiceField(label=_("Verdict"), choices=ZoningVerdict.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, entity: Entity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["layer"].queryset = SpatialLayer.objects.filter(entity=entity)  # type: ignore[attr-defined]


class ViabilityItemForm(BootstrapMixin, forms.Form):
    done = forms.BooleanField(label=_("Met"), required=False)
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    note = forms.CharField(label=_("Note or reason"), max_length=2000, required=False)
    document = forms.FileField(label=_("Document"), required=False, help_text=upload_help())


class BankFilterForm(BootstrapMixin, forms.Form):
    entity = forms.ModelChoiceField(label=_("Entity"), queryset=Entity.objects.none(), required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=_blank(Sector.choices, _("All")), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=_blank(ProjectStage.choices, _("All")), required=False
    )
    origin = forms.ChoiceField(
        label=_("Origin"), choices=_blank(ProjectOrigin.choices, _("All")), required=False
    )
    q = forms.CharField(label=_("Text"), required=False)

    def __init__(self, *args: Any, entities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities  # type: ignore[attr-defined]
