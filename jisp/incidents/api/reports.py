"""The JSON API of members' reports, for members' own systems: list, write, send, update, read.

Mounted at ``/api/v1/incidents/reports``. ``jisp.api`` signs the caller in (writing needs a token
with the write scope), answers errors as ``{"detail": ...}`` and records every call. Every
operation starts from ``policy.visible_reports`` and shapes the answer by ``policy.report_grant``:
a report the caller may not see answers 404; one they see but may not change answers 403; a
redacted report's answer lacks every field the grant does not allow.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from jisp.core import audit, policy
from jisp.core.api import PathId, api_user
from jisp.core.models import Organisation, User
from jisp.core.schemas import ERRORS_READ, ERRORS_WRITE, Page, PageIn, paginate
from jisp.incidents.choices import ReportStatus
from jisp.incidents.models import Case, Report
from jisp.incidents.schemas_reports import (
    RecipientOut,
    ReportDetailOut,
    ReportFilters,
    ReportIn,
    ReportOut,
    ReportPatchIn,
    UpdateIn,
    UpdateOut,
)
from jisp.incidents.services import reports as service
from jisp.incidents.services.reports import ReportInput

router = Router(tags=["incidents"])


class ReportPage(Page[ReportOut]):
    pass


class RecipientPage(Page[RecipientOut]):
    pass


def _report_or_404(user: User, pk: int) -> tuple[Report, str]:
    queryset = Report.objects.select_related("organisation__sector", "reporter", "case")
    report = policy.visible_reports(user, queryset).filter(pk=pk).first()
    grant = policy.report_grant(user, report) if report is not None else None
    if report is None or grant is None:
        raise Http404
    return report, grant


def _changeable(user: User, pk: int) -> tuple[Report, str]:
    report, grant = _report_or_404(user, pk)
    if not service.may_change(user, report):
        raise PermissionDenied(_("You may not change this report."))
    return report, grant


# --- Shaping by grant ----------------------------------------------------------------------------


def _case(report: Report) -> Any:
    try:
        return report.case
    except Case.DoesNotExist:
        return None


def _summary(report: Report, grant: str) -> dict[str, Any]:
    sector = report.organisation.sector
    case = _case(report)
    data: dict[str, Any] = {
        "id": report.pk,
        "access": grant,
        "kind": report.kind,
        "category": report.category or None,
        "category_label": str(report.get_category_display()) if report.category else "",
        "sector": None
        if sector is None
        else {"id": sector.pk, "code": sector.code, "name": sector.name},
        "tlp": report.tlp,
        "status": report.status,
        "started_at": report.started_at,
        "detected_at": report.detected_at,
        "event_impact": report.event_impact,
        "public_awareness": report.public_awareness,
        "submitted_at": report.submitted_at,
        "case_state": case.state if case is not None else None,
    }
    if grant != policy.REPORT_REDACTED:
        data.update(
            title=report.title,
            organisation={
                "id": report.organisation_id,
                "name": report.organisation.display_name,
            },
            channel=report.channel,
            created_at=report.created_at,
        )
    return data


def _detail(report: Report, grant: str) -> dict[str, Any]:
    data = _summary(report, grant)
    if grant == policy.REPORT_REDACTED:
        return data
    reporter = report.reporter
    case = _case(report)
    data.update(
        reporter=None if reporter is None else {"id": reporter.pk, "name": reporter.name},
        description=report.description,
        affected_services=report.affected_services,
        affected_systems=report.affected_systems,
        support_wanted=list(report.support_wanted or []),
        indicators=report.indicators,
        attachments=[
            {
                "id": f.pk,
                "filename": f.filename,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "url": reverse("incidents:report_attachment", args=[f.pk]),
                "created_at": f.created_at,
            }
            for f in report.attachments.all()
        ],
        updates=[_update(u) for u in report.updates.select_related("author")],
    )
    if grant in (policy.REPORT_OWNER, policy.REPORT_CENTRE) and case is not None:
        data["case_id"] = case.pk
    return data


def _update(update: Any) -> dict[str, Any]:
    author = update.author
    return {
        "id": update.pk,
        "body": update.body,
        "author": None if author is None else {"id": author.pk, "name": author.name},
        "created_at": update.created_at,
    }


def _input(payload: ReportIn | ReportPatchIn, base: ReportInput) -> ReportInput:
    sent = payload.model_fields_set
    for name in service.FIELDS:
        if name not in sent:
            continue
        value = getattr(payload, name)
        if name == "category":
            value = value or ""
        elif name == "support_wanted":
            value = [str(v) for v in value or []]
        elif value is None and name not in ("started_at", "detected_at"):
            continue
        setattr(base, name, str(value) if hasattr(value, "value") else value)
    return base


# --- Lists ---------------------------------------------------------------------------------------


def _listed(user: User, filters: ReportFilters) -> QuerySet[Report]:
    a = policy.access(user)
    qs = policy.visible_reports(user, Report.objects.select_related("organisation__sector", "case"))
    if filters.box == "mine":
        qs = qs.filter(organisation_id__in=a.organisation_ids)
    elif filters.box == "received":
        qs = qs.filter(
            status=ReportStatus.SUBMITTED, recipients__organisation_id__in=a.organisation_ids
        ).exclude(organisation_id__in=a.organisation_ids)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.since is not None:
        qs = qs.filter(
            Q(submitted_at__gte=filters.since)
            | Q(submitted_at__isnull=True, created_at__gte=filters.since)
        )
    return qs.distinct().order_by("-created_at", "-id")


@router.get(
    "",
    response={200: ReportPage, **ERRORS_READ},
    exclude_unset=True,
    summary="Reports",
    description=(
        "The caller's organisation's reports (drafts too) and those routed to it (redacted ones "
        "without their details); for the centre every sent report. Newest first; paginated "
        "with `limit` / `offset`."
    ),
)
def report_list(request: HttpRequest, filters: Query[ReportFilters]) -> dict[str, Any]:
    user = api_user(request)
    page = paginate(_listed(user, filters), filters)
    rows: list[Report] = page["items"]
    grants = policy.report_grants(user, rows)
    page["items"] = [_summary(r, grants[r.pk]) for r in rows if r.pk in grants]
    return page


# --- One report ----------------------------------------------------------------------------------


@router.get(
    "/{id}",
    response={200: ReportDetailOut, **ERRORS_READ},
    exclude_unset=True,
    summary="One report",
    description="Shaped by what the caller may see: a redacted report lacks its details.",
)
def report_detail(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    report, grant = _report_or_404(user, id)
    result = _detail(report, grant)
    if report.status == ReportStatus.SUBMITTED:
        audit.record_view(request, report)
    return result


@router.post(
    "",
    response={201: ReportDetailOut, **ERRORS_WRITE},
    exclude_unset=True,
    summary="Write a report",
    description=(
        "A draft of one of the caller's organisations, or with `submit: true` sent at once "
        "(then it needs a description and, for an incident, a category). Nothing is kept when "
        "sending fails."
    ),
)
def report_create(request: HttpRequest, payload: ReportIn) -> Status:
    user = api_user(request)
    organisation = None
    if payload.organisation is not None:
        organisation = Organisation.objects.filter(pk=payload.organisation).first()
        if organisation is None:
            raise PermissionDenied(_("You may only report for your own organisation."))
    data = _input(payload, ReportInput(title=payload.title))
    with transaction.atomic():
        report = service.create_report(user, data, organisation=organisation, request=request)
        if payload.submit:
            service.submit_report(user, report, request=request)
    report, grant = _report_or_404(user, report.pk)
    return Status(201, _detail(report, grant))


@router.patch(
    "/{id}",
    response={200: ReportDetailOut, **ERRORS_WRITE},
    exclude_unset=True,
    summary="Change a draft",
    description="The fields sent replace the draft's. A sent report takes updates instead.",
)
def report_patch(request: HttpRequest, id: PathId, payload: ReportPatchIn) -> dict[str, Any]:
    user = api_user(request)
    report, _grant = _changeable(user, id)
    service.update_draft(user, report, _input(payload, ReportInput.of(report)), request=request)
    report, grant = _report_or_404(user, id)
    return _detail(report, grant)


@router.post(
    "/{id}/submit",
    response={200: ReportDetailOut, **ERRORS_WRITE},
    exclude_unset=True,
    summary="Send a draft",
    description="Opens the centre's case and routes the report; the answer has its case.",
)
def report_submit(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    report, _grant = _changeable(user, id)
    service.submit_report(user, report, request=request)
    report, grant = _report_or_404(user, id)
    return _detail(report, grant)


@router.post(
    "/{id}/updates",
    response={201: UpdateOut, **ERRORS_WRITE},
    summary="Add an update",
    description="A later addition to a sent report (also on its case's timeline).",
)
def report_add_update(request: HttpRequest, id: PathId, payload: UpdateIn) -> Status:
    user = api_user(request)
    report, _grant = _changeable(user, id)
    update = service.add_update(user, report, payload.body, request=request)
    return Status(201, _update(update))


@router.get(
    "/{id}/recipients",
    response={200: RecipientPage, **ERRORS_READ},
    summary="Who received a report",
    description="The organisations a report was routed to, with their grant: for the reporting "
    "organisation and the centre only.",
)
def report_recipients(request: HttpRequest, id: PathId, page: Query[PageIn]) -> dict[str, Any]:
    user = api_user(request)
    report, grant = _report_or_404(user, id)
    if grant not in (policy.REPORT_OWNER, policy.REPORT_CENTRE):
        raise PermissionDenied(_("Only the reporting organisation and the centre see this."))
    result = paginate(
        report.recipients.select_related("organisation").order_by("routed_at", "id"), page
    )
    result["items"] = [
        {
            "organisation": {"id": r.organisation_id, "name": r.organisation.display_name},
            "grant": r.grant,
            "by_hand": r.rule_id is None,
            "routed_at": r.routed_at,
        }
        for r in result["items"]
    ]
    return result
