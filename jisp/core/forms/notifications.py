"""Forms of the notification pages: channels per kind, and a new webhook."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import Channel
from jisp.core.services import notifications


def field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class PreferencesForm(forms.Form):
    """One checkbox per registered kind and channel; mandatory channels are shown on and locked."""

    CHANNELS = (Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK)

    def __init__(
        self, *args: Any, table: list[tuple[notifications.Kind, frozenset[str]]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        for kind, current in table:
            for channel in self.CHANNELS:
                locked = channel in kind.mandatory
                self.fields[field_name(kind.key, channel)] = forms.BooleanField(
                    label=Channel(channel).label,
                    required=False,
                    initial=channel in current,
                    disabled=locked,
                )

    def rows(self) -> list[dict[str, Any]]:
        """For the template: each kind with its three bound checkboxes."""
        return [
            {
                "kind": kind,
                "fields": [self[field_name(kind.key, channel)] for channel in self.CHANNELS],
            }
            for kind, _current in self.table
        ]

    def choices(self) -> dict[str, set[str]]:
        """The chosen channels of each kind (after ``is_valid()``)."""
        result: dict[str, set[str]] = {}
        for kind, _current in self.table:
            result[kind.key] = {
                str(channel)
                for channel in self.CHANNELS
                if self.cleaned_data.get(field_name(kind.key, channel))
            }
        return result


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_(
            "JISP sends each notification there as a signed JSON POST request. "
            "The address must use https://."
        ),
    )

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(_("Give the webhook a name."))
        return name

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        notifications.validate_webhook_url(url)
        return url
