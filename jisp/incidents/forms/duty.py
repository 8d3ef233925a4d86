"""Forms of the duty log: a new shift, a handover note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import CENTRE_ROLES, OrganisationCategory
from jisp.core.models import User
from jisp.incidents.choices import DutyRole
from jisp.incidents.services.duty import MAX_NOTE

_DATETIME = "%Y-%m-%dT%H:%M"


def centre_staff() -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation__category=OrganisationCategory.CENTRE,
            memberships__organisation__is_active=True,
            memberships__role__in=list(CENTRE_ROLES),
        )
        .distinct()
        .order_by("name", "id")
    )


def _moment_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME)


class _PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name or obj.email)


class ShiftForm(forms.Form):
    person = _PersonField(label=_("Person on duty"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Duty role"), choices=DutyRole.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=_moment_widget(), input_formats=[_DATETIME, "%Y-%m-%d %H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=_moment_widget(), input_formats=[_DATETIME, "%Y-%m-%d %H:%M"]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = centre_staff()


class HandoverForm(forms.Form):
    note = forms.CharField(
        label=_("Handover note"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the next shift must know: open cases, promises made, things to watch."),
    )
