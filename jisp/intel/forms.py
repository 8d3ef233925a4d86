"""Forms of the intel pages: filters, the indicator form with its sharing fields, extraction,
sightings, verdict requests and answers, assets, imports.

The sharing fields (TLP, audience, sectors, organisations, named people) work as on the topic
form (``jisp.sharing.forms.writing.TopicForm``): organisations among those the person may see,
people named by e-mail address among those the person may see; ``policy.validate_sharing`` (in
the services) decides whether the combination is admitted.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisp.core import policy
from jisp.core.choices import TLP, Audience, OrganisationCategory
from jisp.core.forms.dates import date_widget
from jisp.core.forms.organisations import OrganisationField
from jisp.core.models import Organisation, Sector, User
from jisp.intel.choices import AssetKind, IndicatorKind, Verdict

#: Tags and sources are separated by commas (Japanese and full-width commas too) or lines.
_SEPARATORS = re.compile(r"[,、，\n]")
#: Deeper pages are refused: narrow the filters instead.
MAX_PAGE = 2000
#: The longest text the extraction reads at once (a long report or a vendor PDF's text).
MAX_EXTRACT_CHARS = 500_000
#: The most values saved from one text.
MAX_EXTRACT_VALUES = 1000

#: Service error keys that name a form field differently.
SERVICE_FIELDS = {
    "audience_sectors": "sectors",
    "audience_organisations": "organisations",
    "audience_people": "people",
}

_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _datetime_field(label: Any, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=help_text or _("Japan time."),
    )


#: Defanged schemes (``jisp.intel.extract.refang`` writes the dots, at signs and colons).
_SCHEMES = [
    (re.compile(r"^hxxp", re.IGNORECASE), "http"),
    (re.compile(r"^fxp", re.IGNORECASE), "ftp"),
]


def refang(value: str) -> str:
    """A defanged value made usable again (``hxxp://example[.]com`` -> ``http://example.com``);
    the service normalises and validates the result."""
    from jisp.intel import extract

    value = value.strip()
    for pattern, replacement in _SCHEMES:
        value = pattern.sub(replacement, value)
    return extract.refang(value)


def split_list(text: str) -> list[str]:
    """Comma- or line-separated words, stripped, without duplicates, in order."""
    return list(dict.fromkeys(part.strip() for part in _SEPARATORS.split(text) if part.strip()))


class SectorChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg,unused-ignore]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SectorsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg,unused-ignore]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class OrganisationsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg,unused-ignore]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


# --- The list's filters ----------------------------------------------------------------------


class IndicatorFilterForm(forms.Form):
    ACTIVE, INACTIVE = "yes", "no"

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *IndicatorKind.choices]
    )
    tlp = forms.ChoiceField(label="TLP", required=False, choices=[("", _("All")), *TLP.choices])
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    source = OrganisationField(
        label=_("Source organisation"), required=False, queryset=Organisation.objects.none()
    )
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("All")), (ACTIVE, _("Active only")), (INACTIVE, _("Inactive only"))],
    )
    false_positive = forms.ChoiceField(
        label=_("False positive"),
        required=False,
        choices=[("", _("All")), ("no", _("Not false positives")), ("yes", _("False positives"))],
    )
    since = forms.DateField(label=_("Changed since"), required=False, widget=date_widget())
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, OrganisationField)
        source.queryset = policy.visible_organisations(user)
        source.help_text = ""

    def since_datetime(self) -> datetime | None:
        """The start of the chosen day in the site's time zone."""
        day = self.cleaned_data.get("since")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.min))

    def flag(self, name: str) -> bool | None:
        value = self.cleaned_data.get(name) or ""
        return None if not value else value == "yes"


# --- The sharing fields ----------------------------------------------------------------------


