"""Forms parse and validate input; services do the work (and validate again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from rumbo.core.uploads import upload_help
from rumbo.lifecycle.inventory.models import CoverageArea, HazardKind, InformationFormat, InformationTheme
from rumbo.lifecycle.inventory.services import SCALE_DENOMINATOR_MAX, information_file_check
from rumbo.plans.forms import BootstrapMixin, split_codes

FILE_ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.zip,.gpkg,.geojson,.json,.xlsx,.docx"


class InformationItemForm(BootstrapMixin, forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), choices=InformationTheme.choices)
    hazard_kind = forms.ChoiceField(
        label=_("Hazard kind"),
        choices=[("", "—"), *HazardKind.choices],
        required=False,
        help_text=_("Only for hazard and risk studies."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    scale_denominator = forms.IntegerField(
        label=_("Scale 1:"),
        required=False,
        min_value=1,
        max_value=SCALE_DENOMINATOR_MAX,
        help_text=_("The N of 1:N, e.g. 25000 for 1:25,000. Empty for studies without a map."),
    )
    reference_date = forms.DateField(
        label=_("Reference date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date the information describes (survey, image, census)."),
    )
    source = forms.CharField(
        label=_("Source (producer)"), max_length=200, help_text=_("e.g. IGAC, INEI, INEGI, CAR.")
    )
    area = forms.ChoiceField(label=_("Coverage"), choices=CoverageArea.choices)
    unit_codes = forms.CharField(
        label=_("Territorial units (codes)"),
        required=False,
        max_length=2000,
        help_text=_("Official codes separated by commas; empty: the entity's whole territory."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=InformationFormat.choices)
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
        help_text=upload_help(
            _("PDF, image, ZIP with a shapefile, GeoPackage, GeoJSON, GeoTIFF, XLSX or DOCX."), "layer"
        ),
    )
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):  # not the item's current file kept as initial
            information_file_check(upload=upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hazard_kind") and data.get("theme") != InformationTheme.HAZARD_RISK:
            self.add_error("hazard_kind", _("A hazard kind only applies to hazard and risk items."))
        return data

    def unit_code_list(self) -> list[str]:
        return split_codes(self.cleaned_data.get("unit_codes") or "")

    def item_fields(self) -> dict[str, Any]:
        """The cleaned values under the service's argument names."""
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "theme",
                "hazard_kind",
                "title",
                "description",
                "scale_denominator",
                "reference_date",
                "source",
                "area",
                "format",
                "url",
                "notes",
            )
        }


def form_add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = "unit_codes" if name == "units" else name
            for error in errors:
                form.add_error(target if target in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
