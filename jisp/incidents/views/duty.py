"""The duty log page: who is on duty now, the next 48 hours, the past week with handover notes;
the incident controller and the commander add shifts, a shift's person hands over."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisp.core import policy
from jisp.core.models import User
from jisp.incidents.choices import DutyRole
from jisp.incidents.forms.duty import HandoverForm, ShiftForm
from jisp.incidents.models import DutyShift
from jisp.incidents.services import duty


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _reader_or_404(user: Any) -> None:
    if not policy.access(user).sees_all_below_red:
        raise Http404


def _page(
    request: HttpRequest,
    *,
    shift_form: ShiftForm | None = None,
    handover_form: HandoverForm | None = None,
    handover_pk: int | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    now = timezone.now()
    current = list(duty.on_duty(now))
    labels = dict(DutyRole.choices)
    by_role = [
        (labels[role], [s for s in current if s.role == role])
        for role in DutyRole.values
        if any(s.role == role for s in current)
    ]
    planner = duty.may_plan(user)
    past = list(duty.past(now))
    recent = current + past
    for shift in recent:
        shift.may_hand_over = (  # type: ignore[attr-defined]
            shift.handed_over_at is None and duty.may_hand_over(user, shift)
        )
    return render(
        request,
        "incidents/duty/log.html",
        {
            "nav": "incidents",
            "now": now,
            "by_role": by_role,
            "current": current,
            "coming": list(duty.coming(now)),
            "past": past,
            "planner": planner,
            "shift_form": shift_form or (ShiftForm() if planner else None),
            "handover_form": handover_form or HandoverForm(),
            "handover_pk": handover_pk,
        },
        status=status,
    )


@login_required
def duty_log(request: HttpRequest) -> HttpResponse:
    """GET: the log; POST: add a shift (the incident controller or the commander)."""
    user = _user(request)
    _reader_or_404(user)
    if request.method != "POST":
        return _page(request)
    if not duty.may_plan(user):
        raise PermissionDenied(
            _("Only the incident controller or the overall commander plans shifts.")
        )
    form = ShiftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            duty.add_shift(user, data["person"], data["role"], data["starts_at"], data["ends_at"],
                           request=request)  # fmt: skip
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The shift was added."))
            return redirect("incidents:duty")
    return _page(request, shift_form=form, status=400)


@login_required
@require_POST
def duty_handover(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    _reader_or_404(user)
    shift = DutyShift.objects.filter(pk=pk).select_related("person").first()
    if shift is None:
        raise Http404
    if not duty.may_hand_over(user, shift):
        raise PermissionDenied(_("Only the person on this shift or the controller hands over."))
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            duty.hand_over(user, shift, form.cleaned_data["note"], request=request)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        except PermissionDenied:  # pragma: no cover - checked above
            raise
        else:
            messages.success(request, _("The handover note was saved."))
            return redirect("incidents:duty")
    return _page(request, handover_form=form, handover_pk=shift.pk, status=400)
