"""Shapes of the intel API (indicators, extraction, sightings, verdict requests, assets).

Out-schemas are filled from dicts built per caller (``jisp.intel.api.*``): what a person may not
know -- another vendor's name, the member on whose behalf the centre asked, a sighting's audience
-- is never put in them. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import field_validator

from jisp.core.choices import TLP, Audience
from jisp.core.schemas import Id, Moment, OrganisationRef, PageIn, clean_text
from jisp.intel.choices import AssetKind, IndicatorKind, Verdict, VerdictState
from jisp.intel.models import MAX_VALUE_LENGTH

# --- Indicators -------------------------------------------------------------------------------


class IndicatorOut(Schema):
    id: int = Field(examples=[42])
    kind: IndicatorKind = Field(examples=["domain"])
    value: str = Field(examples=["olympic-live.example"])
    name: str = ""
    description: str = ""
    labels: list[str] = Field(default_factory=list, examples=[["phishing"]])
    malware: str = Field("", examples=["Emotet"])
    confidence: int = Field(examples=[80])
    sources: list[str] = Field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    valid_from: datetime
    valid_until: datetime | None = None
    false_positive: bool
    false_positive_note: str = ""
    revoked: bool
    active: bool = Field(description="In exports: not withdrawn, not a false positive, valid.")
    tlp: TLP = Field(examples=["green"])
    audience: Audience = Field(examples=["everyone"])
    organisation: OrganisationRef = Field(description="The source.")
    stix_id: str = Field(examples=["indicator--6f1c..."])
    created: datetime
    modified: datetime
    changed_at: datetime
    can_change: bool = Field(description="Whether the caller may change it.")


class RelatedItem(Schema):
    id: int
    title: str
    organisation: OrganisationRef | None = None


class RelatedOut(Schema):
    """Everything the caller may see that names the same value."""

    indicators: list[IndicatorOut] = Field(description="The same value from other sources.")
    topics: list[RelatedItem]
    reports: list[RelatedItem]
    cases: list[RelatedItem] = Field(description="The centre only.")
    sightings_count: int
    sightings_organisations: int
    sightings_last_seen: datetime | None = None


class IndicatorDetailOut(IndicatorOut):
    sectors: list[str] | None = Field(None, description="For those who may change it.")
    organisations: list[OrganisationRef] | None = None
    people: list[int] | None = None
    related: RelatedOut


class IndicatorFilters(PageIn):
    q: str | None = Field(None, max_length=200, description="Part of the value, name or malware.")
    kind: IndicatorKind | None = None
    tlp: TLP | None = None
    label: str | None = Field(None, max_length=50, description="Only with this tag.")
    source: Id | None = Field(None, description="Only from this organisation (id).")
    active: bool | None = Field(None, description="Only active (true) or inactive (false) ones.")
    false_positive: bool | None = None
    since: Moment | None = Field(None, description="Changed at or after.")
    sort: str = Field(
        "-changed_at",
        pattern=r"^-?(changed_at|value|kind|confidence|last_seen)$",
        description="changed_at, value, kind, confidence or last_seen; '-' for descending.",
    )

    @field_validator("q", "label")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return clean_text(value)


class IndicatorIn(Schema):
    kind: IndicatorKind = Field(examples=["domain"])
    value: str = Field(min_length=1, max_length=MAX_VALUE_LENGTH, examples=["evil.example"])
    name: str = Field("", max_length=200)
    description: str = Field("", max_length=20_000)
    labels: list[str] = Field(default_factory=list, max_length=20)
    malware: str = Field("", max_length=100)
    confidence: int = Field(50, ge=0, le=100)
    sources: list[str] = Field(default_factory=list, max_length=20)
    first_seen: Moment | None = None
    last_seen: Moment | None = None
    valid_until: Moment | None = None
    tlp: TLP = TLP.GREEN
    audience: Audience = Audience.EVERYONE
    sectors: list[str] = Field(default_factory=list, max_length=50, description="Sector codes.")
    organisations: list[Id] = Field(default_factory=list, max_length=500)
    people: list[Id] = Field(default_factory=list, max_length=500)
    organisation: Id | None = Field(
        None, description="The source: one of the caller's organisations (default: theirs)."
    )


class IndicatorPatchIn(Schema):
    """The fields sent replace the current ones."""

    kind: IndicatorKind | None = None
    value: str | None = Field(None, min_length=1, max_length=MAX_VALUE_LENGTH)
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    labels: list[str] | None = Field(None, max_length=20)
    malware: str | None = Field(None, max_length=100)
    confidence: int | None = Field(None, ge=0, le=100)
    sources: list[str] | None = Field(None, max_length=20)
    first_seen: Moment | None = None
    last_seen: Moment | None = None
    valid_until: Moment | None = None
    tlp: TLP | None = None
    audience: Audience | None = None
    sectors: list[str] | None = Field(None, max_length=50)
    organisations: list[Id] | None = Field(None, max_length=500)
    people: list[Id] | None = Field(None, max_length=500)


class FalsePositiveIn(Schema):
    note: str = Field("", max_length=500, description="Why (required unless undoing).")
    undo: bool = Field(False, description="Take the marking back.")


# --- Extraction -------------------------------------------------------------------------------


class ExtractIn(Schema):
    text: str = Field(min_length=1, max_length=500_000, description="Any text: e-mail, report...")


class WarningOut(Schema):
    name: str = Field(description="The warninglist's name.", examples=["Public DNS resolvers"])
    note: str = ""


class FoundOut(Schema):
    kind: IndicatorKind
    value: str = Field(description="Normalised.")
    original: str = Field(description="As written in the text.")
    defanged: bool = Field(description="Written defanged (hxxp, [.], (dot)...).")
    start: int = Field(description="Where in the text (characters from the start).")
    warnings: list[WarningOut] = Field(description="Known-benign lists the value is on.")
    known: bool = Field(description="An indicator the caller may see has this value.")
    own_indicator: int | None = Field(
        None, description="The caller's organisation's indicator with this value, if any."
    )


class ExtractOut(Schema):
    count: int
    items: list[FoundOut]


class BulkIn(Schema):
    """Reviewed values to save as indicators, all with the same sharing; all or nothing."""

    items: list[IndicatorIn] = Field(min_length=1, max_length=1000)


class BulkOut(Schema):
    count: int
    items: list[IndicatorOut]


# --- Sightings --------------------------------------------------------------------------------


class SightingOut(Schema):
    id: int
    indicator: int
    indicator_kind: IndicatorKind
    indicator_value: str
    count: int
    first_seen: datetime
    last_seen: datetime
    where: str = ""
    note: str = ""
    tlp: TLP
    audience: Audience
    organisation: OrganisationRef = Field(description="Who saw it.")
    created_at: datetime


class SightingFilters(PageIn):
    indicator: Id | None = Field(None, description="Only of this indicator.")
    since: Moment | None = Field(None, description="Last seen at or after.")
    mine: bool = Field(False, description="Only my organisations' sightings.")


class SightingIn(Schema):
    indicator: Id
    count: int = Field(1, ge=1, le=1_000_000_000)
    first_seen: Moment | None = None
    last_seen: Moment | None = Field(None, description="Default: now.")
    where: str = Field("", max_length=300, examples=["web proxy, head office"])
    note: str = Field("", max_length=5000)
    tlp: TLP = TLP.AMBER
    audience: Audience = Field(Audience.CENTRE, description="Default: the centre only.")
    sectors: list[str] = Field(default_factory=list, max_length=50)
    organisations: list[Id] = Field(default_factory=list, max_length=500)
    people: list[Id] = Field(default_factory=list, max_length=500)


class ActiveOut(Schema):
    indicator: IndicatorOut
    sightings: int
    times_seen: int
    organisations: int
    last_seen: datetime


class ActiveFilters(Schema):
    days: int = Field(7, ge=1, le=365)


# --- Verdict requests -------------------------------------------------------------------------


class AnswerOut(Schema):
    id: int
    vendor: str = Field(description="The vendor's name, or 'Vendor 1'... for the member.")
    vendor_id: int | None = None
    own: bool = Field(description="The caller's vendor's answer (the one they may give).")
    verdict: Verdict | None = None
    confidence: int | None = None
    notes: str = ""
    answered_at: datetime | None = None
    answered_by: str = ""


class CombinedOut(Schema):
    verdict: Verdict | None = None
    confidence: int | None = None
    harmful: int
    harmless: int
    unknown: int
    waiting: int


class VerdictRequestOut(Schema):
    id: int
    kind: IndicatorKind
    value: str
    question: str = ""
    state: VerdictState
    created_at: datetime
    closed_at: datetime | None = None
    # For the centre only:
    on_behalf_of: OrganisationRef | None = None
    share_with_member: bool | None = None
    indicator: int | None = None
    requested_by: str | None = None


class VerdictRequestDetailOut(VerdictRequestOut):
    answers: list[AnswerOut]
    combined: CombinedOut | None = Field(None, description="The centre and the member only.")


class VerdictFilters(PageIn):
    state: VerdictState | None = None


class VerdictRequestIn(Schema):
    kind: IndicatorKind
    value: str = Field(min_length=1, max_length=MAX_VALUE_LENGTH)
    vendors: list[Id] = Field(min_length=1, max_length=20, description="Vendor organisations.")
    question: str = Field("", max_length=5000)
    on_behalf_of: Id | None = Field(None, description="The member who asked the centre.")
    share_with_member: bool = True
    indicator: Id | None = None


class AnswerIn(Schema):
    verdict: Verdict
    confidence: int | None = Field(None, ge=0, le=100)
    notes: str = Field("", max_length=10_000)


# --- Assets -----------------------------------------------------------------------------------


class AssetOut(Schema):
    id: int
    organisation: OrganisationRef
    kind: AssetKind
    value: str
    note: str = ""
    created_at: datetime


class AssetFilters(PageIn):
    organisation: Id | None = None
    kind: AssetKind | None = None


class AssetIn(Schema):
    kind: AssetKind
    value: str = Field(min_length=1, max_length=255, examples=["rail.example"])
    note: str = Field("", max_length=200)
    organisation: Id | None = Field(
        None, description="Whose asset (default: the caller's organisation)."
    )
