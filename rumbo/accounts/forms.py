from __future__ import annotations

from typing import Any

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


def _code_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )


class TwoFactorCodeForm(forms.Form):
    """One code: six digits from the authenticator app or, where accepted, a recovery code."""

    code = _code_field(_("Code"))


class TwoFactorDisableForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )
    code = _code_field(_("Code from the app or a recovery code"))
