"""Extraction: paste a text, review the values found, save the chosen ones as indicators.

Three steps on one URL: GET shows the text box (filled from a topic or a report the person may
read, ``?topic=<id>`` / ``?report=<id>``); POST ``step=review`` runs ``jisp.intel.extract`` and
shows each value with its warninglist hits and whether it is already known; POST ``step=save``
writes the chosen values with one TLP, audience, tags and confidence, all or nothing: when one
value is refused, nothing is saved and the table says which and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jisp.core import audit, policy
from jisp.incidents.models import Report
from jisp.intel import rows as row_helpers
from jisp.intel.choices import IndicatorKind
from jisp.intel.forms import MAX_EXTRACT_VALUES, ExtractSaveForm, ExtractTextForm
from jisp.intel.models import Indicator
from jisp.intel.services import indicators as service
from jisp.intel.views.indicators import NAV, error_text, may_write
from jisp.sharing.models import Topic
from jisp.sharing.services.topics import readable_topics


@dataclass
class Candidate:
    """One value of the review table."""

    index: int
    kind: str
    value: str
    original: str = ""
    defanged: bool = False
    warnings: list[str] = field(default_factory=list)
    known: bool = False  # another organisation shares it (visible to the person)
    ours: bool = False  # the person's organisation already shares it
    picked: bool = True
    error: str = ""

    @property
    def kind_label(self) -> str:
        return str(IndicatorKind(self.kind).label) if self.kind in IndicatorKind.values else ""


# --- Where the text comes from ---------------------------------------------------------------


def _topic(user: Any, pk: int | None) -> Topic | None:
    if pk is None:
        return None
    topic = readable_topics(user, Topic.objects.all()).filter(pk=pk).first()
    if topic is None:
        raise Http404
    return topic


def _report(user: Any, pk: int | None) -> tuple[Report | None, bool]:
    """The report and whether the person may read its text (a redacted grant may not)."""
    if pk is None:
        return None, False
    report = policy.visible_reports(user, Report.objects.all()).filter(pk=pk).first()
    grant = policy.report_grant(user, report) if report is not None else None
    if report is None or grant is None:
        raise Http404
    return report, grant != policy.REPORT_REDACTED


def _number(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise Http404
    return int(text)


def _topic_text(topic: Topic) -> str:
    parts = [topic.title, topic.summary, "\n".join(topic.actions or []), topic.body]
    return "\n\n".join(p for p in parts if p)


def _report_text(report: Report) -> str:
    parts = [
        report.title,
        report.description,
        report.affected_systems,
        report.indicators,
    ]
    return "\n\n".join(p for p in parts if p)


# --- Finding the values ----------------------------------------------------------------------


def _found(text: str) -> list[Any]:
    from jisp.intel.extract import extract

    return list(extract(text))


def _candidates(user: Any, found: list[Any]) -> list[Candidate]:
    """The review table's rows: the first value of each (kind, value), with warnings and whether
    the platform already knows it (among what the person may see)."""
    seen: set[tuple[str, str]] = set()
    result: list[Candidate] = []
    for item in found:
        key = (item.kind, item.value)
        if key in seen:
            continue
        seen.add(key)
        original = str(getattr(item, "original", "") or item.value)
        defanged = getattr(item, "defanged", False)
        if not isinstance(defanged, bool):
            defanged = bool(defanged) and str(defanged) != item.value
        result.append(
            Candidate(
                index=len(result),
                kind=item.kind,
                value=item.value,
                original=original,
                defanged=bool(defanged),
            )
        )
        if len(result) >= MAX_EXTRACT_VALUES:
            break
    _annotate(user, result)
    return result


def _annotate(user: Any, candidates: list[Candidate]) -> None:
    """Warninglist hits and "already known", in one query for the known ones."""
    if not candidates:
        return
    organisation_ids = policy.access(user).organisation_ids
    source = _source_id(user)
    known = policy.visible(
        user, Indicator.objects.filter(value__in=[c.value for c in candidates])
    ).values_list("kind", "value", "organisation_id")
    by_value: dict[tuple[str, str], set[int]] = {}
    for kind, value, org_id in known:
        by_value.setdefault((kind, value), set()).add(org_id)
    warnings = row_helpers.warning_texts_many([(c.kind, c.value) for c in candidates], user)
    for c in candidates:
        orgs = by_value.get((c.kind, c.value), set())
        c.ours = source in orgs if source else bool(orgs & organisation_ids)
        c.known = bool(orgs)
        c.warnings = warnings.get((c.kind, c.value), [])
        c.picked = not c.warnings and not c.ours


def _source_id(user: Any) -> int | None:
    try:
        return service.source_for(user).pk
    except PermissionDenied:
        return None


def _posted_candidates(user: Any, request: HttpRequest) -> list[Candidate]:
    """The table as posted back on save: kinds and values in order, and the ticked indices."""
    kinds = request.POST.getlist("kind")[:MAX_EXTRACT_VALUES]
    values = request.POST.getlist("value")[:MAX_EXTRACT_VALUES]
    originals = request.POST.getlist("original")[:MAX_EXTRACT_VALUES]
    picked = set(request.POST.getlist("pick"))
    result = []
    for i, (kind, value) in enumerate(zip(kinds, values, strict=False)):
        original = originals[i] if i < len(originals) else value
        result.append(
            Candidate(index=i, kind=kind[:8], value=value[:2048], original=original[:2048])
        )
    _annotate(user, result)
    for c in result:
        c.picked = str(c.index) in picked
        c.defanged = c.original != c.value
    return result


# --- The pages -------------------------------------------------------------------------------


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.setdefault("nav", NAV)
    template = "intel/extract/review.html" if "candidates" in context else "intel/extract/text.html"
    return render(request, template, context, status=status)


@login_required
def extract_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_write(user):
        raise PermissionDenied(_("You may not share indicators."))
    source = request.POST if request.method == "POST" else request.GET
    topic = _topic(user, _number(source.get("topic")))
    report, report_readable = _report(user, _number(source.get("report")))
    context: dict[str, Any] = {"topic": topic, "report": report}
    if request.method != "POST":
        initial: dict[str, Any] = {"topic": topic.pk if topic else None}
        if topic is not None:
            initial["text"] = _topic_text(topic)
        if report is not None:
            initial["report"] = report.pk
            if report_readable:
                initial["text"] = _report_text(report)
            else:
                messages.info(
                    request,
                    _("Your organisation received this report redacted: paste the text yourself."),
                )
        context["form"] = ExtractTextForm(initial=initial)
        return _render(request, context)
    if request.POST.get("step") == "save":
        return _save(request, context, topic, report if report_readable else None)
    form = ExtractTextForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return _render(request, context, 400)
    candidates = _candidates(user, _found(form.cleaned_data["text"]))
    if not candidates:
        form.add_error("text", _("No indicators were found in this text."))
        return _render(request, context, 400)
    context.update(
        candidates=candidates,
        save_form=ExtractSaveForm(
            user=user,
            initial={"topic": topic.pk if topic else None, "report": report and report.pk},
        ),
        truncated=len(candidates) >= MAX_EXTRACT_VALUES,
    )
    return _render(request, context)


class _Refused(Exception):
    """Raised inside the save's transaction to undo every value when one is refused."""


