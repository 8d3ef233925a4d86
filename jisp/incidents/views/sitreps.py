"""Situation-report pages: the list and new drafts, a report, editing, approval, issue,
downloads (PDF, Markdown), the recipients of each kind, and the cases proposed for escalation.

The centre's staff and auditors read every report; every member reads issued daily bulletins;
anyone else gets 404. Only the centre's staff draft and edit; the incident controller and the
overall commander approve and issue (``jisp.core.policy``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisp.core import audit, policy
from jisp.core.choices import TLP, tlp_at_least
from jisp.incidents.choices import SitrepKind, SitrepState
from jisp.incidents.forms.sitreps import DraftForm, FilterForm, RecipientForm, SitrepForm
from jisp.incidents.models import SitrepRecipient, SituationReport
from jisp.incidents.services import sitreps

PER_PAGE = 50


def _sitrep_or_404(user: Any, pk: int) -> SituationReport:
    qs = SituationReport.objects.select_related("drafted_by", "approved_by", "issued_by")
    sitrep = sitreps.visible_sitreps(user, qs).filter(pk=pk).first()
    if sitrep is None:
        raise Http404
    return sitrep


def _centre_or_404(user: Any) -> None:
    if not policy.access(user).sees_all_below_red:
        raise Http404


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error) or _("You may not do this.")


def _permissions(user: Any, sitrep: SituationReport) -> dict[str, bool]:
    draft = sitrep.state == SitrepState.DRAFT
    approver = policy.can_approve_sitreps(user)
    return {
        "can_edit": draft and policy.can_work_cases(user),
        "can_approve": draft and approver,
        "can_issue": sitrep.state == SitrepState.APPROVED and approver,
    }


@login_required
def sitrep_list(request: HttpRequest) -> HttpResponse:
    a = policy.access(request.user)
    if not a.is_member:
        raise Http404
    filters = FilterForm(request.GET or None, auto_id="filter_%s")
    qs = sitreps.visible_sitreps(request.user).select_related("drafted_by")
    if filters.is_valid():
        if filters.cleaned_data.get("kind"):
            qs = qs.filter(kind=filters.cleaned_data["kind"])
        if filters.cleaned_data.get("state"):
            qs = qs.filter(state=filters.cleaned_data["state"])
    page = Paginator(qs.order_by("-period_start", "kind", "-id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {
        "nav": "incidents",
        "page": page,
        "rows": [(s, sitreps.report_day(s)) for s in page.object_list],
        "filters": filters,
        "query": urlencode(
            {name: filters.data[name] for name in ("kind", "state") if filters.data.get(name)}
        ),
        "filtered": bool(request.GET.get("kind") or request.GET.get("state")),
        "centre": a.sees_all_below_red,
        "can_draft": policy.can_work_cases(request.user),
        "draft_form": DraftForm(),
    }
    return render(request, "incidents/sitreps/list.html", context)


@login_required
@require_POST
def sitrep_new(request: HttpRequest) -> HttpResponse:
    _centre_or_404(request.user)
    if not policy.can_work_cases(request.user):
        raise PermissionDenied
    form = DraftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sitrep = sitreps.draft_sitrep(
                request.user,  # type: ignore[arg-type]
                data["kind"],
                data["day"],
                data["slot"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft was written from the cases of the period."))
            return redirect("incidents:sitrep_detail", sitrep.pk)
    page = Paginator(sitreps.visible_sitreps(request.user), PER_PAGE).get_page(1)
    context = {
        "nav": "incidents",
        "page": page,
        "rows": [(s, sitreps.report_day(s)) for s in page.object_list],
        "filters": FilterForm(auto_id="filter_%s"),
        "centre": True,
        "can_draft": True,
        "draft_form": form,
    }
    return render(request, "incidents/sitreps/list.html", context, status=400)


@login_required
def sitrep_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sitrep = _sitrep_or_404(request.user, pk)
    centre = policy.access(request.user).sees_all_below_red
    tlp = sitreps.sitrep_tlp(sitrep)
    if tlp_at_least(tlp, TLP.AMBER):
        audit.record("incidents.sitrep.viewed", request=request, obj=sitrep, tlp=tlp)
    context: dict[str, Any] = {
        "nav": "incidents",
        "sitrep": sitrep,
        "centre": centre,
        "day": sitreps.report_day(sitrep),
        "period": sitreps.period_text(sitrep.period_start, sitrep.period_end),
        "tlp": tlp,
        "figures": sitrep.figures or {},
        **_permissions(request.user, sitrep),
    }
    return render(request, "incidents/sitreps/detail.html", context)


@login_required
def sitrep_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sitrep = _sitrep_or_404(request.user, pk)
    if not policy.can_work_cases(request.user):
        raise PermissionDenied
    if sitrep.state != SitrepState.DRAFT:
        messages.error(
            request, _("Only a draft can be edited; this report was already approved or issued.")
        )
        return redirect("incidents:sitrep_detail", sitrep.pk)
    if request.method == "POST":
        form = SitrepForm(request.POST)
        if form.is_valid():
            try:
                sitreps.update_sitrep(
                    request.user,  # type: ignore[arg-type]
                    sitrep,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The report was saved."))
                return redirect("incidents:sitrep_detail", sitrep.pk)
        status = 400
    else:
        form = SitrepForm(initial={"title": sitrep.title, "body": sitrep.body})
        status = 200
    context = {"nav": "incidents", "sitrep": sitrep, "form": form}
    return render(request, "incidents/sitreps/edit.html", context, status=status)


def _transition(request: HttpRequest, pk: int, action: Any) -> SituationReport | HttpResponse:
    sitrep = _sitrep_or_404(request.user, pk)
    try:
        return action(request.user, sitrep, request=request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        context = {"nav": "incidents", "sitrep": sitrep}
        return render(request, "incidents/sitreps/problem.html", context, status=400)


@login_required
@require_POST
def sitrep_approve(request: HttpRequest, pk: int) -> HttpResponse:
    result = _transition(request, pk, sitreps.approve_sitrep)
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, _("The report was approved."))
    return redirect("incidents:sitrep_detail", result.pk)


@login_required
@require_POST
def sitrep_issue(request: HttpRequest, pk: int) -> HttpResponse:
    result = _transition(request, pk, sitreps.issue_sitrep)
    if isinstance(result, HttpResponse):
        return result
    if result.kind == SitrepKind.BULLETIN:
        messages.success(request, _("The bulletin was issued; every member is notified."))
    elif result.recipients:
        messages.success(request, _("The report was issued and sent."))
    else:
        messages.warning(
            request,
            _("The report was issued, but no address of its kind is active: it went to nobody."),
        )
    return redirect("incidents:sitrep_detail", result.pk)


def _download(
    request: HttpRequest, sitrep: SituationReport, content: bytes, kind: str, filename: str
) -> HttpResponse:
    audit.record(
        "incidents.sitrep.viewed",
        request=request,
        obj=sitrep,
        tlp=sitreps.sitrep_tlp(sitrep),
        format=filename.rsplit(".", 1)[-1],
    )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def sitrep_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    sitrep = _sitrep_or_404(request.user, pk)
    return _download(
        request, sitrep, sitreps.render_pdf(sitrep), "application/pdf", sitreps.pdf_filename(sitrep)
    )


@login_required
def sitrep_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    sitrep = _sitrep_or_404(request.user, pk)
    content = sitreps.render_markdown(sitrep).encode("utf-8")
    return _download(
        request,
        sitrep,
        content,
        "text/markdown; charset=utf-8",
        sitreps.pdf_filename(sitrep, "md"),
    )


@login_required
def sitrep_recipients(request: HttpRequest) -> HttpResponse:
    """The addresses each kind of report is e-mailed to (auditors read, staff change)."""
    _centre_or_404(request.user)
    may_change = policy.can_work_cases(request.user)
    form = RecipientForm()
    status = 200
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        user: Any = request.user
        if "recipient" in request.POST:
            raw = str(request.POST["recipient"])
            recipient = (
                SitrepRecipient.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
            )
            if recipient is None:
                raise Http404
            active = request.POST.get("active") == "1"
            sitreps.set_recipient_active(user, recipient, active, request=request)
            messages.success(request, _("The recipient was changed."))
            return redirect("incidents:sitrep_recipients")
        form = RecipientForm(request.POST)
        if form.is_valid():
            try:
                sitreps.add_recipient(
                    user,
                    form.cleaned_data["kind"],
                    form.cleaned_data["name"],
                    form.cleaned_data["email"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The recipient was added."))
                return redirect("incidents:sitrep_recipients")
        status = 400
    groups = []
    recipients = list(SitrepRecipient.objects.order_by("kind", "name", "email"))
    for kind, label in SitrepKind.choices:
        if kind != SitrepKind.BULLETIN:
            groups.append((label, [r for r in recipients if r.kind == kind]))
    context = {"nav": "incidents", "groups": groups, "form": form, "may_change": may_change}
    return render(request, "incidents/sitreps/recipients.html", context, status=status)


@login_required
def escalations(request: HttpRequest) -> HttpResponse:
    """Open cases proposed for the next situation report."""
    _centre_or_404(request.user)
    page = Paginator(sitreps.escalation_candidates(), PER_PAGE).get_page(request.GET.get("page"))
    context = {"nav": "incidents", "page": page, "cases": list(page.object_list)}
    return render(request, "incidents/sitreps/escalations.html", context)
