"""Forms of the situation-report pages: a new draft, editing, the list's filters, recipients."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core.forms.dates import date_widget
from jisp.incidents.choices import SitrepKind, SitrepSlot, SitrepState
from jisp.incidents.services.sitreps import SLOTS_BY_KIND


class DraftForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SitrepKind.choices)
    day = forms.DateField(label=gettext_lazy("Day"), widget=date_widget())
    slot = forms.ChoiceField(label=gettext_lazy("Time of day"), choices=SitrepSlot.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, slot, day = data.get("kind"), data.get("slot"), data.get("day")
        if kind and slot and slot not in SLOTS_BY_KIND.get(kind, ()):
            self.add_error("slot", _("This kind of report is not made for this time of day."))
        if day and day > timezone.localdate():
            self.add_error("day", _("The day cannot be in the future."))
        return data


class SitrepForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 30}),
        help_text=gettext_lazy("Markdown: headings (#), lists (-), tables (|)."),
    )


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All kinds")), *SitrepKind.choices],
        required=False,
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[("", gettext_lazy("All states")), *SitrepState.choices],
        required=False,
    )


class RecipientForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[(k, v) for k, v in SitrepKind.choices if k != SitrepKind.BULLETIN],
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
