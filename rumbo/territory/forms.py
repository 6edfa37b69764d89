from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.territory.models import LayerKind


class LayerUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (GeoPackage, zipped Shapefile or GeoJSON)"),
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
