"""The verdict requests API: the centre asks vendors "harmful or harmless?", vendors answer.

Mounted at ``/api/v1/intel/verdicts``. Who sees which request is
``policy.visible_verdict_requests``; what of it they see is ``services.verdicts.answers_for``
(the centre: everything; a vendor: its own answer; the member on whose behalf: the combined
verdict and anonymous answers). A request the caller may not see answers 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from jisp.core import policy
from jisp.core.api import PathId, api_user
from jisp.core.choices import OrganisationCategory
from jisp.core.models import Organisation, User
from jisp.core.schemas import ERRORS_READ, ERRORS_WRITE, Page, paginate
from jisp.intel.models import Indicator, VerdictRequest
from jisp.intel.schemas import (
    AnswerIn,
    VerdictFilters,
    VerdictRequestDetailOut,
    VerdictRequestIn,
    VerdictRequestOut,
)
from jisp.intel.services import verdicts as service

router = Router(tags=["intel"])


class VerdictPage(Page[VerdictRequestOut]):
    pass


def request_out(user: User, vr: VerdictRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": vr.pk,
        "kind": vr.kind,
        "value": vr.value,
        "question": vr.question,
        "state": vr.state,
        "created_at": vr.created_at,
        "closed_at": vr.closed_at,
    }
    if service.sees_context(user, vr):
        member = vr.on_behalf_of
        data.update(
            on_behalf_of=None if member is None else {"id": member.pk, "name": member.display_name},
            share_with_member=vr.share_with_member,
            indicator=vr.indicator_id,
            requested_by=vr.requested_by.name if vr.requested_by else "",
        )
    return data


def _detail(user: User, vr: VerdictRequest) -> dict[str, Any]:
    data = request_out(user, vr)
    data["answers"] = [
        {**vars(a), "verdict": a.verdict or None} for a in service.answers_for(user, vr)
    ]
    if service.sees_combined(user, vr):
        verdict, confidence, counts = service.combined_verdict(vr)
        data["combined"] = {"verdict": verdict, "confidence": confidence, **vars(counts)}
    return data


def _one(user: User, pk: int) -> VerdictRequest:
    qs = VerdictRequest.objects.select_related("on_behalf_of", "requested_by")
    vr = service.visible_requests(user, qs).filter(pk=pk).first()
    if vr is None:
        raise Http404
    return vr


@router.get(
    "",
    response={200: VerdictPage, **ERRORS_READ},
    exclude_unset=True,
    summary="Verdict requests",
    description=(
        "The centre: every request; a vendor: those addressed to it; a member: those made on "
        "its behalf that the centre shared with it. Newest first."
    ),
)
def verdict_list(request: HttpRequest, filters: Query[VerdictFilters]) -> dict[str, Any]:
    user = api_user(request)
    qs = service.visible_requests(
        user, VerdictRequest.objects.select_related("on_behalf_of", "requested_by")
    )
    if filters.state:
        qs = qs.filter(state=filters.state)
    page = paginate(qs.order_by("-created_at", "-id"), filters)
    page["items"] = [request_out(user, vr) for vr in page["items"]]
    return page


@router.get(
    "/{id}",
    response={200: VerdictRequestDetailOut, **ERRORS_READ},
    exclude_unset=True,
    summary="One verdict request",
    description="With the answers the caller may see and, for the centre and the member, the "
    "combined verdict (confidence-weighted majority; harmful wins ties).",
)
def verdict_detail(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    return _detail(user, _one(user, id))


@router.post(
    "",
    response={201: VerdictRequestDetailOut, **ERRORS_WRITE},
    exclude_unset=True,
    summary="Ask vendors for a verdict",
    description="The centre's staff: the value is normalised; each vendor is asked once.",
)
def verdict_create(request: HttpRequest, payload: VerdictRequestIn) -> Status:
    user = api_user(request)
    if not policy.can_manage_intel(user):
        raise PermissionDenied(_("Only the coordination centre asks vendors for verdicts."))
    vendors = list(Organisation.objects.filter(pk__in=payload.vendors))
    if len(vendors) != len(set(payload.vendors)) or any(
        v.category != OrganisationCategory.VENDOR for v in vendors
    ):
        raise ValidationError({"vendors": _("Choose CTI vendors only.")})
    member = None
    if payload.on_behalf_of is not None:
        member = Organisation.objects.filter(pk=payload.on_behalf_of, is_active=True).first()
        if member is None:
            raise ValidationError({"on_behalf_of": _("Unknown organisation.")})
    indicator = None
    if payload.indicator is not None:
        indicator = (
            policy.visible(user, Indicator.objects.all()).filter(pk=payload.indicator).first()
        )
        if indicator is None:
            raise ValidationError({"indicator": _("Unknown indicator.")})
    vr = service.request_verdict(
        request, user, kind=payload.kind, value=payload.value, vendors=vendors,
        question=payload.question, on_behalf_of=member,
        share_with_member=payload.share_with_member, indicator=indicator,
    )  # fmt: skip
    return Status(201, _detail(user, _one(user, vr.pk)))


@router.post(
    "/{id}/answer",
    response={200: VerdictRequestDetailOut, **ERRORS_WRITE},
    exclude_unset=True,
    summary="Answer a verdict request",
    description="A vendor's members: harmful, harmless or unknown, with confidence and notes. "
    "Answering again replaces the answer until the centre closes the request.",
)
def verdict_answer(request: HttpRequest, id: PathId, payload: AnswerIn) -> dict[str, Any]:
    user = api_user(request)
    vr = _one(user, id)
    answer = service.answer_of(user, vr)
    if answer is None:
        raise PermissionDenied(_("You may not answer for this vendor."))
    service.answer_verdict(
        request, user, answer, verdict=payload.verdict, confidence=payload.confidence,
        notes=payload.notes,
    )  # fmt: skip
    return _detail(user, _one(user, id))


@router.post(
    "/{id}/close",
    response={200: VerdictRequestDetailOut, **ERRORS_WRITE},
    exclude_unset=True,
    summary="Close a verdict request",
    description="The centre's staff: no more answers.",
)
def verdict_close(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    vr = _one(user, id)
    service.close_request(request, user, vr)
    return _detail(user, _one(user, id))
