"""Named actions on members' reports: write a draft, send it, add updates and files, and the
centre's entry of a report received by telephone or e-mail.

Views and the API parse and authorise with ``jisp.core.policy`` and call these; each runs in one
transaction, checks again who may act, records the audit log, and leaves nothing half-written on
bad input (``ValidationError`` with a message per field, in the active language).

Sending a report (``submit_report``) opens its case, routes it (``services.routing``), tells the
centre's staff (``REPORT_RECEIVED``) and the recipient organisations (``REPORT_ROUTED``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core import audit, policy
from jisp.core.choices import CENTRE_ROLES, TLP, OrganisationCategory
from jisp.core.models import AuditEvent, Membership, Organisation, User
from jisp.core.services.notifications import notify
from jisp.incidents.choices import (
    EntryAudience,
    EntryKind,
    IntakeChannel,
    ReportCategory,
    ReportKind,
    ReportStatus,
    SupportKind,
    YesNoUnknown,
)
from jisp.incidents.models import Case, Report, ReportAttachment, ReportUpdate
from jisp.incidents.notifications import CASE_MESSAGE, REPORT_RECEIVED
from jisp.incidents.services.routing import route_report
from jisp.incidents.services.timeline import add_entry, open_case
from jisp.sharing.services.attachments import TOO_LARGE, store_upload

__all__ = [
    "TOO_LARGE",
    "ReportInput",
    "add_attachment",
    "add_update",
    "create_report",
    "enter_report",
    "submit_report",
    "update_draft",
]

#: How far in the future a "began" / "detected" time may be (clocks differ a little).
CLOCK_SKEW = timedelta(minutes=5)
TITLE_MAX = 200
TEXT_MAX = 20_000
UPDATE_MAX = 10_000
#: Channels of reports the centre enters by hand.
OUTSIDE_CHANNELS = (IntakeChannel.PHONE, IntakeChannel.EMAIL, IntakeChannel.OTHER)


@dataclass
class ReportInput:
    """What a reporter writes (the form's and the API's fields)."""

    title: str
    kind: str = ReportKind.INCIDENT
    description: str = ""
    category: str = ""
    started_at: datetime | None = None
    detected_at: datetime | None = None
    affected_services: str = ""
    affected_systems: str = ""
    event_impact: str = YesNoUnknown.UNKNOWN
    public_awareness: str = YesNoUnknown.UNKNOWN
    support_wanted: list[str] = field(default_factory=list)
    indicators: str = ""
    tlp: str = TLP.AMBER

    @classmethod
    def of(cls, report: Report) -> ReportInput:
        """The input a report holds now (to check it before sending, or to patch it)."""
        return cls(
            title=report.title,
            kind=report.kind,
            description=report.description,
            category=report.category,
            started_at=report.started_at,
            detected_at=report.detected_at,
            affected_services=report.affected_services,
            affected_systems=report.affected_systems,
            event_impact=report.event_impact,
            public_awareness=report.public_awareness,
            support_wanted=list(report.support_wanted or []),
            indicators=report.indicators,
            tlp=report.tlp,
        )


FIELDS = [
    "title",
    "kind",
    "description",
    "category",
    "started_at",
    "detected_at",
    "affected_services",
    "affected_systems",
    "event_impact",
    "public_awareness",
    "support_wanted",
    "indicators",
    "tlp",
]


# --- Checking the input ----------------------------------------------------------------------


def check_times(
    started_at: datetime | None, detected_at: datetime | None, errors: dict[str, Any]
) -> None:
    """Not in the future (a few minutes of clock skew allowed), detected not before began."""
    limit = timezone.now() + CLOCK_SKEW
    if started_at is not None and started_at > limit:
        errors["started_at"] = _("This time is in the future.")
    if detected_at is not None and detected_at > limit:
        errors["detected_at"] = _("This time is in the future.")
    if (
        started_at is not None
        and detected_at is not None
        and detected_at < started_at
        and "detected_at" not in errors
    ):
        errors["detected_at"] = _("It cannot have been detected before it began.")


def clean_input(data: ReportInput, *, sending: bool) -> ReportInput:
    """``data`` with its text trimmed, or ``ValidationError`` naming each bad field.

    A draft needs only a title; a report to send also needs what happened and, for an incident,
    its category (a consultation without one is filed under "other").
    """
    errors: dict[str, Any] = {}
    data.title = (data.title or "").strip()
    data.description = (data.description or "").strip()
    for name in ("affected_services", "affected_systems", "indicators"):
        setattr(data, name, (getattr(data, name) or "").strip())
    if not data.title:
        errors["title"] = _("Give the report a title.")
    elif len(data.title) > TITLE_MAX:
        errors["title"] = _("Enter at most %(limit)d characters.") % {"limit": TITLE_MAX}
    for name in ("description", "affected_services", "affected_systems", "indicators"):
        if len(getattr(data, name)) > TEXT_MAX:
            errors[name] = _("Enter at most %(limit)d characters.") % {"limit": TEXT_MAX}
        elif "\x00" in getattr(data, name):
            errors[name] = _("Text may not contain NUL characters.")
    if "\x00" in data.title:
        errors["title"] = _("Text may not contain NUL characters.")
    if data.kind not in ReportKind.values:
        errors["kind"] = _("Choose an incident report or a consultation.")
    if data.category and data.category not in ReportCategory.values:
        errors["category"] = _("Unknown category.")
    if data.tlp not in TLP.values:
        errors["tlp"] = _("Unknown TLP level.")
    for name in ("event_impact", "public_awareness"):
        if getattr(data, name) not in YesNoUnknown.values:
            errors[name] = _("Choose yes, no or unknown.")
    wanted = list(dict.fromkeys(data.support_wanted or []))
    if any(kind not in SupportKind.values for kind in wanted):
        errors["support_wanted"] = _("Unknown kind of support.")
    data.support_wanted = wanted
    check_times(data.started_at, data.detected_at, errors)
    if sending:
        if not data.description:
            errors.setdefault("description", _("Say what happened."))
        if data.kind == ReportKind.INCIDENT and not data.category:
            errors.setdefault("category", _("Choose a category."))
    if errors:
        raise ValidationError(errors)
    if sending and not data.category:
        data.category = ReportCategory.OTHER
    return data


def _apply(report: Report, data: ReportInput) -> None:
    for name in FIELDS:
        setattr(report, name, getattr(data, name))


# --- Who may act -----------------------------------------------------------------------------


def _may_write(actor: Any) -> None:
    a = policy.access(actor)
    if not a.is_member or (a.is_auditor and not a.is_centre_staff):
        raise PermissionDenied(_("You may not write reports."))


def may_change(actor: Any, report: Report) -> bool:
    """Edit a draft, send it, add updates and files: the reporting organisation's members
    (auditors never), and the centre's staff for a report they entered."""
    a = policy.access(actor)
    if not a.is_member or (a.is_auditor and not a.is_centre_staff):
        return False
    if report.organisation_id in a.organisation_ids:
        return True
    return report.entered_by_id is not None and a.is_centre_staff


