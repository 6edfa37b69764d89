from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from rumbo.accounts.models import Role


class MembershipForm(forms.Form):
    username = forms.CharField(
        label=_("User name"), max_length=150, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"})
    )

    def clean_username(self) -> object:
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError(_("There is no user named %(name)s.") % {"name": username})
        return user


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, widget=forms.TextInput(attrs={"class": "form-control"})
    )
