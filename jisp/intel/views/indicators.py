"""Indicators: the list, one indicator's page, new and change, false positive, withdrawal, and
a member's sighting report.

Each view parses, asks ``jisp.core.policy``, calls a named action of ``services.indicators`` (or
``services.sightings``) and answers. What a person may not see answers 404; what they see but
may not change answers 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisp.core import audit, policy
from jisp.intel import rows as row_helpers
from jisp.intel.forms import (
    FalsePositiveForm,
    IndicatorFilterForm,
    IndicatorForm,
    SightingForm,
    indicator_initial,
)
from jisp.intel.models import Indicator
from jisp.intel.services import indicators as service
from jisp.intel.services.listing import indicator_list
from jisp.sharing.services.topics import readable_topics

PER_PAGE = 50
NAV = "intel"


def indicator_or_404(user: Any, pk: int) -> Indicator:
    """The indicator if the person may see it, else 404."""
    queryset = Indicator.objects.select_related("organisation", "created_by")
    return policy.get_visible_or_404(user, queryset, pk=pk)


def error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or _("You may not do this.")


def may_write(user: Any) -> bool:
    """Members share indicators; auditors (outside the centre's staff) only read."""
    a = policy.access(user)
    return a.is_member and not (a.is_auditor and not a.is_centre_staff)


def _must_write(user: Any) -> None:
    if not may_write(user):
        raise PermissionDenied(_("You may not share indicators."))


# --- The list --------------------------------------------------------------------------------


@login_required
def indicator_list_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not policy.access(user).is_member:
        raise Http404
    form = IndicatorFilterForm(request.GET or None, user=user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        source = data["source"]
        queryset = indicator_list(
            user,
            q=data["q"],
            kind=data["type"],
            tlp=data["tlp"],
            label=data["tag"],
            source_org=source,
            active=form.flag("active"),
            false_positive=form.flag("false_positive"),
            since=form.since_datetime(),
        )
        status = 200
    elif form.is_bound:
        queryset = Indicator.objects.none()
        status = 400
    else:
        queryset = indicator_list(user)
        status = 200
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    params = [(k, str(v)) for k, v in request.GET.items() if k != "page"]
    context = {
        "nav": NAV,
        "form": form,
        "page": page,
        "rows": row_helpers.rows(user, list(page.object_list)),
        "query": urlencode(params),
        "can_write": may_write(user),
        "can_manage": policy.can_manage_intel(user),
    }
    return render(request, "intel/indicators/list.html", context, status=status)


# --- One indicator ---------------------------------------------------------------------------


def _links(user: Any, indicator: Indicator) -> dict[str, Any]:
    """Topics, reports and cases linked to the indicator that the person may read."""
    topics = list(readable_topics(user, indicator.topics.all()).order_by("-published_at"))
    reports = list(policy.visible_reports(user, indicator.reports.select_related("organisation")))
    grants = policy.report_grants(user, reports)
    report_rows = [(r, grants[r.pk]) for r in reports if r.pk in grants]
    cases = list(policy.visible_cases(user, indicator.cases.all()))
    return {"linked_topics": topics, "linked_reports": report_rows, "linked_cases": cases}


def _related(user: Any, indicator: Indicator) -> Any:
    from jisp.intel.services.correlation import related

    return related(user, indicator.kind, indicator.value, exclude=indicator)


def _detail_context(request: HttpRequest, indicator: Indicator) -> dict[str, Any]:
    user = request.user
    can_change = policy.can_change(user, indicator)
    sightings = list(
        policy.visible(
            user, indicator.sightings.select_related("organisation", "created_by")
        ).order_by("-last_seen", "-id")[:200]
    )
    related = _related(user, indicator)
    context: dict[str, Any] = {
        "nav": NAV,
        "indicator": indicator,
        "confidence": row_helpers.effective_confidence(indicator),
        "versions": indicator.stix_versions.count(),
        "sightings": sightings,
        "related": related,
        "warnings": row_helpers.warning_texts(indicator.kind, indicator.value, user),
        "can_change": can_change,
        "can_manage": policy.can_manage_intel(user),
        "sector_names": [s.name for s in indicator.audience_sectors.all()],
        "organisation_names": [o.display_name for o in indicator.audience_organisations.all()],
        **_links(user, indicator),
    }
    if can_change and not indicator.revoked and not indicator.false_positive:
        context["false_positive_form"] = FalsePositiveForm()
    if may_write(user) and not indicator.revoked:
        context["sighting_form"] = SightingForm()
    return context


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = indicator_or_404(request.user, pk)
    response = render(request, "intel/indicators/detail.html", _detail_context(request, indicator))
    audit.record_view(request, indicator)
    return response


# --- New and change --------------------------------------------------------------------------


def _render_form(
    request: HttpRequest,
    form: IndicatorForm,
    indicator: Indicator | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {"nav": NAV, "form": form, "indicator": indicator, "warnings": form.warnings}
    return render(request, "intel/indicators/form.html", context, status=status)


def _warned(form: IndicatorForm) -> bool:
    """True when the value is on a warninglist and the person has not confirmed: the form is
    shown again with the warnings and the confirmation box (a warning, not a refusal)."""
    data = form.cleaned_data
    try:
        from jisp.intel.indicators import normalise

        value = normalise(data["kind"], data["value"])
    except ValidationError:
        return False  # the service says what is wrong with the value
    form.warnings = row_helpers.warning_texts(data["kind"], value, form.user)
    return bool(form.warnings) and not data.get("share_anyway")


@login_required
def indicator_new(request: HttpRequest) -> HttpResponse:
    _must_write(request.user)
    if request.method != "POST":
        initial = {}
        for name in ("kind", "value"):
            if request.GET.get(name):
                initial[name] = request.GET[name][:2048]
        return _render_form(request, IndicatorForm(user=request.user, initial=initial))
    form = IndicatorForm(request.POST, user=request.user)
    if form.is_valid() and not _warned(form):
        try:
            indicator = service.create_indicator(request, request.user, form.to_input())  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The indicator was shared."))
            return redirect("intel:indicator_detail", indicator.pk)
    status = 200 if form.is_valid() and form.warnings and not form.errors else 400
    return _render_form(request, form, status=status)


def _changeable(user: Any, pk: int) -> Indicator:
    indicator = indicator_or_404(user, pk)
    if not policy.can_change(user, indicator):
        raise PermissionDenied(_("You may not change this indicator."))
    return indicator


@login_required
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _changeable(request.user, pk)
    if indicator.revoked:
        messages.warning(request, _("This indicator was withdrawn: it cannot be changed."))
        return redirect("intel:indicator_detail", indicator.pk)
    if request.method != "POST":
        form = IndicatorForm(user=request.user, initial=indicator_initial(indicator))
        return _render_form(request, form, indicator)
    form = IndicatorForm(request.POST, user=request.user)
    if form.is_valid() and not _warned(form):
        try:
            service.update_indicator(request, request.user, indicator, form.to_input())  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The indicator was changed."))
            return redirect("intel:indicator_detail", indicator.pk)
    status = 200 if form.is_valid() and form.warnings and not form.errors else 400
    indicator.refresh_from_db()
    return _render_form(request, form, indicator, status=status)


# --- False positive, withdrawal --------------------------------------------------------------


@login_required
@require_POST
def indicator_false_positive(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _changeable(request.user, pk)
    undo = request.POST.get("undo") == "1"
    note = "" if undo else request.POST.get("note", "")
    try:
        service.mark_false_positive(request, request.user, indicator, note, undo=undo)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, error_text(error))
        context = _detail_context(request, indicator)
        form = FalsePositiveForm(request.POST)
        form.is_valid()
        for message in error.messages:
            form.add_error("note", message)
        context["false_positive_form"] = form
        return render(request, "intel/indicators/detail.html", context, status=400)
    if undo:
        messages.success(request, _("The indicator is no longer marked as a false positive."))
    else:
        messages.success(
            request, _("The indicator was marked as a false positive: it leaves every export.")
        )
    return redirect("intel:indicator_detail", indicator.pk)


@login_required
@require_POST
def indicator_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _changeable(request.user, pk)
    service.revoke(request, request.user, indicator)  # type: ignore[arg-type]
    messages.success(request, _("The indicator was withdrawn: it leaves every export."))
    return redirect("intel:indicator_detail", indicator.pk)


# --- Sightings -------------------------------------------------------------------------------


@login_required
@require_POST
def sighting_new(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = indicator_or_404(request.user, pk)
    _must_write(request.user)
    form = SightingForm(request.POST)
    if form.is_valid():
        from jisp.intel.services import sightings

        try:
            sightings.report_sighting(
                request,
                request.user,  # type: ignore[arg-type]
                indicator,
                form.to_input(),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, errors in error.message_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("Thank you: your sighting was reported to the coordination centre.")
            )
            return redirect("intel:indicator_detail", indicator.pk)
    context = _detail_context(request, indicator)
    context["sighting_form"] = form
    return render(request, "intel/indicators/detail.html", context, status=400)
