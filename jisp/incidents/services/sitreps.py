"""Situation reports: drafted from the cases of a period, edited, approved, issued and sent.

Three kinds, each with its periods (all times in Japan Standard Time, Asia/Tokyo):

* the **situation report** to the Security Coordination Centre, twice a day: the AM report covers
  17:00 of the previous day to 09:00 (sent in the morning), the PM report 09:00 to 17:00 of the
  same day;
* the **summary for the organiser** and the **daily bulletin** to all members (slot "day"):
  00:00 to 24:00 of the day (the organiser summary may also be made for the AM / PM periods).

A period runs from its start (included) to its end (excluded). The cases of a period are those
opened before its end and not ended before its start; of them, *new* ones were opened in the
period, *closed* ones were resolved or closed in it, *ongoing* ones were opened before it and
not ended before its end (a case opened and closed in the period is both new and closed; the
total counts it once). *Escalated* cases have an impact on the event or were proposed for the
situation report (``for_sitrep``). Merged duplicates are left out.

What each kind says: the situation report lists every case (title and category; the reporting
organisation's name unless the case is TLP:AMBER+STRICT or RED, where it says "a member
organisation of sector X"); the organiser's summary lists only the escalated cases, never naming
an organisation; the bulletin gives only counts and the centre's activity.

Workflow: draft (centre staff, or the system) -> approved (incident controller or commander) ->
issued (the same). A second draft of the same kind and period refreshes the existing draft; an
approved or issued report is never changed. Issuing e-mails situation reports and organiser
summaries (PDF attached) to the active ``SitrepRecipient`` addresses of their kind, and notifies
every member of a bulletin.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case as Switch
from django.db.models import Count, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core import audit, policy
from jisp.core.choices import TLP, OrganisationCategory, Role
from jisp.core.models import User
from jisp.core.services.notifications import notify
from jisp.incidents import notifications
from jisp.incidents.choices import (
    OPEN_STATES,
    CaseState,
    ReportCategory,
    ReportKind,
    SitrepKind,
    SitrepSlot,
    SitrepState,
    SupportState,
    YesNoUnknown,
)
from jisp.incidents.models import Case, SitrepRecipient, SituationReport, SupportRequest

JST = ZoneInfo("Asia/Tokyo")

#: The slots each kind may be made for.
SLOTS_BY_KIND: dict[str, tuple[str, ...]] = {
    SitrepKind.SITUATION: (SitrepSlot.AM, SitrepSlot.PM),
    SitrepKind.ORGANISER: (SitrepSlot.DAY, SitrepSlot.AM, SitrepSlot.PM),
    SitrepKind.BULLETIN: (SitrepSlot.DAY,),
}

#: At most this many cases are listed per part of a report (the counts stay exact).
LIST_LIMIT = 1000

#: The TLP label printed on each kind (no model field: situation reports are TLP:AMBER).
TLP_BY_KIND: dict[str, str] = {
    SitrepKind.SITUATION: TLP.AMBER,
    SitrepKind.ORGANISER: TLP.AMBER,
    SitrepKind.BULLETIN: TLP.GREEN,
}

_ENDED_STATES = (CaseState.RESOLVED, CaseState.CLOSED)
_HIDDEN_SOURCE_TLPS = (TLP.AMBER_STRICT, TLP.RED)


# --- Periods ----------------------------------------------------------------------------------


def period_for(kind: str, day: date, slot: str) -> tuple[datetime, datetime]:
    """The period (start included, end excluded, aware datetimes in JST) of a report.

    AM: 17:00 of the previous day to 09:00; PM: 09:00 to 17:00; day: 00:00 to 24:00. A slot the
    kind is not made for raises ``ValidationError``.
    """
    if kind not in SLOTS_BY_KIND:
        raise ValidationError(_("Unknown kind of situation report."), code="kind")
    if slot not in SLOTS_BY_KIND[kind]:
        raise ValidationError(
            _("This kind of report is not made for this time of day."), code="slot"
        )
    at = lambda d, hour: datetime.combine(d, time(hour), tzinfo=JST)  # noqa: E731
    if slot == SitrepSlot.AM:
        return at(day - timedelta(days=1), 17), at(day, 9)
    if slot == SitrepSlot.PM:
        return at(day, 9), at(day, 17)
    return at(day, 0), at(day + timedelta(days=1), 0)


def report_day(sitrep: SituationReport) -> date:
    """The day a report is dated (the day its period ends in, JST)."""
    return timezone.localtime(sitrep.period_end - timedelta(microseconds=1), JST).date()


def sitrep_tlp(sitrep: SituationReport) -> str:
    return TLP_BY_KIND.get(sitrep.kind, TLP.AMBER)


def tlp_label(sitrep: SituationReport) -> str:
    return TLP(sitrep_tlp(sitrep)).label


def sitrep_language(sitrep: SituationReport) -> str:
    language = (sitrep.figures or {}).get("language") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- Who sees what ----------------------------------------------------------------------------


def visible_sitreps(
    user: Any, queryset: QuerySet[SituationReport] | None = None
) -> QuerySet[SituationReport]:
    """The reports the person may read: all for the centre and auditors, issued bulletins for
    every member, none for anyone else."""
    qs = SituationReport.objects.all() if queryset is None else queryset
    a = policy.access(user)
    if a.sees_all_below_red:
        return qs
    if a.is_member:
        return qs.filter(kind=SitrepKind.BULLETIN, state=SitrepState.ISSUED)
    return qs.none()


def escalation_candidates() -> QuerySet[Case]:
    """Open cases proposed for the next situation report: event impact, public awareness, or
    marked for it by the centre."""
    return (
        Case.objects.filter(state__in=OPEN_STATES, merged_into__isnull=True)
        .filter(
            Q(event_impact=YesNoUnknown.YES)
            | Q(public_awareness=YesNoUnknown.YES)
            | Q(for_sitrep=True)
        )
        .select_related("organisation", "organisation__sector", "assignee")
        .order_by("opened_at", "id")
    )


# --- Drafting ---------------------------------------------------------------------------------


@dataclass
class _Period:
    start: datetime
    end: datetime

    def cases(self) -> QuerySet[Case]:
        """The cases of the period, with ``ended`` annotated (when it was resolved or closed)."""
        ended = Switch(
            When(state__in=_ENDED_STATES, then=Coalesce("resolved_at", "closed_at")),
            default=None,
        )
        return (
            Case.objects.filter(merged_into__isnull=True, opened_at__lt=self.end)
            .annotate(ended=ended)
            .filter(Q(ended__isnull=True) | Q(ended__gte=self.start))
        )

    @property
    def new(self) -> Q:
        return Q(opened_at__gte=self.start)

    @property
    def closed(self) -> Q:
        return Q(ended__gte=self.start, ended__lt=self.end)

    @property
    def ongoing(self) -> Q:
        return Q(opened_at__lt=self.start) & (Q(ended__isnull=True) | Q(ended__gte=self.end))


ESCALATED = Q(event_impact=YesNoUnknown.YES) | Q(for_sitrep=True)


def _figures(period: _Period, language: str, day: date) -> dict[str, Any]:
    cases = period.cases()
    raw = cases.aggregate(
        n_total=Count("pk"),
        n_new=Count("pk", filter=period.new),
        n_ongoing=Count("pk", filter=period.ongoing),
        n_closed=Count("pk", filter=period.closed),
        n_event_impact=Count("pk", filter=Q(event_impact=YesNoUnknown.YES)),
        n_escalated=Count("pk", filter=ESCALATED),
        n_consultations=Count("pk", filter=Q(kind=ReportKind.CONSULTATION)),
        n_incidents=Count("pk", filter=Q(kind=ReportKind.INCIDENT)),
    )
    counts = {key[2:]: value for key, value in raw.items()}
    by_category = {
        row["category"]: row["n"]
        for row in cases.order_by().values("category").annotate(n=Count("pk"))
    }
    ordered = [c for c in ReportCategory.values if c in by_category]
    labels = dict(ReportCategory.choices)
    with translation.override(language):
        by_label = {str(labels[c]): by_category[c] for c in ordered}
    support = SupportRequest.objects.filter(
        requested_at__gte=period.start, requested_at__lt=period.end
    )
    support_counts = support.aggregate(
        n_sent=Count("pk"),
        n_accepted=Count(
            "pk", filter=~Q(state__in=[SupportState.REQUESTED, SupportState.DECLINED])
        ),
    )
    return {
        "language": language,
        "day": day.isoformat(),
        "counts": {k: counts[k] for k in ("new", "ongoing", "closed", "total")},
        "incidents": counts["incidents"],
        "consultations": counts["consultations"],
        "event_impact": counts["event_impact"],
        "escalated": counts["escalated"],
        "by_category": {c: by_category[c] for c in ordered},
        "by_category_label": by_label,
        "support_requests": support_counts["n_sent"],
        "support_accepted": support_counts["n_accepted"],
        "topics_published": _topics_published(period),
    }


def _topics_published(period: _Period) -> int:
    from jisp.sharing.choices import TopicStatus
    from jisp.sharing.models import Topic

    return Topic.objects.filter(
        status=TopicStatus.PUBLISHED,
        published_at__gte=period.start,
        published_at__lt=period.end,
    ).count()


def _listed(qs: QuerySet[Case]) -> list[Case]:
    return list(
        qs.select_related("organisation", "organisation__sector").order_by("opened_at", "id")[
            :LIST_LIMIT
        ]
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_text(value: Any) -> str:
    """User text made inert inside a Markdown line (no markup, no line breaks)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _when(value: datetime | None) -> str:
    return timezone.localtime(value, JST).strftime("%m/%d %H:%M") if value else "—"


