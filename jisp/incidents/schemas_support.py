"""Shapes of the support-request API (``/api/v1/incidents/support``)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from jisp.core.schemas import PageIn
from jisp.incidents.choices import SupportState


class OrganisationRefOut(Schema):
    id: int
    name: str


class PersonRefOut(Schema):
    id: int
    name: str


class SupportCaseOut(Schema):
    """What the asked organisation may know of the case."""

    id: int
    title: str
    category: str
    category_label: str
    tlp: str
    state: str
    description: str = Field(description="The report's description, shared by the request.")


class SupportEntryOut(Schema):
    id: int
    kind: str
    step: str = Field(description="requested, accepted, declined, findings, closed; or empty.")
    author: PersonRefOut | None
    body: str
    created_at: datetime


class SupportOut(Schema):
    id: int
    case: SupportCaseOut | None = Field(
        description="Empty when the asked organisation declined: the case is no longer shared."
    )
    organisation: OrganisationRefOut
    kinds: list[str]
    message: str
    state: str
    state_label: str
    requested_at: datetime
    answered_at: datetime | None
    answer_note: str
    findings: str
    closed_at: datetime | None


class SupportDetailOut(SupportOut):
    thread: list[SupportEntryOut]


class SupportFilters(PageIn):
    state: SupportState | None = Field(None, description="Only requests in this state.")


class SupportAnswerIn(Schema):
    accept: bool
    note: str = Field("", max_length=20_000)


class FindingsIn(Schema):
    findings: str = Field(min_length=1, max_length=20_000)


class SupportMessageIn(Schema):
    body: str = Field(min_length=1, max_length=20_000)
