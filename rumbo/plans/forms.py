"""Forms parse and validate input; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Entity
from rumbo.core.uploads import upload_check, upload_help
from rumbo.plans.models import LegalAct, LegalActType, Plan, PlanLinkKind, PlanStatus, PlanType, Term
from rumbo.plans.services import ChildrenRule

UPLOAD_EXTENSIONS = (".pdf", ".docx", ".doc", ".odt", ".jpg", ".jpeg", ".png")


class BootstrapMixin:
    """Adds Bootstrap classes to every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class PlanForm(BootstrapMixin, forms.Form):
    entity = forms.ModelChoiceField(label=_("Owner entity"), queryset=Entity.objects.none())
    plan_type = forms.ModelChoiceField(label=_("Plan type"), queryset=PlanType.objects.all())
    name = forms.CharField(label=_("Name"), max_length=300)
    code = forms.CharField(label=_("Short name"), max_length=60, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices, initial=PlanStatus.FORMULATION)
    horizon_start = forms.IntegerField(
        label=_("Horizon from (year)"), min_value=1900, max_value=2200, required=False
    )
    horizon_end = forms.IntegerField(
        label=_("Horizon to (year)"), min_value=1900, max_value=2200, required=False
    )
    unit_codes = forms.CharField(
        label=_("Territory (unit codes)"),
        required=False,
        help_text=_("Official codes separated by commas, e.g. 220101, 220102."),
    )
    levels = forms.CharField(
        label=_("Tree levels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line, from the top: e.g. Eje estratégico, Objetivo estratégico, Programa, Proyecto. "
            "Empty: the plan type's levels."
        ),
    )
    vision = forms.CharField(label=_("Vision"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    target_image = forms.CharField(
        label=_("Imagen objetivo"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, entities: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities  # type: ignore[attr-defined]
        if entities is not None and len(entities) == 1:
            self.fields["entity"].initial = entities[0]
            self.fields["entity"].empty_label = None  # type: ignore[attr-defined]
        if editing:
            del self.fields["entity"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("horizon_start"), data.get("horizon_end")
        if start and end and start > end:
            self.add_error("horizon_end", _("The start year must not be after the end year."))
        plan_type, entity = data.get("plan_type"), data.get("entity")
        if plan_type and entity and plan_type.country not in (entity.country, "XX"):
            self.add_error("plan_type", _("This plan type belongs to another country."))
        return data

    def unit_code_list(self) -> list[str]:
        return split_codes(self.cleaned_data.get("unit_codes") or "")

    def level_list(self) -> list[str]:
        raw = self.cleaned_data.get("levels") or ""
        return [line.strip() for line in raw.splitlines() if line.strip()]


def split_codes(raw: str) -> list[str]:
    """Codes typed as "220101, 220102" or "220101; 220102" or one per line."""
    return [c.strip() for c in raw.replace(";", ",").replace("\n", ",").split(",") if c.strip()]


class NodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=500)
    weight = forms.CharField(
        label=_("Weight"),
        initial="1",
        max_length=20,
        help_text=_("Relative to its siblings; roll-ups normalise the weights."),
    )
    responsible = forms.CharField(label=_("Responsible office"), max_length=200, required=False)
    term = forms.ChoiceField(label=_("Term"), choices=[("", "—"), *Term.choices], required=False)
    term_start = forms.IntegerField(label=_("From (year)"), min_value=1900, max_value=2200, required=False)
    term_end = forms.IntegerField(label=_("To (year)"), min_value=1900, max_value=2200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    unit_codes = forms.CharField(
        label=_("Territorial scope (unit codes)"),
        required=False,
        max_length=2000,
        help_text=_("Official codes separated by commas; empty: the whole plan territory."),
    )

    def unit_code_list(self) -> list[str]:
        return split_codes(self.cleaned_data.get("unit_codes") or "")


class NodeDeleteForm(forms.Form):
    children = forms.ChoiceField(
        choices=[
            (ChildrenRule.DELETE, _("Delete it with everything under it")),
            (ChildrenRule.PROMOTE, _("Delete only this node and move its children up one level")),
        ],
        initial=ChildrenRule.DELETE,
        widget=forms.RadioSelect,
    )


class NodeMoveForm(BootstrapMixin, forms.Form):
    parent_code = forms.CharField(
        label=_("New parent (code)"),
        required=False,
        max_length=60,
        help_text=_("Leave empty to move it to the first level."),
    )
    position = forms.IntegerField(
        label=_("Position among its new siblings (1 = first)"), min_value=1, required=False
    )


def clean_document_upload(upload: Any) -> Any:
    """Refuse files that are too large or whose content is not what their name says."""
    from django.core.exceptions import ValidationError

    name = (upload.name or "").lower()
    if not name.endswith(UPLOAD_EXTENSIONS):
        raise ValidationError(_("Only PDF, Word, OpenDocument, JPEG and PNG files are accepted."))
    upload_check(upload)
    head = upload.read(8)
    upload.seek(0)
    signatures = {
        ".pdf": (b"%PDF",),
        ".png": (b"\x89PNG",),
        ".jpg": (b"\xff\xd8",),
        ".jpeg": (b"\xff\xd8",),
        ".docx": (b"PK",),
        ".odt": (b"PK",),
        ".doc": (b"\xd0\xcf\x11\xe0",),
    }
    for ext, magics in signatures.items():
        if name.endswith(ext) and not head.startswith(magics):
            raise ValidationError(_("The file content does not match its extension."))
    return upload


class LegalActForm(BootstrapMixin, forms.ModelForm[LegalAct]):
    class Meta:
        model = LegalAct
        fields = ["act_type", "number", "date", "issuer", "summary", "file"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    act_type = forms.ChoiceField(label=_("Type"), choices=LegalActType.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = upload_help(_("PDF, Word, OpenDocument, JPEG or PNG."))

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "size") and not isinstance(upload, str):
            return clean_document_upload(upload)
        return upload


class PlanLinkForm(BootstrapMixin, forms.Form):
    target = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.none())
    kind = forms.ChoiceField(label=_("Relation"), choices=PlanLinkKind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = plans  # type: ignore[attr-defined]


class CommentForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
