"""Forms of support requests (the centre's request, the asked organisation's answer, findings,
messages) and of the consultation desk's published answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import TLP
from jisp.incidents.choices import SupportKind
from jisp.incidents.services.consultation import ANSWER_TLPS
from jisp.incidents.services.support import MAX_TEXT, eligible_organisations


class _OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_category_display()})"


class SupportRequestForm(forms.Form):
    organisation = _OrganisationField(
        label=_("Organisation to ask"),
        queryset=eligible_organisations(),
        help_text=_(
            "Information-security agencies, law enforcement, security information centres and "
            "CTI vendors."
        ),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Support asked"),
        choices=SupportKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of support.")},
    )
    message = forms.CharField(
        label=_("Request"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The asked organisation reads this with the case's title, category, TLP and the "
            "report's description. Name the reporter only if they need to know."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = eligible_organisations()


class SupportAnswerForm(forms.Form):
    ACCEPT = "accept"
    DECLINE = "decline"

    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FindingsForm(forms.Form):
    findings = forms.CharField(
        label=_("Findings"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("You can send findings again as you learn more."),
    )


class SupportMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class PublishAnswerForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary in plain language"), widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown. Do not name the organisation or the person who asked."),
    )
    tlp = forms.ChoiceField(
        label=_("TLP"),
        choices=[(value, label) for value, label in TLP.choices if value in ANSWER_TLPS],
        initial=TLP.CLEAR,
    )
