"""The organisation field: one organisation by its number or its name, clear errors otherwise."""

from __future__ import annotations

import pytest
from django import forms

from jisp.core.forms.organisations import OrganisationField
from jisp.core.models import Organisation
from jisp.core.testing import Cast


def form_class() -> type[forms.Form]:
    class PickForm(forms.Form):
        organisation = OrganisationField(
            queryset=Organisation.objects.exclude(category="centre"), label="organisation"
        )

    return PickForm


def pick(value: str) -> tuple[Organisation | None, list[str]]:
    form = form_class()({"organisation": value})
    valid = form.is_valid()
    return (form.cleaned_data["organisation"] if valid else None), form.errors.get(
        "organisation", []
    )


def test_it_takes_a_number_an_exact_name_or_a_part_found_once(cast: Cast) -> None:
    assert pick(str(cast.org_b.pk))[0] == cast.org_b
    assert pick("関東電力テスト")[0] == cast.org_b
    assert pick("test power kanto")[0] == cast.org_b
    assert pick("電力")[0] == cast.org_b


def test_it_says_which_organisations_match_when_several_do(cast: Cast) -> None:
    found, errors = pick("テスト")
    assert found is None
    assert str(cast.org_a.pk) in errors[0] and str(cast.org_b.pk) in errors[0]


@pytest.mark.parametrize(
    "value", ["存在しない組織", "999999999", "99999999999999999999999", "\x00"]
)
def test_it_refuses_what_matches_nothing_or_is_outside_its_choices(cast: Cast, value: str) -> None:
    found, errors = pick(value)
    assert found is None and errors
    assert pick(str(cast.centre.pk))[0] is None  # the centre is not among the choices


def test_it_is_required_unless_told_otherwise(cast: Cast) -> None:
    assert pick("")[1]
