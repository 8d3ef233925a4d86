"""One-stop routing: who else receives a member's report, and what each may see of it.

The centre keeps ``RoutingRule`` rows: a rule matches the reporter's sector (empty: any), the
report's category (blank: any) and its kind (blank: any), and names a recipient organisation or
"the ministry in charge of the reporter's sector" (``Sector.ministry``). ``route_report`` turns
the matching rules into ``ReportRecipient`` rows:

* each organisation once; a full grant wins over a redacted one;
* never the reporting organisation itself, never an inactive organisation;
* TLP:RED reaches nobody (the centre only); TLP:AMBER+STRICT reaches recipients redacted only;
* idempotent: routing again adds only what is missing (and lifts a redacted grant to full when
  a rule now grants it).

Each newly told organisation's members get ``REPORT_ROUTED`` with a title that reveals nothing
beyond their grant. The centre can also share a report by hand (``share_report``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core import audit, policy
from jisp.core.choices import TLP
from jisp.core.models import Organisation, Sector, User
from jisp.core.services.notifications import notify
from jisp.incidents.choices import (
    EntryAudience,
    EntryKind,
    Grant,
    ReportCategory,
    ReportKind,
    ReportStatus,
)
from jisp.incidents.models import Case, Report, ReportRecipient, RoutingRule
from jisp.incidents.notifications import REPORT_ROUTED
from jisp.incidents.services.timeline import add_entry

# --- Rules -----------------------------------------------------------------------------------


def matching_rules(report: Report) -> list[RoutingRule]:
    """The active rules that apply to ``report`` (by sector, category and kind), by name."""
    sector_id = report.organisation.sector_id
    sector_q = Q(sector__isnull=True)
    if sector_id is not None:
        sector_q |= Q(sector_id=sector_id)
    qs = (
        RoutingRule.objects.filter(is_active=True)
        .filter(sector_q)
        .filter(Q(category="") | Q(category=report.category))
        .filter(Q(kind="") | Q(kind=report.kind))
        .select_related("recipient")
        .order_by("name", "id")
    )
    return list(qs)


def _rule_targets(report: Report, rule: RoutingRule) -> list[int]:
    """The organisations one rule sends ``report`` to (ids)."""
    targets: list[int] = []
    if rule.recipient_id is not None:
        targets.append(rule.recipient_id)
    if rule.sector_ministry:
        sector: Sector | None = report.organisation.sector
        if sector is not None and sector.ministry_id is not None:
            targets.append(sector.ministry_id)
    return targets


@dataclass
class _Target:
    grant: str
    rule: RoutingRule | None


def planned_recipients(report: Report) -> dict[int, _Target]:
    """Organisation id -> (grant, rule) that the rules give ``report`` (nothing for TLP:RED)."""
    if report.tlp == TLP.RED:
        return {}
    plan: dict[int, _Target] = {}
    for rule in matching_rules(report):
        grant = Grant.REDACTED if report.tlp == TLP.AMBER_STRICT else rule.grant
        for org_id in _rule_targets(report, rule):
            if org_id == report.organisation_id:
                continue
            current = plan.get(org_id)
            if current is None or (current.grant != Grant.FULL and grant == Grant.FULL):
                plan[org_id] = _Target(grant, rule)
    if plan:
        active = set(
            Organisation.objects.filter(pk__in=list(plan), is_active=True).values_list(
                "pk", flat=True
            )
        )
        plan = {org_id: t for org_id, t in plan.items() if org_id in active}
    return plan


# --- Routing ---------------------------------------------------------------------------------


@transaction.atomic
def route_report(report: Report, *, actor: Any = None) -> list[ReportRecipient]:
    """Send a submitted report to the organisations its rules name.

    Returns the recipients added (or lifted from redacted to full) by this call: routing the same
    report again returns ``[]`` and tells nobody twice.
    """
    if report.status != ReportStatus.SUBMITTED or report.tlp == TLP.RED:
        return []
    plan = planned_recipients(report)
    if not plan:
        return []
    existing = {r.organisation_id: r for r in report.recipients.all()}
    changed: list[ReportRecipient] = []
    for org_id, target in plan.items():
        row = existing.get(org_id)
        if row is None:
            row = ReportRecipient.objects.create(
                report=report, organisation_id=org_id, grant=target.grant, rule=target.rule
            )
            changed.append(row)
        elif row.grant != Grant.FULL and target.grant == Grant.FULL:
            row.grant = Grant.FULL
            row.rule = target.rule
            row.save(update_fields=["grant", "rule"])
            changed.append(row)
    if changed:
        _record_routing(report, changed, actor=actor)
    return changed


def _record_routing(
    report: Report,
    rows: list[ReportRecipient],
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    by_hand: bool = False,
) -> None:
    """Audit, timeline and notifications for recipients just added or changed."""
    names = dict(
        Organisation.objects.filter(pk__in=[r.organisation_id for r in rows]).values_list(
            "pk", "name"
        )
    )
    recipients = [
        {
            "organisation": r.organisation_id,
            "name": names.get(r.organisation_id, ""),
            "grant": r.grant,
        }
        for r in rows
    ]
    audit.record(
        "incidents.report.routed",
        request=request,
        actor=actor,
        obj=report,
        organisation=report.organisation_id,
        recipients=recipients,
        by_hand=by_hand,
    )
    case = Case.objects.filter(report=report).first()
    if case is not None:
        # The reporter sees who received the report: the entry is on their side of the timeline.
        add_entry(
            case,
            EntryKind.ROUTED,
            author=actor,
            audience=EntryAudience.REPORTER,
            data={"recipients": recipients, "by_hand": by_hand},
        )
    for row in rows:
        notify_recipient(report, row)


def _members(organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__organisation__is_active=True,
    ).distinct()


def notify_recipient(report: Report, row: ReportRecipient) -> None:
    """Tell the members of one recipient organisation, saying no more than their grant allows:
    a redacted grant learns the category and the reporter's sector, never the title."""
    url = reverse("incidents:report_detail", args=[report.pk])
    category = (
        ReportCategory(report.category).label if report.category else ReportKind(report.kind).label
    )
    sector = report.organisation.sector
    full = row.grant == Grant.FULL and report.tlp != TLP.AMBER_STRICT
    if full:
        title: Any = format_lazy(
            gettext_lazy("A report reached your organisation: {title}"), title=report.title
        )
        body: Any = format_lazy(gettext_lazy("Category: {category}"), category=category)
    elif sector is not None:
        title = format_lazy(
            gettext_lazy(
                "A report ({category}) from the {sector} sector reached your organisation"
            ),
            category=category,
            sector=_SectorName(sector),
        )
        body = gettext_lazy("You see a redacted version of it.")
    else:
        title = format_lazy(
            gettext_lazy("A report ({category}) reached your organisation"), category=category
        )
        body = gettext_lazy("You see a redacted version of it.")
    notify(
        _members(row.organisation_id),
        REPORT_ROUTED,
        title=title,
        body=body,
        url=url,
        data={"report": report.pk, "grant": Grant.FULL if full else Grant.REDACTED},
    )


