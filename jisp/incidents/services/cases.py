"""Named actions on cases: state, assignment, severity, roles, messages, tasks, links, merging,
the event-impact assessment and the situation-report proposal.

Only the centre's staff (``policy.can_work_cases``) act on cases; the reporting organisation's
members may only write to the centre (``post_message``, never an internal note); auditors and
everyone else nothing. Every action is atomic, recorded in the audit log and adds one line to the
case's timeline: what the reporter should know (state changes, the conversation) with the
audience "reporter", everything else "centre". Every centre action marks the case acknowledged;
the centre's first message to the reporter is its first response.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core import audit, policy
from jisp.core.models import Membership, User
from jisp.core.services import notify
from jisp.incidents import notifications
from jisp.incidents.choices import (
    CASE_TRANSITIONS,
    OPEN_STATES,
    CaseRole,
    CaseState,
    EntryAudience,
    EntryKind,
    Severity,
    YesNoUnknown,
)
from jisp.incidents.models import Case, CaseLink, CaseParticipant, Task, TimelineEntry
from jisp.incidents.services.timeline import add_entry

#: The longest message or note accepted on a case.
MAX_MESSAGE = 10000

#: Fields of a case re-read under the row lock before an action decides anything.
_STATE_FIELDS = [
    "state",
    "severity",
    "assignee",
    "merged_into",
    "acknowledged_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "event_impact",
    "public_awareness",
    "for_sitrep",
]


# --- Checks and small helpers ------------------------------------------------------------------


def _require_centre(actor: Any) -> None:
    if not policy.can_work_cases(actor):
        raise PermissionDenied(_("Only the coordination centre's staff may change cases."))


def _lock(case: Case) -> None:
    """Lock the case's row for the rest of the transaction and re-read what actions decide on."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    case.refresh_from_db(fields=_STATE_FIELDS)


def _acknowledge(case: Case, now: datetime, fields: list[str]) -> None:
    """A centre action: the case counts as acknowledged from its first one."""
    if case.acknowledged_at is None:
        case.acknowledged_at = now
        fields.append("acknowledged_at")


def _save(case: Case, fields: list[str]) -> None:
    case.save(update_fields=[*dict.fromkeys(fields), "updated_at"])


def _begin(actor: Any, case: Case) -> None:
    """The start of a centre action: only the centre's staff, on the case's locked row."""
    _require_centre(actor)
    _lock(case)


def _step(
    actor: Any,
    case: Case,
    now: datetime,
    fields: list[str],
    kind: str,
    *,
    body: str = "",
    audience: str = EntryAudience.CENTRE,
    data: dict[str, Any] | None = None,
    touch: bool = True,
) -> TimelineEntry:
    """The end of a centre action on ``case``: acknowledged, ``fields`` saved (with only
    ``updated_at`` when empty, unless not ``touch``) and one line on its timeline."""
    _acknowledge(case, now, fields)
    if fields or touch:
        _save(case, fields)
    return add_entry(case, kind, author=actor, body=body, audience=audience, data=data, at=now)


def _audit_change(
    request: HttpRequest | None, actor: Any, case: Case, change: str, **data: Any
) -> None:
    audit.record(
        "incidents.case.changed",
        request=request,
        actor=actor,
        obj=case,
        organisation=case.organisation_id,
        change=change,
        **data,
    )


def _case_url(case: Case) -> str:
    return reverse("incidents:case_detail", args=[case.pk])


def is_centre_staff(user: Any) -> bool:
    return user is not None and policy.can_work_cases(user)


def centre_staff() -> Any:
    """The people who may work on cases (active, with a centre role in the centre)."""
    from jisp.core.choices import CENTRE_ROLES, OrganisationCategory

    return (
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(
                role__in=CENTRE_ROLES,
                organisation__category=OrganisationCategory.CENTRE,
                organisation__is_active=True,
            ).values("user_id"),
        )
        .order_by("name", "email")
        .distinct()
    )


def reporter_people(case: Case) -> list[User]:
    """The active members of the reporting organisation (they see the case as its reporter)."""
    if case.organisation_id is None:
        return []
    people = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(organisation_id=case.organisation_id).values("user_id"),
    )
    return [p for p in people if policy.case_access(p, case) == policy.CASE_REPORTER]


def centre_people(case: Case) -> list[User]:
    """The centre's people following the case: its assignee and its centre participants."""
    ids = set(
        CaseParticipant.objects.filter(case=case)
        .exclude(role=CaseRole.AGENCY)
        .values_list("user_id", flat=True)
    )
    if case.assignee_id is not None:
        ids.add(case.assignee_id)
    people = User.objects.filter(pk__in=ids, is_active=True)
    return [p for p in people if policy.can_work_cases(p)]


