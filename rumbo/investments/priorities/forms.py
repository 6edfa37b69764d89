"""Forms of the prioritisation pages. They only parse: numbers are read (with a decimal comma)
and checked by the services, so the pages and the API give the same messages."""

from __future__ import annotations

from decimal import InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.core.numbers import decimal_from_text
from rumbo.investments.models import PriorityCriterion, ProjectStage, Sector
from rumbo.investments.priorities.services import ScoreInput
from rumbo.investments.prioritisation import MissingRule
from rumbo.plans.forms import BootstrapMixin
from rumbo.plans.models import Plan

DIRECTION_CHOICES = [
    ("higher", _("Higher is better")),
    ("lower", _("Lower is better (cost, risk)")),
]
MISSING_CHOICES = [
    ("exclude", _("Leave missing scores out (rescale the other weights)")),
    ("zero", _("Count missing scores as the worst value (0)")),
]
CHANGE_CHOICES = [
    ("-50", _("−50 %")),
    ("-25", _("−25 %")),
    ("25", _("+25 %")),
    ("50", _("+50 %")),
    ("weight", _("A new weight")),
]


class CriterionForm(BootstrapMixin, forms.Form):
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_(
            "Short identifier used by the API and exports, e.g. gap or risk. It cannot change later."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    weight = forms.CharField(
        label=_("Weight"),
        max_length=20,
        help_text=_("Zero or positive; its share is the weight divided by the sum of all weights."),
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTION_CHOICES, initial="higher")
    scale_max = forms.CharField(label=_("Maximum score"), max_length=20, initial="5")

    def __init__(self, *args: Any, criterion: PriorityCriterion | None = None, **kwargs: Any) -> None:
        if criterion is not None:
            kwargs.setdefault(
                "initial",
                {
                    "key": criterion.key,
                    "name": criterion.name,
                    "weight": _number_text(criterion.weight),
                    "direction": "higher" if criterion.higher_is_better else "lower",
                    "scale_max": _number_text(criterion.scale_max),
                },
            )
        super().__init__(*args, **kwargs)
        if criterion is not None:
            self.fields["key"].disabled = True

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "key": data["key"],
            "name": data["name"],
            "weight": data["weight"],
            "higher_is_better": data["direction"] == "higher",
            "scale_max": data["scale_max"],
        }


def _number_text(value: Any) -> str:
    """A stored decimal as a person types it: no trailing zeros, decimal comma."""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text.replace(".", ",")


class ScoreSheetForm(forms.Form):
    """One score and one justification per criterion (fields ``score_<key>``, ``justification_<key>``)."""

    def __init__(
        self,
        *args: Any,
        criteria: list[PriorityCriterion],
        current: dict[int, tuple[Any, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            score, justification = current.get(c.pk, (None, ""))
            self.fields[f"score_{c.key}"] = forms.CharField(
                label=c.name,
                required=False,
                max_length=20,
                initial=_number_text(score) if score is not None else "",
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "inputmode": "decimal"}
                ),
            )
            self.fields[f"justification_{c.key}"] = forms.CharField(
                label=_("Justification"),
                required=False,
                initial=justification,
                widget=forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 2}),
            )

    def rows(self) -> list[ScoreInput]:
        return [
            ScoreInput(
                criterion=c.key,
                score=self.cleaned_data.get(f"score_{c.key}", ""),
                justification=self.cleaned_data.get(f"justification_{c.key}", ""),
            )
            for c in self.criteria
        ]

    def field_pairs(self) -> list[tuple[PriorityCriterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.key}"], self[f"justification_{c.key}"]) for c in self.criteria]


class RankingFilterForm(BootstrapMixin, forms.Form):
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", _("All")), *Sector.choices])
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All")), *ProjectStage.choices]
    )
    plan = forms.ModelChoiceField(
        label=_("Plan"), required=False, queryset=Plan.objects.none(), empty_label=_("All")
    )
    missing = forms.ChoiceField(label=_("Missing scores"), required=False, choices=MISSING_CHOICES)

    def __init__(self, *args: Any, entity_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Plan.objects.filter(entity_id=entity_id).order_by("name")

    def selection(self) -> dict[str, Any]:
        """The selector's filter arguments (blank = no filter); call after is_valid()."""
        data = self.cleaned_data if self.is_valid() else {}
        plan = data.get("plan")
        return {
            "sector": data.get("sector") or "",
            "stage": data.get("stage") or "",
            "plan_id": plan.pk if plan is not None else None,
        }

    def missing_rule(self) -> MissingRule:
        data = self.cleaned_data if self.is_valid() else {}
        return "zero" if data.get("missing") == "zero" else "exclude"


class SensitivityForm(RankingFilterForm):
    criterion = forms.ChoiceField(label=_("Criterion"), choices=[])
    change = forms.ChoiceField(label=_("Change"), choices=CHANGE_CHOICES, initial="-25")
    new_weight = forms.CharField(label=_("New weight"), required=False, max_length=20)
    top_n = forms.IntegerField(label=_("Top"), min_value=1, max_value=100, initial=10, required=False)

    field_order = ["criterion", "change", "new_weight", "top_n", "missing", "sector", "stage", "plan"]

    def __init__(self, *args: Any, criteria: list[PriorityCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["criterion"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.key, c.name) for c in criteria]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("change") != "weight":
            return data
        text = (data.get("new_weight") or "").strip()
        if not text:
            self.add_error("new_weight", _("Give the new weight."))
            return data
        try:
            value = decimal_from_text(text)
        except InvalidOperation:
            self.add_error("new_weight", _("“%(value)s” is not a number.") % {"value": text})
            return data
        if not value.is_finite() or value < 0:
            self.add_error("new_weight", _("The weight must be zero or positive."))
        else:
            data["new_weight_value"] = float(value)
        return data

    def change_arguments(self) -> tuple[float | None, float | None]:
        """(delta, new_weight) for the selector, one of them None; call after is_valid()."""
        if self.cleaned_data["change"] == "weight":
            return None, float(self.cleaned_data["new_weight_value"])
        return int(self.cleaned_data["change"]) / 100, None
