"""Indicators: create, change, mark false positive, withdraw; each change a new STIX version.

Every write goes through here so that three things always hold: the value is normalised
(``jisp.intel.indicators``), the sharing is one the policy admits (``policy.validate_sharing``),
and a new ``StixObject`` version with a unique, increasing ``date_added`` is written (TAXII and the
STIX export serve it) while ``changed_at`` moves (the product exports' "changes since").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from jisp.core import audit, policy
from jisp.core.choices import TLP, Audience
from jisp.core.models import Organisation, Sector, User
from jisp.intel import indicators as values
from jisp.intel.models import Indicator, StixObject
from jisp.intel.stix.objects import dumps, indicator_object, new_indicator_id

#: One microsecond: the step between two ``date_added`` values.
TICK = timedelta(microseconds=1)


@dataclass
class IndicatorInput:
    """What a person (a form, the API) sends for one indicator."""

    kind: str
    value: str
    name: str = ""
    description: str = ""
    labels: Sequence[str] = ()
    malware: str = ""
    confidence: int = 50
    sources: Sequence[str] = ()
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    valid_until: datetime | None = None
    tlp: str = TLP.GREEN
    audience: str = Audience.EVERYONE
    sectors: Sequence[Sector] = ()
    organisations: Sequence[Organisation] = ()
    people: Sequence[User] = ()
    topics: Sequence[Any] = field(default_factory=list)


def allocate_dates(count: int, now: datetime | None = None) -> list[datetime]:
    """``count`` unique, increasing ``date_added`` values after every one already used.

    Call inside the transaction that writes them; a concurrent writer that takes the same values
    fails on the unique constraint and retries (``write_version`` does)."""
    now = now or timezone.now()
    last = StixObject.objects.aggregate(last=Max("date_added"))["last"]
    start = max(now, last + TICK) if last is not None else now
    return [start + TICK * i for i in range(count)]


def write_version(indicator: Indicator) -> StixObject:
    """Store the indicator's current STIX object as a new version (same sharing as the row)."""
    for attempt in range(5):
        try:
            with transaction.atomic():
                (added,) = allocate_dates(1)
                version = StixObject.objects.create(
                    stix_id=indicator.stix_id,
                    stix_type="indicator",
                    created=indicator.created,
                    modified=indicator.modified,
                    date_added=added,
                    body=dumps(indicator_object(indicator)),
                    indicator=indicator,
                    tlp=indicator.tlp,
                    audience=indicator.audience,
                    organisation_id=indicator.organisation_id,
                    created_by_id=indicator.created_by_id,
                )
                copy_lists(indicator, [version])
                return version
        except Exception:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def copy_lists(source: Any, targets: Sequence[Any]) -> None:
    """Give ``targets`` the audience lists of ``source`` (sectors, organisations, people)."""
    for name in ("audience_sectors", "audience_organisations", "audience_people"):
        ids = list(getattr(source, name).values_list("pk", flat=True))
        if not ids:
            continue
        through = type(targets[0])._meta.get_field(name).remote_field.through
        source_field = type(targets[0])._meta.get_field(name).m2m_field_name()
        target_field = type(targets[0])._meta.get_field(name).m2m_reverse_field_name()
        through.objects.bulk_create(
            [
                through(**{f"{source_field}_id": t.pk, f"{target_field}_id": i})
                for t in targets
                for i in ids
            ]
        )


def _validate(data: IndicatorInput) -> str:
    """The normalised value; ValidationError per field for anything wrong."""
    errors: dict[str, Any] = {}
    value = ""
    try:
        value = values.normalise(data.kind, data.value)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not 0 <= int(data.confidence) <= 100:
        errors["confidence"] = _("Confidence is a number from 0 to 100.")
    if len(data.name) > 200:
        errors["name"] = _("Give a name of at most 200 characters.")
    if len(data.description) > 20_000:
        errors["description"] = _("The description is too long (at most 20,000 characters).")
    if len(data.malware) > 100:
        errors["malware"] = _("Give a malware family name of at most 100 characters.")
    if len(data.labels) > 20 or any(not str(t).strip() or len(str(t)) > 50 for t in data.labels):
        errors["labels"] = _("At most 20 tags of 1 to 50 characters.")
    if len(data.sources) > 20 or any(not str(s).strip() or len(str(s)) > 100 for s in data.sources):
        errors["sources"] = _("At most 20 sources of 1 to 100 characters.")
    if data.first_seen and data.last_seen and data.first_seen > data.last_seen:
        errors["last_seen"] = _("Last seen cannot be before first seen.")
    now = timezone.now()
    if data.last_seen and data.last_seen > now + timedelta(minutes=5):
        errors["last_seen"] = _("This time is in the future.")
    try:
        policy.validate_sharing(
            data.tlp, data.audience, sectors=data.sectors, organisations=data.organisations,
            people=data.people,
        )  # fmt: skip
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return value


def _apply(indicator: Indicator, data: IndicatorInput, value: str) -> None:
    indicator.kind = data.kind
    indicator.value = value
    indicator.name = data.name.strip()
    indicator.description = data.description.strip()
    indicator.labels = sorted({str(t).strip() for t in data.labels})
    indicator.malware = data.malware.strip()
    indicator.confidence = int(data.confidence)
    indicator.sources = list(dict.fromkeys(str(s).strip() for s in data.sources))
    indicator.first_seen = data.first_seen
    indicator.last_seen = data.last_seen
    indicator.valid_until = data.valid_until
    indicator.tlp = data.tlp
    indicator.audience = data.audience