def _source(case: Case, *, named: bool) -> str:
    """The reporting organisation as a report may say it."""
    organisation = case.organisation
    if organisation is None:
        return _("the coordination centre")
    if named and case.tlp not in _HIDDEN_SOURCE_TLPS:
        return str(organisation.display_name)
    if organisation.sector is not None:
        return _("a member organisation of the %(sector)s sector") % {
            "sector": organisation.sector.name
        }
    return _("a member organisation")


def _case_line(case: Case, *, named: bool, impact: bool = False) -> str:
    parts = [
        f"- {_when(case.opened_at)}",
        f"[{case.get_category_display()}]",
        md_text(case.title),
        f"({case.get_state_display()})",
        "— " + md_text(_source(case, named=named)),
    ]
    if impact and case.impact_note:
        parts.append("— " + _("impact: %(note)s") % {"note": md_text(case.impact_note)})
    return " ".join(parts)


def _more(total: int, shown: int) -> list[str]:
    if total > shown:
        return [_("- … and %(count)d more") % {"count": total - shown}]
    return []


def _title(kind: str, day: date, slot: str) -> str:
    values = {"day": day.isoformat(), "slot": SitrepSlot(slot).label}
    if kind == SitrepKind.SITUATION:
        return _("Situation report to the Security Coordination Centre (%(slot)s) %(day)s") % values
    if kind == SitrepKind.ORGANISER:
        if slot == SitrepSlot.DAY:
            return _("Summary for the organiser %(day)s") % values
        return _("Summary for the organiser (%(slot)s) %(day)s") % values
    return _("Daily bulletin of the coordination centre %(day)s") % values


