"""A form field that names one organisation by its number or by (part of) its name.

The platform has hundreds of organisations at an event and thousands after it: a ``<select>`` of
all of them made a page hundreds of kilobytes long. This field is a text box; the value is
matched against the allowed organisations (its ``queryset``): a number is the organisation's id;
other text must name exactly one organisation — equal to its name, English name or short name, or
else contained in exactly one of them. Otherwise the error says why (none, or which several).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core.models import Organisation

#: How many of several matching organisations the error names.
SHOWN = 5


class OrganisationField(forms.Field):
    widget = forms.TextInput(attrs={"maxlength": "200"})
    default_error_messages = {
        "none": gettext_lazy("No organisation matches “%(value)s”."),
    }

    def __init__(self, *, queryset: QuerySet[Organisation], **kwargs: Any) -> None:
        kwargs.setdefault("help_text", gettext_lazy("Its name (or part of it), or its number."))
        super().__init__(**kwargs)
        self.queryset = queryset

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Organisation):
            return value.pk
        return value

    def to_python(self, value: Any) -> Organisation | None:
        text = str(value or "").replace("\x00", "").strip()[:200]
        if not text:
            return None
        if text.isdigit() and len(text) < 19:
            found = self.queryset.filter(pk=int(text)).first()
            if found is None:
                raise ValidationError(self.error_messages["none"], params={"value": text})
            return found
        exact = Q(name__iexact=text) | Q(name_en__iexact=text) | Q(short_name__iexact=text)
        matches = list(self.queryset.filter(exact)[:2])
        if len(matches) != 1:
            within = Q(name__icontains=text) | Q(name_en__icontains=text)
            matches = matches or list(self.queryset.filter(within).order_by("name")[: SHOWN + 1])
        if not matches:
            raise ValidationError(self.error_messages["none"], params={"value": text})
        if len(matches) > 1:
            names = ", ".join(f"{o.display_name} ({o.pk})" for o in matches[:SHOWN])
            more = "…" if len(matches) > SHOWN else ""
            raise ValidationError(
                _("Several organisations match: %(names)s%(more)s. Give its number.")
                % {"names": names, "more": more}
            )
        return matches[0]
