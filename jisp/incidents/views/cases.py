"""The centre's case queue and the case page, with one POST URL per action.

The queue is the centre's (staff and auditors; anyone else gets 404). The case page shows each
person the part ``policy.case_access`` allows: everything to the centre, the state and the
conversation to the reporting organisation, the support requests to an organisation asked for
support; 404 to anyone else. Actions: the centre's staff only (auditors get 403); the reporting
organisation may only write to the centre.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jisp.core import audit, policy
from jisp.core.choices import TLP
from jisp.core.models import User
from jisp.core.rendering import cached_form_html, url_maker
from jisp.incidents.choices import CaseRole, CaseState, EntryKind, Severity, YesNoUnknown
from jisp.incidents.forms.cases import (
    AssignForm,
    CaseNumberForm,
    CaseQueueForm,
    ImpactForm,
    MessageForm,
    ParticipantForm,
    SeverityForm,
    SitrepForm,
    StateForm,
    TaskDoneForm,
    TaskForm,
    TopicNumberForm,
)
from jisp.incidents.models import Case, CaseLink, SupportRequest, Task, TimelineEntry
from jisp.incidents.rows import case_rows
from jisp.incidents.services import cases
from jisp.incidents.services.queue import case_queue as queue_of
from jisp.sharing.services.topics import readable_topics

PAGE_SIZE = 50


# --- Helpers -----------------------------------------------------------------------------------


def case_or_404(user: Any, pk: int) -> tuple[Case, str]:
    """The case and how the person sees it; 404 when they may not see it at all."""
    case = (
        Case.objects.select_related("organisation", "assignee", "report", "impact_assessed_by")
        .filter(pk=pk)
        .first()
    )
    level = policy.case_access(user, case) if case is not None else None
    if case is None or level is None:
        raise Http404
    return case, level


def _centre_case(request: HttpRequest, pk: int) -> Case:
    """A case the person works on: 404 if unseen, 403 if seen but not theirs to change."""
    case, level = case_or_404(request.user, pk)
    if level != policy.CASE_CENTRE or not policy.can_work_cases(request.user):
        raise PermissionDenied(_("Only the coordination centre's staff may change cases."))
    return case


def _to_case(pk: int, anchor: str = "") -> HttpResponse:
    url = reverse("incidents:case_detail", args=[pk])
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


def error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _form_errors(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _run(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    action: Callable[[dict[str, Any]], Any],
    done: str,
    anchor: str = "",
) -> HttpResponse:
    """Validate the form, call the action, say what happened, go back to the case."""
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_case(case.pk, anchor)
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return _to_case(case.pk, anchor)


def duration(value: timedelta | None) -> str:
    """A duration as hours and minutes ("2:05"), or empty."""
    if value is None:
        return ""
    minutes = max(0, int(value.total_seconds() // 60))
    return f"{minutes // 60}:{minutes % 60:02d}"


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def describe(entry: TimelineEntry) -> str:
    """One line saying what a timeline entry records (its text is shown beside it)."""
    data = entry.data or {}
    kind = entry.kind
    if kind == EntryKind.STATE:
        text = _("%(old)s → %(new)s") % {
            "old": _label(CaseState, data.get("from")),
            "new": _label(CaseState, data.get("to")),
        }
        if data.get("merged"):
            text += " " + _("(merged with another case)")
        return text
    if kind == EntryKind.SEVERITY:
        return _("%(old)s → %(new)s") % {
            "old": _label(Severity, data.get("from")),
            "new": _label(Severity, data.get("to")),
        }
    if kind == EntryKind.ASSIGNED:
        return data.get("name") or _("Nobody")
    if kind == EntryKind.PARTICIPANT:
        return f"{data.get('name', '')} ({_label(CaseRole, data.get('role'))})"
    if kind == EntryKind.TASK:
        return _("Task done") if data.get("action") == "done" else _("Task added")
    if kind == EntryKind.LINK:
        return _("Case #%(number)s") % {"number": data.get("case")}
    if kind == EntryKind.MERGE:
        if "into" in data:
            return _("Merged into case #%(number)s") % {"number": data["into"]}
        return _("Case #%(number)s was merged into this case") % {"number": data.get("from")}
    if kind == EntryKind.IMPACT:
        parts = []
        if "event_impact" in data:
            parts.append(
                _("Impact on the event: %(value)s")
                % {"value": _label(YesNoUnknown, data["event_impact"])}
            )
            parts.append(
                _("Reported in the media: %(value)s")
                % {"value": _label(YesNoUnknown, data.get("public_awareness"))}
            )
        if data.get("for_sitrep"):
            parts.append(_("In the situation report"))
        elif "for_sitrep" in data:
            parts.append(_("Not in the situation report"))
        return "; ".join(parts)
    return ""


def timeline_rows(user: Any, case: Case) -> list[dict[str, Any]]:
    entries = policy.visible_entries(
        user, case, case.timeline.select_related("author").order_by("created_at", "id")
    )
    return [{"entry": entry, "summary": describe(entry)} for entry in entries]


# --- The queue ---------------------------------------------------------------------------------


@login_required
def case_queue(request: HttpRequest) -> HttpResponse:
    if not policy.access(request.user).sees_all_below_red:
        raise Http404
    form = CaseQueueForm(request.GET or None)
    filters = form.filters()
    paginator = Paginator(queue_of(request.user, filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    detail_url = url_maker("incidents:case_detail")
    rows = [
        {
            "case": case,
            "url": detail_url(case.pk),
            "tlp_class": case.tlp.replace("+", ""),
            "tlp_label": TLP(case.tlp).label,
            "ack_overdue": cases.ack_overdue(case, now),
            "response_overdue": cases.response_overdue(case, now),
            "to_ack": duration(cases.time_to_acknowledge(case)),
            "to_response": duration(cases.time_to_respond(case)),
        }
        for case in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/cases/queue.html",
        {
            "nav": "incidents",
            "form": form,
            "filters_html": cached_form_html(
                request,
                "incidents.queue",
                "incidents/cases/queue_filters.html",
                {"form": form},
                valid=not form.is_bound or form.is_valid(),
            ),
            "page": page,
            "rows": rows,
            "rows_html": case_rows(rows),
            "query": query.urlencode(),
            "ack_minutes": settings.CASE_ACK_MINUTES,
            "response_minutes": settings.CASE_RESPONSE_MINUTES,
        },
    )


# --- One case ----------------------------------------------------------------------------------


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case, level = case_or_404(request.user, pk)
    audit.record_view(request, case)
    context: dict[str, Any] = {"nav": "incidents", "case": case, "level": level}
    # The topics linked to the case that this person may read (never more than that).
    context["topics"] = list(
        readable_topics(request.user, case.topics.all()).only("pk", "title").order_by("-pk")
    )
    if level == policy.CASE_CENTRE:
        context.update(_centre_context(request.user, case))
    elif level == policy.CASE_REPORTER:
        context["timeline"] = timeline_rows(request.user, case)
        context["message_form"] = MessageForm()
        context["report_url"] = _report_url(case)
    else:
        ids = policy.access(request.user).organisation_ids
        requests = SupportRequest.objects.filter(case=case, organisation_id__in=ids).exclude(
            state="declined"
        )
        context["support_requests"] = [
            {"request": sr, "url": reverse("incidents:support_detail", args=[sr.pk])}
            for sr in requests.select_related("organisation")
        ]
    return render(request, "incidents/cases/detail.html", context)


def _report_url(case: Case) -> str:
    return reverse("incidents:report_detail", args=[case.report_id]) if case.report_id else ""


def _centre_context(user: Any, case: Case) -> dict[str, Any]:
    now = timezone.now()
    links = CaseLink.objects.filter(Q(case=case) | Q(other=case)).select_related("case", "other")
    participant_people = User.objects.filter(
        Q(pk__in=cases.centre_staff().values("pk"))
        | Q(
            memberships__organisation__support_requests__case=case,
        )
    ).distinct()
    return {
        "can_work": policy.can_work_cases(user),
        "assessed_by": (
            (case.impact_assessed_by.name or case.impact_assessed_by.email)
            if case.impact_assessed_by
            else "—"
        ),
        "report": case.report,
        "report_url": _report_url(case),
        "timeline": timeline_rows(user, case),
        "allowed_states": [(s, CaseState(s).label) for s in cases.allowed_states(case)],
        "ack_overdue": cases.ack_overdue(case, now),
        "response_overdue": cases.response_overdue(case, now),
        "to_ack": duration(cases.time_to_acknowledge(case)),
        "to_response": duration(cases.time_to_respond(case)),
        "participants": case.participants.select_related("user"),
        "tasks": case.tasks.select_related("assignee"),
        "links": [
            {"link": link, "other": link.other if link.case_id == case.pk else link.case}
            for link in links
        ],
        "merged_cases": case.merged_cases.only("pk", "title"),
        "merged_into": (
            Case.objects.only("pk", "title").filter(pk=case.merged_into_id).first()
            if case.merged_into_id
            else None
        ),
        "support_requests": case.support_requests.select_related("organisation"),
        "state_form": StateForm(),
        "assign_form": AssignForm(initial={"assignee": case.assignee_id}),
        "severity_form": SeverityForm(initial={"severity": case.severity}),
        "message_form": MessageForm(),
        "task_form": TaskForm(prefix="task"),
        "link_form": CaseNumberForm(prefix="link"),
        "merge_form": CaseNumberForm(prefix="merge"),
        "topic_form": TopicNumberForm(prefix="topic"),
        "impact_form": ImpactForm(
            prefix="impact",
            initial={
                "event_impact": case.event_impact,
                "public_awareness": case.public_awareness,
                "note": case.impact_note,
            },
        ),
        "participant_form": ParticipantForm(people=participant_people),
    }


# --- Actions -----------------------------------------------------------------------------------


@login_required
@require_POST
def case_state(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    return _run(
        request,
        case,
        StateForm(request.POST),
        lambda d: cases.change_state(
            request.user, case, d["state"], note=d["note"], request=request
        ),
        _("The case's state was changed."),
    )


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    return _run(
        request,
        case,
        AssignForm(request.POST),
        lambda d: cases.assign(request.user, case, d["assignee"], request=request),
        _("The case was assigned."),
    )


@login_required
@require_POST
def case_severity(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    return _run(
        request,
        case,
        SeverityForm(request.POST),
        lambda d: cases.set_severity(request.user, case, d["severity"], request=request),
        _("The severity was changed."),
    )


@login_required
@require_POST
def case_message(request: HttpRequest, pk: int) -> HttpResponse:
    case, level = case_or_404(request.user, pk)
    form = MessageForm(request.POST)
    internal = form.is_valid() and bool(form.cleaned_data.get("internal"))
    if level == policy.CASE_CENTRE:
        if not policy.can_work_cases(request.user):
            raise PermissionDenied(_("Only the coordination centre's staff may change cases."))
    elif level != policy.CASE_REPORTER or internal:
        raise PermissionDenied(_("You may not write on this case."))
    return _run(
        request,
        case,
        form,
        lambda d: cases.post_message(
            request.user, case, d["body"], internal=d["internal"], request=request
        ),
        _("The note was saved.") if internal else _("Your message was sent."),
        "timeline",
    )


@login_required
@require_POST
def case_task_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    return _run(
        request,
        case,
        TaskForm(request.POST, prefix="task"),
        lambda d: cases.add_task(
            request.user,
            case,
            d["title"],
            assignee=d["assignee"],
            due_at=d["due_at"],
            request=request,
        ),
        _("The task was added."),
        "tasks",
    )


@login_required
@require_POST
def case_task_done(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)

    def done(d: dict[str, Any]) -> Any:
        task = Task.objects.filter(pk=d["task"], case=case).first()
        if task is None:
            raise ValidationError(_("This task is not on this case."))
        task.case = case
        return cases.complete_task(request.user, task, request=request)

    return _run(request, case, TaskDoneForm(request.POST), done, _("The task is done."), "tasks")


def _other_case(number: int) -> Case:
    other = Case.objects.filter(pk=number).first()
    if other is None:
        raise ValidationError(_("There is no case #%(number)s.") % {"number": number})
    return other


@login_required
@require_POST
def case_link(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    return _run(
        request,
        case,
        CaseNumberForm(request.POST, prefix="link"),
        lambda d: cases.link_cases(
            request.user, case, _other_case(d["number"]), note=d["note"], request=request
        ),
        _("The cases were linked."),
        "links",
    )


@login_required
@require_POST
def case_topic(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    return _run(
        request,
        case,
        TopicNumberForm(request.POST, prefix="topic"),
        lambda d: cases.link_topic(request.user, case, d["number"], request=request),
        _("The topic was linked to the case."),
        "topics",
    )


@login_required
@require_POST
def case_merge(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    return _run(
        request,
        case,
        CaseNumberForm(request.POST, prefix="merge"),
        lambda d: cases.merge_case(request.user, case, _other_case(d["number"]), request=request),
        _("The case was merged and closed."),
        "links",
    )


@login_required
@require_POST
def case_impact(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    return _run(
        request,
        case,
        ImpactForm(request.POST, prefix="impact"),
        lambda d: cases.assess_impact(
            request.user,
            case,
            d["event_impact"],
            d["note"],
            public_awareness=d["public_awareness"],
            request=request,
        ),
        _("The impact assessment was saved."),
        "impact",
    )


@login_required
@require_POST
def case_sitrep(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    return _run(
        request,
        case,
        SitrepForm(request.POST),
        lambda d: cases.set_for_sitrep(request.user, case, d["for_sitrep"], request=request),
        _("The situation-report proposal was changed."),
        "impact",
    )


@login_required
@require_POST
def case_participant(request: HttpRequest, pk: int) -> HttpResponse:
    case = _centre_case(request, pk)
    people = User.objects.filter(is_active=True)
    return _run(
        request,
        case,
        ParticipantForm(request.POST, people=people),
        lambda d: cases.add_participant(request.user, case, d["user"], d["role"], request=request),
        _("The participant was added."),
        "participants",
    )
