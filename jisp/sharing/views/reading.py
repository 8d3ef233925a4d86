"""Reading topics: the list with its filters, a topic's page, its history, the "most viewed"
ranking and attachment downloads.

Everything starts from ``services.topics.readable_topics(user)`` (the access policy): what a person
may not see answers 404 and never appears in a list, a search or the ranking. The source of a topic
published on a member's behalf is shown through ``shown_source`` only.

The list can hold a million topics, so it never counts them: it reads one row more than a page
("is there a next page?"), and computes the unread and acknowledgement flags for the page's ids
in one query each.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from jisp.core import audit, policy
from jisp.core.choices import TLP
from jisp.core.models import User
from jisp.core.rendering import cached_form_html, url_maker
from jisp.core.statements import Statement
from jisp.core.views.files import file_response
from jisp.sharing.choices import TopicStatus
from jisp.sharing.forms.reading import RankingPeriodForm, TopicFilterForm
from jisp.sharing.models import (
    LIST_ORDER,
    Attachment,
    Comment,
    Tag,
    Topic,
    TopicVersion,
    TopicView,
    ViewEvent,
)
from jisp.sharing.rows import topic_rows
from jisp.sharing.services import topics as topic_service
from jisp.sharing.services.listing import (
    filter_topics,
    knows_recipients,
    mark_rows,
    start_of_day,
    tag_names,
)

log = logging.getLogger(__name__)

PER_PAGE = 25
RANKING_SIZE = 20
UNPUBLISHED_SHOWN = 10
FILTERS_TEMPLATE = "sharing/includes/topic_filters.html"


# --- The list ------------------------------------------------------------------------------------


def _page_url(request: HttpRequest, page: int) -> str:
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    if page > 1:
        params["page"] = str(page)
    return "?" + urlencode(params) if params else "?"


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    form = TopicFilterForm(request.GET)
    status = 200
    rows: list[Topic] = []
    page = 1
    has_next = False
    if form.is_valid():
        data = form.cleaned_data
        page = data.get("page") or 1
        offset = (page - 1) * PER_PAGE
        topics = (
            filter_topics(request.user, data)
            .filter(status=TopicStatus.PUBLISHED)
            .select_related("organisation")
            .order_by(*LIST_ORDER)
        )
        rows = list(topics[offset : offset + PER_PAGE + 1])
        has_next = len(rows) > PER_PAGE
        rows = rows[:PER_PAGE]
        mark_rows(request.user, rows)
        detail_url = url_maker("sharing:detail")
        names = tag_names([topic.pk for topic in rows])
        for topic in rows:
            topic.url = detail_url(topic.pk)  # type: ignore[attr-defined]
            topic.tag_names = names[topic.pk]  # type: ignore[attr-defined]
    else:
        status = 400
    filtered = any(v for k, v in request.GET.items() if k != "page")
    unpublished: list[Topic] = []
    if page == 1:
        # The person's own drafts, topics waiting for review or returned: not in the list of
        # published topics, so shown above it.
        unpublished = list(
            Topic.objects.filter(created_by_id=request.user.pk)
            .exclude(status__in=[TopicStatus.PUBLISHED, TopicStatus.WITHDRAWN])
            .only("pk", "title", "status", "updated_at")
            .order_by("-updated_at", "-pk")[:UNPUBLISHED_SHOWN]
        )
    context = {
        "nav": "sharing",
        "form": form,
        "unpublished": unpublished,
        "topics": rows,
        "rows_html": topic_rows(rows, reverse("sharing:list")),
        "filters_html": cached_form_html(
            request,
            "sharing.topics",
            FILTERS_TEMPLATE,
            {"form": form, "filtered": filtered},
            valid=form.is_valid(),
        ),
        "page": page,
        "next_url": _page_url(request, page + 1) if has_next else "",
        "previous_url": _page_url(request, page - 1) if page > 1 else "",
        "list_url": reverse("sharing:list"),
        "filtered": filtered,
    }
    return render(request, "sharing/list.html", context, status=status)


# --- One topic -----------------------------------------------------------------------------------


def _topic_or_404(user: Any, pk: int) -> Topic:
    queryset = topic_service.readable_topics(user).select_related("organisation", "created_by")
    return policy.get_visible_or_404(user, queryset, pk=pk)


def _record_after_response(request: HttpRequest, response: HttpResponseBase, topic: Topic) -> None:
    """Count the view, and audit it at TLP:AMBER and above, once the body is sent: the WSGI
    server calls ``response.close()`` after the last byte (the test client does the same). Both
    are written in one transaction (one commit, one wait for the disk). A failure is logged,
    never shown."""
    close: Callable[[], None] = response.close
    user = cast(User, request.user)

    def close_and_record() -> None:
        try:
            if audit.audits_views_of(topic):  # one transaction for the audit record and the view
                with transaction.atomic():
                    audit.record_view(request, topic)
                    topic_service.record_view(user, topic)
            else:
                topic_service.record_view(user, topic)
        except Exception:
            log.exception("Could not record a view of topic %s", topic.pk)
        finally:
            close()

    response.close = close_and_record  # type: ignore[method-assign]


_TAG_NAMES = f"""
    SELECT tag.name FROM {Tag._meta.db_table} tag
    JOIN {Topic.tags.through._meta.db_table} link ON link.tag_id = tag.id
    WHERE link.topic_id = %(topic)s
