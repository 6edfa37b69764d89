"""Forms parse and validate input for the route and procedure pages; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from rumbo.core.uploads import upload_help
from rumbo.lifecycle.routes.models import CountStart, DayUnit, Procedure, Route, StepStatus
from rumbo.plans.forms import BootstrapMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RouteStartForm(BootstrapMixin, forms.Form):
    route = forms.ModelChoiceField(label=_("Route"), queryset=Route.objects.none(), empty_label=None)

    def __init__(self, *args: Any, routes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["route"].queryset = routes  # type: ignore[attr-defined]
        # one optional select per route option, named "<route code>__<option key>"
        for route in routes:
            for option in route.options or []:
                self.fields[f"{route.code}__{option['key']}"] = forms.ChoiceField(
                    label=option["label"],
                    required=False,
                    choices=[("", "—"), *((c["value"], c["label"]) for c in option.get("choices", []))],
                    help_text=_("Only for the route “%(route)s”.") % {"route": route.name},
                    widget=forms.Select(attrs={"class": "form-select"}),
                )

    def options(self) -> dict[str, Any]:
        route = self.cleaned_data["route"]
        prefix = f"{route.code}__"
        return {k[len(prefix) :]: v for k, v in self.cleaned_data.items() if k.startswith(prefix) and v}


class StepStateForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=StepStatus.choices)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=get_user_model().objects.none(), required=False
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    done_date = forms.DateField(
        label=_("Done date"), required=False, widget=DATE, help_text=_("Empty: today, when marked done.")
    )
    not_applicable_reason = forms.CharField(
        label=_("Why it does not apply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(self, *args: Any, entity_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (  # type: ignore[attr-defined]
            get_user_model().objects.filter(memberships__entity_id=entity_id).distinct().order_by("username")
        )


class StepFileForm(forms.Form):
    file = forms.FileField(
        label=_("Deliverable file"),
        help_text=upload_help(_("PDF, Word, Excel, OpenDocument, JPEG, PNG, GeoJSON or ZIP.")),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".pdf,.docx,.xlsx,.odt,.ods,.jpg,.jpeg,.png,.geojson,.json,.zip",
            }
        ),
    )


class StepCommentForm(BootstrapMixin, forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ProcedureStartForm(BootstrapMixin, forms.Form):
    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=Procedure.objects.none(), empty_label=None
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)

    def __init__(self, *args: Any, procedures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures  # type: ignore[attr-defined]


class ProcedureStepForm(BootstrapMixin, forms.Form):
    started_on = forms.DateField(label=_("Started on"), required=False, widget=DATE)
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DATE)
    amount = forms.IntegerField(
        label=_("Days"), required=False, min_value=0, max_value=3650, help_text=_("0 or empty: no deadline.")
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=DayUnit.choices)
    count_start = forms.ChoiceField(label=_("Counting starts"), choices=CountStart.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
