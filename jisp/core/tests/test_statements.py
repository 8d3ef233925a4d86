"""Compiled statements: the rows of the queryset they were made from, for any values."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jisp.core.models import Membership, Notification, Organisation, User
from jisp.core.statements import Statement
from jisp.core.testing import Cast

PERSON = Statement(lambda pk: User.objects.filter(pk=pk, is_active=True)[:1], int)
MEMBERSHIPS = Statement(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id)
        .select_related("organisation", "user")
        .order_by("pk")
    ),
    int,
)
BY_EMAIL_AND_ORG = Statement(
    lambda email, org: Membership.objects.filter(
        user__email=email, organisation_id=org
    ).values_list("user_id", "organisation__name", "created_at"),
    str,
    int,
)
ORG_IDS = Statement(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id)
        .order_by("organisation_id")
        .values_list("organisation_id", flat=True)
    ),
    int,
)


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_it_answers_the_same_instances_as_the_queryset(cast: Cast) -> None:
    for person in [cast.member_a, cast.analyst, cast.vendor_analyst]:
        expected = User.objects.get(pk=person.pk)
        got = PERSON.first(person.pk)
        assert isinstance(got, User)
        assert _fields(got) == _fields(expected)
        assert got._state.adding is False and got._state.db == "default"
    assert PERSON.first(10**9) is None


def test_it_converts_columns_as_the_orm_does(cast: Cast) -> None:
    cast.member_a.last_login = timezone.now() - timedelta(hours=3)
    cast.member_a.save(update_fields=["last_login"])
    got = PERSON.first(cast.member_a.pk)
    # On SQLite the column comes back as text: the statement applies Django's converters.
    assert got.last_login == cast.member_a.last_login
    assert timezone.is_aware(got.last_login)
    ((user_id, org_name, created_at),) = BY_EMAIL_AND_ORG(cast.member_a.email, cast.org_a.pk)
    membership = Membership.objects.get(user=cast.member_a, organisation=cast.org_a)
    assert (user_id, org_name, created_at) == (
        cast.member_a.pk,
        cast.org_a.name,
        membership.created_at,
    )


def test_it_fills_select_related_objects(cast: Cast) -> None:
    Membership.objects.create(user=cast.member_a, organisation=cast.org_b, role="member")
    rows = MEMBERSHIPS(cast.member_a.pk)
    expected = list(
        Membership.objects.filter(user=cast.member_a).select_related("organisation", "user")
    )
    assert [m.pk for m in rows] == sorted(m.pk for m in expected)
    with CaptureQueriesContext(connection) as queries:
        names = [(m.organisation.name, m.user.email) for m in rows]
    assert len(queries) == 0  # no lazy load: the related objects came with the rows
    assert sorted(names) == sorted(
        [(cast.org_a.name, cast.member_a.email), (cast.org_b.name, cast.member_a.email)]
    )


def test_it_answers_flat_values(cast: Cast) -> None:
    assert ORG_IDS(cast.member_a.pk) == [cast.org_a.pk]
    assert ORG_IDS(10**9) == []


def test_each_call_runs_with_its_own_values_and_is_logged(cast: Cast) -> None:
    with CaptureQueriesContext(connection) as queries:
        first = PERSON.first(cast.member_a.pk)
        second = PERSON.first(cast.member_b.pk)
    assert (first.pk, second.pk) == (cast.member_a.pk, cast.member_b.pk)
    assert len(queries) == 2
    assert queries[0]["sql"] == queries[1]["sql"].replace(
        str(cast.member_b.pk), str(cast.member_a.pk)
    )


def test_it_answers_a_grouped_count(cast: Cast) -> None:
    from jisp.core.context_processors import _UNREAD as unread  # the count on every page

    assert unread.first(cast.member_a.pk) is None
    for i in range(3):
        Notification.objects.create(recipient=cast.member_a, kind="system", title=f"n{i}")
    Notification.objects.filter(title="n0").update(read_at=timezone.now())
    assert unread.first(cast.member_a.pk) == 2
    assert unread.first(cast.member_b.pk) is None


def test_it_refuses_a_value_that_sql_would_change(db: Any) -> None:
    containing = Statement(lambda text: Organisation.objects.filter(name__contains=text), str)
    with pytest.raises(ValueError, match="changed on its way to SQL"):
        containing("rail")


def test_it_refuses_values_of_the_wrong_type_or_number(cast: Cast) -> None:
    with pytest.raises(TypeError):
        PERSON(str(cast.member_a.pk))
    with pytest.raises(TypeError):
        PERSON(True)
    with pytest.raises(TypeError):
        PERSON(1, 2)
    with pytest.raises(TypeError):
        Statement(lambda when: User.objects.filter(last_login=when), float)(1.0)


def test_it_refuses_querysets_it_cannot_build_rows_for(db: Any) -> None:
    with pytest.raises(TypeError):
        Statement(lambda pk: User.objects.filter(pk=pk).values("email"), int)(1)
    with pytest.raises(TypeError):
        Statement(lambda pk: User.objects.filter(pk=pk).annotate(n=Count("memberships")), int)(1)