"""  # noqa: S608  (table names from the models, values as parameters)
#: What the topic's page shows beside the topic, read in one statement (hand-written: the same
#: subqueries as ORM annotations and a query for the tags cost 2.5 ms of Python per page): the
#: version the person last read, the counts of attachments, comments and reading organisations,
#: and the tag names as a JSON array.
_PAGE_FACTS = {
    vendor: f"""
    SELECT
        (SELECT version FROM {TopicView._meta.db_table} WHERE topic_id = %(topic)s
            AND user_id = %(user)s),
        (SELECT COUNT(*) FROM {Attachment._meta.db_table} WHERE topic_id = %(topic)s),
        (SELECT COUNT(*) FROM {Comment._meta.db_table} WHERE topic_id = %(topic)s),
        (SELECT COUNT(DISTINCT organisation_id) FROM {TopicView._meta.db_table}
            WHERE topic_id = %(topic)s),
        (SELECT {aggregate} FROM ({_TAG_NAMES}) names)
"""  # noqa: S608
    for vendor, aggregate in [
        ("postgresql", "COALESCE(json_agg(name)::text, '[]')"),  # text: one decoder for both
        ("sqlite", "json_group_array(name)"),
    ]
}


#: The topic of a topic's page, compiled once (``jisp.core.statements``): building and compiling
#: this queryset was a tenth of the page's Python time.
_TOPIC_BY_KEY = Statement(
    lambda pk: Topic.objects.select_related("organisation", "created_by").filter(pk=pk), int
)


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    # The topic by its key, then the policy on that one item (``can_read``): building the whole
    # visibility filter into the query cost more than the rest of the page's queries together.
    topic: Topic | None = _TOPIC_BY_KEY.first(pk)
    if topic is None or not topic_service.can_read(user, topic):
        raise Http404
    # Most topics have no attachment and no comment: their queries are skipped.
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_FACTS[connection.vendor], {"topic": topic.pk, "user": user.pk})
        read_version, attachments, comments, organisations_read, tags = cursor.fetchone()
    topic.attachment_count, topic.comment_count = attachments, comments  # type: ignore[attr-defined]
    a = policy.access(user)
    organisations_read = organisations_read or 0
    lists = knows_recipients(user, topic)
    context = {
        "nav": "sharing",
        "topic": topic,
        "tlp_label": TLP(topic.tlp).label,
        "body_html": mark_safe(topic.body_html),  # noqa: S308 (sanitised by render_markdown)
        "source": topic_service.shown_source(user, topic),
        "knows_recipients": lists,
        "audience_sectors": list(topic.audience_sectors.all()) if lists else [],
        "audience_organisations": list(topic.audience_organisations.all()) if lists else [],
        "audience_people": list(topic.audience_people.all()) if lists else [],
        "attachments": list(topic.attachments.all()) if attachments else [],
        "tags": sorted(json.loads(tags)),  # names
        "expired": topic.valid_until is not None and topic.valid_until <= timezone.now(),
        "read_version": read_version,
        "changed_since_read": read_version is not None and read_version < topic.version,
        "organisations_read": organisations_read,
        "can_change": policy.can_change(user, topic),
        "can_review": a.is_centre_staff and topic.status == TopicStatus.PENDING_REVIEW,
        "can_extract": a.is_centre_staff or not a.is_auditor,
    }
    response = render(request, "sharing/detail.html", context)
    if topic.is_published:
        _record_after_response(request, response, topic)
    return response


# --- History -------------------------------------------------------------------------------------


def _author_shown(user: Any, topic: Topic) -> bool:
    """Authors' names would give away the source of a topic published on its behalf."""
    return topic_service.shown_source(user, topic) is not None or not topic.anonymous


