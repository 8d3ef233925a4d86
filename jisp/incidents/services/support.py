"""Support requests: the centre asks an agency, law enforcement, a security information centre or
a CTI vendor for help on a case; the asked organisation accepts or declines, sends findings (as
often as it has new ones), and the request is closed.

Each step is one named atomic action: it checks the access policy, moves the request along
``SUPPORT_TRANSITIONS``, adds a line to the case's timeline in the request's own thread
(audience "support": the asked organisation reads it, the centre reads everything), records it
in the audit log and tells the other side. What the asked organisation may see of the case is
decided by ``jisp.core.policy.case_access`` / ``visible_entries``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core import audit, policy
from jisp.core.choices import OrganisationCategory
from jisp.core.models import Organisation, User
from jisp.core.services.notifications import notify
from jisp.incidents.choices import (
    SUPPORT_TRANSITIONS,
    CaseRole,
    CaseState,
    EntryAudience,
    EntryKind,
    ReportCategory,
    SupportKind,
    SupportState,
)
from jisp.incidents.models import Case, CaseParticipant, SupportRequest, TimelineEntry
from jisp.incidents.notifications import CASE_MESSAGE, SUPPORT_ANSWERED, SUPPORT_REQUESTED
from jisp.incidents.services.timeline import add_entry

#: The organisations the centre may ask for support.
ELIGIBLE_CATEGORIES = frozenset(
    {
        OrganisationCategory.AGENCY,
        OrganisationCategory.LAW_ENFORCEMENT,
        OrganisationCategory.SECURITY_CENTRE,
        OrganisationCategory.VENDOR,
    }
)
#: Requests still being worked on.
OPEN_SUPPORT_STATES = frozenset(
    {SupportState.REQUESTED, SupportState.ACCEPTED, SupportState.REPORTED}
)
MAX_TEXT = 20_000


# --- Reading -------------------------------------------------------------------------------------


def eligible_organisations() -> QuerySet[Organisation]:
    """Active organisations that may be asked for support, by name."""
    return Organisation.objects.filter(is_active=True, category__in=ELIGIBLE_CATEGORIES).order_by(
        "category", "name"
    )


def visible_support_requests(
    user: Any, queryset: QuerySet[SupportRequest] | None = None
) -> QuerySet[SupportRequest]:
    """All requests for the centre's staff and auditors; those to one's own organisations for
    everyone else (a declined request too: the asked organisation keeps its own answer)."""
    qs = SupportRequest.objects.all() if queryset is None else queryset
    a = policy.access(user)
    if not a.is_member:
        return qs.none()
    if a.sees_all_below_red:
        return qs
    return qs.filter(organisation_id__in=a.organisation_ids)


def support_or_404(user: Any, pk: int) -> SupportRequest:
    """The request ``pk`` if the person may see it, else 404 (no hint that it exists)."""
    qs = SupportRequest.objects.select_related(
        "case", "case__report", "organisation", "requested_by", "answered_by"
    )
    try:
        return visible_support_requests(user, qs).get(pk=pk)
    except SupportRequest.DoesNotExist:
        raise Http404 from None


def shows_case(user: Any, sr: SupportRequest) -> bool:
    """Whether the person may see the case behind the request (the policy: not after declining)."""
    return policy.case_access(user, sr.case) in (policy.CASE_CENTRE, policy.CASE_SUPPORT)


def thread(user: Any, sr: SupportRequest) -> QuerySet[TimelineEntry]:
    """The request's thread as the person may read it, oldest first."""
    entries = TimelineEntry.objects.filter(case=sr.case, support_request=sr)
    if policy.case_access(user, sr.case) is None:
        return entries.none()
    return (
        policy.visible_entries(user, sr.case, entries)
        .select_related("author")
        .order_by("created_at", "id")
    )


#: What each step of the thread says, for the pages and the API.
STEP_LABELS: dict[str, Any] = {
    "requested": gettext_lazy("Support requested"),
    "accepted": gettext_lazy("Accepted"),
    "declined": gettext_lazy("Declined"),
    "findings": gettext_lazy("Findings"),
    "closed": gettext_lazy("Closed"),
}


def step_label(entry: TimelineEntry) -> str:
    step = (entry.data or {}).get("step", "")
    return str(STEP_LABELS.get(step, entry.get_kind_display()))


def kind_labels(kinds: Iterable[str]) -> list[str]:
    labels = dict(SupportKind.choices)
    return [str(labels.get(kind, kind)) for kind in kinds]


# --- Helpers -------------------------------------------------------------------------------------


def _move(sr: SupportRequest, state: str) -> None:
    """Refuse a step the workflow forbids, with a message naming the request's state."""
    if state not in SUPPORT_TRANSITIONS.get(sr.state, frozenset()):
        raise ValidationError(
            _REFUSALS[state] % {"state": sr.get_state_display()}, code="transition"
        )
    sr.state = state