def _own_organisation(actor: Any, organisation: Organisation | None) -> Organisation:
    a = policy.access(actor)
    if organisation is None:
        if not a.organisation_ids:
            raise PermissionDenied(_("You may not write reports."))
        return Organisation.objects.get(pk=min(a.organisation_ids))
    if organisation.pk not in a.organisation_ids:
        raise PermissionDenied(_("You may only report for your own organisation."))
    return organisation


def _via_api(request: HttpRequest | None) -> bool:
    return getattr(request, "jisp_via", None) == AuditEvent.Via.API


# --- Drafts ----------------------------------------------------------------------------------


@transaction.atomic
def create_report(
    actor: Any,
    data: ReportInput,
    *,
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> Report:
    """A draft report of one of the actor's organisations (default: their first)."""
    _may_write(actor)
    organisation = _own_organisation(actor, organisation)
    data = clean_input(data, sending=False)
    report = Report(
        organisation=organisation,
        reporter=actor,
        status=ReportStatus.DRAFT,
        channel=IntakeChannel.API if _via_api(request) else IntakeChannel.PLATFORM,
    )
    _apply(report, data)
    report.save()
    audit.record(
        "incidents.report.created",
        request=request,
        actor=actor,
        obj=report,
        organisation=organisation,
    )
    return report


@transaction.atomic
def update_draft(
    actor: Any, report: Report, data: ReportInput, *, request: HttpRequest | None = None
) -> Report:
    """Replace a draft's fields (only drafts change; a sent report gets updates instead)."""
    if not may_change(actor, report):
        raise PermissionDenied(_("You may not change this report."))
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(_("This report was already sent: add an update instead."))
    data = clean_input(data, sending=False)
    _apply(report, data)
    report.save()
    return report


# --- Sending ---------------------------------------------------------------------------------


def centre_staff() -> QuerySet[User]:
    """The centre's staff with a role: they receive every report."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation__category=OrganisationCategory.CENTRE,
        memberships__organisation__is_active=True,
        memberships__role__in=list(CENTRE_ROLES),
    ).distinct()


class OrganisationName:
    """An organisation's name in the language active when rendered (each recipient's)."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation

    def __str__(self) -> str:
        return self.organisation.display_name


def _tell_centre(report: Report, case: Case, *, exclude: Any = None) -> None:
    people = centre_staff()
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    kind = ReportKind(report.kind).label
    category = ReportCategory(report.category).label if report.category else ""
    notify(
        people,
        REPORT_RECEIVED,
        title=format_lazy(
            gettext_lazy("{kind} from {organisation}: {title}"),
            kind=kind,
            organisation=OrganisationName(report.organisation),
            title=report.title,
        ),
        body=format_lazy(gettext_lazy("Category: {category}"), category=category),
        url=reverse("incidents:report_detail", args=[report.pk]),
        data={"report": report.pk, "case": case.pk},
    )


