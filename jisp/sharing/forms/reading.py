"""Forms of the reading pages: the topic list's filters and the ranking's period."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import TLP
from jisp.core.forms.dates import PeriodForm, check_date_order, date_widget
from jisp.core.models import Sector
from jisp.sharing.choices import TopicCategory

#: The longest period the ranking sums at once.
MAX_RANKING_DAYS = 366
#: The ranking's default period: the last seven days, today included.
DEFAULT_RANKING_DAYS = 7
#: Deeper pages are refused: nobody reads page 2,000; narrow the filters instead.
MAX_PAGE = 2000


class SectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class TopicFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *TopicCategory.choices],
    )
    tlp = forms.ChoiceField(label="TLP", required=False, choices=[("", _("All")), *TLP.choices])
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    sector = SectorChoiceField(
        label=_("Sector"),
        required=False,
        queryset=Sector.objects.all(),
        empty_label=_("All sectors"),
    )
    date_from = forms.DateField(label=_("Published from"), required=False, widget=date_widget())
    date_to = forms.DateField(label=_("Published until"), required=False, widget=date_widget())
    unread = forms.BooleanField(label=_("Unread or changed"), required=False)
    needs_ack = forms.BooleanField(label=_("Needs my acknowledgement"), required=False)
    professional = forms.BooleanField(label=_("Professional only"), required=False)
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_date_order(self, data)
        return data


class RankingPeriodForm(PeriodForm):
    default_days = DEFAULT_RANKING_DAYS
    max_days = MAX_RANKING_DAYS