class _SectorName:
    """A sector's name in the language active when rendered (each recipient's language)."""

    def __init__(self, sector: Sector) -> None:
        self.sector = sector

    def __str__(self) -> str:
        return self.sector.name


# --- By hand ---------------------------------------------------------------------------------


@transaction.atomic
def share_report(
    actor: Any,
    report: Report,
    organisation: Organisation,
    grant: str,
    *,
    request: HttpRequest | None = None,
) -> ReportRecipient:
    """The centre shares a submitted report with one more organisation (or changes its grant).

    TLP:RED is never shared; TLP:AMBER+STRICT only redacted. Raises ``PermissionDenied`` for
    anyone but the centre's staff, ``ValidationError`` for what the rules forbid.
    """
    if not policy.can_work_cases(actor):
        raise PermissionDenied(_("Only the coordination centre shares reports."))
    if grant not in Grant.values:
        raise ValidationError({"grant": _("Choose full or redacted.")})
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a sent report can be shared."))
    if report.tlp == TLP.RED:
        raise ValidationError(_("A TLP:RED report stays with the coordination centre."))
    if organisation.pk == report.organisation_id:
        raise ValidationError(
            {"organisation": _("The reporting organisation already has its report.")}
        )
    if not organisation.is_active:
        raise ValidationError({"organisation": _("This organisation is not active.")})
    if report.tlp == TLP.AMBER_STRICT and grant == Grant.FULL:
        raise ValidationError(
            {"grant": _("A TLP:AMBER+STRICT report can only be shared redacted.")}
        )
    row = ReportRecipient.objects.filter(report=report, organisation=organisation).first()
    if row is None:
        row = ReportRecipient.objects.create(
            report=report, organisation=organisation, grant=grant, added_by=actor
        )
    elif row.grant == grant:
        return row
    else:
        row.grant = grant
        row.added_by = actor
        row.save(update_fields=["grant", "added_by"])
    _record_routing(report, [row], actor=actor, request=request, by_hand=True)
    return row


# --- Keeping the rules -----------------------------------------------------------------------


def validate_rule(rule: RoutingRule) -> None:
    """A rule names a recipient or the ministry in charge (else ``ValidationError``)."""
    if rule.recipient_id is None and not rule.sector_ministry:
        raise ValidationError(
            {
                "recipient": _(
                    "Choose a recipient organisation or the ministry in charge of the sector."
                )
            }
        )


@transaction.atomic
def save_rule(actor: Any, rule: RoutingRule, *, request: HttpRequest | None = None) -> RoutingRule:
    """Add or change a routing rule (the centre's staff)."""
    if not policy.can_work_cases(actor):
        raise PermissionDenied(_("Only the coordination centre keeps the routing rules."))
    validate_rule(rule)
    change = "created" if rule.pk is None else "changed"
    rule.save()
    audit.record(
        "incidents.rule.changed",
        request=request,
        actor=actor,
        obj=rule,
        change=change,
        sector=rule.sector_id,
        category=rule.category,
        kind=rule.kind,
        recipient=rule.recipient_id,
        sector_ministry=rule.sector_ministry,
        grant=rule.grant,
        active=rule.is_active,
    )
    return rule


@transaction.atomic
def deactivate_rule(
    actor: Any, rule: RoutingRule, *, request: HttpRequest | None = None
) -> RoutingRule:
    """Stop a rule from routing new reports (what it already routed stays)."""
    if not policy.can_work_cases(actor):
        raise PermissionDenied(_("Only the coordination centre keeps the routing rules."))
    if rule.is_active:
        rule.is_active = False
        rule.save(update_fields=["is_active"])
        audit.record(
            "incidents.rule.changed", request=request, actor=actor, obj=rule, change="deactivated"
        )
    return rule