_ANSWER_REFUSED = gettext_lazy("This support request is “%(state)s”: it can no longer be answered.")
_REFUSALS: dict[str, Any] = {
    SupportState.ACCEPTED: _ANSWER_REFUSED,
    SupportState.DECLINED: _ANSWER_REFUSED,
    SupportState.REPORTED: gettext_lazy(
        "This support request is “%(state)s”: findings can be sent only after accepting it "
        "and before it is closed."
    ),
    SupportState.CLOSED: gettext_lazy("This support request is “%(state)s”: it cannot be closed."),
}


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").replace("\x00", "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("At most %(count)d characters.") % {"count": MAX_TEXT}})
    return value


def _locked(sr: SupportRequest) -> SupportRequest:
    locked = SupportRequest.objects.select_for_update().get(pk=sr.pk)
    # Keep the caller's object in step (views render it afterwards).
    sr.state = locked.state
    return locked


def _acknowledge(case: Case) -> None:
    """Every centre action acknowledges the case if nobody has yet."""
    if case.acknowledged_at is None:
        case.acknowledged_at = timezone.now()
        Case.objects.filter(pk=case.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=case.acknowledged_at
        )


def _members(organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__organisation__is_active=True,
    ).distinct()


def _url(sr: SupportRequest) -> str:
    return reverse("incidents:support_detail", args=[sr.pk])


def _tell_centre(sr: SupportRequest, title: Any, body: str = "") -> None:
    """SUPPORT_ANSWERED to the person of the centre who asked, while they still work cases."""
    asker = sr.requested_by
    if asker is None or not asker.is_active or not policy.can_work_cases(asker):
        return
    notify([asker], SUPPORT_ANSWERED, title=title, body=body, url=_url(sr),
           data={"support_request": sr.pk, "case": sr.case_id, "state": sr.state})  # fmt: skip


# --- Actions -------------------------------------------------------------------------------------


@transaction.atomic
def request_support(
    actor: User,
    case: Case,
    organisation: Organisation,
    kinds: Iterable[str],
    message: str,
    *,
    request: HttpRequest | None = None,
) -> SupportRequest:
    """The centre asks ``organisation`` for ``kinds`` of support on ``case``.

    The asked organisation then sees the case's title, category, TLP and the report's
    description, and its own thread; its members are told (the title names the category, the
    body is the centre's message: the reporter is named only if the centre wrote it there).
    """
    if not policy.can_work_cases(actor):
        raise PermissionDenied(_("Only the coordination centre asks for support."))
    errors: dict[str, str] = {}
    if not organisation.is_active or organisation.category not in ELIGIBLE_CATEGORIES:
        errors["organisation"] = _(
            "Choose an information-security agency, law enforcement, a security information "
            "centre or a CTI vendor."
        )
    chosen = list(dict.fromkeys(kinds))
    if not chosen:
        errors["kinds"] = _("Choose at least one kind of support.")
    elif any(kind not in SupportKind.values for kind in chosen):
        errors["kinds"] = _("Unknown kind of support.")
    try:
        message = _text(message, "message", _("Write what you ask for."))
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if case.state == CaseState.CLOSED or case.merged_into_id is not None:
        errors["__all__"] = _("The case is closed: reopen it before asking for support.")
    if errors:
        raise ValidationError(errors)
    sr = SupportRequest.objects.create(
        case=case, organisation=organisation, kinds=chosen, message=message, requested_by=actor
    )
    add_entry(case, EntryKind.SUPPORT, author=actor, body=message, audience=EntryAudience.SUPPORT,
              support_request=sr, data={"step": "requested", "kinds": chosen})  # fmt: skip
    _acknowledge(case)
    audit.record("incidents.support.requested", request=request, actor=actor, obj=sr,
                 organisation=organisation, tlp=case.tlp, case=case.pk, kinds=chosen)  # fmt: skip
    category = ReportCategory(case.category).label if case.category in ReportCategory.values else ""
    notify(
        _members(organisation.pk),
        SUPPORT_REQUESTED,
        title=format_lazy(gettext_lazy("Support requested: {category}"), category=category),
        body=message,
        url=_url(sr),
        data={"support_request": sr.pk, "kinds": chosen},
    )
    return sr


@transaction.atomic
def answer_support(
    actor: User,
    sr: SupportRequest,
    accept: bool,
    note: str = "",
    *,
    request: HttpRequest | None = None,
) -> SupportRequest:
    """The asked organisation accepts (its person joins the case as a participant) or declines."""
    if not policy.can_answer_support(actor, sr):
        raise PermissionDenied(_("Only the asked organisation answers this request."))
    note = (note or "").replace("\x00", "").strip()
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": _("At most %(count)d characters.") % {"count": MAX_TEXT}})
    locked = _locked(sr)
    _move(locked, SupportState.ACCEPTED if accept else SupportState.DECLINED)
    now = timezone.now()
    locked.answered_by, locked.answered_at, locked.answer_note = actor, now, note
    locked.save(update_fields=["state", "answered_by", "answered_at", "answer_note"])
    if accept:
        __, created = CaseParticipant.objects.get_or_create(
            case_id=locked.case_id, user=actor, role=CaseRole.AGENCY
        )
        if created:
            add_entry(locked.case, EntryKind.PARTICIPANT, author=actor,
                      data={"user": actor.pk, "role": CaseRole.AGENCY}, at=now)  # fmt: skip
    step = "accepted" if accept else "declined"
    add_entry(locked.case, EntryKind.SUPPORT, author=actor, body=note,
              audience=EntryAudience.SUPPORT, support_request=locked, data={"step": step},
              at=now)  # fmt: skip
    audit.record("incidents.support.answered", request=request, actor=actor, obj=locked,
                 organisation=locked.organisation_id, tlp=locked.case.tlp, case=locked.case_id,
                 step=step)  # fmt: skip
    title = (
        gettext_lazy("Your support request was accepted")
        if accept
        else gettext_lazy("Your support request was declined")
    )
    _tell_centre(locked, title, note)
    _refresh(sr, locked)
    return sr


