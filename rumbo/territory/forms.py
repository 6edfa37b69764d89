from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.core.uploads import upload_help
from rumbo.territory.models import LayerKind, UnitKind


class LayerUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (GeoPackage, zipped Shapefile or GeoJSON)"),
        help_text=upload_help("", "layer"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".gpkg,.zip,.geojson,.json"}
        ),
    )
    name = forms.CharField(
        label=_("Layer name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=LayerKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    code_field = forms.CharField(
        label=_("Attribute with the official code"),
        max_length=100,
        required=False,
        help_text=_(
            "For boundaries: the attribute holding the ubigeo / DIVIPOLA / INEGI code of each feature."
        ),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    is_public = forms.BooleanField(label=_("Public layer"), required=False)


class JurisdictionForm(forms.Form):
    unit_codes = forms.CharField(
        label=_("Units governed (official codes)"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("Separated by commas, e.g. 2201 for a province or 220102 for a district."),
    )


class CustomUnitForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[
            (k.value, k.label)
            for k in (
                UnitKind.SECTOR,
                UnitKind.COMUNA,
                UnitKind.BARRIO,
                UnitKind.CENTRO_POBLADO,
                UnitKind.MANCOMUNIDAD,
                UnitKind.BASIN,
                UnitKind.METRO_AREA,
                UnitKind.OTHER,
            )
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    code = forms.CharField(
        label=_("Code"), max_length=40, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    parent_code = forms.CharField(
        label=_("Inside (code of the unit that contains it)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("For sectors, comunas, barrios and centros poblados."),
    )
    member_codes = forms.CharField(
        label=_("Member units (codes)"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("For groupings: the codes of the units it groups, separated by commas."),
    )
    population = forms.IntegerField(
        label=_("Population"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    population_year = forms.IntegerField(
        label=_("Population year"),
        required=False,
        min_value=1900,
        max_value=2200,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