def _set_lists(indicator: Indicator, data: IndicatorInput) -> None:
    indicator.audience_sectors.set(data.sectors if data.audience == Audience.SECTORS else [])
    indicator.audience_organisations.set(
        data.organisations if data.audience == Audience.ORGANISATIONS else []
    )
    indicator.audience_people.set(data.people if data.audience == Audience.PEOPLE else [])
    if data.topics:
        indicator.topics.add(*data.topics)


def source_for(user: Any, organisation: Organisation | None = None) -> Organisation:
    """The organisation a person writes for: the one named (theirs), else the centre for its
    staff, else their first organisation."""
    a = policy.access(user)
    if a.is_auditor and not a.is_centre_staff:
        raise PermissionDenied(_("Auditors do not change intelligence."))
    if organisation is not None:
        if organisation.pk not in a.organisation_ids:
            raise PermissionDenied(_("You may only post for your own organisation."))
        return organisation
    if not a.organisation_ids:
        raise PermissionDenied(_("You need a membership to share indicators."))
    if a.centre_ids:
        return Organisation.objects.get(pk=min(a.centre_ids))
    return Organisation.objects.get(pk=min(a.organisation_ids))


def _touch(indicator: Indicator, now: datetime | None = None) -> None:
    now = now or timezone.now()
    indicator.modified = max(now, indicator.modified + TICK)
    indicator.changed_at = now


@transaction.atomic
def create_indicator(
    request: HttpRequest | None,
    user: User,
    data: IndicatorInput,
    *,
    organisation: Organisation | None = None,
) -> Indicator:
    """A new indicator from ``organisation`` (default: ``source_for``). The same value from the
    same organisation is refused (edit the existing one)."""
    source = source_for(user, organisation)
    value = _validate(data)
    if Indicator.objects.filter(kind=data.kind, value=value, organisation=source).exists():
        raise ValidationError(
            {"value": _("Your organisation already shares this value: change that indicator.")}
        )
    now = timezone.now()
    indicator = Indicator(
        organisation=source,
        created_by=user,
        stix_id=new_indicator_id(),
        created=now,
        modified=now,
        valid_from=now,
        changed_at=now,
    )
    _apply(indicator, data, value)
    indicator.save()
    _set_lists(indicator, data)
    write_version(indicator)
    audit.record("intel.indicator.created", request=request, actor=user, obj=indicator)
    _after_change(indicator)
    return indicator


@transaction.atomic
def update_indicator(
    request: HttpRequest | None, user: User, indicator: Indicator, data: IndicatorInput
) -> Indicator:
    """Change an indicator (a new STIX version); only people ``policy.can_change`` admits."""
    if not policy.can_change(user, indicator):
        raise PermissionDenied(_("You may not change this indicator."))
    value = _validate(data)
    clash = Indicator.objects.filter(
        kind=data.kind, value=value, organisation_id=indicator.organisation_id
    ).exclude(pk=indicator.pk)
    if clash.exists():
        raise ValidationError(
            {"value": _("Your organisation already shares this value: change that indicator.")}
        )
    _apply(indicator, data, value)
    _touch(indicator)
    indicator.save()
    _set_lists(indicator, data)
    write_version(indicator)
    audit.record("intel.indicator.changed", request=request, actor=user, obj=indicator)
    _after_change(indicator)
    return indicator


@transaction.atomic
def mark_false_positive(
    request: HttpRequest | None, user: User, indicator: Indicator, note: str, *, undo: bool = False
) -> Indicator:
    """Mark (or unmark) a false positive: the source or the centre; it leaves every export."""
    if not policy.can_change(user, indicator):
        raise PermissionDenied(_("You may not change this indicator."))
    note = note.strip()
    if not undo and not note:
        raise ValidationError({"note": _("Say why this is a false positive.")})
    if len(note) > 500:
        raise ValidationError({"note": _("Enter at most 500 characters.")})
    indicator.false_positive = not undo
    indicator.false_positive_note = "" if undo else note
    _touch(indicator)
    indicator.save()
    write_version(indicator)
    audit.record(
        "intel.indicator.false_positive", request=request, actor=user, obj=indicator, undo=undo
    )
    return indicator


@transaction.atomic
def revoke(request: HttpRequest | None, user: User, indicator: Indicator) -> Indicator:
    """Withdraw an indicator for good (STIX ``revoked``): it leaves every export."""
    if not policy.can_change(user, indicator):
        raise PermissionDenied(_("You may not change this indicator."))
    if indicator.revoked:
        return indicator
    indicator.revoked = True
    _touch(indicator)
    indicator.save()
    write_version(indicator)
    audit.record("intel.indicator.revoked", request=request, actor=user, obj=indicator)
    return indicator


def _after_change(indicator: Indicator) -> None:
    """Tell whoever listens that an indicator was shared or changed (assets, correlation)."""
    from jisp.intel.signals import indicator_shared

    transaction.on_commit(
        lambda: indicator_shared.send(sender=Indicator, indicator_ids=[indicator.pk])
    )