def period_text(start: datetime, end: datetime) -> str:
    a, b = timezone.localtime(start, JST), timezone.localtime(end, JST)
    end_text = b.strftime("%Y-%m-%d %H:%M")
    if b.hour == 0 and b.minute == 0:
        end_text = (b - timedelta(days=1)).strftime("%Y-%m-%d") + " 24:00"
    return f"{a:%Y-%m-%d %H:%M} – {end_text} JST"


def _overview(figures: dict[str, Any]) -> list[str]:
    counts = figures["counts"]
    lines = [
        "## " + _("1. Overview"),
        "",
        "- " + _("New cases: %(count)d") % {"count": counts["new"]},
        "- " + _("Ongoing cases: %(count)d") % {"count": counts["ongoing"]},
        "- " + _("Closed cases: %(count)d") % {"count": counts["closed"]},
        "- " + _("Incidents: %(incidents)d, consultations: %(consultations)d") % figures,
        "- " + _("Cases with impact on the event: %(count)d") % {"count": figures["event_impact"]},
        "- "
        + _("Cases in the situation report (escalated): %(count)d")
        % {"count": figures["escalated"]},
        "",
    ]
    if figures["by_category_label"]:
        lines += [f"| {_('Category')} | {_('Cases')} |", "|---|---:|"]
        lines += [f"| {md_text(k)} | {v} |" for k, v in figures["by_category_label"].items()]
        lines.append("")
    return lines