class SharingFieldsMixin(forms.Form):
    """TLP, audience and its lists; ``setup_sharing(user)`` in ``__init__``."""

    tlp = forms.ChoiceField(
        label=_("TLP"),
        choices=TLP.choices,
        initial=TLP.GREEN,
        help_text=_(
            "TLP:AMBER+STRICT is for chosen organisations, named people or the centre only; "
            "TLP:RED for named people only."
        ),
    )
    audience = forms.ChoiceField(
        label=_("Audience"), choices=Audience.choices, initial=Audience.EVERYONE
    )
    sectors = SectorsField(
        label=_("Sectors"),
        required=False,
        queryset=Sector.objects.all(),
        help_text=_("For the audience “Chosen sectors”."),
    )
    organisations = OrganisationsField(
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

    user: Any

    def setup_sharing(self, user: Any) -> None:
        self.user = user
        orgs = self.fields["organisations"]
        assert isinstance(orgs, forms.ModelMultipleChoiceField)
        orgs.queryset = policy.visible_organisations(
            user, Organisation.objects.filter(is_active=True)
        ).order_by("name", "id")

    def clean_people(self) -> list[User]:
        """Named people by e-mail address, among the people the person may see."""
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

    def sharing(self) -> dict[str, Any]:
        """The sharing part of ``IndicatorInput``."""
        data = self.cleaned_data
        return {
            "tlp": data["tlp"],
            "audience": data["audience"],
            "sectors": list(data["sectors"]),
            "organisations": list(data["organisations"]),
            "people": list(data["people"]),
        }

    def add_service_errors(self, error: Any) -> None:
        """Show a service's ``ValidationError`` on the fields it names (else above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.message_dict.items():
            name = SERVICE_FIELDS.get(key, key)
            self.add_error(name if name in self.fields else None, errors)


def sharing_initial(item: Any) -> dict[str, Any]:
    """The sharing fields' initial values from a shared item."""
    return {
        "tlp": item.tlp,
        "audience": item.audience,
        "sectors": [s.pk for s in item.audience_sectors.all()],
        "organisations": [o.pk for o in item.audience_organisations.all()],
        "people": "\n".join(p.email for p in item.audience_people.all()),
    }


# --- One indicator ---------------------------------------------------------------------------


class IndicatorForm(SharingFieldsMixin):
    """A new indicator, or a change of one."""

    kind = forms.ChoiceField(label=_("Type"), choices=IndicatorKind.choices)
    value = forms.CharField(
        label=_("Value"),
        max_length=2048,
        help_text=_("Defanged forms such as hxxp:// and example[.]com are accepted."),
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    labels = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1200,
        help_text=_("Separated by commas, e.g. “phishing, DDoS”."),
    )
    malware = forms.CharField(
        label=_("Malware family"),
        required=False,
        max_length=100,
        help_text=_("For example Emotet."),
    )
    confidence = forms.IntegerField(
        label=_("Confidence"),
        min_value=0,
        max_value=100,
        initial=50,
        help_text=_("0 (unknown) to 100 (certain)."),
    )
    sources = forms.CharField(
        label=_("Sources"),
        required=False,
        max_length=2400,
        help_text=_("Where it comes from, separated by commas, e.g. “vendor report, honeypot”."),
    )
    first_seen = _datetime_field(_("First seen"))
    last_seen = _datetime_field(_("Last seen"))
    valid_until = _datetime_field(
        _("Valid until"), _("Japan time. Leave empty if it does not expire.")
    )
    share_anyway = forms.BooleanField(
        label=_("Share it anyway: I checked the warnings above"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_sharing(user)
        self.warnings: list[str] = []

    def clean_value(self) -> str:
        return refang(self.cleaned_data["value"])

    def clean_labels(self) -> list[str]:
        return split_list(self.cleaned_data.get("labels", ""))

    def clean_sources(self) -> list[str]:
        return split_list(self.cleaned_data.get("sources", ""))

    def to_input(self) -> Any:
        from jisp.intel.services.indicators import IndicatorInput

        data = self.cleaned_data
        return IndicatorInput(
            kind=data["kind"],
            value=data["value"],
            name=data["name"],
            description=data["description"],
            labels=data["labels"],
            malware=data["malware"],
            confidence=data["confidence"],
            sources=data["sources"],
            first_seen=data["first_seen"],
            last_seen=data["last_seen"],
            valid_until=data["valid_until"],
            **self.sharing(),
        )

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        groups: list[tuple[Any, list[str]]] = [
            (_("The indicator"), ["kind", "value", "name", "description", "labels", "malware"]),
            (
                _("Confidence and time"),
                ["confidence", "sources", "first_seen", "last_seen", "valid_until"],
            ),
            (_("Who may see it"), ["tlp", "audience", "sectors", "organisations", "people"]),
        ]
        return [(legend, [self[n] for n in names]) for legend, names in groups]


def indicator_initial(indicator: Any) -> dict[str, Any]:
    """The form's initial values for changing ``indicator``."""
    local = timezone.localtime
    return {
        "kind": indicator.kind,
        "value": indicator.value,
        "name": indicator.name,
        "description": indicator.description,
        "labels": ", ".join(indicator.labels or []),
        "malware": indicator.malware,
        "confidence": indicator.confidence,
        "sources": ", ".join(indicator.sources or []),
        "first_seen": local(indicator.first_seen) if indicator.first_seen else None,
        "last_seen": local(indicator.last_seen) if indicator.last_seen else None,
        "valid_until": local(indicator.valid_until) if indicator.valid_until else None,
        **sharing_initial(indicator),
    }


class FalsePositiveForm(forms.Form):
    note = forms.CharField(
        label=_("Why is it a false positive?"),
        max_length=500,
        help_text=_("For example: the address belongs to a public DNS resolver."),
    )


class SightingForm(forms.Form):
    """A member's "seen in our network": shared with the centre only by default."""

    count = forms.IntegerField(label=_("Times seen"), min_value=1, max_value=10**9, initial=1)
    first_seen = forms.DateTimeField(
        label=_("First seen"),
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Japan time."),
    )
    last_seen = _datetime_field(_("Last seen"), _("Japan time. Empty: the same as first seen."))
    where = forms.CharField(
        label=_("Where"),
        required=False,
        max_length=300,
        help_text=_("For example: web proxy, head office."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices, initial=TLP.AMBER)
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=[
            (Audience.CENTRE, Audience.CENTRE.label),
            (Audience.EVERYONE, Audience.EVERYONE.label),
        ],
        initial=Audience.CENTRE,
        help_text=_(
            "Where you saw it is your organisation's business: the centre only by default."
        ),
    )

    def to_input(self) -> Any:
        from jisp.intel.services.sightings import SightingInput

        data = self.cleaned_data
        return SightingInput(
            count=data["count"],
            first_seen=data["first_seen"],
            last_seen=data["last_seen"] or data["first_seen"],
            where=data["where"],
            note=data["note"],
            tlp=data["tlp"],
            audience=data["audience"],
        )


# --- Extraction ------------------------------------------------------------------------------


class ExtractTextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        max_length=MAX_EXTRACT_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Paste a report, an e-mail or the text of a vendor's PDF. Defanged forms such as "
            "hxxp://, [.] and (dot) are recognised."
        ),
    )
    topic = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    report = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ExtractSaveForm(SharingFieldsMixin):
    """What the chosen values share: one TLP, audience, tags and confidence for all."""

    labels = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1200,
        help_text=_("Separated by commas, e.g. “phishing, DDoS”."),
    )
    malware = forms.CharField(label=_("Malware family"), required=False, max_length=100)
    confidence = forms.IntegerField(label=_("Confidence"), min_value=0, max_value=100, initial=50)
    valid_until = _datetime_field(
        _("Valid until"), _("Japan time. Leave empty if it does not expire.")
    )
    topic = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    report = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_sharing(user)

    def clean_labels(self) -> list[str]:
        return split_list(self.cleaned_data.get("labels", ""))

    def common_fields(self) -> list[forms.BoundField]:
        names = ["labels", "malware", "confidence", "valid_until"]
        return [self[n] for n in names]

    def sharing_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("tlp", "audience", "sectors", "organisations", "people")]


