"""Forms of the audit pages: the log's filters and the sign-in statistics' period."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisp.core import audit
from jisp.core.forms.dates import PeriodForm, check_date_order, date_widget
from jisp.core.models import AuditEvent

#: The longest period the sign-in statistics show at once.
MAX_PERIOD_DAYS = 366
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone (Asia/Tokyo), as an aware time."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def encode_cursor(at: datetime, pk: int) -> str:
    """A "next page" position: the time (in microseconds) and id of the last row shown."""
    return f"{(at - _EPOCH) // timedelta(microseconds=1)}_{pk}"


def decode_cursor(value: str) -> tuple[datetime, int] | None:
    micros, sep, pk = value.partition("_")
    try:
        if not sep or len(value) > 40:
            return None
        return _EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, OverflowError):
        return None


def _action_choices() -> list[tuple[str, Any]]:
    known = sorted(audit.ACTIONS)
    return [("", _("All actions")), *((name, audit.describe(name)) for name in known)]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False, choices=_action_choices)
    action_prefix = forms.CharField(
        label=_("Action name starts with"),
        required=False,
        max_length=64,
        help_text=_("For example: core.signin or sharing.topic"),
    )
    person = forms.CharField(label=_("E-mail address contains"), required=False, max_length=254)
    organisation = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=200,
        help_text=_("A name, or its number"),
    )
    via = forms.ChoiceField(
        label=_("Via"), required=False, choices=[("", _("All")), *AuditEvent.Via.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=date_widget())
    date_to = forms.DateField(label=_("To"), required=False, widget=date_widget())
    before = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def clean_before(self) -> tuple[datetime, int] | None:
        value = self.cleaned_data.get("before") or ""
        if not value:
            return None
        cursor = decode_cursor(value)
        if cursor is None:
            raise forms.ValidationError(_("This page link is not valid."))
        return cursor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_date_order(self, data)
        return data


class SigninPeriodForm(PeriodForm):
    default_days = 30
    max_days = MAX_PERIOD_DAYS
