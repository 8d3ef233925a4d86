"""Writing topics: new, edit (a new version), submit, withdraw, attachments, and the review.

Each view parses, asks the access policy, calls a named action of
``jisp.sharing.services.topics`` (or ``.attachments``) and answers. What a person may not see
answers 404; what they see but may not change answers 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from jisp.core import policy
from jisp.core.models import AuditEvent
from jisp.core.views.files import SizeLimit, start_upload, too_large_text
from jisp.sharing.choices import ATTACHMENT_MAX_BYTES, TopicStatus
from jisp.sharing.forms.writing import AttachmentForm, ReviewForm, TopicForm, WithdrawForm
from jisp.sharing.models import Topic
from jisp.sharing.services import attachments, topics

PER_PAGE = 50


def topic_or_404(user: Any, pk: int) -> Topic:
    """The topic if the person may read it (published, their own, or waiting for the centre)."""
    queryset = Topic.objects.select_related("organisation", "created_by")
    topic = topics.readable_topics(user, queryset).filter(pk=pk).first()
    if topic is None:
        raise Http404
    return topic


def error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or _("You may not do this.")


def problem(
    request: HttpRequest, message: str, *, topic: Topic | None = None, status: int = 400
) -> HttpResponse:
    """A short page that says what went wrong, with the 4xx status and a way back."""
    messages.error(request, message)
    return render(
        request, "sharing/writing_problem.html", {"nav": "sharing", "topic": topic}, status=status
    )


def _may_post(user: Any) -> None:
    a = policy.access(user)
    if not a.is_member or (a.is_auditor and not a.is_centre_staff):
        raise PermissionDenied(_("You may not post topics."))


def _changeable_or_403(user: Any, pk: int) -> Topic:
    topic = topic_or_404(user, pk)
    if not policy.can_change(user, topic):
        raise PermissionDenied(_("You may not change this topic."))
    return topic


def _render_form(
    request: HttpRequest, form: TopicForm, topic: Topic | None = None, *, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {"nav": "sharing", "form": form, "topic": topic}
    if topic is not None:
        context.update(
            attachments=list(topic.attachments.all()),
            attachment_form=AttachmentForm(),
            withdraw_form=WithdrawForm(),
            can_submit=topic.status in {TopicStatus.DRAFT, TopicStatus.REJECTED},
            max_mb=ATTACHMENT_MAX_BYTES // (1024 * 1024),
        )
    return render(request, "sharing/form.html", context, status=status)


@login_required
def topic_new(request: HttpRequest) -> HttpResponse:
    _may_post(request.user)
    form = TopicForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method != "POST":
        return _render_form(request, form)
    if form.is_valid():
        draft = "save_draft" in request.POST
        try:
            topic = topics.create_topic(
                request,
                request.user,  # type: ignore[arg-type]
                form.to_input(),
                publish=not draft,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if topic.status == TopicStatus.PENDING_REVIEW:
                messages.info(
                    request,
                    _(
                        "Your topic was sent to the coordination centre for review. It will be "
                        "published once approved."
                    ),
                )
            elif topic.status == TopicStatus.PUBLISHED:
                messages.success(request, _("The topic was published."))
            else:
                messages.success(
                    request,
                    _("The topic was saved as a draft. Add files, then submit it when ready."),
                )
                return redirect("sharing:edit", topic.pk)
            return redirect("sharing:detail", topic.pk)
    return _render_form(request, form, status=400)


@login_required
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _changeable_or_403(request.user, pk)
    post = request.POST if request.method == "POST" else None
    form = TopicForm(post, user=request.user, topic=topic)
    if request.method != "POST":
        if topic.status == TopicStatus.WITHDRAWN:
            messages.warning(request, _("A withdrawn topic cannot be edited."))
        return _render_form(request, form, topic)
    if form.is_valid():
        try:
            topic = topics.update_topic(
                request,
                request.user,  # type: ignore[arg-type]
                topic,
                form.to_input(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Saved as version %(number)d.") % {"number": topic.version})
            if topic.status in {TopicStatus.DRAFT, TopicStatus.REJECTED}:
                return redirect("sharing:edit", topic.pk)
            return redirect("sharing:detail", topic.pk)
    return _render_form(request, form, topic, status=400)


@login_required
@require_POST
def topic_submit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _changeable_or_403(request.user, pk)
    try:
        topic = topics.submit_topic(request, request.user, topic)  # type: ignore[arg-type]
    except ValidationError as error:
        return problem(request, error_text(error), topic=topic)
    if topic.status == TopicStatus.PENDING_REVIEW:
        messages.info(
            request,
            _(
                "Your topic was sent to the coordination centre for review. It will be "
                "published once approved."
            ),
        )
    else:
        messages.success(request, _("The topic was published."))
    return redirect("sharing:detail", topic.pk)


@login_required
def topic_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """POST withdraws; GET (a link) leads to the confirmation on the edit page."""
    topic = _changeable_or_403(request.user, pk)
    if request.method != "POST":
        return HttpResponseRedirect(reverse("sharing:edit", args=[topic.pk]) + "#withdraw")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return problem(request, " ".join(str(e) for e in form.errors["note"]), topic=topic)
    try:
        topics.withdraw_topic(
            request,
            request.user,  # type: ignore[arg-type]
            topic,
            form.cleaned_data["note"],
        )
    except ValidationError as error:
        return problem(request, error_text(error), topic=topic)
    messages.success(
        request, _("“%(title)s” was withdrawn: readers no longer see it.") % {"title": topic.title}
    )
    return redirect("sharing:list")


# --- Attachments ---------------------------------------------------------------------------


@csrf_exempt
@login_required
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Before the body is read: refuse by Content-Length, and limit what the parser keeps.
    (CSRF is checked by the inner view: the check reads the body, so it must come after.)"""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    topic = _changeable_or_403(request.user, pk)
    limit = start_upload(request, ATTACHMENT_MAX_BYTES)
    if limit is None:
        return _too_large(request, topic)
    return _attachment_upload(request, topic, limit)


