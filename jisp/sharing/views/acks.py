"""Acknowledgements: a targeted organisation confirms "read" and "actioned"; the centre follows
up on the pending ones and reminds them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jisp.core import policy
from jisp.core.models import Organisation
from jisp.sharing.forms.comments import AcknowledgeForm
from jisp.sharing.models import Acknowledgement, Topic
from jisp.sharing.services import topics
from jisp.sharing.views.writing import error_text, problem, topic_or_404

PER_PAGE = 100


def _own_ack_organisation(user: Any, topic: Topic, requested: int | None) -> Organisation | None:
    """Which of the person's organisations acknowledges: the one asked for, else the only one
    among the topic's addressees."""
    a = policy.access(user)
    ids = set(
        Acknowledgement.objects.filter(
            topic=topic, organisation_id__in=a.organisation_ids
        ).values_list("organisation_id", flat=True)
    )
    if requested is not None:
        if requested not in a.organisation_ids:
            return None
        return Organisation.objects.filter(pk=requested).first()
    if len(ids) == 1:
        return Organisation.objects.filter(pk=ids.pop()).first()
    if not ids and len(a.organisation_ids) == 1:  # the service explains why it is refused
        return Organisation.objects.filter(pk=next(iter(a.organisation_ids))).first()
    return None


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_or_404(request.user, pk)
    if not topic.requires_ack:
        return problem(request, _("This topic does not ask for acknowledgement."), topic=topic)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return problem(request, _("Choose “read” or “actioned”."), topic=topic)
    organisation = _own_ack_organisation(request.user, topic, form.cleaned_data["organisation"])
    if organisation is None:
        return problem(
            request, _("Choose one of your organisations that this topic asks."), topic=topic
        )
    actioned = form.cleaned_data["kind"] == AcknowledgeForm.ACTIONED
    try:
        topics.acknowledge(
            request,
            request.user,  # type: ignore[arg-type]
            topic,
            organisation,
            actioned=actioned,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        return problem(request, error_text(error), topic=topic)
    except PermissionDenied as error:
        if not policy.can_view(request.user, topic):
            raise Http404 from None
        return problem(request, error_text(error), topic=topic, status=403)
    if actioned:
        text = _("Recorded: %(organisation)s has acted on this topic.")
    else:
        text = _("Recorded: %(organisation)s has read this topic.")
    messages.success(request, text % {"organisation": organisation.display_name})
    return HttpResponseRedirect(reverse("sharing:detail", args=[topic.pk]) + "#acknowledgement")


def _centre_topic_or_404(user: Any, pk: int) -> Topic:
    if not policy.access(user).is_centre_staff:
        raise Http404
    return topic_or_404(user, pk)


@login_required
def ack_status(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _centre_topic_or_404(request.user, pk)
    pending_only = request.GET.get("pending") == "1"
    rows = (
        topics.pending_acknowledgements(topic)
        if pending_only
        else topic.acknowledgements.select_related("organisation")
    )
    rows = rows.select_related("read_by", "actioned_by").order_by("organisation__name", "pk")
    counts = topic.acknowledgements.aggregate(
        total=Count("pk"),
        read=Count("pk", filter=Q(read_at__isnull=False)),
        actioned=Count("pk", filter=Q(actioned_at__isnull=False)),
    )
    counts["pending"] = counts["total"] - counts["actioned"]
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "nav": "sharing",
        "topic": topic,
        "page": page,
        "counts": counts,
        "pending_only": pending_only,
    }
    return render(request, "sharing/ack_status.html", context)


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _centre_topic_or_404(request.user, pk)
    if not topic.requires_ack or not topic.is_published:
        return problem(request, _("This topic does not ask for acknowledgement."), topic=topic)
    count = topics.remind_pending(request, request.user, topic)  # type: ignore[arg-type]
    if count:
        messages.success(
            request,
            ngettext(
                "A reminder was sent to %(count)d organisation.",
                "A reminder was sent to %(count)d organisations.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Every targeted organisation has acknowledged: nobody to remind."))
    return redirect("sharing:ack_status", topic.pk)
