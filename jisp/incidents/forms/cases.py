"""Forms of the case queue and of the case page (each POST action has its own small form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisp.core.models import Sector, User
from jisp.incidents.choices import (
    CaseRole,
    CaseState,
    ReportCategory,
    ReportKind,
    Severity,
    YesNoUnknown,
)
from jisp.incidents.services.cases import MAX_MESSAGE, centre_staff


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class CaseQueueForm(forms.Form):
    """The queue's filters (GET). Invalid values are reported and ignored."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open")), ("all", _("All")), *CaseState.choices],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=_any(Severity.choices)
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=_any(ReportCategory.choices)
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_any(ReportKind.choices))
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    # A text field, not a list: the platform has thousands of organisations (a list of them made
    # the queue page 870 KB). A number is the organisation's id; other text is a part of its name.
    organisation = forms.CharField(
        label=_("Reporting organisation"),
        required=False,
        max_length=200,
        help_text=_("Part of its name, or its number."),
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"), required=False, queryset=Sector.objects.all(), empty_label=_("Any")
    )
    for_sitrep = forms.ChoiceField(
        label=_("In the situation report"),
        required=False,
        choices=[("", _("Any")), ("1", _("Yes")), ("0", _("No"))],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Title contains"), required=False, max_length=200)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("severity", _("Severity (critical first)")),
            ("updated", _("Recently updated")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(p.pk), p.name or p.email) for p in centre_staff()]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
            *people,
        ]

    def filters(self) -> dict[str, Any]:
        """The valid filters, as ``case_queue`` takes them (invalid ones dropped)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = dict(getattr(self, "cleaned_data", {}))
        chosen = data.get("sector")
        data["sector"] = chosen.pk if chosen is not None else None
        organisation = (data.pop("organisation", "") or "").strip()
        if organisation.isdigit():
            data["organisation"] = organisation
        elif organisation:
            data["organisation_name"] = organisation
        return {key: value for key, value in data.items() if value not in (None, "", False)}


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=CaseState.choices)
    note = forms.CharField(
        label=_("Note to the reporter"), required=False, max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), required=False, queryset=User.objects.none(), empty_label=_("Nobody")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = centre_staff()  # type: ignore[attr-defined]


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 4})
    )
    internal = forms.BooleanField(label=_("Internal note (the centre only)"), required=False)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), required=False, queryset=User.objects.none(), empty_label=_("Nobody")
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = centre_staff()  # type: ignore[attr-defined]


class TaskDoneForm(forms.Form):
    task = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class CaseNumberForm(forms.Form):
    """Another case, by its number (links and merging)."""

    number = forms.IntegerField(label=_("Case number"), min_value=1, max_value=2**63 - 1)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class TopicNumberForm(forms.Form):
    """A topic, by its number (linking the alert a case led to)."""

    number = forms.IntegerField(label=_("Topic number"), min_value=1, max_value=2**63 - 1)


class ImpactForm(forms.Form):
    event_impact = forms.ChoiceField(label=_("Impact on the event"), choices=YesNoUnknown.choices)
    public_awareness = forms.ChoiceField(
        label=_("Reported in the media"), choices=YesNoUnknown.choices
    )
    note = forms.CharField(
        label=_("Assessment with the organiser"), required=False, max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class SitrepForm(forms.Form):
    for_sitrep = forms.BooleanField(label=_("Include in the situation report"), required=False)


class ParticipantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=CaseRole.choices)

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people if people is not None else centre_staff()  # type: ignore[attr-defined]
