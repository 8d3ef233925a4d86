"""Shapes of the reports API (``jisp.incidents.api.reports``).

Out-schemas are filled from dicts built per caller from the grant (``policy.report_grant``): a
redacted report's answer simply lacks the fields the grant does not allow (the operations use
``exclude_unset``), so they are not even ``null``. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import field_validator

from jisp.core.choices import TLP
from jisp.core.schemas import Id, Moment, OrganisationRef, PageIn, SectorRef
from jisp.incidents.choices import (
    CaseState,
    Grant,
    IntakeChannel,
    ReportCategory,
    ReportKind,
    ReportStatus,
    SupportKind,
    YesNoUnknown,
)

# --- Out ----------------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int = Field(examples=[101])
    name: str = Field(examples=["鈴木 愛"])


class AttachmentOut(Schema):
    id: int
    filename: str = Field(examples=["access.log.txt"])
    content_type: str = Field(examples=["text/plain"])
    size: int
    sha256: str
    url: str = Field(description="Download (always as an attachment).")
    created_at: datetime


class UpdateOut(Schema):
    id: int
    body: str = Field(examples=["14:10 復旧しました。"])
    author: PersonRef | None = None
    created_at: datetime


class RecipientOut(Schema):
    organisation: OrganisationRef
    grant: Grant = Field(examples=["full"])
    by_hand: bool = Field(description="Shared by the centre, not by a routing rule.")
    routed_at: datetime


class ReportOut(Schema):
    """A report as the caller may see it. ``access`` says how: ``owner`` (the reporting
    organisation), ``centre``, ``full`` or ``redacted`` (a recipient under a routing rule).
    A redacted report has no title, organisation, reporter, text, systems or indicators."""

    id: int = Field(examples=[42])
    access: str = Field(examples=["owner"])
    kind: ReportKind = Field(examples=["incident"])
    category: ReportCategory | None = Field(None, examples=["site_unreachable"])
    category_label: str = ""
    sector: SectorRef | None = Field(None, description="The reporting organisation's sector.")
    tlp: TLP = Field(examples=["amber"])
    status: ReportStatus = Field(examples=["submitted"])
    started_at: datetime | None = None
    detected_at: datetime | None = None
    event_impact: YesNoUnknown = YesNoUnknown.UNKNOWN
    public_awareness: YesNoUnknown = YesNoUnknown.UNKNOWN
    submitted_at: datetime | None = None
    case_state: CaseState | None = Field(None, description="The state of the centre's case.")
    # Not for a redacted grant:
    title: str | None = Field(None, examples=["公式サイトの閲覧障害"])
    organisation: OrganisationRef | None = None
    channel: IntakeChannel | None = None
    created_at: datetime | None = None


class ReportDetailOut(ReportOut):
    reporter: PersonRef | None = None
    description: str | None = None
    affected_services: str | None = None
    affected_systems: str | None = None
    support_wanted: list[SupportKind] | None = None
    indicators: str | None = Field(None, description="As written: one per line.")
    attachments: list[AttachmentOut] | None = None
    updates: list[UpdateOut] | None = None
    case_id: int | None = Field(None, description="The case, for the reporter and the centre.")


# --- In -----------------------------------------------------------------------------------------


class ReportFilters(PageIn):
    box: str | None = Field(
        None,
        pattern=r"^(mine|received)$",
        description="`mine`: my organisation's reports; `received`: routed to it. Default: both "
        "(and for the centre, every sent report).",
    )
    status: ReportStatus | None = None
    kind: ReportKind | None = None
    category: ReportCategory | None = None
    since: Moment | None = Field(None, description="Sent (drafts: written) at or after.")


class ReportIn(Schema):
    kind: ReportKind = ReportKind.INCIDENT
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    category: ReportCategory | None = Field(
        None, description="Required to send an incident report."
    )
    started_at: Moment | None = None
    detected_at: Moment | None = None
    affected_services: str = Field("", max_length=20_000)
    affected_systems: str = Field("", max_length=20_000)
    event_impact: YesNoUnknown = YesNoUnknown.UNKNOWN
    public_awareness: YesNoUnknown = YesNoUnknown.UNKNOWN
    support_wanted: list[SupportKind] = Field(default_factory=list, max_length=10)
    indicators: str = Field("", max_length=20_000, description="One per line.")
    tlp: TLP = TLP.AMBER
    organisation: Id | None = Field(
        None, description="One of the caller's organisations (default: the first)."
    )
    submit: bool = Field(False, description="Send at once (else: a draft).")

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return value.strip()


class ReportPatchIn(Schema):
    """A draft's fields: those sent replace the current ones."""

    kind: ReportKind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    category: ReportCategory | None = None
    started_at: Moment | None = None
    detected_at: Moment | None = None
    affected_services: str | None = Field(None, max_length=20_000)
    affected_systems: str | None = Field(None, max_length=20_000)
    event_impact: YesNoUnknown | None = None
    public_awareness: YesNoUnknown | None = None
    support_wanted: list[SupportKind] | None = Field(None, max_length=10)
    indicators: str | None = Field(None, max_length=20_000)
    tlp: TLP | None = None


class UpdateIn(Schema):
    body: str = Field(min_length=1, max_length=10_000)