# --- Verdict requests ------------------------------------------------------------------------


class VerdictRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=IndicatorKind.choices)
    value = forms.CharField(label=_("Value"), max_length=2048)
    vendors = OrganisationsField(
        label=_("Vendors to ask"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    question = forms.CharField(
        label=_("Question"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you know and what you want to know, e.g. “seen in DDoS traffic”."),
    )
    on_behalf_of = OrganisationField(
        label=_("On behalf of"),
        required=False,
        queryset=Organisation.objects.none(),
        help_text=_("The member who asked the centre, if any: its name or number."),
    )
    share_with_member = forms.BooleanField(
        label=_("Show the answers to that member"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vendors = self.fields["vendors"]
        assert isinstance(vendors, forms.ModelMultipleChoiceField)
        vendors.queryset = Organisation.objects.filter(
            category=OrganisationCategory.VENDOR, is_active=True
        ).order_by("name", "id")
        member = self.fields["on_behalf_of"]
        assert isinstance(member, OrganisationField)
        member.queryset = policy.visible_organisations(
            user, Organisation.objects.filter(is_active=True)
        )

    def clean_value(self) -> str:
        return refang(self.cleaned_data["value"])


class VerdictAnswerForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    confidence = forms.IntegerField(label=_("Confidence"), min_value=0, max_value=100, initial=70)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you saw, e.g. “C2 server of Emotet since 2 August”."),
    )


# --- Assets and imports ----------------------------------------------------------------------


class AssetForm(forms.Form):
    """One asset of an organisation the person manages: a list of them when they are few (an
    organisation's administrators), the name-or-number box for the centre (hundreds)."""

    #: Up to this many organisations are offered as a list.
    LISTED = 20

    kind = forms.ChoiceField(label=_("Type"), choices=AssetKind.choices)
    value = forms.CharField(
        label=_("Value"),
        max_length=255,
        help_text=_("A domain (its subdomains are included), an address or a network in CIDR."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        few = list(organisations.order_by("name", "id")[: self.LISTED + 1])
        field: forms.Field
        if len(few) <= self.LISTED:
            field = OrganisationsChoiceField(
                label=_("Organisation"), queryset=organisations, empty_label=None
            )
            if few:
                field.initial = few[0].pk
        else:
            field = OrganisationField(label=_("Organisation"), queryset=organisations)
        self.fields = {"organisation": field, **self.fields}


class OrganisationsChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg,unused-ignore]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AssetFilterForm(forms.Form):
    organisation = OrganisationField(
        label=_("Organisation"), required=False, queryset=Organisation.objects.all()
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput
    )


class ImportForm(forms.Form):
    STIX, MISP = "stix", "misp"

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(STIX, _("STIX 2.1 bundle (JSON)")), (MISP, _("MISP event (JSON)"))],
    )
    file = forms.FileField(label=_("File"))
    organisation = OrganisationField(
        label=_("Source organisation"),
        required=False,
        queryset=Organisation.objects.filter(is_active=True),
        help_text=_(
            "Who the indicators come from: its name or number. Empty: the coordination centre."
        ),
    )
    tlp = forms.ChoiceField(
        label=_("TLP when the file has none"), choices=TLP.choices, initial=TLP.AMBER
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=[
            (Audience.EVERYONE, Audience.EVERYONE.label),
            (Audience.CENTRE, Audience.CENTRE.label),
        ],
        initial=Audience.EVERYONE,
    )