def _too_large(request: HttpRequest, topic: Topic) -> HttpResponse:
    messages.error(request, too_large_text(ATTACHMENT_MAX_BYTES))
    form = TopicForm(user=request.user, topic=topic)
    return _render_form(request, form, topic, status=413)


@csrf_protect
def _attachment_upload(request: HttpRequest, topic: Topic, limit: SizeLimit) -> HttpResponse:
    upload = request.FILES.get("file")
    if limit.too_large:
        return _too_large(request, topic)
    if upload is None:
        return _upload_error(request, topic, _("Choose a file to attach."), 400)
    try:
        attachment = attachments.add_attachment(
            request,
            request.user,  # type: ignore[arg-type]
            topic,
            upload,
        )
    except ValidationError as error:
        status = 413 if error.code == attachments.TOO_LARGE else 400
        return _upload_error(request, topic, error_text(error), status)
    messages.success(request, _("“%(name)s” was attached.") % {"name": attachment.filename})
    return redirect("sharing:edit", topic.pk)


def _upload_error(request: HttpRequest, topic: Topic, message: str, status: int) -> HttpResponse:
    messages.error(request, message)
    return _render_form(request, TopicForm(user=request.user, topic=topic), topic, status=status)


# --- Review --------------------------------------------------------------------------------


def _centre_or_404(user: Any) -> None:
    if not policy.access(user).is_centre_staff:
        raise Http404


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _centre_or_404(request.user)
    queryset = (
        topics.readable_topics(request.user)
        .filter(status=TopicStatus.PENDING_REVIEW)
        .select_related("organisation", "created_by")
        .order_by("updated_at", "id")
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    ids = [str(topic.pk) for topic in page.object_list]
    submitted = dict(
        AuditEvent.objects.filter(
            action="sharing.topic.submitted", object_type="sharing.topic", object_id__in=ids
        )
        .values("object_id")
        .annotate(at=Max("at"))
        .values_list("object_id", "at")
    )
    rows = [(topic, submitted.get(str(topic.pk), topic.updated_at)) for topic in page.object_list]
    context = {"nav": "sharing", "page": page, "rows": rows}
    return render(request, "sharing/review_queue.html", context)


@login_required
def topic_review(request: HttpRequest, pk: int) -> HttpResponse:
    _centre_or_404(request.user)
    topic = topic_or_404(request.user, pk)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                topics.review_topic(
                    request,
                    request.user,  # type: ignore[arg-type]
                    topic,
                    approve=decision != ReviewForm.RETURN,
                    anonymous=decision == ReviewForm.APPROVE_ANONYMOUSLY,
                    note=form.cleaned_data["note"].strip(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if decision == ReviewForm.RETURN:
                    text = _("“%(title)s” was returned to its author.")
                elif decision == ReviewForm.APPROVE_ANONYMOUSLY:
                    text = _("“%(title)s” was published on the source's behalf.")
                else:
                    text = _("“%(title)s” was published.")
                messages.success(request, text % {"title": topic.title})
                return redirect("sharing:review_queue")
        status = 400
    context = {
        "nav": "sharing",
        "topic": topic,
        "form": form,
        "pending": topic.status == TopicStatus.PENDING_REVIEW,
        "tags": [tag.name for tag in topic.tags.all()],
        "attachments": list(topic.attachments.all()),
        "sectors": list(topic.audience_sectors.all()),
        "organisations": list(topic.audience_organisations.all()),
        "people": list(topic.audience_people.all()),
    }
    return render(request, "sharing/review.html", context, status=status)
