"""The support-request API under ``/api/v1/incidents/support``: the asked organisation's
requests (all of them for the centre), one request with its thread, and the asked
organisation's answer, findings and messages.

A request the caller may not see answers 404; one they see but may not act on answers 403; a
step the workflow forbids answers 422 with the reason. The asked organisation never learns more
of the case than its title, category, TLP, state and the report's description.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from jisp.core import audit, policy
from jisp.core.api import PathId, api_user
from jisp.core.models import User
from jisp.core.schemas import ERRORS_READ, ERRORS_WRITE, Page, paginate
from jisp.incidents.models import SupportRequest, TimelineEntry
from jisp.incidents.schemas_support import (
    FindingsIn,
    SupportAnswerIn,
    SupportDetailOut,
    SupportEntryOut,
    SupportFilters,
    SupportMessageIn,
    SupportOut,
)
from jisp.incidents.services import support

router = Router(tags=["incidents"])


class SupportPage(Page[SupportOut]):
    pass


def _case(sr: SupportRequest, shown: bool) -> dict[str, Any] | None:
    if not shown:
        return None
    case = sr.case
    return {
        "id": case.pk,
        "title": case.title,
        "category": case.category,
        "category_label": str(case.get_category_display()),
        "tlp": case.tlp,
        "state": case.state,
        "description": case.report.description if case.report is not None else "",
    }


def _out(user: User, sr: SupportRequest, shown: bool | None = None) -> dict[str, Any]:
    if shown is None:
        shown = support.shows_case(user, sr)
    return {
        "id": sr.pk,
        "case": _case(sr, shown),
        "organisation": {"id": sr.organisation_id, "name": sr.organisation.display_name},
        "kinds": list(sr.kinds),
        "message": sr.message,
        "state": sr.state,
        "state_label": str(sr.get_state_display()),
        "requested_at": sr.requested_at,
        "answered_at": sr.answered_at,
        "answer_note": sr.answer_note,
        "findings": sr.findings,
        "closed_at": sr.closed_at,
    }


def _entry(entry: TimelineEntry) -> dict[str, Any]:
    author = entry.author
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "step": str((entry.data or {}).get("step", "")),
        "author": {"id": author.pk, "name": author.name} if author is not None else None,
        "body": entry.body,
        "created_at": entry.created_at,
    }


def _detail(user: User, sr: SupportRequest) -> dict[str, Any]:
    shown = support.shows_case(user, sr)
    result = _out(user, sr, shown)
    result["thread"] = [_entry(e) for e in support.thread(user, sr)] if shown else []
    return result


@router.get(
    "",
    response={200: SupportPage, **ERRORS_READ},
    summary="Support requests",
    description=(
        "Requests to the caller's organisations; every request for the centre. Newest first, "
        "filtered by `state`, paginated with `limit` / `offset`."
    ),
)
def support_list(request: HttpRequest, filters: Query[SupportFilters]) -> dict[str, Any]:
    user = api_user(request)
    qs = support.visible_support_requests(user).select_related(
        "case", "case__report", "organisation"
    )
    if filters.state:
        qs = qs.filter(state=filters.state)
    page = paginate(qs.order_by("-requested_at", "-id"), filters)
    rows: list[SupportRequest] = page["items"]
    centre = policy.access(user).sees_all_below_red
    # Whether the case is shown: for the centre always; for an asked organisation, while one of
    # its requests on that case is not declined (the policy's rule), in one query.
    active_cases: set[int] = set()
    if not centre and rows:
        active_cases = set(
            support.visible_support_requests(user)
            .filter(case_id__in={r.case_id for r in rows})
            .exclude(state="declined")
            .values_list("case_id", flat=True)
        )
    page["items"] = [_out(user, r, centre or r.case_id in active_cases) for r in rows]
    return page


@router.get(
    "/{id}",
    response={200: SupportDetailOut, **ERRORS_READ},
    summary="One support request",
    description="The request, what the caller may know of its case, and its thread.",
)
def support_detail(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    sr = support.support_or_404(user, id)
    result = _detail(user, sr)
    if result["case"] is not None:
        audit.record_view(request, sr.case)
    return result


def _answerable(user: User, id: int) -> SupportRequest:
    sr = support.support_or_404(user, id)
    if not policy.can_answer_support(user, sr):
        raise PermissionDenied(_("Only the asked organisation answers this request."))
    return sr


@router.post(
    "/{id}/answer",
    response={200: SupportDetailOut, **ERRORS_WRITE},
    summary="Accept or decline a support request",
    description=(
        "The asked organisation accepts (the caller joins the case as a participant) or "
        "declines, with an optional note. Only a request still waiting for its answer."
    ),
)
def support_answer(request: HttpRequest, id: PathId, payload: SupportAnswerIn) -> dict[str, Any]:
    user = api_user(request)
    sr = _answerable(user, id)
    support.answer_support(user, sr, payload.accept, payload.note, request=request)
    return _detail(user, support.support_or_404(user, id))


@router.post(
    "/{id}/findings",
    response={200: SupportDetailOut, **ERRORS_WRITE},
    summary="Send findings",
    description="After accepting; may be sent again as the organisation learns more.",
)
def support_findings(request: HttpRequest, id: PathId, payload: FindingsIn) -> dict[str, Any]:
    user = api_user(request)
    sr = _answerable(user, id)
    support.report_findings(user, sr, payload.findings, request=request)
    return _detail(user, support.support_or_404(user, id))


@router.post(
    "/{id}/messages",
    response={201: SupportEntryOut, **ERRORS_WRITE},
    summary="Write in a support request's thread",
    description="Between the centre and the asked organisation; not once declined or closed.",
)
def support_message(request: HttpRequest, id: PathId, payload: SupportMessageIn) -> Status:
    user = api_user(request)
    sr = support.support_or_404(user, id)
    if not policy.can_work_cases(user) and not policy.can_answer_support(user, sr):
        raise PermissionDenied(_("You may not write in this thread."))
    entry = support.post_support_message(user, sr, payload.body, request=request)
    entry = TimelineEntry.objects.select_related("author").get(pk=entry.pk)
    return Status(201, _entry(entry))
