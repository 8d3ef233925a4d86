"""Verdict requests: the centre asks chosen CTI vendors "harmful or harmless?" about a value.

Who sees what (``answers_for``):

* the centre's staff and auditors: every answer, with the vendor's name and who answered;
* a vendor: the request (type, value, question) and its own answer only, never the other
  vendors, the member on whose behalf the centre asked, or the linked indicator;
* the member on whose behalf the centre asked, when the centre chose to show it the answers
  (``share_with_member``): the combined verdict and every answer as "Vendor 1", "Vendor 2"... in
  the order the vendors were asked, with verdict, confidence, notes and time but without the
  vendor's name or the person who answered (the centre's agreements with vendors are its own).

The combined verdict (``combined_verdict``) is a confidence-weighted majority of the answers
that say harmful or harmless: each such answer weighs its confidence (50 when not given);
the side with the larger total wins and "harmful" wins ties (a blocked harmless site costs less
than an open harmful one). Its confidence is the winning side's total divided by the number of
those answers, so dissent lowers it (80 and 80 harmful: 80; 80 and 60 harmful against 90
harmless: 47). When every answer says "cannot tell", the combined verdict is "cannot tell" with
no confidence; with no answer yet it is None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core import audit, policy
from jisp.core.choices import OrganisationCategory
from jisp.core.models import Membership, Organisation, User
from jisp.core.services.notifications import notify
from jisp.intel import indicators as values
from jisp.intel.choices import Verdict, VerdictState
from jisp.intel.models import Indicator, VerdictAnswer, VerdictRequest
from jisp.intel.notifications import VERDICT_ANSWERED, VERDICT_REQUESTED
from jisp.intel.services.sightings import centre_staff, page_url

#: The confidence an answer weighs when the vendor gave none.
DEFAULT_WEIGHT = 50
#: At most this many vendors per request.
MAX_VENDORS = 20


def visible_requests(user: Any, queryset: QuerySet[VerdictRequest] | None = None) -> Any:
    """The requests the person may open (``policy.visible_verdict_requests``)."""
    qs = VerdictRequest.objects.all() if queryset is None else queryset
    return policy.visible_verdict_requests(user, qs)


@transaction.atomic
def request_verdict(
    request: HttpRequest | None,
    user: User,
    *,
    kind: str,
    value: str,
    vendors: Sequence[Organisation],
    question: str = "",
    on_behalf_of: Organisation | None = None,
    share_with_member: bool = True,
    indicator: Indicator | None = None,
) -> VerdictRequest:
    """Ask ``vendors`` about a value (the centre's staff only); one empty answer per vendor.

    The vendors' members are told (``VERDICT_REQUESTED``) with the type and value only: not the
    member on whose behalf the centre asks, nor the other vendors."""
    if not policy.can_manage_intel(user):
        raise PermissionDenied(_("Only the coordination centre asks vendors for verdicts."))
    errors: dict[str, Any] = {}
    normalised = ""
    try:
        normalised = values.normalise(kind, value)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    chosen = list({v.pk: v for v in vendors}.values())
    if not chosen:
        errors["vendors"] = _("Choose at least one vendor.")
    elif len(chosen) > MAX_VENDORS:
        errors["vendors"] = _("Choose at most %(n)s vendors.") % {"n": MAX_VENDORS}
    elif any(v.category != OrganisationCategory.VENDOR or not v.is_active for v in chosen):
        errors["vendors"] = _("Choose CTI vendors only.")
    if len(question) > 5000:
        errors["question"] = _("Enter at most 5,000 characters.")
    if on_behalf_of is not None and not on_behalf_of.is_active:
        errors["on_behalf_of"] = _("This organisation is not active.")
    if indicator is not None and not policy.can_view(user, indicator):
        errors["indicator"] = _("Unknown indicator.")
    if errors:
        raise ValidationError(errors)
    vr = VerdictRequest.objects.create(
        kind=kind,
        value=normalised,
        indicator=indicator,
        question=question.strip(),
        requested_by=user,
        on_behalf_of=on_behalf_of,
        share_with_member=share_with_member if on_behalf_of is not None else False,
    )
    VerdictAnswer.objects.bulk_create([VerdictAnswer(request=vr, vendor=v) for v in chosen])
    audit.record(
        "intel.verdict.requested", request=request, actor=user, obj=vr,
        vendors=[v.pk for v in chosen],
    )  # fmt: skip
    people = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            organisation_id__in=[v.pk for v in chosen], organisation__is_active=True
        ).values("user_id"),
    )
    notify(
        people,
        VERDICT_REQUESTED,
        title=format_lazy(gettext_lazy("Verdict requested: is {value} harmful?"), value=vr.value),
        body=vr.question,
        url=page_url("verdict_detail", vr.pk),
        data={"verdict_request": vr.pk},
    )
    return vr


def _locked_answer(answer: VerdictAnswer) -> VerdictAnswer:
    return VerdictAnswer.objects.select_for_update().select_related("request").get(pk=answer.pk)


@transaction.atomic
def answer_verdict(
    request: HttpRequest | None,
    user: User,
    answer: VerdictAnswer,
    *,
    verdict: str,
    confidence: int | None,
    notes: str = "",
) -> VerdictAnswer:
    """A vendor's member answers (or answers again) while the request is not closed. When every
    vendor has answered, the request is "answered". The centre's staff are told."""
    a = policy.access(user)
    if not policy.can_answer_verdict(user, answer) or (a.is_auditor and not a.is_centre_staff):
        raise PermissionDenied(_("You may not answer for this vendor."))
    answer = _locked_answer(answer)
    vr = answer.request
    if vr.state == VerdictState.CLOSED:
        raise ValidationError(_("This request is closed."))
    errors: dict[str, str] = {}
    if verdict not in Verdict.values:
        errors["verdict"] = _("Choose harmful, harmless or cannot tell.")
    if confidence is not None and not 0 <= int(confidence) <= 100:
        errors["confidence"] = _("Confidence is a number from 0 to 100.")
    if len(notes) > 10_000:
        errors["notes"] = _("Enter at most 10,000 characters.")
    if errors:
        raise ValidationError(errors)
    answer.verdict = verdict
    answer.confidence = None if confidence is None else int(confidence)
    answer.notes = notes.strip()
    answer.answered_by = user
    answer.answered_at = timezone.now()
    answer.save(update_fields=["verdict", "confidence", "notes", "answered_by", "answered_at"])
    waiting = VerdictAnswer.objects.filter(request=vr, verdict="").exists()
    if not waiting and vr.state != VerdictState.ANSWERED:
        vr.state = VerdictState.ANSWERED
        vr.save(update_fields=["state"])
    audit.record(
        "intel.verdict.answered", request=request, actor=user, obj=vr, verdict=verdict,
        vendor=answer.vendor_id,
    )  # fmt: skip
    notify(
        centre_staff(),
        VERDICT_ANSWERED,
        title=format_lazy(
            gettext_lazy("{vendor} answered about {value}"),
            vendor=answer.vendor.display_name,
            value=vr.value,
        ),
        url=page_url("verdict_detail", vr.pk),
        data={"verdict_request": vr.pk},
    )
    return answer


@transaction.atomic
def close_request(request: HttpRequest | None, user: User, vr: VerdictRequest) -> VerdictRequest:
    """The centre closes the request: no more answers."""
    if not policy.can_manage_intel(user):
        raise PermissionDenied(_("Only the coordination centre closes verdict requests."))
    vr = VerdictRequest.objects.select_for_update().get(pk=vr.pk)
    if vr.state == VerdictState.CLOSED:
        raise ValidationError(_("This request is already closed."))
    vr.state = VerdictState.CLOSED
    vr.closed_at = timezone.now()
    vr.save(update_fields=["state", "closed_at"])
    audit.record("intel.verdict.closed", request=request, actor=user, obj=vr)
    return vr


@dataclass(frozen=True)
class Counts:
    harmful: int = 0
    harmless: int = 0
    unknown: int = 0
    waiting: int = 0


def combined_verdict(
    vr: VerdictRequest, answers: Sequence[VerdictAnswer] | None = None
) -> tuple[str | None, int | None, Counts]:
    """(verdict, confidence, counts) by the rule in the module's docstring."""
    rows = list(vr.answers.all()) if answers is None else list(answers)
    weight = {"harmful": 0, "harmless": 0}
    tally = {"harmful": 0, "harmless": 0, "unknown": 0, "": 0}
    for row in rows:
        tally[row.verdict if row.verdict in tally else ""] += 1
        if row.verdict in weight:
            weight[row.verdict] += DEFAULT_WEIGHT if row.confidence is None else row.confidence
    counts = Counts(tally["harmful"], tally["harmless"], tally["unknown"], tally[""])
    decisive = tally["harmful"] + tally["harmless"]
    if not decisive:
        return ("unknown", None, counts) if tally["unknown"] else (None, None, counts)
    if tally["harmful"] and weight["harmful"] >= weight["harmless"]:
        winner = "harmful"
    else:
        winner = "harmless"
    return winner, round(weight[winner] / decisive), counts


@dataclass(frozen=True)
class AnswerView:
    """One answer as one person may see it."""

    id: int
    vendor: str
    vendor_id: int | None
    own: bool
    verdict: str
    confidence: int | None
    notes: str
    answered_at: datetime | None
    answered_by: str


def answers_for(user: Any, vr: VerdictRequest) -> list[AnswerView]:
    """The answers the person may see, labelled by the rules in the module's docstring (empty
    for anyone else)."""
    a = policy.access(user)
    if not a.is_member:
        return []
    rows = list(vr.answers.select_related("vendor", "answered_by").order_by("pk"))
    if a.sees_all_below_red:
        return [_view(r, str(r.vendor.display_name), True, a) for r in rows]
    if sees_as_member(user, vr):
        return [
            _view(r, str(r.vendor.display_name) if r.vendor_id in a.organisation_ids
                  else _("Vendor %(n)s") % {"n": n}, False, a)
            for n, r in enumerate(rows, start=1)
        ]  # fmt: skip
    return [
        _view(r, str(r.vendor.display_name), False, a)
        for r in rows
        if r.vendor_id in a.organisation_ids
    ]


def sees_as_member(user: Any, vr: VerdictRequest) -> bool:
    """Whether the person is of the member on whose behalf the centre asked, and may see the
    answers and the combined verdict."""
    a = policy.access(user)
    return bool(
        vr.share_with_member
        and vr.on_behalf_of_id is not None
        and vr.on_behalf_of_id in a.organisation_ids
    )


def sees_combined(user: Any, vr: VerdictRequest) -> bool:
    """The combined verdict: the centre (and auditors) and the member it was shared with."""
    return policy.access(user).sees_all_below_red or sees_as_member(user, vr)


def sees_context(user: Any, vr: VerdictRequest) -> bool:
    """The member on whose behalf, the linked indicator and who asked: the centre only."""
    return policy.access(user).sees_all_below_red


def _view(row: VerdictAnswer, label: str, centre: bool, a: policy.Access) -> AnswerView:
    by = row.answered_by
    return AnswerView(
        id=row.pk,
        vendor=label,
        vendor_id=row.vendor_id if centre or row.vendor_id in a.organisation_ids else None,
        own=row.vendor_id in a.organisation_ids,
        verdict=row.verdict,
        confidence=row.confidence,
        notes=row.notes,
        answered_at=row.answered_at,
        answered_by=(by.name if by is not None else "") if centre else "",
    )


def answer_of(user: Any, vr: VerdictRequest) -> VerdictAnswer | None:
    """The answer the person may give for this request (their vendor's), if any."""
    a = policy.access(user)
    if a.is_auditor and not a.is_centre_staff:
        return None
    return vr.answers.filter(vendor_id__in=a.organisation_ids).first()