def _activity(figures: dict[str, Any], number: str) -> list[str]:
    return [
        "## " + number + " " + _("Activities of the coordination centre"),
        "",
        "- "
        + _("Support requests sent to agencies and vendors: %(count)d")
        % {"count": figures["support_requests"]},
        "- "
        + _("Topics published on the platform: %(count)d") % {"count": figures["topics_published"]},
        "",
    ]


def _compose(
    kind: str, period: _Period, figures: dict[str, Any], title: str
) -> tuple[str, list[Case]]:
    """The Markdown body of a report and the cases it mentions (in the active language)."""
    lines = [f"# {md_text(title)}", "", _("Period: %(period)s") % {
        "period": period_text(period.start, period.end)}, ""]  # fmt: skip
    mentioned: dict[int, Case] = {}
    if kind == SitrepKind.BULLETIN:
        counts = figures["counts"]
        lines += [
            "## " + _("1. Reports received"),
            "",
            "- " + _("New cases: %(count)d") % {"count": counts["new"]},
            "- " + _("Ongoing cases: %(count)d") % {"count": counts["ongoing"]},
            "- " + _("Closed cases: %(count)d") % {"count": counts["closed"]},
            "- " + _("Incidents: %(incidents)d, consultations: %(consultations)d") % figures,
            "",
        ]
        if figures["by_category_label"]:
            lines += [f"| {_('Category')} | {_('Cases')} |", "|---|---:|"]
            lines += [f"| {md_text(k)} | {v} |" for k, v in figures["by_category_label"].items()]
            lines.append("")
        return "\n".join(lines + _activity(figures, "2.")), []

    cases = period.cases()
    escalated = _listed(cases.filter(ESCALATED))
    mentioned.update((c.pk, c) for c in escalated)
    named = kind == SitrepKind.SITUATION
    if kind == SitrepKind.ORGANISER:
        lines += [
            "## " + _("1. Overview"),
            "",
            "- "
            + _("Cases with impact on the event: %(count)d") % {"count": figures["event_impact"]},
            "- "
            + _("Cases in the situation report (escalated): %(count)d")
            % {"count": figures["escalated"]},
            "",
        ]
    else:
        lines += _overview(figures)
    lines += ["## " + _("2. Cases with impact on the event"), ""]
    lines += [_case_line(c, named=named, impact=True) for c in escalated] or [_("None.")]
    lines += _more(figures["escalated"], len(escalated))
    lines.append("")
    if kind == SitrepKind.ORGANISER:
        return "\n".join(lines), list(mentioned.values())

    lines += ["## " + _("3. New, ongoing and closed cases"), ""]
    parts: list[tuple[Any, Q, str]] = [
        (gettext_lazy("New cases"), period.new, "new"),
        (gettext_lazy("Ongoing cases"), period.ongoing, "ongoing"),
        (gettext_lazy("Closed cases"), period.closed, "closed"),
    ]
    for label, condition, key in parts:
        listed = _listed(cases.filter(condition))
        mentioned.update((c.pk, c) for c in listed)
        lines += [f"### {label} ({figures['counts'][key]})", ""]
        lines += [_case_line(c, named=True) for c in listed] or [_("None.")]
        lines += _more(figures["counts"][key], len(listed))
        lines.append("")
    lines += _activity(figures, "4.")
    return "\n".join(lines), list(mentioned.values())


def body_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_may_work(actor: User | None) -> None:
    if actor is not None and not policy.can_work_cases(actor):
        raise PermissionDenied(_("Only the coordination centre's staff write situation reports."))


def _check_may_approve(actor: User) -> None:
    if not policy.can_approve_sitreps(actor):
        raise PermissionDenied(
            _("Only the incident controller or the overall commander approve and issue reports.")
        )


