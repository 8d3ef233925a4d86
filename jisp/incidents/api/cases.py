"""The JSON API of cases: list, read, timeline, write a message, change the state, assign.

Mounted at ``/api/v1/incidents/cases``. A case the caller may not see answers 404; one they see
but may not change answers 403; a change the workflow forbids answers 409 with the allowed next
states in ``detail``. What the caller may not learn (severity, assignee, internal notes, other
organisations' threads) is never in an answer: see ``jisp.incidents.schemas_cases``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from jisp.api import ApiError
from jisp.core import audit, policy
from jisp.core.api import PathId, api_user
from jisp.core.models import Membership, User
from jisp.core.schemas import ERRORS_READ, ERRORS_WRITE, Page, PageIn, paginate
from jisp.incidents.models import Case, TimelineEntry
from jisp.incidents.schemas_cases import (
    AssignIn,
    CaseFilters,
    CaseOut,
    EntryOut,
    MessageIn,
    StateIn,
)
from jisp.incidents.services import cases
from jisp.incidents.services.queue import case_queue

router = Router(tags=["cases"])

ERRORS_CHANGE: dict[int, Any] = {**ERRORS_WRITE, 409: ERRORS_WRITE[400]}


class CasePage(Page[CaseOut]):
    pass


class EntryPage(Page[EntryOut]):
    pass


def _case_or_404(user: User, pk: int) -> tuple[Case, str]:
    case = Case.objects.select_related("organisation", "assignee").filter(pk=pk).first()
    level = policy.case_access(user, case) if case is not None else None
    if case is None or level is None:
        raise Http404
    return case, level


def _level(user: User, case: Case) -> str:
    """``case_access`` for a case of a visible list, without a query."""
    a = policy.access(user)
    if a.sees_all_below_red:
        return policy.CASE_CENTRE
    if case.organisation_id is not None and case.organisation_id in a.organisation_ids:
        return policy.CASE_REPORTER
    return policy.CASE_SUPPORT


def _ref(obj: Any, name: str) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": name}


def shape(case: Case, level: str, now: Any = None) -> dict[str, Any]:
    """The case as a caller with ``level`` may see it."""
    out: dict[str, Any] = {
        "id": case.pk,
        "access": level,
        "kind": case.kind,
        "category": case.category,
        "tlp": case.tlp,
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "opened_at": case.opened_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "merged": case.merged_into_id is not None,
    }
    if level == policy.CASE_SUPPORT:
        return out
    organisation = case.organisation
    out.update(
        title=case.title,
        report_id=case.report_id,
        organisation=_ref(organisation, organisation.display_name if organisation else ""),
        acknowledged_at=case.acknowledged_at,
        first_response_at=case.first_response_at,
        updated_at=case.updated_at,
    )
    if level != policy.CASE_CENTRE:
        return out
    assignee = case.assignee
    now = now or timezone.now()
    out.update(
        severity=case.severity,
        assignee=_ref(assignee, (assignee.name or assignee.email) if assignee else ""),
        event_impact=case.event_impact,
        public_awareness=case.public_awareness,
        impact_note=case.impact_note,
        for_sitrep=case.for_sitrep,
        merged_into=case.merged_into_id,
        ack_overdue=cases.ack_overdue(case, now),
        response_overdue=cases.response_overdue(case, now),
    )
    return out


def _entries(user: User, level: str, rows: list[TimelineEntry]) -> list[dict[str, Any]]:
    """Entries with their authors named only where the caller may know them."""
    known: set[int] | None = None
    if level != policy.CASE_CENTRE:
        known = set(
            Membership.objects.filter(
                organisation_id__in=policy.access(user).organisation_ids
            ).values_list("user_id", flat=True)
        )
    result = []
    for entry in rows:
        author = entry.author
        shown = author is not None and (known is None or author.pk in known)
        result.append(
            {
                "id": entry.pk,
                "kind": entry.kind,
                "kind_label": str(entry.get_kind_display()),
                "audience": entry.audience,
                "author": _ref(author, author.name or author.email) if shown and author else None,
                "body": entry.body,
                "data": entry.data or {},
                "created_at": entry.created_at,
            }
        )
    return result


# --- Reading ----------------------------------------------------------------------------------


@router.get(
    "",
    response={200: CasePage, **ERRORS_READ},
    summary="Cases",
    description=(
        "The cases the caller may see: for the centre the queue (open cases by default) with "
        "its filters; for a member its organisation's cases. Paginated: `{count, items}`."
    ),
)
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    user = api_user(request)
    data = filters.dict(exclude={"limit", "offset"})
    if not policy.access(user).sees_all_below_red and not data.get("state"):
        data["state"] = "all"  # a member sees all its cases, open or not
    page = paginate(case_queue(user, data), filters)
    now = timezone.now()
    page["items"] = [shape(case, _level(user, case), now) for case in page["items"]]
    return page


@router.get(
    "/{id}",
    response={200: CaseOut, **ERRORS_READ},
    summary="One case",
    description="The case, with the part the caller may see (`access`).",
)
def case_detail(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    case, level = _case_or_404(user, id)
    audit.record_view(request, case)
    return shape(case, level)


@router.get(
    "/{id}/timeline",
    response={200: EntryPage, **ERRORS_READ},
    summary="A case's timeline",
    description=(
        "Oldest first: for the centre every entry; for the reporter the conversation and state "
        "changes; for a supporting organisation its own thread."
    ),
)
def case_timeline(request: HttpRequest, id: PathId, page: Query[PageIn]) -> dict[str, Any]:
    user = api_user(request)
    case, level = _case_or_404(user, id)
    entries = policy.visible_entries(
        user, case, case.timeline.select_related("author").order_by("created_at", "id")
    )
    result = paginate(entries, page)
    result["items"] = _entries(user, level, result["items"])
    return result


# --- Writing ----------------------------------------------------------------------------------


@router.post(
    "/{id}/messages",
    response={201: EntryOut, **ERRORS_WRITE},
    summary="Write on a case",
    description=(
        "The reporter writes to the centre; the centre to the reporter, or an internal note "
        "(`internal: true`, the centre only)."
    ),
)
def case_message(request: HttpRequest, id: PathId, payload: MessageIn) -> Status:
    user = api_user(request)
    case, level = _case_or_404(user, id)
    if level == policy.CASE_SUPPORT:
        raise PermissionDenied(_("You may not write on this case."))
    entry = cases.post_message(user, case, payload.body, internal=payload.internal, request=request)
    return Status(201, _entries(user, level, [entry])[0])


@router.post(
    "/{id}/state",
    response={200: CaseOut, **ERRORS_CHANGE},
    summary="Change a case's state",
    description="The centre's staff. A change the workflow forbids answers 409.",
)
def case_state(request: HttpRequest, id: PathId, payload: StateIn) -> dict[str, Any]:
    user = api_user(request)
    case, level = _case_or_404(user, id)
    try:
        cases.change_state(user, case, payload.state, note=payload.note, request=request)
    except ValidationError as error:
        if "state" in getattr(error, "error_dict", {}):
            raise ApiError(409, " ".join(error.messages)) from None
        raise
    return shape(case, level)


@router.post(
    "/{id}/assign",
    response={200: CaseOut, **ERRORS_WRITE},
    summary="Assign a case",
    description="The centre's staff; `assignee` is one of them, or null for nobody.",
)
def case_assign(request: HttpRequest, id: PathId, payload: AssignIn) -> dict[str, Any]:
    user = api_user(request)
    case, level = _case_or_404(user, id)
    if not policy.can_work_cases(user):
        raise PermissionDenied(_("Only the coordination centre's staff may change cases."))
    assignee = None
    if payload.assignee is not None:
        assignee = User.objects.filter(pk=payload.assignee, is_active=True).first()
        if assignee is None or not cases.is_centre_staff(assignee):
            raise ValidationError({"assignee": _("Choose one of the centre's staff.")})
    cases.assign(user, case, assignee, request=request)
    case.refresh_from_db()
    return shape(case, level)
