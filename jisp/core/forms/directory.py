"""Forms of the directory: the list's filters, invitations, joining, membership changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import OrganisationCategory, Role
from jisp.core.models import Sector, User


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *OrganisationCategory.choices],
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=Sector.objects.all(),
        empty_label=_("All sectors"),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(role, Role(role).label) for role in roles]
        if Role.MEMBER in roles:
            self.fields["role"].initial = Role.MEMBER


class JoinForm(forms.Form):
    """A new account for the invited address: name, password twice, language."""

    name = forms.CharField(label=_("Name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(email=self.email, name=data.get("name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class MembershipForm(forms.Form):
    """What to do with one membership: change its role, or remove it."""

    SET_ROLE = "set_role"
    REMOVE = "remove"

    action = forms.ChoiceField(choices=[(SET_ROLE, _("Change role")), (REMOVE, _("Remove"))])
    role = forms.ChoiceField(required=False, choices=[("", "---"), *Role.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == self.SET_ROLE and not data.get("role"):
            self.add_error("role", _("Choose a role."))
        return data