def approvers() -> QuerySet[User]:
    """The people who approve situation reports: the centre's incident controllers and
    commanders."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation__category=OrganisationCategory.CENTRE,
        memberships__role__in=[Role.INCIDENT_CONTROLLER, Role.COMMANDER],
    ).distinct()


def _set_cases(sitrep: SituationReport, cases: Iterable[Case]) -> None:
    through = SituationReport.cases.through
    through.objects.filter(situationreport_id=sitrep.pk).delete()
    through.objects.bulk_create(
        [through(situationreport_id=sitrep.pk, case_id=c.pk) for c in cases]
    )


@transaction.atomic
@dataclass
class Composed:
    """What a report of a kind and period says: its title, Markdown text, figures and cases."""

    start: datetime
    end: datetime
    title: str
    body: str
    figures: dict[str, Any]
    cases: list[Case]


def compose(kind: str, day: date, slot: str, language: str) -> Composed:
    """The text and figures of the report of ``kind`` for ``day`` / ``slot``, from the cases of
    its period as they are now, in ``language``; nothing is written (``draft_sitrep`` saves it,
    the demo loader writes past reports with it)."""
    start, end = period_for(kind, day, slot)
    period = _Period(start, end)
    with translation.override(language):
        figures = _figures(period, language, day)
        title = _title(kind, day, slot)
        body, mentioned = _compose(kind, period, figures, title)
    return Composed(start, end, title, body, figures, list(mentioned))


@transaction.atomic
def draft_sitrep(
    actor: User | None,
    kind: str,
    day: date,
    slot: str,
    *,
    request: HttpRequest | None = None,
) -> SituationReport:
    """Draft the report of ``kind`` for ``day`` / ``slot`` from the cases of its period.

    ``actor`` is a centre staff member, or ``None`` for the system (the scheduled jobs). The
    body is written in the actor's language (the site's, Japanese, for the system). While a
    draft of the same kind and period exists it is refreshed (figures and cases; the text too
    unless someone edited it) instead of making another; an approved or issued one is refused.
    """
    _check_may_work(actor)
    start, end = period_for(kind, day, slot)
    existing = (
        SituationReport.objects.select_for_update()
        .filter(kind=kind, slot=slot, period_start=start)
        .order_by("id")
        .first()
    )
    if existing is not None and existing.state != SitrepState.DRAFT:
        raise ValidationError(
            _("This report was already approved or issued; it cannot be drafted again."),
            code="issued",
        )
    language = getattr(actor, "language", "") or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    composed = compose(kind, day, slot, language)
    title, body, figures, mentioned = (
        composed.title,
        composed.body,
        composed.figures,
        composed.cases,
    )
    figures["body_sha256"] = body_digest(body)
    if existing is None:
        sitrep = SituationReport.objects.create(
            kind=kind,
            slot=slot,
            period_start=start,
            period_end=end,
            title=title,
            body=body,
            body_html=render_body(body),
            figures=figures,
            drafted_by=actor,
        )
    else:
        sitrep = existing
        edited = (sitrep.figures or {}).get("body_sha256") != body_digest(sitrep.body)
        if edited:
            figures["body_sha256"] = sitrep.figures.get("body_sha256", "")
        else:
            sitrep.title, sitrep.body, sitrep.body_html = title, body, render_body(body)
        sitrep.figures = figures
        sitrep.save(update_fields=["title", "body", "body_html", "figures", "updated_at"])
    _set_cases(sitrep, mentioned)
    _audit(
        "incidents.sitrep.drafted",
        actor,
        sitrep,
        request,
        kind=kind,
        slot=slot,
        refreshed=existing is not None,
    )
    if existing is None:
        _ask_for_approval(sitrep, actor)
    return sitrep


def _ask_for_approval(sitrep: SituationReport, actor: User | None) -> None:
    people = approvers()
    if actor is not None:
        people = people.exclude(pk=actor.pk)
    notify(
        people,
        notifications.SITREP_APPROVAL,
        title=gettext_lazy("A situation report is waiting for approval"),
        body=sitrep.title,
        url=reverse("incidents:sitrep_detail", args=[sitrep.pk]),
        data={"sitrep": sitrep.pk},
    )


def draft_scheduled(kind: str, slot: str, now: datetime | None = None) -> SituationReport | None:
    """The scheduled jobs' draft for today (JST): made by the system unless one exists."""
    day = timezone.localtime(now or timezone.now(), JST).date()
    start, _end = period_for(kind, day, slot)
    if SituationReport.objects.filter(kind=kind, slot=slot, period_start=start).exists():
        return None
    return draft_sitrep(None, kind, day, slot)


