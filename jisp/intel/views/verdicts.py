"""Verdict requests: the list, a new request (the centre), one request with its answers, a
vendor's answer, closing.

What each person sees of a request is decided by ``services.verdicts`` (``answers_for``,
``sees_combined``, ``sees_context``) on top of ``policy.visible_verdict_requests``: a vendor never
sees the other vendors or the member on whose behalf the centre asked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisp.core import policy
from jisp.intel.choices import IndicatorKind, VerdictState
from jisp.intel.forms import VerdictAnswerForm, VerdictRequestForm
from jisp.intel.models import Indicator, VerdictAnswer, VerdictRequest
from jisp.intel.services import verdicts as service
from jisp.intel.views.indicators import NAV, error_text

PER_PAGE = 50


def request_or_404(user: Any, pk: int) -> VerdictRequest:
    queryset = VerdictRequest.objects.select_related("on_behalf_of", "requested_by", "indicator")
    vr = policy.visible_verdict_requests(user, queryset).filter(pk=pk).first()
    if vr is None:
        raise Http404
    return vr


@login_required
def verdict_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    a = policy.access(user)
    if not a.is_member:
        raise Http404
    queryset = policy.visible_verdict_requests(user, VerdictRequest.objects.all()).order_by(
        "-created_at", "-id"
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    mine = {
        answer.request_id: answer
        for answer in VerdictAnswer.objects.filter(
            request_id__in=[vr.pk for vr in page.object_list],
            vendor_id__in=a.organisation_ids,
        )
    }
    rows = [(vr, mine.get(vr.pk)) for vr in page.object_list]
    context = {
        "nav": NAV,
        "page": page,
        "rows": rows,
        "can_ask": policy.can_manage_intel(user),
        "sees_context": a.sees_all_below_red,
    }
    return render(request, "intel/verdicts/list.html", context)


@login_required
def verdict_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not policy.can_manage_intel(user):
        if policy.access(user).is_member:
            raise PermissionDenied(_("Only the coordination centre asks vendors for verdicts."))
        raise Http404
    indicator = _indicator(user, request.POST.get("indicator") or request.GET.get("indicator"))
    if request.method != "POST":
        initial: dict[str, Any] = {"share_with_member": True}
        if indicator is not None:
            initial.update(kind=indicator.kind, value=indicator.value)
        else:
            kind = request.GET.get("kind", "")
            if kind in IndicatorKind.values:
                initial["kind"] = kind
            initial["value"] = request.GET.get("value", "")[:2048]
        form = VerdictRequestForm(user=user, initial=initial)
        return _render_new(request, form, indicator)
    form = VerdictRequestForm(request.POST, user=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            vr = service.request_verdict(
                request,
                user,  # type: ignore[arg-type]
                kind=data["kind"],
                value=data["value"],
                vendors=list(data["vendors"]),
                question=data["question"],
                on_behalf_of=data["on_behalf_of"],
                share_with_member=data["share_with_member"],
                indicator=indicator,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The vendors were asked for their verdict."))
            return redirect("intel:verdict_detail", vr.pk)
    return _render_new(request, form, indicator, status=400)


def _indicator(user: Any, text: str | None) -> Indicator | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise Http404
    return policy.get_visible_or_404(user, Indicator.objects.all(), pk=int(text))


def _render_new(
    request: HttpRequest, form: VerdictRequestForm, indicator: Indicator | None, status: int = 200
) -> HttpResponse:
    context = {"nav": NAV, "form": form, "indicator": indicator}
    return render(request, "intel/verdicts/new.html", context, status=status)


def _form_errors(form: Any, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.message_dict.items():
        form.add_error(key if key in form.fields else None, errors)


def _detail_context(request: HttpRequest, vr: VerdictRequest) -> dict[str, Any]:
    user = request.user
    answers = service.answers_for(user, vr)
    context: dict[str, Any] = {
        "nav": NAV,
        "vr": vr,
        "answers": answers,
        "sees_context": service.sees_context(user, vr),
        "can_close": policy.can_manage_intel(user) and vr.state != VerdictState.CLOSED,
    }
    if service.sees_combined(user, vr):
        verdict, confidence, counts = service.combined_verdict(vr)
        context["combined"] = {
            "verdict": verdict,
            "label": _verdict_label(verdict),
            "confidence": confidence,
            "counts": counts,
        }
    own = service.answer_of(user, vr)
    if own is not None and vr.state != VerdictState.CLOSED and policy.can_answer_verdict(user, own):
        initial = {"verdict": own.verdict, "confidence": own.confidence, "notes": own.notes}
        context["answer_form"] = VerdictAnswerForm(initial=initial if own.verdict else None)
        context["own_answer"] = own
    return context


def _verdict_label(verdict: str | None) -> str:
    if not verdict:
        return ""
    from jisp.intel.choices import Verdict

    return str(Verdict(verdict).label) if verdict in Verdict.values else verdict


@login_required
def verdict_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vr = request_or_404(request.user, pk)
    return render(request, "intel/verdicts/detail.html", _detail_context(request, vr))


@login_required
@require_POST
def verdict_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    vr = request_or_404(user, pk)
    own = service.answer_of(user, vr)
    if own is None or not policy.can_answer_verdict(user, own):
        raise PermissionDenied(_("Only the vendors asked may answer."))
    form = VerdictAnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            service.answer_verdict(
                request,
                user,  # type: ignore[arg-type]
                own,
                verdict=data["verdict"],
                confidence=data["confidence"],
                notes=data["notes"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("Thank you: your answer was sent to the coordination centre.")
            )
            return redirect("intel:verdict_detail", vr.pk)
    context = _detail_context(request, vr)
    context["answer_form"] = form
    return render(request, "intel/verdicts/detail.html", context, status=400)


@login_required
@require_POST
def verdict_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    vr = request_or_404(user, pk)
    if not policy.can_manage_intel(user):
        raise PermissionDenied(_("Only the coordination centre closes verdict requests."))
    try:
        service.close_request(request, user, vr)  # type: ignore[arg-type]
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The verdict request was closed."))
    return redirect("intel:verdict_detail", vr.pk)