def _send(actor: Any, report: Report, *, at: datetime, request: HttpRequest | None) -> Case:
    """Mark submitted, open the case, route, tell the centre. ``report`` is locked and valid."""
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = at
    report.save(update_fields=["status", "submitted_at", "category", "updated_at"])
    case = open_case(report, actor=actor, at=at)
    recipients = route_report(report, actor=actor)
    audit.record(
        "incidents.report.submitted",
        request=request,
        actor=actor,
        obj=report,
        organisation=report.organisation_id,
        case=case.pk,
        channel=report.channel,
        recipients=len(recipients),
    )
    _tell_centre(report, case, exclude=actor)
    return case


@transaction.atomic
def submit_report(actor: Any, report: Report, *, request: HttpRequest | None = None) -> Case:
    """Send a draft: check it is complete, open its case, route it, tell the centre."""
    if not may_change(actor, report):
        raise PermissionDenied(_("You may not send this report."))
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("organisation__sector")
        .get(pk=report.pk)
    )
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(_("This report was already sent."))
    data = clean_input(ReportInput.of(report), sending=True)
    report.category = data.category
    return _send(actor, report, at=timezone.now(), request=request)


@transaction.atomic
def enter_report(
    actor: Any,
    organisation: Organisation,
    data: ReportInput,
    *,
    channel: str,
    reporter: User | None = None,
    received_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> Report:
    """The centre enters a report a member gave by telephone or e-mail; it is sent at once."""
    if not policy.can_work_cases(actor):
        raise PermissionDenied(_("Only the coordination centre enters reports."))
    errors: dict[str, Any] = {}
    if channel not in OUTSIDE_CHANNELS:
        errors["channel"] = _("Choose telephone, e-mail or other.")
    if not organisation.is_active or organisation.category == OrganisationCategory.CENTRE:
        errors["organisation"] = _("Choose a member organisation.")
    if (
        reporter is not None
        and not Membership.objects.filter(user=reporter, organisation=organisation).exists()
    ):
        errors["reporter"] = _("This person is not a member of the organisation.")
    now = timezone.now()
    if received_at is not None and received_at > now + CLOCK_SKEW:
        errors["received_at"] = _("This time is in the future.")
    try:
        data = clean_input(data, sending=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    report = Report(
        organisation=organisation,
        reporter=reporter,
        entered_by=actor,
        channel=channel,
        status=ReportStatus.DRAFT,
    )
    _apply(report, data)
    report.save()
    audit.record(
        "incidents.report.entered",
        request=request,
        actor=actor,
        obj=report,
        organisation=organisation,
        channel=channel,
    )
    _send(actor, report, at=min(received_at or now, now), request=request)
    return report


# --- After sending ---------------------------------------------------------------------------


@transaction.atomic
def add_update(
    actor: Any, report: Report, body: str, *, request: HttpRequest | None = None
) -> ReportUpdate:
    """A later addition by the reporter ("service restored at 14:10"), also on the case's
    timeline for the centre and the reporter."""
    if not may_change(actor, report):
        raise PermissionDenied(_("You may not add updates to this report."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the update.")})
    if len(body) > UPDATE_MAX or "\x00" in body:
        raise ValidationError(
            {"body": _("Enter at most %(limit)d characters.") % {"limit": UPDATE_MAX}}
        )
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Send the report first; a draft can simply be edited."))
    update = ReportUpdate.objects.create(report=report, author=actor, body=body)
    case = Case.objects.filter(report=report).first()
    if case is not None:
        add_entry(
            case,
            EntryKind.UPDATE,
            author=actor,
            body=body,
            audience=EntryAudience.REPORTER,
            data={"update": update.pk},
            at=update.created_at,
        )
        if case.assignee_id is not None and case.assignee_id != getattr(actor, "pk", None):
            notify(
                User.objects.filter(pk=case.assignee_id),
                CASE_MESSAGE,
                title=format_lazy(gettext_lazy("Update on “{title}”"), title=report.title),
                body=body[:500],
                url=reverse("incidents:report_detail", args=[report.pk]),
                data={"report": report.pk, "case": case.pk},
            )
    audit.record(
        "incidents.report.updated",
        request=request,
        actor=actor,
        obj=report,
        organisation=report.organisation_id,
        update=update.pk,
    )
    return update


def add_attachment(
    actor: Any, report: Report, upload: UploadedFile, *, request: HttpRequest | None = None
) -> ReportAttachment:
    """Attach a file, checked and stored like the sharing app's (``store_upload``).

    ``ValidationError`` code ``too_large`` lets the caller answer 413.
    """
    if not may_change(actor, report):
        raise PermissionDenied(_("You may not add files to this report."))
    return store_upload(
        ReportAttachment(report=report, uploaded_by=actor),
        upload,
        "incidents.attachment.added",
        request=request,
        actor=actor,
        obj=report,
        organisation=report.organisation_id,
    )


# --- Reading several at once -----------------------------------------------------------------