def render_body(body: str) -> str:
    from jisp.sharing.services.topics import render_markdown as markdown_to_html

    return markdown_to_html(body)


# --- Editing, approving, issuing --------------------------------------------------------------


def _locked(sitrep: SituationReport, state: str, refusal: str) -> SituationReport:
    """The report's row, locked and re-read; refused with ``refusal`` unless in ``state``."""
    sitrep = SituationReport.objects.select_for_update().get(pk=sitrep.pk)
    if sitrep.state != state:
        raise ValidationError(refusal, code="state")
    return sitrep


def _audit(
    action: str,
    actor: User | None,
    sitrep: SituationReport,
    request: HttpRequest | None,
    **data: Any,
) -> None:
    audit.record(action, request=request, actor=actor, obj=sitrep, tlp=sitrep_tlp(sitrep), **data)


@transaction.atomic
def update_sitrep(
    actor: User,
    sitrep: SituationReport,
    *,
    title: str,
    body: str,
    request: HttpRequest | None = None,
) -> SituationReport:
    """Change the title and text of a draft (centre staff)."""
    _check_may_work(actor)
    sitrep = _locked(
        sitrep,
        SitrepState.DRAFT,
        _("Only a draft can be edited; this report was already approved or issued."),
    )
    title, body = " ".join(title.split()), body.strip()
    if not title or not body:
        raise ValidationError(_("A report needs a title and a text."), code="required")
    sitrep.title, sitrep.body, sitrep.body_html = title, body, render_body(body)
    sitrep.save(update_fields=["title", "body", "body_html", "updated_at"])
    _audit("incidents.sitrep.drafted", actor, sitrep, request, edited=True)
    return sitrep


@transaction.atomic
def approve_sitrep(
    actor: User, sitrep: SituationReport, *, request: HttpRequest | None = None
) -> SituationReport:
    """Approve a draft (incident controller or overall commander)."""
    _check_may_approve(actor)
    sitrep = _locked(sitrep, SitrepState.DRAFT, _("Only a draft can be approved."))
    sitrep.state = SitrepState.APPROVED
    sitrep.approved_by, sitrep.approved_at = actor, timezone.now()
    sitrep.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    _audit("incidents.sitrep.approved", actor, sitrep, request)
    return sitrep


@transaction.atomic
def issue_sitrep(
    actor: User, sitrep: SituationReport, *, request: HttpRequest | None = None
) -> SituationReport:
    """Issue an approved report and send it once the transaction commits: by e-mail (PDF
    attached) to the active recipients of its kind, or — a bulletin — as a notification to
    every member."""
    _check_may_approve(actor)
    sitrep = _locked(sitrep, SitrepState.APPROVED, _("Only an approved report can be issued."))
    sitrep.state = SitrepState.ISSUED
    sitrep.issued_by, sitrep.issued_at = actor, timezone.now()
    addresses: list[str] = []
    if sitrep.kind != SitrepKind.BULLETIN:
        addresses = list(
            SitrepRecipient.objects.filter(kind=sitrep.kind, is_active=True)
            .order_by("email")
            .values_list("email", flat=True)
        )
    sitrep.recipients = addresses
    sitrep.save(update_fields=["state", "issued_by", "issued_at", "recipients", "updated_at"])
    _audit("incidents.sitrep.issued", actor, sitrep, request, recipients=len(addresses))
    from jisp.incidents import tasks

    pk = sitrep.pk
    if sitrep.kind == SitrepKind.BULLETIN:
        transaction.on_commit(lambda: tasks.send_bulletin(pk))
    elif addresses:
        transaction.on_commit(lambda: tasks.send_sitrep_mail(pk, addresses))
    return sitrep


def pdf_filename(sitrep: SituationReport, extension: str = "pdf") -> str:
    return f"sitrep-{sitrep.kind}-{report_day(sitrep).isoformat()}-{sitrep.slot}.{extension}"


