"""Shapes of the cases API (``/api/v1/incidents/cases``).

A case answers with the part the caller may see (``access``): the centre everything; the
reporting organisation its state, dates and the conversation (never severity, assignee or the
centre's assessment); an organisation asked for support only the kind, category and state. Fields
a caller may not see are ``null``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

from jisp.core.schemas import Id, PageIn, clean_text
from jisp.incidents.choices import CaseState, ReportCategory, ReportKind, Severity


class Ref(Schema):
    id: int = Field(examples=[12])
    name: str = Field(examples=["Test Railway East"])


class CaseOut(Schema):
    id: int = Field(examples=[42])
    access: Literal["centre", "reporter", "support"] = Field(
        description="How the caller sees the case."
    )
    kind: str = Field(examples=["incident"])
    category: str = Field(examples=["site_unreachable"])
    tlp: str = Field(examples=["amber"])
    state: str = Field(examples=["triage"])
    state_label: str = Field(examples=["Triage"])
    opened_at: datetime = Field(examples=["2026-07-24T09:30:00Z"])
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    merged: bool = Field(False, description="Closed as a duplicate of another case.")
    title: str | None = Field(None, examples=["公式サイトの閲覧障害"])
    report_id: int | None = None
    organisation: Ref | None = None
    severity: str | None = Field(None, description="The centre only.", examples=["high"])
    assignee: Ref | None = Field(None, description="The centre only.")
    event_impact: str | None = Field(None, description="The centre only.", examples=["yes"])
    public_awareness: str | None = Field(None, description="The centre only.")
    impact_note: str | None = Field(None, description="The centre only.")
    for_sitrep: bool | None = Field(None, description="The centre only.")
    merged_into: int | None = Field(None, description="The centre only.")
    acknowledged_at: datetime | None = None
    first_response_at: datetime | None = None
    ack_overdue: bool | None = Field(None, description="The centre only.")
    response_overdue: bool | None = Field(None, description="The centre only.")
    updated_at: datetime | None = None


class EntryOut(Schema):
    id: int = Field(examples=[901])
    kind: str = Field(examples=["message"])
    kind_label: str = Field(examples=["Message"])
    audience: str = Field(examples=["reporter"])
    author: Ref | None = Field(
        description="Shown to the centre, and to others for their own organisation's people."
    )
    body: str = Field(examples=["復旧しました。"])
    data: dict[str, Any]
    created_at: datetime = Field(examples=["2026-07-24T09:30:00Z"])


class CaseFilters(PageIn):
    state: str | None = Field(
        None,
        pattern=r"^(all|new|triage|in_progress|waiting|resolved|closed)$",
        description="A state, or all (default: the open cases).",
    )
    severity: Severity | None = None
    category: ReportCategory | None = None
    kind: ReportKind | None = None
    assignee: str | None = Field(
        None, pattern=r"^(me|none|[1-9][0-9]{0,18})$", description="me, none or a person's id."
    )
    organisation: Id | None = Field(None, description="The reporting organisation (id).")
    sector: Id | None = Field(None, description="The reporting organisation's sector (id).")
    for_sitrep: bool | None = None
    overdue: bool = Field(False, description="Only cases past their acknowledge or answer time.")
    q: str | None = Field(None, max_length=200, description="Text in the title.")
    sort: Literal["newest", "oldest", "severity", "updated"] = "newest"

    @field_validator("q")
    @classmethod
    def _clean_q(cls, value: str | None) -> str | None:
        return clean_text(value)


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=10000, examples=["状況を教えてください。"])
    internal: bool = Field(False, description="An internal note (the centre only).")


class StateIn(Schema):
    state: CaseState = Field(examples=["in_progress"])
    note: str = Field("", max_length=10000, description="Shown to the reporter.")


class AssignIn(Schema):
    assignee: Id | None = Field(description="One of the centre's staff (id), or null.")
