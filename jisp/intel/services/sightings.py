"""Sightings: a member says "we saw this indicator in our network", and the centre sees which
indicators are active.

A sighting is ``Shareable``: by default TLP:AMBER to the centre only (where a member saw an
indicator is its own business); its organisation is always the reporter's. Reading goes through
``policy.visible`` like any other shared item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet, Sum
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core import audit, policy
from jisp.core.choices import TLP, Audience
from jisp.core.models import Organisation, Sector, User
from jisp.core.services.notifications import notify
from jisp.intel.models import Indicator, Sighting
from jisp.intel.notifications import SIGHTING_REPORTED
from jisp.intel.services.indicators import source_for

#: The largest count one sighting may carry.
MAX_COUNT = 1_000_000_000
#: How far in the future a time may be (clocks differ a little).
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class SightingInput:
    """What a person (a form, the API) sends for one sighting. ``last_seen`` defaults to now and
    ``first_seen`` to ``last_seen``."""

    count: int = 1
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    where: str = ""
    note: str = ""
    tlp: str = TLP.AMBER
    audience: str = Audience.CENTRE
    organisations: Sequence[Organisation] = ()
    sectors: Sequence[Sector] = ()
    people: Sequence[User] = ()


def page_url(name: str, *args: Any) -> str:
    """The path of one of the intel pages, or the area's front page while it is not there."""
    try:
        return reverse(f"intel:{name}", args=args)
    except NoReverseMatch:
        return "/intel/"


def _validate(data: SightingInput, now: datetime) -> tuple[datetime, datetime]:
    errors: dict[str, Any] = {}
    last = data.last_seen or now
    first = data.first_seen or last
    try:
        count = int(data.count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_COUNT:
        errors["count"] = _("Enter how many times: a whole number from 1.")
    if last > now + CLOCK_SKEW:
        errors["last_seen"] = _("This time is in the future.")
    if first > last:
        errors["first_seen"] = _("First seen cannot be after last seen.")
    if len(data.where.strip()) > 300:
        errors["where"] = _("Enter at most 300 characters.")
    if len(data.note) > 5000:
        errors["note"] = _("Enter at most 5,000 characters.")
    try:
        policy.validate_sharing(
            data.tlp, data.audience, sectors=data.sectors, organisations=data.organisations,
            people=data.people,
        )  # fmt: skip
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return first, last


@transaction.atomic
def report_sighting(
    request: HttpRequest | None, user: User, indicator: Indicator, data: SightingInput
) -> Sighting:
    """Record that the person's organisation saw ``indicator`` (which they must be able to see).

    The centre's staff who may see the sighting are told (``SIGHTING_REPORTED``); listeners of
    ``signals.sighting_reported`` (the assets alerts) run once the transaction commits."""
    if not policy.can_view(user, indicator):
        raise PermissionDenied(_("You may not see this indicator."))
    organisation = source_for(user)
    now = timezone.now()
    first, last = _validate(data, now)
    sighting = Sighting.objects.create(
        indicator=indicator,
        count=int(data.count),
        first_seen=first,
        last_seen=last,
        where=data.where.strip(),
        note=data.note.strip(),
        tlp=data.tlp,
        audience=data.audience,
        organisation=organisation,
        created_by=user,
    )
    if data.audience == Audience.SECTORS:
        sighting.audience_sectors.set(data.sectors)
    elif data.audience == Audience.ORGANISATIONS:
        sighting.audience_organisations.set(data.organisations)
    elif data.audience == Audience.PEOPLE:
        sighting.audience_people.set(data.people)
    audit.record("intel.sighting.reported", request=request, actor=user, obj=sighting)
    _tell_centre(sighting, user)
    from jisp.intel.signals import sighting_reported

    pk = sighting.pk
    transaction.on_commit(lambda: sighting_reported.send(sender=Sighting, sighting_ids=[pk]))
    return sighting


def centre_staff() -> QuerySet[User]:
    """The centre's staff (active, with a centre role in the centre)."""
    from jisp.core.choices import CENTRE_ROLES, OrganisationCategory
    from jisp.core.models import Membership

    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            role__in=CENTRE_ROLES,
            organisation__category=OrganisationCategory.CENTRE,
            organisation__is_active=True,
        ).values("user_id"),
    )


def _tell_centre(sighting: Sighting, actor: User) -> None:
    """The centre's staff who may see the sighting (``notify`` asks the policy), but not its
    reporter. The title names the indicator's type and value, and the reporting organisation:
    the centre sees both."""
    indicator = sighting.indicator
    notify(
        centre_staff().exclude(pk=actor.pk),
        SIGHTING_REPORTED,
        title=format_lazy(
            gettext_lazy("Sighting of {value} reported by {organisation}"),
            value=indicator.value,
            organisation=_Name(sighting.organisation),
        ),
        body=format_lazy(gettext_lazy("Seen {count} times."), count=sighting.count),
        url=page_url("indicator_detail", indicator.pk),
        data={"indicator": indicator.pk},
        item=sighting,
    )


class _Name:
    """An organisation's name in the language active when rendered (each recipient's)."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation

    def __str__(self) -> str:
        return str(self.organisation.display_name)


def visible_sightings(user: Any, queryset: QuerySet[Sighting] | None = None) -> QuerySet[Sighting]:
    """The sightings the person may see, of indicators they may see too."""
    qs = Sighting.objects.all() if queryset is None else queryset
    visible_indicators = policy.visible(user, Indicator.objects.all()).values("pk")
    return policy.visible(user, qs).filter(indicator_id__in=visible_indicators)


@dataclass(frozen=True)
class ActiveIndicator:
    """One row of "which indicators are active": sightings in the period, how many
    organisations reported them, and when last seen."""

    indicator: Indicator
    sightings: int
    times_seen: int
    organisations: int
    last_seen: datetime

    def __iter__(self) -> Any:
        # Unpacks as (indicator, sightings_count, organisations_count, last_seen).
        return iter((self.indicator, self.sightings, self.organisations, self.last_seen))


def active_indicators(user: Any, days: int = 7, limit: int = 200) -> list[ActiveIndicator]:
    """The indicators seen in the last ``days`` days, most reporting organisations first, counted
    over the sightings the person may see (the centre sees all below TLP:RED)."""
    since = timezone.now() - timedelta(days=max(1, int(days)))
    query = (
        visible_sightings(user)
        .filter(last_seen__gte=since)
        .values("indicator_id")
        .annotate(
            n=Count("id"),
            times=Sum("count"),
            orgs=Count("organisation_id", distinct=True),
            last=Max("last_seen"),
        )
        .order_by("-orgs", "-n", "-last", "indicator_id")[:limit]
    )
    rows = list(query)
    indicators = Indicator.objects.select_related("organisation").in_bulk(
        [r["indicator_id"] for r in rows]
    )
    return [
        ActiveIndicator(
            indicators[r["indicator_id"]], r["n"], r["times"] or 0, r["orgs"], r["last"]
        )
        for r in rows
        if r["indicator_id"] in indicators
    ]
