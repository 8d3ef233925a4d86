"""Forms of the following page: the daily digest, and following or muting a tag or a sector."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from jisp.core.models import Sector
from jisp.sharing.choices import SubscriptionKind
from jisp.sharing.models import Tag
from jisp.sharing.services.following import FollowState
from jisp.sharing.services.topics import readable_topics


class DigestForm(forms.Form):
    digest_enabled = forms.BooleanField(
        label=_("Send me the daily digest by e-mail"), required=False
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Time of the digest (Japan time)"),
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        coerce=int,
        help_text=_("The digest lists the topics published since the previous one."),
    )


class SectorField(forms.ModelChoiceField):  # type: ignore[type-arg,unused-ignore]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class SubscriptionForm(forms.Form):
    """Follow or mute one tag (by name) or one sector."""

    kind = forms.ChoiceField(
        label=_("What"),
        choices=[(SubscriptionKind.TAG, _("Tag")), (SubscriptionKind.SECTOR, _("Sector"))],
    )
    tag = forms.CharField(
        label=_("Tag"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"list": "tag-suggestions", "autocomplete": "off"}),
    )
    sector = SectorField(
        label=_("Sector"), required=False, queryset=Sector.objects.all(), empty_label="—"
    )
    state = forms.ChoiceField(
        label=_("Follow or mute"),
        choices=[(FollowState.FOLLOW, _("Follow")), (FollowState.MUTE, _("Mute"))],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == SubscriptionKind.TAG:
            name = (data.get("tag") or "").strip()
            if not name:
                self.add_error("tag", _("Enter a tag."))
            else:
                # Only tags of topics the person may read: a tag's name can say a lot.
                readable = readable_topics(self.user).filter(tags=OuterRef("pk"))
                tag = Tag.objects.filter(Exists(readable), name__iexact=name).order_by("pk").first()
                if tag is None:
                    self.add_error("tag", _("No topic has this tag yet."))
                data["target"] = tag
        elif kind == SubscriptionKind.SECTOR:
            if data.get("sector") is None:
                self.add_error("sector", _("Choose a sector."))
            data["target"] = data.get("sector")
        return data