def _save(
    request: HttpRequest, context: dict[str, Any], topic: Topic | None, report: Report | None
) -> HttpResponse:
    user = request.user
    candidates = _posted_candidates(user, request)
    form = ExtractSaveForm(request.POST, user=user)
    context.update(candidates=candidates, save_form=form)
    chosen = [c for c in candidates if c.picked]
    if not chosen:
        form.add_error(None, _("Tick at least one value to save."))
    if not form.is_valid() or not chosen:
        return _render(request, context, 400)
    data = dict(form.cleaned_data)
    sharing = form.sharing()
    saved: list[Indicator] = []
    try:
        with transaction.atomic():
            for c in chosen:
                try:
                    saved.append(
                        service.create_indicator(
                            request,
                            user,  # type: ignore[arg-type]
                            service.IndicatorInput(
                                kind=c.kind,
                                value=c.value,
                                labels=data["labels"],
                                malware=data["malware"],
                                confidence=data["confidence"],
                                valid_until=data["valid_until"],
                                topics=[topic] if topic is not None else [],
                                **sharing,
                            ),
                        )
                    )
                except (ValidationError, PermissionDenied) as error:
                    _refusal(form, c, error)
            if any(c.error for c in chosen) or form.non_field_errors():
                raise _Refused
            if report is not None:
                for indicator in saved:
                    indicator.reports.add(report)
            audit.record(
                "intel.indicator.extracted",
                request=request,
                obj=topic or report,
                count=len(saved),
                indicators=[i.pk for i in saved][:100],
            )
    except _Refused:
        if not form.errors:
            form.add_error(None, _("Nothing was saved: correct the values marked below."))
        return _render(request, context, 400)
    messages.success(request, _("%(count)d indicators were saved.") % {"count": len(saved)})
    if topic is not None:
        return redirect("sharing:detail", topic.pk)
    if report is not None:
        return redirect("incidents:report_detail", report.pk)
    return redirect("intel:indicators")


def _refusal(form: ExtractSaveForm, candidate: Candidate, error: Any) -> None:
    """Where a refusal goes: sharing errors (the same for every value) on the common fields,
    the rest on the value's row."""
    if isinstance(error, PermissionDenied):
        candidate.error = error_text(error)
        return
    if hasattr(error, "error_dict"):
        row = []
        for key, errors in error.message_dict.items():
            name = {"audience_sectors": "sectors", "audience_organisations": "organisations",
                    "audience_people": "people"}.get(key, key)  # fmt: skip
            if name in ("tlp", "audience", "sectors", "organisations", "people", "confidence",
                        "labels", "malware"):  # fmt: skip
                if not form.has_error(name):
                    form.add_error(name, errors)
            else:
                row.extend(errors)
        candidate.error = " ".join(row)
        if not row and not candidate.error:
            candidate.error = _("See the errors of the common fields.")
    else:
        candidate.error = error_text(error)
