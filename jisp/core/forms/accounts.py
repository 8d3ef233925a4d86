"""Forms of the sign-in and personal-account pages.

The password forms (reset and change) are Django's own ``SetPasswordForm`` and
``PasswordChangeForm``, which run ``AUTH_PASSWORD_VALIDATORS``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import TokenScope
from jisp.core.models import User


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The six digits your app shows now."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the six digits your app shows."))
        return code


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "name_en", "language"]
        labels = {
            "name": _("Name"),
            "name_en": _("Name in English"),
            "language": _("Language"),
        }
        help_texts = {
            "name_en": _("Shown to people who use the English pages."),
            "language": _("The language of the pages and of the mail you receive."),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "name_en": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the tool that uses it."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=TokenScope.choices, initial=TokenScope.READ
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, initial=90)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.API_TOKEN_MAX_DAYS
        days = self.fields["days"]
        days.validators.append(MaxValueValidator(limit))
        days.widget.attrs["max"] = limit
        days.initial = min(90, limit)
        days.help_text = _("From 1 to %(max)d days.") % {"max": limit}