def send_sitrep_mail(sitrep_id: int, addresses: list[str]) -> list[str]:
    """E-mail an issued report (one message per address, PDF attached); return the addresses
    whose message failed (the job tries those again)."""
    sitrep = SituationReport.objects.filter(pk=sitrep_id, state=SitrepState.ISSUED).first()
    if sitrep is None:
        return []
    language = sitrep_language(sitrep)
    pdf = render_pdf(sitrep)
    with translation.override(language):
        context = {
            "SITE_NAME": settings.SITE_NAME,
            "sitrep": sitrep,
            "tlp": tlp_label(sitrep),
            "period": period_text(sitrep.period_start, sitrep.period_end),
        }
        text = render_to_string("incidents/mail/sitrep.txt", context)
        html = render_to_string("incidents/mail/sitrep.html", context)
    subject = f"[{tlp_label(sitrep)}] {' '.join(sitrep.title.split())}"
    failed: list[str] = []
    connection = get_connection()
    for address in addresses:
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            connection=connection,
            headers={"Content-Language": language, "X-JISP-Kind": f"sitrep.{sitrep.kind}"},
        )
        message.attach_alternative(html, "text/html")
        message.attach(pdf_filename(sitrep), pdf, "application/pdf")
        try:
            message.send(fail_silently=False)
        except Exception:  # any transport error: try this address again later
            failed.append(address)
    return failed


def send_bulletin(sitrep_id: int) -> int:
    """Notify every active member of an issued bulletin; return how many were told."""
    sitrep = SituationReport.objects.filter(
        pk=sitrep_id, state=SitrepState.ISSUED, kind=SitrepKind.BULLETIN
    ).first()
    if sitrep is None:
        return 0
    members = User.objects.filter(is_active=True, memberships__isnull=False).distinct()
    rows = notify(
        members,
        notifications.BULLETIN,
        title=sitrep.title,
        body=sitrep.body,
        url=reverse("incidents:sitrep_detail", args=[sitrep.pk]),
        data={"sitrep": sitrep.pk},
    )
    return len(rows)


# --- Recipients -------------------------------------------------------------------------------


@transaction.atomic
def add_recipient(
    actor: User, kind: str, name: str, email: str, *, request: HttpRequest | None = None
) -> SitrepRecipient:
    """Add an address that receives reports of ``kind`` (or turn a known one on again)."""
    _check_may_work(actor)
    if kind == SitrepKind.BULLETIN:
        raise ValidationError(
            _("The bulletin goes to every member as a notification; it has no addresses."),
            code="kind",
        )
    email = email.strip().lower()
    recipient, _created = SitrepRecipient.objects.update_or_create(
        kind=kind, email=email, defaults={"name": name.strip(), "is_active": True}
    )
    _audit_recipient(actor, recipient, request)
    return recipient


def _audit_recipient(actor: User, recipient: SitrepRecipient, request: HttpRequest | None) -> None:
    audit.record(
        "incidents.sitrep_recipient.changed",
        request=request,
        actor=actor,
        obj=recipient,
        kind=recipient.kind,
        email=recipient.email,
        active=recipient.is_active,
    )


@transaction.atomic
def set_recipient_active(
    actor: User, recipient: SitrepRecipient, active: bool, *, request: HttpRequest | None = None
) -> SitrepRecipient:
    _check_may_work(actor)
    recipient.is_active = active
    recipient.save(update_fields=["is_active"])
    _audit_recipient(actor, recipient, request)
    return recipient


# --- Downloads --------------------------------------------------------------------------------


def _person(user: User | None) -> str:
    if user is None:
        return _("the system")
    return str(getattr(user, "name", "") or user.email)


def render_markdown(sitrep: SituationReport) -> str:
    """The report as a Markdown file: a header (title, period, state, approvals), then the text."""
    with translation.override(sitrep_language(sitrep)):
        header = [
            "---",
            f"title: {' '.join(sitrep.title.split())}",
            f"tlp: {tlp_label(sitrep)}",
            f"kind: {sitrep.get_kind_display()}",
            f"period: {period_text(sitrep.period_start, sitrep.period_end)}",
            f"state: {sitrep.get_state_display()}",
            f"drafted_by: {_person(sitrep.drafted_by)}",
        ]
        if sitrep.approved_at:
            header.append(
                f"approved: {_person(sitrep.approved_by)} "
                f"{timezone.localtime(sitrep.approved_at, JST):%Y-%m-%d %H:%M} JST"
            )
        if sitrep.issued_at:
            header.append(
                f"issued: {_person(sitrep.issued_by)} "
                f"{timezone.localtime(sitrep.issued_at, JST):%Y-%m-%d %H:%M} JST"
            )
    header += ["---", ""]
    return "\n".join(header) + sitrep.body.rstrip() + "\n"


