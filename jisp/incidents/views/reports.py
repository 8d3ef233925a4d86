"""Members' reports: list, write, send, read (as the grant allows), updates, files; the centre's
entry of reports received by telephone or e-mail, sharing by hand, and the routing rules.

Each view parses, asks ``jisp.core.policy`` (``visible_reports`` / ``report_grant``), calls a
named action of ``services.reports`` or ``services.routing`` and answers. What a person may not
see answers 404; what they see but may not change answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from jisp.core import audit, policy
from jisp.core.models import Organisation
from jisp.core.views.files import SizeLimit, file_response, start_upload, too_large_text
from jisp.incidents.choices import ReportStatus
from jisp.incidents.forms.reports import (
    AttachmentForm,
    EnterReportForm,
    ReportFilterForm,
    ReportForm,
    RoutingRuleForm,
    ShareForm,
    UpdateForm,
)
from jisp.incidents.models import Report, ReportAttachment, RoutingRule
from jisp.incidents.services import reports as service
from jisp.incidents.services import routing
from jisp.sharing.choices import ATTACHMENT_MAX_BYTES

PER_PAGE = 50


def report_or_404(user: Any, pk: int) -> tuple[Report, str]:
    """The report and how the person sees it, or 404 when they may not see it at all."""
    queryset = Report.objects.select_related("organisation__sector", "reporter", "entered_by")
    report = policy.visible_reports(user, queryset).filter(pk=pk).first()
    if report is None:
        raise Http404
    grant = policy.report_grant(user, report)
    if grant is None:
        raise Http404
    return report, grant


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or _("You may not do this.")


def _recipient_names(report: Report) -> str:
    names = [r.organisation.display_name for r in report.recipients.select_related("organisation")]
    return "、".join(names)


# --- The list --------------------------------------------------------------------------------


def _rows(user: Any, reports: list[Report]) -> list[tuple[Report, str]]:
    grants = policy.report_grants(user, reports)
    return [(report, grants[report.pk]) for report in reports if report.pk in grants]


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Mine (drafts and sent), received (routed to my organisation), and for the centre all."""
    user = request.user
    a = policy.access(user)
    tabs = ["mine", "received"]
    if a.sees_all_below_red:
        tabs = ["all", "mine"]
    tab = request.GET.get("tab") or tabs[0]
    if tab not in tabs:
        raise Http404
    base = policy.visible_reports(
        user, Report.objects.select_related("organisation__sector", "case")
    )
    form = ReportFilterForm(request.GET or None) if tab == "all" else None
    if tab == "mine":
        reports = base.filter(organisation_id__in=a.organisation_ids).order_by("-created_at", "-id")
    elif tab == "received":
        reports = (
            base.filter(
                status=ReportStatus.SUBMITTED,
                recipients__organisation_id__in=a.organisation_ids,
            )
            .exclude(organisation_id__in=a.organisation_ids)
            .distinct()
            .order_by("-submitted_at", "-id")
        )
    else:
        reports = base.filter(status=ReportStatus.SUBMITTED).order_by("-submitted_at", "-id")
        if form is not None and form.is_valid():
            data = form.cleaned_data
            for name in ("kind", "category", "channel"):
                if data[name]:
                    reports = reports.filter(**{name: data[name]})
            if data["sector"] is not None:
                reports = reports.filter(organisation__sector=data["sector"])
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    params = [(k, str(v)) for k, v in request.GET.items() if k != "page"]
    context = {
        "nav": "incidents",
        "tabs": tabs,
        "tab": tab,
        "form": form,
        "page": page,
        "rows": _rows(user, list(page.object_list)),
        "query": urlencode(params),
        "can_write": not (a.is_auditor and not a.is_centre_staff) and a.is_member,
        "can_enter": policy.can_work_cases(user),
        "can_see_rules": a.sees_all_below_red,
    }
    return render(request, "incidents/reports/list.html", context)


# --- Writing ---------------------------------------------------------------------------------