def _notify_reporter(case: Case, actor: Any, kind: str, title: Any) -> None:
    people = [p for p in reporter_people(case) if p.pk != getattr(actor, "pk", None)]
    if people:
        notify(people, kind, title=title, url=_case_url(case), data={"case": case.pk})


def allowed_states(case: Case) -> list[str]:
    """The states the case may move to next, in the workflow's order."""
    allowed = CASE_TRANSITIONS.get(case.state, frozenset())
    return [state for state in CaseState.values if state in allowed]


def _clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("Enter at most %(limit)s characters.") % {"limit": limit}})
    return text


# --- The workflow --------------------------------------------------------------------------------


@transaction.atomic
def change_state(
    actor: Any, case: Case, state: str, *, note: str = "", request: HttpRequest | None = None
) -> Case:
    """Move the case along the workflow (``CASE_TRANSITIONS``); anything else is refused.

    Resolving sets ``resolved_at``, closing ``closed_at``; reopening clears them. The reporter
    sees the change (and the note) and is told.
    """
    _begin(actor, case)
    if state not in CaseState.values:
        raise ValidationError({"state": _("Unknown state.")})
    note = _clean_text(note, field="note", limit=MAX_MESSAGE, required=False)
    old = case.state
    if case.merged_into_id is not None:
        raise ValidationError(
            {"state": _("This case was merged into another case; work on that case instead.")}
        )
    if state not in CASE_TRANSITIONS.get(old, frozenset()):
        labels = ", ".join(str(CaseState(s).label) for s in allowed_states(case))
        raise ValidationError(
            {
                "state": _(
                    "A case cannot go from “%(old)s” to “%(new)s”. Allowed next: %(allowed)s."
                )
                % {
                    "old": CaseState(old).label,
                    "new": CaseState(state).label,
                    "allowed": labels or "—",
                }
            },
            code="transition",
        )
    now = timezone.now()
    fields = ["state"]
    case.state = state
    if state == CaseState.RESOLVED:
        case.resolved_at = now
        fields.append("resolved_at")
    elif state == CaseState.CLOSED:
        case.closed_at = now
        fields.append("closed_at")
        if case.resolved_at is None:
            case.resolved_at = now
            fields.append("resolved_at")
    elif state in OPEN_STATES:
        case.resolved_at = None
        case.closed_at = None
        fields += ["resolved_at", "closed_at"]
    _step(
        actor,
        case,
        now,
        fields,
        EntryKind.STATE,
        body=note,
        audience=EntryAudience.REPORTER,
        data={"from": old, "to": state},
    )
    _audit_change(request, actor, case, "state", old=old, new=state)
    _notify_reporter(
        case,
        actor,
        notifications.CASE_STATE,
        format_lazy(
            gettext_lazy("Case #{number}: {state}"), number=case.pk, state=CaseState(state).label
        ),
    )
    return case


@transaction.atomic
def assign(actor: Any, case: Case, assignee: Any, *, request: HttpRequest | None = None) -> Case:
    """Give the case to one of the centre's staff (``None``: nobody)."""
    _begin(actor, case)
    if assignee is not None and not is_centre_staff(assignee):
        raise ValidationError({"assignee": _("Choose one of the centre's staff.")})
    old = case.assignee_id
    new = assignee.pk if assignee is not None else None
    now = timezone.now()
    case.assignee = assignee
    name = (assignee.name or assignee.email) if assignee else ""
    _step(
        actor,
        case,
        now,
        ["assignee"],
        EntryKind.ASSIGNED,
        data={"from": old, "to": new, "name": name},
    )
    _audit_change(request, actor, case, "assignee", old=old, new=new)
    if assignee is not None and assignee.pk != getattr(actor, "pk", None) and old != new:
        notify(
            [assignee],
            notifications.CASE_ASSIGNED,
            title=format_lazy(gettext_lazy("Case #{number} was assigned to you"), number=case.pk),
            url=_case_url(case),
            data={"case": case.pk},
        )
    return case


@transaction.atomic
def set_severity(
    actor: Any, case: Case, severity: str, *, request: HttpRequest | None = None
) -> Case:
    _begin(actor, case)
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Unknown severity.")})
    old = case.severity
    now = timezone.now()
    case.severity = severity
    _step(actor, case, now, ["severity"], EntryKind.SEVERITY, data={"from": old, "to": severity})
    _audit_change(request, actor, case, "severity", old=old, new=severity)
    return case


