"""Helpers for the incidents app's tests: reports and cases as the services leave them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from jisp.core.models import User
from jisp.incidents.models import Case, Report
from jisp.incidents.services.timeline import open_case


def make_report(
    reporter: User,
    title: str = "公式サイトの閲覧障害",
    *,
    submit: bool = True,
    route: bool = False,
    at: datetime | None = None,
    **fields: Any,
) -> Report:
    """A report by ``reporter`` for their first organisation.

    With ``submit`` (default) it is submitted and its case opened; with ``route`` it is also
    routed by the active rules (``services.routing.route_report``).
    """
    first = reporter.memberships.order_by("organisation_id").first()
    organisation = fields.pop("organisation", None) or (first.organisation if first else None)
    assert organisation is not None, "the reporter belongs to no organisation"
    values: dict[str, Any] = {
        "kind": "incident",
        "description": "13時頃から公式サイトに接続しにくい状態が続いています。",
        "category": "site_unreachable",
        "tlp": "amber",
    }
    values.update(fields)
    report = Report.objects.create(
        organisation=organisation, reporter=reporter, title=title, **values
    )
    if submit:
        report.status = "submitted"
        report.submitted_at = at or timezone.now()
        report.save(update_fields=["status", "submitted_at"])
        open_case(report, at=report.submitted_at)
        if route:
            from jisp.incidents.services.routing import route_report

            route_report(report)
    return report


def make_case(reporter: User, title: str = "公式サイトの閲覧障害", **fields: Any) -> Case:
    """The case of a new submitted report by ``reporter``."""
    return make_report(reporter, title, **fields).case
