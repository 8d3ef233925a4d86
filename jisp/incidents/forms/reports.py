"""Forms of the report pages: the report (new, edit, entered by the centre), updates, files,
sharing by hand, the centre's filters, and routing rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import TLP, OrganisationCategory
from jisp.core.forms.organisations import OrganisationField
from jisp.core.models import Organisation, Sector, User
from jisp.incidents.choices import (
    Grant,
    IntakeChannel,
    ReportCategory,
    ReportKind,
    SupportKind,
    YesNoUnknown,
)
from jisp.incidents.models import Report, RoutingRule
from jisp.incidents.services.reports import OUTSIDE_CHANNELS, ReportInput, clean_input

#: Service error keys that name a form field differently.
SERVICE_FIELDS = {"reporter": "reporter_email"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _datetime_field(label: Any, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=help_text,
    )


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class SectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ReportForm(forms.Form):
    """A report or a consultation. ``sending`` (the "Send" button) asks for everything the
    centre needs; a draft needs only a title."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ReportKind.choices,
        initial=ReportKind.INCIDENT,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("In a few words, e.g. “Official site unreachable since 13:00”."),
    )
    description = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=_textarea(8),
        help_text=_("What you saw, what you did, what you know so far. Required to send."),
    )
    started_at = _datetime_field(_("Began"), _("Japan time. Leave empty if not known."))
    detected_at = _datetime_field(_("Detected"), _("Japan time. Not before it began."))
    affected_services = forms.CharField(
        label=_("Affected services"), required=False, widget=_textarea(3)
    )
    affected_systems = forms.CharField(
        label=_("Affected systems"), required=False, widget=_textarea(3)
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Choose a category")), *ReportCategory.choices],
        help_text=_("Required to send an incident report."),
    )
    event_impact = forms.ChoiceField(
        label=_("Impact on the event"),
        choices=YesNoUnknown.choices,
        initial=YesNoUnknown.UNKNOWN,
        widget=forms.RadioSelect,
    )
    public_awareness = forms.ChoiceField(
        label=_("Reported in the media"),
        choices=YesNoUnknown.choices,
        initial=YesNoUnknown.UNKNOWN,
        widget=forms.RadioSelect,
    )
    support_wanted = forms.MultipleChoiceField(
        label=_("Support wanted"),
        required=False,
        choices=SupportKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    tlp = forms.ChoiceField(
        label=_("TLP"),
        choices=TLP.choices,
        initial=TLP.AMBER,
        help_text=_(
            "Who may learn of it. TLP:AMBER (usual): the centre and the organisations the "
            "routing rules name. TLP:AMBER+STRICT: those organisations see it redacted only. "
            "TLP:RED: the coordination centre only. TLP:GREEN / CLEAR: may be shared more widely."
        ),
    )
    indicators = forms.CharField(
        label=_("Indicators"),
        required=False,
        widget=_textarea(5),
        help_text=_("Addresses, domains, URLs or hashes, one per line."),
    )

    def __init__(self, *args: Any, sending: bool = False, **kwargs: Any) -> None:
        self.sending = sending
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from(cls, report: Report) -> dict[str, Any]:
        return {name: getattr(report, name) for name in cls.base_fields if hasattr(report, name)}

    def to_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            title=data["title"],
            kind=data["kind"],
            description=data["description"],
            category=data["category"],
            started_at=data["started_at"],
            detected_at=data["detected_at"],
            affected_services=data["affected_services"],
            affected_systems=data["affected_systems"],
            event_impact=data["event_impact"],
            public_awareness=data["public_awareness"],
            support_wanted=list(data["support_wanted"]),
            indicators=data["indicators"],
            tlp=data["tlp"],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            clean_input(self.to_input(), sending=self.sending)
        except ValidationError as error:
            self.add_service_errors(error)
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ``ValidationError`` on the fields it names (else above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            name = SERVICE_FIELDS.get(key, key)
            self.add_error(name if name in self.fields else None, messages)

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        groups: list[tuple[Any, list[str]]] = [
            (_("The report"), ["kind", "title", "description", "category"]),
            (
                _("When and what"),
                ["started_at", "detected_at", "affected_services", "affected_systems"],
            ),
            (
                _("Impact and support"),
                ["event_impact", "public_awareness", "support_wanted"],
            ),
            (_("Confidentiality and indicators"), ["tlp", "indicators"]),
        ]
        return [(legend, [self[n] for n in names if n in self.fields]) for legend, names in groups]


class EnterReportForm(ReportForm):
    """The centre enters a report received by telephone or e-mail (sent at once)."""

    organisation = OrganisationField(
        label=_("Reporting organisation"),
        queryset=Organisation.objects.filter(is_active=True)
        .exclude(category=OrganisationCategory.CENTRE)
        .order_by("name", "id"),
    )
    reporter_email = forms.EmailField(
        label=_("Reporter's e-mail address"),
        required=False,
        help_text=_("If the person has an account in that organisation."),
    )
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(c.value, c.label) for c in IntakeChannel if c in OUTSIDE_CHANNELS],
        initial=IntakeChannel.PHONE,
    )
    received_at = _datetime_field(_("Received at"), _("Japan time. Empty: now."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["sending"] = True
        super().__init__(*args, **kwargs)

    def clean_reporter_email(self) -> User | None:
        email = (self.cleaned_data.get("reporter_email") or "").strip()
        if not email:
            return None
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise ValidationError(_("Nobody has an account with this address."))
        return person

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        intake = (
            _("How it was received"),
            [self[n] for n in ("organisation", "reporter_email", "channel", "received_at")],
        )
        return [intake, *super().fieldsets()]


class UpdateForm(forms.Form):
    body = forms.CharField(
        label=_("Update"),
        max_length=10_000,
        widget=_textarea(4),
        help_text=_("E.g. “Service restored at 14:10; cause under investigation.”"),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Add a file"))


class ShareForm(forms.Form):
    organisation = OrganisationField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True)
        .exclude(category=OrganisationCategory.CENTRE)
        .order_by("name", "id"),
    )
    grant = forms.ChoiceField(label=_("Grant"), choices=Grant.choices, initial=Grant.REDACTED)


class ReportFilterForm(forms.Form):
    """The centre's filters on the submitted reports."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *ReportKind.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *ReportCategory.choices],
    )
    channel = forms.ChoiceField(
        label=_("Received by"),
        required=False,
        choices=[("", _("All")), *IntakeChannel.choices],
    )
    sector = SectorChoiceField(
        label=_("Sector"),
        required=False,
        queryset=Sector.objects.all(),
        empty_label=_("All sectors"),
    )


class RoutingRuleForm(forms.ModelForm):
    recipient = OrganisationField(
        label=_("Recipient"),
        required=False,
        queryset=Organisation.objects.filter(is_active=True),
        help_text=_(
            "Its name (or part of it), or its number; or tick “the ministry in charge of the "
            "sector”."
        ),
    )
    sector = SectorChoiceField(
        label=_("Reporter's sector"),
        required=False,
        queryset=Sector.objects.all(),
        empty_label=_("Any sector"),
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "sector",
            "category",
            "kind",
            "recipient",
            "sector_ministry",
            "grant",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and data.get("recipient") is None and not data.get("sector_ministry"):
            self.add_error(
                "recipient",
                _("Choose a recipient organisation or the ministry in charge of the sector."),
            )
        return data
