"""Forms for writing topics: the topic form (new and edit), review, withdrawal, attachments."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisp.core import policy
from jisp.core.choices import TLP, Audience
from jisp.core.models import Organisation, Sector, User
from jisp.sharing.choices import TopicCategory
from jisp.sharing.models import Topic
from jisp.sharing.services.topics import TopicInput

#: Tags are separated by commas (Japanese and full-width commas too).
_TAG_SEPARATORS = re.compile(r"[,、，]")

#: Service error keys that name a form field differently.
SERVICE_FIELDS = {
    "audience_sectors": "sectors",
    "audience_organisations": "organisations",
    "audience_people": "people",
}


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class TopicForm(forms.Form):
    """Everything an author writes. ``pinned`` and ``requires_ack`` are only offered to the
    centre's staff; ``change_note`` only on edit, where it is required."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary in plain language"),
        widget=_textarea(4),
        max_length=5000,
        help_text=_("What happened and what it means, for readers who are not security experts."),
    )
    actions = forms.CharField(
        label=_("Recommended actions"),
        required=False,
        widget=_textarea(5),
        help_text=_("One action per line, e.g. “Do not open attachments of such mails”."),
    )
    body = forms.CharField(
        label=_("Details"),
        required=False,
        widget=_textarea(14),
        strip=False,
        help_text=_(
            "Markdown: **bold**, lists, links, tables, `code`. HTML is shown as plain text; "
            "only http, https and mailto links are kept."
        ),
    )
    category = forms.ChoiceField(label=_("Category"), choices=TopicCategory.choices)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1200,
        help_text=_("Separated by commas, e.g. “phishing, DDoS”."),
    )
    tlp = forms.ChoiceField(
        label=_("TLP"),
        choices=TLP.choices,
        initial=TLP.AMBER,
        help_text=_(
            "TLP:AMBER+STRICT is for chosen organisations, named people or the centre only; "
            "TLP:RED for named people only."
        ),
    )
    audience = forms.ChoiceField(
        label=_("Audience"), choices=Audience.choices, initial=Audience.EVERYONE
    )
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        required=False,
        queryset=Sector.objects.all(),
        help_text=_("For the audience “Chosen sectors”."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        required=False,
        queryset=Organisation.objects.none(),
        help_text=_("For the audience “Chosen organisations”."),
    )
    people = forms.CharField(
        label=_("Named people"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the audience “Named people”: their e-mail addresses, one per line."),
    )
    professional = forms.BooleanField(
        label=_("Professional (technical content for security experts)"), required=False
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Japan time. Leave empty if it does not expire."),
    )
    pinned = forms.BooleanField(label=_("Pinned to the top of the list"), required=False)
    requires_ack = forms.BooleanField(
        label=_("Requires acknowledgement"),
        required=False,
        help_text=_("Each targeted organisation confirms that it read and acted on it."),
    )
    change_note = forms.CharField(
        label=_("Change note"),
        max_length=300,
        help_text=_("What changed, e.g. “updated 30 July: new hashes”."),
    )

    def __init__(self, *args: Any, user: Any, topic: Topic | None = None, **kwargs: Any) -> None:
        self.user = user
        self.topic = topic
        if topic is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(topic)
        super().__init__(*args, **kwargs)
        a = policy.access(user)
        orgs = self.fields["organisations"]
        assert isinstance(orgs, forms.ModelMultipleChoiceField)
        orgs.queryset = policy.visible_organisations(
            user, Organisation.objects.filter(is_active=True)
        ).order_by("name", "id")
        self.user = user
        self.is_centre = a.is_centre_staff
        if not self.is_centre:
            del self.fields["pinned"]
            del self.fields["requires_ack"]
        if topic is None:
            del self.fields["change_note"]

    def clean_people(self) -> list[User]:
        """Named people by e-mail address, among the people the author may see (a list of a
        hundred thousand names would not fit in a page)."""
        addresses = {
            a.strip().lower()
            for a in re.split(r"[\s,;、]+", self.cleaned_data["people"])
            if a.strip()
        }
        if len(addresses) > 200:
            raise forms.ValidationError(_("Name at most 200 people."))
        found = list(
            policy.visible_people(self.user, User.objects.filter(is_active=True)).filter(
                email__in=addresses
            )
        )
        missing = sorted(addresses - {p.email for p in found})
        if missing:
            raise forms.ValidationError(
                _("Not found among the people you may see: %(addresses)s"),
                params={"addresses": ", ".join(missing)},
            )
        return found

    def clean_actions(self) -> list[str]:
        lines = self.cleaned_data.get("actions", "").splitlines()
        return [line.strip().lstrip("-*・").strip() for line in lines if line.strip()]

    def clean_tags(self) -> list[str]:
        parts = _TAG_SEPARATORS.split(self.cleaned_data.get("tags", ""))
        return list(dict.fromkeys(part.strip() for part in parts if part.strip()))

    def to_input(self) -> TopicInput:
        """The service's input. Fields not offered to this person keep the topic's values."""
        data = self.cleaned_data
        keep = self.topic
        return TopicInput(
            title=data["title"],
            summary=data["summary"],
            body=data.get("body", ""),
            actions=data["actions"],
            category=data["category"],
            tags=data["tags"],
            tlp=data["tlp"],
            audience=data["audience"],
            sectors=list(data["sectors"]),
            organisations=list(data["organisations"]),
            people=list(data["people"]),
            professional=data["professional"],
            valid_until=data.get("valid_until"),
            pinned=data["pinned"] if self.is_centre else bool(keep and keep.pinned),
            requires_ack=(
                data["requires_ack"] if self.is_centre else bool(keep and keep.requires_ack)
            ),
            change_note=data.get("change_note", ""),
        )

    def add_service_errors(self, error: Any) -> None:
        """Show a service's ``ValidationError`` on the fields it names (else above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.message_dict.items():
            name = SERVICE_FIELDS.get(key, key)
            self.add_error(name if name in self.fields else None, errors)

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """The fields in groups, for the template."""
        groups: list[tuple[Any, list[str]]] = [
            (_("The topic"), ["title", "summary", "actions", "body", "category", "tags"]),
            (_("Who may see it"), ["tlp", "audience", "sectors", "organisations", "people"]),
            (
                _("Options"),
                ["professional", "valid_until", "pinned", "requires_ack", "change_note"],
            ),
        ]
        return [(legend, [self[n] for n in names if n in self.fields]) for legend, names in groups]


def initial_from(topic: Topic) -> dict[str, Any]:
    """The form's initial values for editing ``topic``."""
    return {
        "title": topic.title,
        "summary": topic.summary,
        "actions": "\n".join(topic.actions),
        "body": topic.body,
        "category": topic.category,
        "tags": ", ".join(tag.name for tag in topic.tags.all()),
        "tlp": topic.tlp,
        "audience": topic.audience,
        "sectors": [s.pk for s in topic.audience_sectors.all()],
        "organisations": [o.pk for o in topic.audience_organisations.all()],
        "people": "\n".join(p.email for p in topic.audience_people.all()),
        "professional": topic.professional,
        "valid_until": topic.valid_until,
        "pinned": topic.pinned,
        "requires_ack": topic.requires_ack,
    }


class ReviewForm(forms.Form):
    APPROVE = "approve"
    APPROVE_ANONYMOUSLY = "approve_anonymously"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Approve and publish with the source shown")),
            (
                APPROVE_ANONYMOUSLY,
                _(
                    "Approve and publish on the source's behalf (members see the coordination "
                    "centre as the source)"
                ),
            ),
            (RETURN, _("Return to the author")),
        ],
    )
    note = forms.CharField(
        label=_("Note to the author"),
        required=False,
        max_length=2000,
        widget=_textarea(3),
        help_text=_("Required when you return the topic: say what to change."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == self.RETURN and not data.get("note", "").strip():
            self.add_error("note", _("Say what the author should change."))
        return data


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,
        help_text=_("PDF, text, CSV, JSON, PNG, JPEG, ZIP or Office files, at most 20 MB."),
    )