@transaction.atomic
def add_participant(
    actor: Any, case: Case, user: Any, role: str, *, request: HttpRequest | None = None
) -> CaseParticipant:
    """Give a person a role in the case: the centre's roles to the centre's staff; the agency
    role to a member of an organisation asked for support on this case."""
    _begin(actor, case)
    if role not in CaseRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    if user is None or not user.is_active:
        raise ValidationError({"user": _("Choose a person.")})
    if role == CaseRole.AGENCY:
        if policy.case_access(user, case) != policy.CASE_SUPPORT:
            raise ValidationError(
                {"user": _("Choose a member of an organisation asked for support on this case.")}
            )
    elif not is_centre_staff(user):
        raise ValidationError({"user": _("Choose one of the centre's staff.")})
    if CaseParticipant.objects.filter(case=case, user=user, role=role).exists():
        raise ValidationError({"user": _("This person already has this role in the case.")})
    try:
        with transaction.atomic():
            participant = CaseParticipant.objects.create(case=case, user=user, role=role)
    except IntegrityError:
        raise ValidationError(
            {"user": _("This person already has this role in the case.")}
        ) from None
    _step(
        actor,
        case,
        timezone.now(),
        [],
        EntryKind.PARTICIPANT,
        data={"user": user.pk, "name": user.name or user.email, "role": role},
        touch=False,
    )
    _audit_change(request, actor, case, "participant", user=user.pk, role=role)
    return participant


# --- The conversation ------------------------------------------------------------------------


@transaction.atomic
def post_message(
    actor: Any,
    case: Case,
    body: str,
    *,
    internal: bool = False,
    request: HttpRequest | None = None,
) -> TimelineEntry:
    """A message between the centre and the reporter, or (``internal``) a note for the centre.

    The reporting organisation's members may write to the centre; the centre's staff may write
    to the reporter or a note. The centre's first message to the reporter is its first response.
    """
    level = policy.case_access(actor, case)
    if level == policy.CASE_CENTRE:
        _require_centre(actor)
    elif level == policy.CASE_REPORTER:
        if internal:
            raise PermissionDenied(_("Only the centre's staff may write internal notes."))
    else:
        raise PermissionDenied(_("You may not write on this case."))
    body = _clean_text(body, field="body", limit=MAX_MESSAGE)
    _lock(case)
    now = timezone.now()
    centre = level == policy.CASE_CENTRE
    if centre:
        fields: list[str] = []
        _acknowledge(case, now, fields)
        if not internal and case.first_response_at is None:
            case.first_response_at = now
            fields.append("first_response_at")
        if fields:
            _save(case, fields)
    else:
        _save(case, [])  # the queue's "updated" order sees the reporter's message
    entry = add_entry(
        case,
        EntryKind.NOTE if internal else EntryKind.MESSAGE,
        author=actor,
        body=body,
        audience=EntryAudience.CENTRE if internal else EntryAudience.REPORTER,
        data={"side": "centre" if centre else "reporter"},
        at=now,
    )
    audit.record(
        "incidents.case.message",
        request=request,
        actor=actor,
        obj=case,
        organisation=case.organisation_id,
        internal=internal,
        entry=entry.pk,
    )
    if internal:
        return entry
    title = format_lazy(gettext_lazy("New message on case #{number}"), number=case.pk)
    if centre:
        _notify_reporter(case, actor, notifications.CASE_MESSAGE, title)
    else:
        people = [p for p in centre_people(case) if p.pk != getattr(actor, "pk", None)]
        if people:
            notify(
                people,
                notifications.CASE_MESSAGE,
                title=title,
                url=_case_url(case),
                data={"case": case.pk},
            )
    return entry


# --- Tasks -------------------------------------------------------------------------------------