@transaction.atomic
def report_findings(
    actor: User, sr: SupportRequest, findings: str, *, request: HttpRequest | None = None
) -> SupportRequest:
    """The asked organisation sends its findings (again, as it learns more): the latest are kept
    on the request, each one in the thread."""
    if not policy.can_answer_support(actor, sr):
        raise PermissionDenied(_("Only the asked organisation reports findings."))
    findings = _text(findings, "findings", _("Write your findings."))
    locked = _locked(sr)
    _move(locked, SupportState.REPORTED)
    locked.findings = findings
    locked.save(update_fields=["state", "findings"])
    add_entry(locked.case, EntryKind.SUPPORT, author=actor, body=findings,
              audience=EntryAudience.SUPPORT, support_request=locked,
              data={"step": "findings"})  # fmt: skip
    audit.record("incidents.support.answered", request=request, actor=actor, obj=locked,
                 organisation=locked.organisation_id, tlp=locked.case.tlp, case=locked.case_id,
                 step="findings")  # fmt: skip
    _tell_centre(locked, gettext_lazy("Findings on your support request"), findings)
    _refresh(sr, locked)
    return sr


@transaction.atomic
def close_support(
    actor: User, sr: SupportRequest, *, request: HttpRequest | None = None
) -> SupportRequest:
    """The centre (or the asked organisation) closes the request."""
    centre = policy.can_work_cases(actor)
    if not centre and not policy.can_answer_support(actor, sr):
        raise PermissionDenied(_("You may not close this support request."))
    locked = _locked(sr)
    _move(locked, SupportState.CLOSED)
    locked.closed_at = timezone.now()
    locked.save(update_fields=["state", "closed_at"])
    add_entry(locked.case, EntryKind.SUPPORT, author=actor, audience=EntryAudience.SUPPORT,
              support_request=locked, data={"step": "closed"})  # fmt: skip
    if centre:
        _acknowledge(locked.case)
    audit.record("incidents.support.closed", request=request, actor=actor, obj=locked,
                 organisation=locked.organisation_id, tlp=locked.case.tlp,
                 case=locked.case_id)  # fmt: skip
    if not centre:
        _tell_centre(locked, gettext_lazy("A support request was closed by the asked organisation"))
    _refresh(sr, locked)
    return sr


@transaction.atomic
def post_support_message(
    actor: User, sr: SupportRequest, body: str, *, request: HttpRequest | None = None
) -> TimelineEntry:
    """A message in the request's thread, between the centre and the asked organisation."""
    centre = policy.can_work_cases(actor)
    if not centre and not policy.can_answer_support(actor, sr):
        raise PermissionDenied(_("You may not write in this thread."))
    body = _text(body, "body", _("Write a message."))
    locked = _locked(sr)
    if locked.state in (SupportState.DECLINED, SupportState.CLOSED):
        raise ValidationError(
            _("This support request is “%(state)s”: its thread is closed.")
            % {"state": locked.get_state_display()}
        )
    entry = add_entry(locked.case, EntryKind.MESSAGE, author=actor, body=body,
                      audience=EntryAudience.SUPPORT, support_request=locked)  # fmt: skip
    if centre:
        _acknowledge(locked.case)
    audit.record("incidents.case.message", request=request, actor=actor, obj=locked.case,
                 case=locked.case_id, support_request=locked.pk)  # fmt: skip
    title = gettext_lazy("New message on a support request")
    if centre:
        recipients: Any = _members(locked.organisation_id).exclude(pk=actor.pk)
    else:
        asker = locked.requested_by
        ok = asker is not None and asker.is_active and policy.can_work_cases(asker)
        recipients = [asker] if ok else []
    notify(recipients, CASE_MESSAGE, title=title, body=body, url=_url(locked),
           data={"support_request": locked.pk})  # fmt: skip
    return entry


def _refresh(sr: SupportRequest, locked: SupportRequest) -> None:
    for name in ("state", "answered_by_id", "answered_at", "answer_note", "findings", "closed_at"):
        setattr(sr, name, getattr(locked, name))
    if "answered_by" in sr._state.fields_cache:
        del sr._state.fields_cache["answered_by"]


def open_requests_q() -> Q:
    return Q(state__in=OPEN_SUPPORT_STATES)