def _render_form(
    request: HttpRequest, form: ReportForm, report: Report | None = None, *, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {"nav": "incidents", "form": form, "report": report}
    if report is not None:
        context.update(
            attachments=list(report.attachments.all()),
            attachment_form=AttachmentForm(),
            max_mb=ATTACHMENT_MAX_BYTES // (1024 * 1024),
        )
    return render(request, "incidents/reports/form.html", context, status=status)


def _sent(request: HttpRequest, report: Report) -> HttpResponse:
    names = _recipient_names(report)
    if names:
        text = _(
            "Your report was sent to the coordination centre. It was also passed on to: %(names)s."
        ) % {"names": names}
    else:
        text = _("Your report was sent to the coordination centre.")
    messages.success(request, text)
    return redirect("incidents:report_detail", report.pk)


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    a = policy.access(request.user)
    if not a.is_member or (a.is_auditor and not a.is_centre_staff):
        raise PermissionDenied(_("You may not write reports."))
    sending = request.method == "POST" and "save_draft" not in request.POST
    # ?kind=consultation: the consultation desk's link opens the form for a question.
    initial = {"kind": "consultation"} if request.GET.get("kind") == "consultation" else None
    form = ReportForm(
        request.POST if request.method == "POST" else None, sending=sending, initial=initial
    )
    if request.method != "POST":
        return _render_form(request, form)
    return _save(
        request,
        form,
        lambda: service.create_report(request.user, form.to_input(), request=request),
        sending=sending,
        saved=_("The report was saved as a draft."),
    )


def _save(
    request: HttpRequest,
    form: ReportForm,
    save: Callable[[], Report],
    *,
    sending: bool,
    saved: str,
    report: Report | None = None,
) -> HttpResponse:
    """Save the valid form (``save``) and, when ``sending``, submit the report, all or nothing;
    then to the report (sent) or back to the draft. Else the form again with its errors."""
    if form.is_valid():
        try:
            with transaction.atomic():
                done = save()
                if sending:
                    service.submit_report(request.user, done, request=request)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if sending:
                return _sent(request, done)
            messages.success(request, saved)
            return redirect("incidents:report_edit", done.pk)
    return _render_form(request, form, report, status=400)


def _changeable(user: Any, pk: int) -> Report:
    """The report if the person may change it; 404 if they may not see it, else 403."""
    report, _grant = report_or_404(user, pk)
    if not service.may_change(user, report):
        raise PermissionDenied(_("You may not change this report."))
    return report


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _changeable(request.user, pk)
    if report.status != ReportStatus.DRAFT:
        messages.warning(request, _("This report was already sent: add an update instead."))
        return redirect("incidents:report_detail", report.pk)
    if request.method != "POST":
        return _render_form(request, ReportForm(initial=ReportForm.initial_from(report)), report)
    sending = "save_draft" not in request.POST
    form = ReportForm(request.POST, sending=sending)
    return _save(
        request,
        form,
        lambda: service.update_draft(request.user, report, form.to_input(), request=request),
        sending=sending,
        saved=_("The draft was saved."),
        report=report,
    )


@login_required
def report_enter(request: HttpRequest) -> HttpResponse:
    """The centre enters a report received by telephone or e-mail for a member organisation."""
    a = policy.access(request.user)
    if not policy.can_work_cases(request.user):
        if a.is_auditor:
            raise PermissionDenied(_("Auditors read only."))
        raise Http404
    form = EnterReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = service.enter_report(
                    request.user,
                    data["organisation"],
                    form.to_input(),
                    channel=data["channel"],
                    reporter=data["reporter_email"],
                    received_at=data["received_at"],
                    request=request,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("The report was entered and sent. Recipients: %(names)s.")
                    % {"names": _recipient_names(report) or _("none")},
                )
                return redirect("incidents:report_detail", report.pk)
    context = {"nav": "incidents", "form": form, "entering": True}
    return render(request, "incidents/reports/form.html", context, status=status)


# --- Reading ---------------------------------------------------------------------------------


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    report, grant = report_or_404(user, pk)
    case = getattr(report, "case", None) if report.status == ReportStatus.SUBMITTED else None
    redacted = grant == policy.REPORT_REDACTED
    knows_recipients = grant in (policy.REPORT_OWNER, policy.REPORT_CENTRE)
    can_change = service.may_change(user, report)
    context: dict[str, Any] = {
        "nav": "incidents",
        "report": report,
        "grant": grant,
        "redacted": redacted,
        "case": case,
        "case_url": (
            reverse("incidents:case_detail", args=[case.pk])
            if case is not None and knows_recipients
            else ""
        ),
        "sector": report.organisation.sector,
        "can_change": can_change,
    }
    if not redacted:
        context.update(
            updates=list(report.updates.select_related("author")),
            attachments=list(report.attachments.all()),
            indicators=[line for line in report.indicators.splitlines() if line.strip()],
            support_labels=_support_labels(report),
        )
    if knows_recipients:
        context["recipients"] = list(
            report.recipients.select_related("organisation").order_by("routed_at", "id")
        )
    if can_change and report.status == ReportStatus.SUBMITTED:
        context["update_form"] = UpdateForm()
    if can_change:
        context["attachment_form"] = AttachmentForm()
        context["max_mb"] = ATTACHMENT_MAX_BYTES // (1024 * 1024)
    if policy.can_work_cases(user) and report.status == ReportStatus.SUBMITTED:
        context["share_form"] = ShareForm()
    response = render(request, "incidents/reports/detail.html", context)
    if report.status == ReportStatus.SUBMITTED:
        audit.record_view(request, report)
    return response


def _support_labels(report: Report) -> list[str]:
    from jisp.incidents.choices import SupportKind

    labels = dict(SupportKind.choices)
    return [str(labels.get(kind, kind)) for kind in report.support_wanted or []]


@login_required
@require_POST
def report_update(request: HttpRequest, pk: int) -> HttpResponse:
    report = _changeable(request.user, pk)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("incidents:report_detail", report.pk)
    try:
        service.add_update(request.user, report, form.cleaned_data["body"], request=request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your update was added."))
    return redirect("incidents:report_detail", report.pk)


@login_required
@require_POST
def report_share(request: HttpRequest, pk: int) -> HttpResponse:
    report, _grant = report_or_404(request.user, pk)
    if not policy.can_work_cases(request.user):
        raise PermissionDenied(_("Only the coordination centre shares reports."))
    form = ShareForm(request.POST)
    if form.is_valid():
        organisation: Organisation = form.cleaned_data["organisation"]
        try:
            routing.share_report(
                request.user, report, organisation, form.cleaned_data["grant"], request=request
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("The report was shared with %(name)s.") % {"name": organisation.display_name},
            )
    else:
        messages.error(request, _("Choose an organisation and a grant."))
    return redirect("incidents:report_detail", report.pk)


# --- Attachments -----------------------------------------------------------------------------


@csrf_exempt
@login_required
def report_attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Before the body is read: refuse by Content-Length, and limit what the parser keeps.
    (CSRF is checked by the inner view: the check reads the body, so it must come after.)"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    report = _changeable(request.user, pk)
    limit = start_upload(request, ATTACHMENT_MAX_BYTES)
    if limit is None:
        return _upload_problem(request, report, too_large_text(ATTACHMENT_MAX_BYTES), 413)
    return _attachment_upload(request, report, limit)


def _back(report: Report) -> str:
    name = (
        "incidents:report_edit"
        if report.status == ReportStatus.DRAFT
        else "incidents:report_detail"
    )
    return reverse(name, args=[report.pk])


def _upload_problem(
    request: HttpRequest, report: Report, message: str, status: int
) -> HttpResponse:
    messages.error(request, message)
    context = {"nav": "incidents", "report": report, "back": _back(report)}
    return render(request, "incidents/reports/problem.html", context, status=status)


@csrf_protect
def _attachment_upload(request: HttpRequest, report: Report, limit: SizeLimit) -> HttpResponse:
    upload = request.FILES.get("file")
    if limit.too_large:
        return _upload_problem(request, report, too_large_text(ATTACHMENT_MAX_BYTES), 413)
    if upload is None:
        return _upload_problem(request, report, _("Choose a file to attach."), 400)
    try:
        attachment = service.add_attachment(request.user, report, upload, request=request)
    except ValidationError as error:
        status = 413 if error.code == service.TOO_LARGE else 400
        return _upload_problem(request, report, _error_text(error), status)
    messages.success(request, _("“%(name)s” was attached.") % {"name": attachment.filename})
    return redirect(_back(report))


@login_required
def report_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A download, never shown inline, for those who see the report's details (not redacted)."""
    attachment = ReportAttachment.objects.select_related("report").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    report, grant = report_or_404(request.user, attachment.report_id)
    if grant == policy.REPORT_REDACTED:
        raise Http404
    response = file_response(attachment)
    audit.record(
        "incidents.attachment.downloaded",
        request=request,
        obj=attachment,
        tlp=report.tlp,
        organisation=report.organisation_id,
        report=report.pk,
    )
    return response


# --- Routing rules ---------------------------------------------------------------------------


def _rules_access(user: Any) -> bool:
    """True for the centre's staff (may change), False for auditors (read); 404 for others."""
    a = policy.access(user)
    if policy.can_work_cases(user):
        return True
    if a.is_auditor:
        return False
    raise Http404


@login_required
def routing_rules(request: HttpRequest) -> HttpResponse:
    can_change = _rules_access(request.user)
    rules = list(
        RoutingRule.objects.select_related("sector", "recipient").order_by(
            "-is_active", "name", "id"
        )
    )
    context = {"nav": "incidents", "rules": rules, "can_change": can_change}
    return render(request, "incidents/reports/rules.html", context)


@login_required
def routing_rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not _rules_access(request.user):
        raise PermissionDenied(_("Auditors read only."))
    rule = None
    if pk is not None:
        rule = RoutingRule.objects.filter(pk=pk).first()
        if rule is None:
            raise Http404
    form = RoutingRuleForm(request.POST if request.method == "POST" else None, instance=rule)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = routing.save_rule(request.user, form.instance, request=request)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The rule “%(name)s” was saved.") % {"name": saved})
                return redirect("incidents:routing_rules")
    context = {"nav": "incidents", "form": form, "rule": rule}
    return render(request, "incidents/reports/rule_form.html", context, status=status)


@login_required
@require_POST
def routing_rule_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    if not _rules_access(request.user):
        raise PermissionDenied(_("Auditors read only."))
    rule = RoutingRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    routing.deactivate_rule(request.user, rule, request=request)
    messages.success(request, _("The rule “%(name)s” no longer routes reports.") % {"name": rule})
    return redirect("incidents:routing_rules")