@transaction.atomic
def add_task(
    actor: Any,
    case: Case,
    title: str,
    *,
    assignee: Any = None,
    due_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> Task:
    _require_centre(actor)
    title = _clean_text(title, field="title", limit=200)
    if assignee is not None and not is_centre_staff(assignee):
        raise ValidationError({"assignee": _("Choose one of the centre's staff.")})
    _lock(case)
    task = Task.objects.create(
        case=case, title=title, assignee=assignee, due_at=due_at, created_by=actor
    )
    data = {"task": task.pk, "action": "added", "assignee": getattr(assignee, "pk", None)}
    _step(actor, case, timezone.now(), [], EntryKind.TASK, body=title, data=data)
    _audit_change(request, actor, case, "task", task=task.pk, step="added")
    return task


@transaction.atomic
def complete_task(actor: Any, task: Task, *, request: HttpRequest | None = None) -> Task:
    _require_centre(actor)
    case = task.case
    _lock(case)
    task.refresh_from_db(fields=["done_at"])
    if task.done_at is not None:
        raise ValidationError({"task": _("This task is already done.")})
    now = timezone.now()
    task.done_at = now
    task.save(update_fields=["done_at"])
    data = {"task": task.pk, "action": "done"}
    _step(actor, case, now, [], EntryKind.TASK, body=task.title, data=data)
    _audit_change(request, actor, case, "task", task=task.pk, step="done")
    return task


# --- Links and merging --------------------------------------------------------------------------


@transaction.atomic
def link_cases(
    actor: Any, case: Case, other: Case, *, note: str = "", request: HttpRequest | None = None
) -> CaseLink:
    """Record that two cases are related (once per pair, whichever side it is added from)."""
    _require_centre(actor)
    if other is None or other.pk == case.pk:
        raise ValidationError({"other": _("Choose another case.")})
    note = _clean_text(note, field="note", limit=200, required=False)
    first, second = (case, other) if case.pk < other.pk else (other, case)
    _lock(first)
    _lock(second)
    if CaseLink.objects.filter(case=first, other=second).exists():
        raise ValidationError({"other": _("These cases are already linked.")})
    try:
        with transaction.atomic():
            link = CaseLink.objects.create(case=first, other=second, note=note, created_by=actor)
    except IntegrityError:
        raise ValidationError({"other": _("These cases are already linked.")}) from None
    now = timezone.now()
    for this, that in ((case, other), (other, case)):
        _step(actor, this, now, [], EntryKind.LINK, body=note, data={"case": that.pk})
    _audit_change(request, actor, case, "link", other=other.pk)
    return link


@transaction.atomic
def link_topic(actor: Any, case: Case, topic_id: int, *, request: HttpRequest | None = None) -> Any:
    """Link a topic to the case (the alert the case led to, or one it relates to). The topic must
    be one the person may read; linking it shows nobody anything more: each reader of the case
    sees the linked topics that they may read themselves."""
    from jisp.sharing.services.topics import readable_topics

    _begin(actor, case)
    topic = readable_topics(actor).filter(pk=topic_id).first()
    if topic is None:
        raise ValidationError({"topic": _("No topic with this number that you may read.")})
    if case.topics.filter(pk=topic.pk).exists():
        raise ValidationError({"topic": _("This topic is already linked to the case.")})
    case.topics.add(topic)
    _step(actor, case, timezone.now(), [], EntryKind.TOPIC, data={"topic": topic.pk})
    _audit_change(request, actor, case, "topic", topic=topic.pk)
    return topic


@transaction.atomic
def merge_case(
    actor: Any, duplicate: Case, into: Case, *, request: HttpRequest | None = None
) -> Case:
    """Close ``duplicate`` as merged into ``into``. The duplicate's reporter still sees their case
    (closed, merged); cases merged into the duplicate follow it into ``into``."""
    _require_centre(actor)
    if into is None or into.pk == duplicate.pk:
        raise ValidationError({"into": _("A case cannot be merged into itself.")})
    # Lock both rows in id order, so that two merges never wait on each other.
    for one in sorted((duplicate, into), key=lambda c: c.pk):
        _lock(one)
    if duplicate.merged_into_id is not None:
        raise ValidationError({"into": _("This case was already merged into another case.")})
    if into.merged_into_id is not None:
        raise ValidationError(
            {
                "into": _("Case #%(number)s was itself merged into another case.")
                % {"number": into.pk}
            }
        )
    now = timezone.now()
    old = duplicate.state
    Case.objects.filter(merged_into=duplicate).update(merged_into=into)
    duplicate.merged_into = into
    duplicate.state = CaseState.CLOSED
    duplicate.closed_at = now
    fields = ["merged_into", "state", "closed_at"]
    if duplicate.resolved_at is None:
        duplicate.resolved_at = now
        fields.append("resolved_at")
    _acknowledge(duplicate, now, fields)
    _save(duplicate, fields)
    into_fields: list[str] = []
    _acknowledge(into, now, into_fields)
    _save(into, into_fields)
    # The reporter learns that their case was closed as merged, not which case it joined.
    add_entry(
        duplicate,
        EntryKind.STATE,
        author=actor,
        audience=EntryAudience.REPORTER,
        data={"from": old, "to": CaseState.CLOSED, "merged": True},
        at=now,
    )
    add_entry(duplicate, EntryKind.MERGE, author=actor, data={"into": into.pk}, at=now)
    add_entry(into, EntryKind.MERGE, author=actor, data={"from": duplicate.pk}, at=now)
    audit.record(
        "incidents.case.merged",
        request=request,
        actor=actor,
        obj=duplicate,
        organisation=duplicate.organisation_id,
        into=into.pk,
    )
    _notify_reporter(
        duplicate,
        actor,
        notifications.CASE_STATE,
        format_lazy(
            gettext_lazy("Case #{number}: {state}"),
            number=duplicate.pk,
            state=CaseState.CLOSED.label,
        ),
    )
    return duplicate


# --- Event impact and the situation report -------------------------------------------------------


@transaction.atomic
def assess_impact(
    actor: Any,
    case: Case,
    event_impact: str,
    note: str,
    *,
    public_awareness: str | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """The liaison's assessment, with the organiser, of the case's impact on the event.

    A case affecting the event, or known to the public, is proposed for the situation report
    (``for_sitrep``); the centre may still take it out with ``set_for_sitrep``.
    """
    _require_centre(actor)
    if event_impact not in YesNoUnknown.values:
        raise ValidationError({"event_impact": _("Choose yes, no or unknown.")})
    if public_awareness is not None and public_awareness not in YesNoUnknown.values:
        raise ValidationError({"public_awareness": _("Choose yes, no or unknown.")})
    note = _clean_text(note, field="note", limit=MAX_MESSAGE, required=False)
    _lock(case)
    now = timezone.now()
    case.event_impact = event_impact
    if public_awareness is not None:
        case.public_awareness = public_awareness
    case.impact_note = note
    case.impact_assessed_at = now
    case.impact_assessed_by = actor
    fields = [
        "event_impact",
        "public_awareness",
        "impact_note",
        "impact_assessed_at",
        "impact_assessed_by",
    ]
    proposed = False
    if YesNoUnknown.YES in (case.event_impact, case.public_awareness) and not case.for_sitrep:
        case.for_sitrep = True
        proposed = True
        fields.append("for_sitrep")
    _step(
        actor,
        case,
        now,
        fields,
        EntryKind.IMPACT,
        body=note,
        data={
            "event_impact": case.event_impact,
            "public_awareness": case.public_awareness,
            "for_sitrep": case.for_sitrep,
            "proposed": proposed,
        },
    )
    _audit_change(
        request,
        actor,
        case,
        "impact",
        event_impact=case.event_impact,
        public_awareness=case.public_awareness,
        for_sitrep=case.for_sitrep,
    )
    return case


@transaction.atomic
def set_for_sitrep(
    actor: Any, case: Case, value: bool, *, request: HttpRequest | None = None
) -> Case:
    """Include the case in the situation report, or take it out."""
    _begin(actor, case)
    old = case.for_sitrep
    case.for_sitrep = bool(value)
    data = {"for_sitrep": case.for_sitrep}
    _step(actor, case, timezone.now(), ["for_sitrep"], EntryKind.IMPACT, data=data)
    _audit_change(request, actor, case, "for_sitrep", old=old, new=case.for_sitrep)
    return case


# --- Response times -----------------------------------------------------------------------------


def ack_deadline(case: Case) -> datetime:
    return case.opened_at + timedelta(minutes=settings.CASE_ACK_MINUTES)


def response_deadline(case: Case) -> datetime:
    return case.opened_at + timedelta(minutes=settings.CASE_RESPONSE_MINUTES)


def ack_overdue(case: Case, now: datetime | None = None) -> bool:
    """An open case nobody at the centre has acted on within ``CASE_ACK_MINUTES``."""
    now = now or timezone.now()
    return case.state in OPEN_STATES and case.acknowledged_at is None and now > ack_deadline(case)


def response_overdue(case: Case, now: datetime | None = None) -> bool:
    """An open case whose reporter has had no message from the centre within
    ``CASE_RESPONSE_MINUTES`` (a case without a reporting organisation never is)."""
    now = now or timezone.now()
    return (
        case.state in OPEN_STATES
        and case.organisation_id is not None
        and case.first_response_at is None
        and now > response_deadline(case)
    )


def time_to_acknowledge(case: Case) -> timedelta | None:
    return None if case.acknowledged_at is None else case.acknowledged_at - case.opened_at


def time_to_respond(case: Case) -> timedelta | None:
    return None if case.first_response_at is None else case.first_response_at - case.opened_at
