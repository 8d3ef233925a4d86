"""The duty log of the centre's 24-hour desk: shifts, who is on duty now, handover notes.

The incident controller and the overall commander plan shifts (``policy.can_approve_sitreps``
names the same people); a shift's person — or they — write the handover note at its end.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from jisp.core import audit, policy
from jisp.core.models import User
from jisp.incidents.choices import DutyRole
from jisp.incidents.models import DutyShift

#: The longest shift the log accepts.
MAX_SHIFT = timedelta(hours=24)
MAX_NOTE = 10_000


def may_plan(user: Any) -> bool:
    """Add shifts: the incident controller and the overall commander."""
    return policy.can_approve_sitreps(user)


def may_hand_over(user: Any, shift: DutyShift) -> bool:
    return shift.person_id == policy.access(user).user_id or may_plan(user)


def on_duty(at: datetime | None = None) -> QuerySet[DutyShift]:
    """The shifts running at ``at`` (now by default), by role."""
    at = at or timezone.now()
    return (
        DutyShift.objects.filter(starts_at__lte=at, ends_at__gt=at)
        .select_related("person")
        .order_by("role", "starts_at", "id")
    )


def coming(at: datetime | None = None, hours: int = 48) -> QuerySet[DutyShift]:
    at = at or timezone.now()
    return (
        DutyShift.objects.filter(starts_at__gt=at, starts_at__lte=at + timedelta(hours=hours))
        .select_related("person")
        .order_by("starts_at", "role", "id")
    )


def past(at: datetime | None = None, days: int = 7) -> QuerySet[DutyShift]:
    at = at or timezone.now()
    return (
        DutyShift.objects.filter(ends_at__lte=at, ends_at__gt=at - timedelta(days=days))
        .select_related("person")
        .order_by("-ends_at", "role", "id")
    )


@transaction.atomic
def add_shift(
    actor: User,
    person: User,
    role: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    request: HttpRequest | None = None,
) -> DutyShift:
    """Put ``person`` (the centre's staff) on duty in ``role`` from ``starts_at`` to ``ends_at``;
    a person has at most one shift at a time."""
    if not may_plan(actor):
        raise PermissionDenied(
            _("Only the incident controller or the overall commander plans shifts.")
        )
    errors: dict[str, str] = {}
    if not person.is_active or not policy.access(person).is_centre_staff:
        errors["person"] = _("Choose a member of the coordination centre's staff.")
    if role not in DutyRole.values:
        errors["role"] = _("Unknown duty role.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The shift must end after it starts.")
    elif ends_at - starts_at > MAX_SHIFT:
        errors["ends_at"] = _("A shift lasts at most 24 hours.")
    if errors:
        raise ValidationError(errors)
    # One person's shifts are checked and written one at a time.
    User.objects.select_for_update().filter(pk=person.pk).first()
    overlapping = DutyShift.objects.filter(
        person=person, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).first()
    if overlapping is not None:
        local = timezone.localtime
        raise ValidationError(
            {
                "starts_at": _("This person is already on duty from %(start)s to %(end)s.")
                % {
                    "start": local(overlapping.starts_at).strftime("%Y-%m-%d %H:%M"),
                    "end": local(overlapping.ends_at).strftime("%Y-%m-%d %H:%M"),
                }
            }
        )
    shift = DutyShift.objects.create(
        person=person, role=role, starts_at=starts_at, ends_at=ends_at, created_by=actor
    )
    audit.record("incidents.duty.changed", request=request, actor=actor, obj=shift,
                 change="shift_added", person=person.pk, role=role)  # fmt: skip
    return shift


@transaction.atomic
def hand_over(
    actor: User, shift: DutyShift, note: str, *, request: HttpRequest | None = None
) -> DutyShift:
    """The handover note at the end of a shift, by its person or the controller / commander."""
    if not may_hand_over(actor, shift):
        raise PermissionDenied(_("Only the person on this shift or the controller hands over."))
    note = (note or "").replace("\x00", "").strip()
    if not note:
        raise ValidationError({"note": _("Write the handover note.")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(count)d characters.") % {"count": MAX_NOTE}})
    locked = DutyShift.objects.select_for_update().get(pk=shift.pk)
    now = timezone.now()
    if locked.starts_at > now:
        raise ValidationError(_("This shift has not started yet."))
    if locked.handed_over_at is not None:
        raise ValidationError(_("This shift has already been handed over."))
    locked.handover_note, locked.handed_over_at = note, now
    locked.save(update_fields=["handover_note", "handed_over_at"])
    audit.record("incidents.duty.changed", request=request, actor=actor, obj=locked,
                 change="handed_over")  # fmt: skip
    shift.handover_note, shift.handed_over_at = note, now
    return shift
