"""Forms of the governance pages: they parse input; the services check and write."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import User
from rumbo.core.uploads import upload_help
from rumbo.governance.models import (
    AgreementStatus,
    AttendanceStatus,
    Body,
    BodyKind,
    BodyMember,
    Meeting,
    MemberRole,
    MemberSector,
    MinutesApproval,
    QuorumRule,
)
from rumbo.investments.models import FundingSource
from rumbo.plans.models import LegalAct, Node, Plan

DATA = Path(__file__).resolve().parent / "data"


@cache
def body_kind_catalogue() -> dict[str, Any]:
    return dict(json.loads((DATA / "body_kinds.json").read_text(encoding="utf-8")))


def body_kind_choices(country: str) -> list[tuple[str, str]]:
    """The kinds of body of a country's catalogue, named as its plans name them, then the rest."""
    entries = body_kind_catalogue()["countries"].get(country, [])
    named = {e["kind"]: e["name"] for e in entries}
    ordered = [(e["kind"], f"{e['name']} ({BodyKind(e['kind']).label})") for e in entries]
    return ordered + [(value, str(label)) for value, label in BodyKind.choices if value not in named]


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class BodyForm(_Styled):
    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    legal_act = forms.ModelChoiceField(
        label=_("Constituted by"), queryset=LegalAct.objects.none(), required=False
    )
    parent = forms.ModelChoiceField(label=_("Part of"), queryset=Body.objects.none(), required=False)
    formerly = forms.ModelChoiceField(label=_("Formerly"), queryset=Body.objects.none(), required=False)
    quorum_rule = forms.ChoiceField(
        label=_("Quorum"), choices=QuorumRule.choices, initial=QuorumRule.MAJORITY
    )
    quorum_count = forms.IntegerField(
        label=_("Quorum (members)"), required=False, min_value=1, max_value=1000
    )
    installed_on = forms.DateField(
        label=_("Installed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    is_public = forms.BooleanField(label=_("Public"), required=False, initial=True)

    def __init__(self, *args: Any, plan: Plan, instance: Body | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds: Any = self.fields["kind"]
        kinds.choices = body_kind_choices(plan.entity.country)
        acts: Any = self.fields["legal_act"]
        acts.queryset = LegalAct.objects.filter(plan__entity_id=plan.entity_id).order_by("-date")
        bodies = Body.objects.filter(entity_id=plan.entity_id)
        if instance is not None:
            bodies = bodies.exclude(pk=instance.pk)
        for name in ("parent", "formerly"):
            field: Any = self.fields[name]
            field.queryset = bodies


class MemberForm(_Styled):
    user = forms.ModelChoiceField(
        label=_("Person with an account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty for an external member, named below."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    represents = forms.CharField(label=_("Represents"), max_length=200, required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=MemberSector.choices)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    email = forms.EmailField(label=_("E-mail (private)"), required=False)
    phone = forms.CharField(label=_("Phone (private)"), max_length=40, required=False)
    joined_on = forms.DateField(label=_("Joined on"), widget=forms.DateInput(attrs={"type": "date"}))
    left_on = forms.DateField(
        label=_("Left on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users: Any = self.fields["user"]
        users.queryset = (
            User.objects.filter(memberships__entity_id=body.entity_id).distinct().order_by("username")
        )


class MeetingForm(_Styled):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class AttendanceForm(_Styled):
    attendance_list = forms.FileField(
        label=_("Signed attendance list"), required=False, help_text=upload_help()
    )

    def __init__(self, *args: Any, seats: list[BodyMember], marks: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seats = seats
        for seat in seats:
            self.fields[f"member-{seat.pk}"] = forms.ChoiceField(
                label=seat.name,
                choices=AttendanceStatus.choices,
                initial=marks.get(seat.pk, AttendanceStatus.ABSENT),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        self.order_fields([*(f"member-{s.pk}" for s in seats), "attendance_list"])

    def marks(self) -> dict[int, str]:
        return {seat.pk: self.cleaned_data[f"member-{seat.pk}"] for seat in self.seats}


class MinutesForm(_Styled):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 12}))


class MinutesApproveForm(_Styled):
    approval = forms.ChoiceField(label=_("Approved"), choices=MinutesApproval.choices)
    approved_in = forms.ModelChoiceField(
        label=_("At the meeting"), queryset=Meeting.objects.none(), required=False
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        later: Any = self.fields["approved_in"]
        later.queryset = Meeting.objects.filter(
            body_id=meeting.body_id, starts_at__gt=meeting.starts_at
        ).order_by("starts_at")


class AgreementForm(_Styled):
    text = forms.CharField(label=_("Agreement"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    owner_office = forms.CharField(label=_("…or the responsible office"), max_length=200, required=False)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.none(), required=False)
    nodes = forms.ModelMultipleChoiceField(
        label=_("Plan items it concerns"), queryset=Node.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    projects = forms.MultipleChoiceField(
        label=_("Projects it concerns"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )

    def __init__(
        self, *args: Any, body: Body, plan: Plan | None, projects: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        owners: list[tuple[str, str]] = [("", "—")]
        owners += [
            (f"member:{m.pk}", f"{m.name} · {m.get_role_display()}")
            for m in body.members.filter(left_on__isnull=True)
        ]
        users = User.objects.filter(memberships__entity_id=body.entity_id).distinct().order_by("username")
        owners += [(f"user:{u.pk}", u.get_full_name() or u.get_username()) for u in users]
        owner: Any = self.fields["owner"]
        owner.choices = owners
        nodes: Any = self.fields["nodes"]
        nodes.queryset = Node.objects.filter(plan=plan).order_by("path") if plan else Node.objects.none()
        project_field: Any = self.fields["projects"]
        project_field.choices = [(str(pk), label) for pk, label in projects]
        plans: Any = self.fields["plan"]
        if body.plan_id is None:
            plans.queryset = Plan.objects.filter(entity_id=body.entity_id)
        else:
            del self.fields["plan"]

    def owner_parts(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("owner") or ""
        kind, _sep, pk = raw.partition(":")
        parts: dict[str, Any] = {"owner_office": self.cleaned_data.get("owner_office") or ""}
        if kind == "member" and pk.isdigit():
            parts["owner_member"] = BodyMember.objects.filter(pk=int(pk)).first()
        elif kind == "user" and pk.isdigit():
            parts["owner_user"] = User.objects.filter(pk=int(pk)).first()
        return parts


class AgreementStatusForm(_Styled):
    status = forms.ChoiceField(label=_("New status"), choices=AgreementStatus.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to drop or to reopen an agreement."),
    )  # fmt: skip
    done_on = forms.DateField(
        label=_("Done on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.FileField(label=_("Evidence"), required=False, help_text=upload_help())


class AgreementNoteForm(_Styled):
    text = forms.CharField(label=_("Follow-up"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence"), required=False, help_text=upload_help())


class ConvenioForm(_Styled):
    title = forms.CharField(label=_("Title"), max_length=300)
    number = forms.CharField(label=_("Number"), max_length=100, required=False)
    purpose = forms.CharField(
        label=_("Purpose and commitments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_on = forms.DateField(label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("In force until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    parties = forms.CharField(
        label=_("Parties"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line; the role after a semicolon (Municipalidad Distrital de Calzada; aportante)."),
    )  # fmt: skip
    document = forms.FileField(label=_("Signed document"), required=False, help_text=upload_help())
    body = forms.ModelChoiceField(
        label=_("Body that runs it"),
        queryset=Body.objects.none(),
        required=False,
        help_text=_("Its commitments are followed in the agreements register of this body."),
    )

    def __init__(self, *args: Any, plan: Plan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan is not None:
            field: Any = self.fields["body"]
            field.queryset = Body.objects.filter(entity_id=plan.entity_id).order_by("name")

    def party_list(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("parties") or "").splitlines():
            name, _sep, role = line.partition(";")
            if name.strip():
                rows.append({"name": name.strip(), "role": role.strip()})
        return rows


class ContributionForm(_Styled):
    party = forms.ChoiceField(label=_("Party"))
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200)
    fixed = forms.CharField(
        label=_("Fixed committed"), required=False, help_text=_("Salaries and logistics of the team.")
    )
    variable = forms.CharField(
        label=_("Variable committed"), required=False, help_text=_("Studies and works.")
    )
    total = forms.CharField(label=_("Total committed (to check)"), required=False)
    fixed_paid = forms.CharField(label=_("Fixed paid"), required=False)
    variable_paid = forms.CharField(label=_("Variable paid"), required=False)
    source: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Funding source"), queryset=FundingSource.objects.none(), required=False
    )
    over_reason = forms.CharField(label=_("Why more was paid than committed"), max_length=300, required=False)

    def __init__(self, *args: Any, convenio: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        party: Any = self.fields["party"]
        party.choices = [(str(p.pk), p.name) for p in convenio.parties.all()]
        source: Any = self.fields["source"]
        source.queryset = FundingSource.objects.filter(country__in=[convenio.entity.country, "XX"])


class ActivityForm(_Styled):
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    title = forms.CharField(label=_("Title"), max_length=300)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    audience = forms.ChoiceField(label=_("Audience"), choices=[])
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    material = forms.ChoiceField(label=_("Material"), choices=[], required=False)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=0, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from rumbo.governance.models import ActivityKind, Audience, Material

        super().__init__(*args, **kwargs)
        for name, choices in (
            ("kind", ActivityKind.choices),
            ("audience", Audience.choices),
            ("material", Material.choices),
        ):
            field: Any = self.fields[name]
            field.choices = choices


class ProofForm(_Styled):
    kind = forms.ChoiceField(label=_("Proof"), choices=[])
    file = forms.FileField(label=_("File"), help_text=upload_help())
    recipient = forms.CharField(label=_("Delivered to"), max_length=200, required=False)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from rumbo.governance.models import ProofKind

        super().__init__(*args, **kwargs)
        field: Any = self.fields["kind"]
        field.choices = ProofKind.choices


class RiskForm(_Styled):
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}))
    likelihood = forms.IntegerField(label=_("Likelihood (1–5)"), min_value=1, max_value=5, initial=3)
    impact = forms.IntegerField(label=_("Impact (1–5)"), min_value=1, max_value=5, initial=3)
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)
    mitigation = forms.CharField(
        label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    review_on = forms.DateField(
        label=_("Next review"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from rumbo.governance.models import RiskKind

        super().__init__(*args, **kwargs)
        field: Any = self.fields["kind"]
        field.choices = RiskKind.choices


class RiskReviewForm(_Styled):
    state = forms.ChoiceField(label=_("State"), choices=[])
    likelihood = forms.IntegerField(label=_("Likelihood (1–5)"), min_value=1, max_value=5)
    impact = forms.IntegerField(label=_("Impact (1–5)"), min_value=1, max_value=5)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    review_on = forms.DateField(
        label=_("Next review"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from rumbo.governance.models import RiskState

        super().__init__(*args, **kwargs)
        field: Any = self.fields["state"]
        field.choices = RiskState.choices


class ActionForm(_Styled):
    title = forms.CharField(label=_("Action"), max_length=300)
    responsible = forms.CharField(label=_("Responsible person or institution"), max_length=200)
    starts_on = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    node = forms.ModelChoiceField(label=_("Plan item"), queryset=Node.objects.none(), required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["node"]
        field.queryset = Node.objects.filter(plan=plan).order_by("path")