_FONT = "HeiseiKakuGo-W5"
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_UNESCAPE = re.compile(r"\\([\\`*_\[\]<>#|~])")


def _inline(text: str) -> str:
    """Markdown inline text as reportlab paragraph markup (escaped, bold kept)."""
    parts = _BOLD.split(text)
    out = []
    for i, part in enumerate(parts):
        piece = xml_escape(_UNESCAPE.sub(r"\1", part))
        out.append(f"<b>{piece}</b>" if i % 2 else piece)
    return "".join(out)


def render_pdf(sitrep: SituationReport) -> bytes:
    """The report as a PDF (A4, a Japanese CID font, the TLP label atop every page, page
    numbers at the bottom): headings, paragraphs, bullet lists and tables of its Markdown.

    The font is reportlab's built-in CID font, referenced and not embedded: the PDF stays small
    and needs no font file, and viewers draw it with their own Japanese Gothic font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    base = ParagraphStyle("body", fontName=_FONT, fontSize=10, leading=15, wordWrap="CJK")
    styles = {
        1: ParagraphStyle("h1", parent=base, fontSize=16, leading=22, spaceAfter=6),
        2: ParagraphStyle("h2", parent=base, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4),
        3: ParagraphStyle("h3", parent=base, fontSize=11, leading=16, spaceBefore=6),
    }
    label = tlp_label(sitrep)
    with translation.override(sitrep_language(sitrep)):
        meta = [f"{sitrep.get_kind_display()} — {sitrep.get_state_display()}"]
        if sitrep.approved_at:
            meta.append(
                _("Approved by %(person)s") % {"person": _person(sitrep.approved_by)}
                + f" {timezone.localtime(sitrep.approved_at, JST):%Y-%m-%d %H:%M}"
            )

    story: list[Any] = [Paragraph(_inline(sitrep.title), styles[1])]
    story += [Paragraph(xml_escape(line), base) for line in meta]
    story.append(Spacer(1, 4 * mm))
    bullets: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if bullets:
            story.append(
                ListFlowable(
                    [ListItem(Paragraph(_inline(b), base), leftIndent=12) for b in bullets],
                    bulletType="bullet",
                    bulletFontName=_FONT,
                    start="•",
                    leftIndent=12,
                )
            )
            bullets.clear()
        if table:
            rows = [[Paragraph(_inline(cell), base) for cell in row] for row in table]
            t = Table(rows, hAlign="LEFT")
            t.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(t)
            story.append(Spacer(1, 2 * mm))
            table.clear()

    first_heading_skipped = False
    for raw in sitrep.body.splitlines():
        line = raw.rstrip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            flush()
            level = min(len(heading.group(1)), 3)
            if level == 1 and not first_heading_skipped:
                first_heading_skipped = True  # the title is printed already
                continue
            story.append(Paragraph(_inline(heading.group(2)), styles[level]))
        elif re.match(r"^\s*[-*+]\s+", line):
            if table:
                flush()
            bullets.append(re.sub(r"^\s*[-*+]\s+", "", line))
        elif line.startswith("|"):
            if bullets:
                flush()
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            if all(re.fullmatch(r":?-+:?", c or "-") for c in cells):
                continue
            table.append(cells)
        elif not line.strip():
            flush()
        else:
            flush()
            story.append(Paragraph(_inline(line), base))
    flush()

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        width, height = A4
        canvas.setFont("Helvetica-Bold", 11)
        canvas.setFillColor(colors.HexColor("#b45309" if "AMBER" in label else "#15803d"))
        canvas.drawRightString(width - 18 * mm, height - 12 * mm, label)
        canvas.setFillColor(colors.black)
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(width / 2, 10 * mm, f"- {doc.page} -")
        canvas.drawString(18 * mm, 10 * mm, label)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=sitrep.title,
        author=str(settings.SITE_NAME),
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
    )
    on_page: Callable[[Any, Any], None] = decorate
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
