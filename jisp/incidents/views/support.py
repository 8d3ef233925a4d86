"""Support requests (the centre asks an agency or a CTI vendor for help on a case) and the
consultation desk's published answers.

Who sees a request: the centre's staff and auditors, and the asked organisation's members; anyone
else gets 404. The asked organisation sees the case's title, category, TLP and the report's
description, and its own thread — never the centre's internal notes, the conversation with the
reporter, nor other organisations' requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisp.core import audit, policy
from jisp.core.models import User
from jisp.incidents.choices import SUPPORT_TRANSITIONS, SupportState
from jisp.incidents.forms.support import (
    FindingsForm,
    PublishAnswerForm,
    SupportAnswerForm,
    SupportMessageForm,
    SupportRequestForm,
)
from jisp.incidents.models import Case, SupportRequest
from jisp.incidents.services import consultation, support

_STATE_ORDER: list[str] = [
    SupportState.REQUESTED,
    SupportState.ACCEPTED,
    SupportState.REPORTED,
    SupportState.DECLINED,
    SupportState.CLOSED,
]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case_or_404(user: Any, pk: int) -> Case:
    qs = policy.visible_cases(user, Case.objects.select_related("report", "organisation"))
    try:
        return qs.get(pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def _message(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error) or _("You may not do this.")


# --- The inbox -----------------------------------------------------------------------------------


@login_required
def support_inbox(request: HttpRequest) -> HttpResponse:
    """Requests to my organisation by state; for the centre, every open request."""
    user = _user(request)
    a = policy.access(user)
    if not a.is_member:
        raise Http404
    centre = a.sees_all_below_red
    state = request.GET.get("state", "")
    if state and state not in SupportState.values:
        state = ""
    qs = support.visible_support_requests(user).select_related("case", "organisation")
    if state:
        qs = qs.filter(state=state)
    elif centre:
        qs = qs.filter(support.open_requests_q())
    order = When_(
        *[When(state=s, then=Value(i)) for i, s in enumerate(_STATE_ORDER)],
        output_field=IntegerField(),
    )
    rows = list(
        qs.annotate(state_order=order).order_by("state_order", "-requested_at", "-id")[:500]
    )
    groups = [
        (label, [r for r in rows if r.state == value])
        for value, label in SupportState.choices
        if any(r.state == value for r in rows)
    ]
    groups.sort(key=lambda g: _STATE_ORDER.index(g[1][0].state))
    return render(
        request,
        "incidents/support/inbox.html",
        {
            "nav": "incidents",
            "centre": centre,
            "groups": groups,
            "state": state,
            "states": SupportState.choices,
        },
    )


# --- One request ---------------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    sr: SupportRequest,
    *,
    status: int = 200,
    forms: dict[str, Any] | None = None,
) -> HttpResponse:
    user = _user(request)
    asked = policy.can_answer_support(user, sr)
    works = policy.can_work_cases(user)
    open_thread = sr.state not in (SupportState.DECLINED, SupportState.CLOSED)
    allowed = SUPPORT_TRANSITIONS.get(sr.state, frozenset())
    shows_case = support.shows_case(user, sr)
    report = sr.case.report if shows_case else None
    entries = list(support.thread(user, sr)) if shows_case else []
    for entry in entries:
        entry.step_label = support.step_label(entry)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "nav": "incidents",
        "sr": sr,
        "case": sr.case if shows_case else None,
        "report": report,
        "kinds": support.kind_labels(sr.kinds),
        "entries": entries,
        "centre": policy.access(user).sees_all_below_red,
        "may_answer": asked and sr.state == SupportState.REQUESTED,
        "may_report": asked and SupportState.REPORTED in allowed,
        "may_message": (asked or works) and open_thread,
        "may_close": (asked or works) and SupportState.CLOSED in allowed,
        "answer_form": SupportAnswerForm(),
        "findings_form": FindingsForm(),
        "message_form": SupportMessageForm(),
    }
    context.update(forms or {})
    return render(request, "incidents/support/detail.html", context, status=status)


@login_required
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    sr = support.support_or_404(user, pk)
    if support.shows_case(user, sr):
        audit.record_view(request, sr.case)
    return _detail(request, sr)


@login_required
def support_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The centre asks an organisation for support on a case."""
    user = _user(request)
    case = _case_or_404(user, case_pk)
    if policy.case_access(user, case) != policy.CASE_CENTRE:
        raise Http404
    if not policy.can_work_cases(user):
        raise PermissionDenied(_("Only the coordination centre asks for support."))
    form = SupportRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sr = support.request_support(
                    user,
                    case,
                    form.cleaned_data["organisation"],
                    form.cleaned_data["kinds"],
                    form.cleaned_data["message"],
                    request=request,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The support request was sent."))
                return redirect("incidents:support_detail", sr.pk)
        status = 400
    return render(
        request,
        "incidents/support/new.html",
        {"nav": "incidents", "case": case, "form": form},
        status=status,
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


#: A support action: the service call, given the person, the request and the form's data.
_Call = Callable[[User, SupportRequest, dict[str, Any]], object]


def _run(
    request: HttpRequest,
    pk: int,
    call: _Call,
    form_class: type[forms.Form] | None = None,
    form_name: str = "",
) -> SupportRequest | HttpResponse:
    """Parse the POST with ``form_class`` and run ``call``: the support request when done, else
    the page again with the form's errors or the refusal's message (400 or 403)."""
    user = _user(request)
    sr = support.support_or_404(user, pk)
    form = None
    data: dict[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return _detail(request, sr, status=400, forms={form_name: form})
        data = form.cleaned_data
    try:
        call(user, sr, data)
    except ValidationError as error:
        messages.error(request, _message(error))
        if form is None:
            return _detail(request, sr, status=400)
        _add_errors(form, error)
        return _detail(request, sr, status=400, forms={form_name: form})
    except PermissionDenied as error:
        messages.error(request, _message(error))
        return _detail(request, sr, status=403)
    return sr


def _post(
    request: HttpRequest,
    pk: int,
    call: _Call,
    done: str,
    form_class: type[forms.Form] | None = None,
    form_name: str = "",
) -> HttpResponse:
    """``_run``, then back to the support request with the message ``done``."""
    sr = _run(request, pk, call, form_class, form_name)
    if isinstance(sr, HttpResponse):
        return sr
    messages.success(request, done)
    return redirect("incidents:support_detail", sr.pk)


@login_required
@require_POST
def support_answer(request: HttpRequest, pk: int) -> HttpResponse:
    def call(user: User, sr: SupportRequest, data: dict[str, Any]) -> object:
        accept = data["answer"] == SupportAnswerForm.ACCEPT
        return support.answer_support(user, sr, accept, data["note"], request=request)

    sr = _run(request, pk, call, SupportAnswerForm, "answer_form")
    if isinstance(sr, HttpResponse):
        return sr
    if request.POST.get("answer") == SupportAnswerForm.ACCEPT:
        messages.success(request, _("You accepted the request: you now take part in the case."))
        return redirect("incidents:support_detail", sr.pk)
    messages.success(request, _("You declined the request."))
    return redirect("incidents:support_inbox")


@login_required
@require_POST
def support_findings(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda user, sr, data: support.report_findings(user, sr, data["findings"], request=request),
        _("Your findings were sent to the centre."),
        FindingsForm,
        "findings_form",
    )


@login_required
@require_POST
def support_message(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda user, sr, data: support.post_support_message(
            user, sr, data["body"], request=request
        ),
        _("Your message was sent."),
        SupportMessageForm,
        "message_form",
    )


@login_required
@require_POST
def support_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda user, sr, data: support.close_support(user, sr, request=request),
        _("The support request was closed."),
    )


# --- The consultation desk -----------------------------------------------------------------------


@login_required
def consultation_publish(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The centre publishes its answer to a consultation as a topic for everyone."""
    user = _user(request)
    case = _case_or_404(user, case_pk)
    if case.kind != "consultation" or policy.case_access(user, case) != policy.CASE_CENTRE:
        raise Http404
    if not policy.can_work_cases(user):
        raise PermissionDenied(_("Only the coordination centre publishes answers."))
    if request.method == "POST":
        form = PublishAnswerForm(request.POST)
        if form.is_valid():
            try:
                topic = consultation.publish_answer(user, case, request=request,
                                                    **form.cleaned_data)  # fmt: skip
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The answer was published for everyone."))
                return redirect("sharing:detail", topic.pk)
        status = 400
    else:
        draft = consultation.draft_answer(case)
        form = PublishAnswerForm(
            initial={"title": draft.title, "summary": draft.summary, "body": draft.body}
        )
        status = 200
    return render(
        request,
        "incidents/consultation/publish.html",
        {"nav": "incidents", "case": case, "form": form, "published": case.topics.all()},
        status=status,
    )
