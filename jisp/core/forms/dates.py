"""Date fields shared by the filter forms: a native date picker, an ordered range, a period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def check_date_order(form: forms.Form, data: dict[str, Any]) -> None:
    """An error on ``date_to`` when both dates are given and the range runs backwards."""
    start, end = data.get("date_from"), data.get("date_to")
    if start and end and start > end:
        form.add_error("date_to", _("The end date is before the start date."))


class PeriodForm(forms.Form):
    """A period of at most ``max_days`` days; by default the ``default_days`` up to today."""

    default_days = 30
    max_days = 366

    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=date_widget())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=date_widget())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        end = data.get("date_to") or timezone.localdate()
        start = data.get("date_from") or end - timedelta(days=self.default_days - 1)
        if start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        elif (end - start).days >= self.max_days:
            self.add_error(
                "date_from",
                _("Choose a period of at most %(days)d days.") % {"days": self.max_days},
            )
        data["date_from"], data["date_to"] = start, end
        return data
