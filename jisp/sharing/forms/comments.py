"""Forms for comments and acknowledgements."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jisp.sharing.services.comments import MAX_LENGTH


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Plain text. Mention someone who may see this topic with @ and their e-mail address."
        ),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class AcknowledgeForm(forms.Form):
    READ = "read"
    ACTIONED = "actioned"

    kind = forms.ChoiceField(
        label=_("Acknowledgement"),
        choices=[(READ, _("Read")), (ACTIONED, _("Actioned"))],
    )
    organisation = forms.IntegerField(required=False, min_value=1)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