@login_required
def versions(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic_or_404(request.user, pk)
    history = list(topic.versions.select_related("created_by").order_by("-number"))
    context = {
        "nav": "sharing",
        "topic": topic,
        "versions": history,
        "show_authors": _author_shown(request.user, topic),
    }
    return render(request, "sharing/versions.html", context)


def _diff_rows(lines: list[str]) -> list[tuple[str, str]]:
    """Unified-diff lines as (kind, text): kind is "hunk", "del", "ins" or "same"."""
    rows = []
    for line in lines:
        if line.startswith("@@"):
            rows.append(("hunk", line))
        elif line.startswith("-"):
            rows.append(("del", line[1:]))
        elif line.startswith("+"):
            rows.append(("ins", line[1:]))
        else:
            rows.append(("same", line[1:]))
    return rows


@login_required
def version_diff(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    topic = _topic_or_404(request.user, pk)
    by_number = {v.number: v for v in topic.versions.filter(number__in=[number - 1, number])}
    new = by_number.get(number)
    if new is None:
        raise Http404
    old = by_number.get(number - 1) or TopicVersion(
        topic=topic, number=0, title="", summary="", actions=[], body=""
    )
    changes = [(label, _diff_rows(lines)) for label, lines in topic_service.version_diff(old, new)]
    context = {
        "nav": "sharing",
        "topic": topic,
        "version": new,
        "previous": by_number.get(number - 1),
        "changes": changes,
        "show_authors": _author_shown(request.user, topic),
    }
    return render(request, "sharing/version_diff.html", context)


# --- Most viewed ---------------------------------------------------------------------------------


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    form = RankingPeriodForm(request.GET)
    status = 200
    rows: list[dict[str, Any]] = []
    total = 0
    if form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        events = ViewEvent.objects.filter(
            hour__gte=start_of_day(start),
            hour__lt=start_of_day(end + timedelta(days=1)),
            topic_id__in=topic_service.readable_topics(request.user)
            .filter(status=TopicStatus.PUBLISHED)
            .values("pk"),
        )
        top = list(
            events.values("topic_id")
            .annotate(views=Sum("count"))
            .order_by("-views", "topic_id")[:RANKING_SIZE]
        )
        total = events.aggregate(total=Sum("count"))["total"] or 0
        topics = Topic.objects.select_related("organisation").in_bulk(
            [row["topic_id"] for row in top]
        )
        for rank, row in enumerate(top, start=1):
            topic = topics[row["topic_id"]]
            topic.source = topic_service.shown_source(request.user, topic)  # type: ignore[attr-defined]
            rows.append({"rank": rank, "topic": topic, "views": row["views"]})
    else:
        status = 400
    context = {
        "nav": "sharing",
        "form": form,
        "rows": rows,
        "total": total,
        "period": (form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to"))
        if status == 200
        else None,
    }
    return render(request, "sharing/ranking.html", context, status=status)


# --- Attachments ---------------------------------------------------------------------------------


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = (
        Attachment.objects.select_related("topic")
        .filter(pk=pk, topic_id__in=topic_service.readable_topics(request.user).values("pk"))
        .first()
    )
    if attachment is None:
        raise Http404
    response = file_response(attachment)
    audit.record(
        "sharing.attachment.downloaded",
        request=request,
        obj=attachment,
        tlp=attachment.topic.tlp,
        topic=attachment.topic_id,
    )
    return response
