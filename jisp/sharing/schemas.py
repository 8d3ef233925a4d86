"""Shapes of the topics API (``jisp.sharing.api``).

Out-schemas are filled from dicts built per caller by the API (the source as the caller may know
it, the audience lists only for the source organisation and the centre), never straight from a
model: what a caller may not learn is simply not put in. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from jisp.core.choices import TLP, Audience
from jisp.core.schemas import Id, Moment, OrganisationRef, PageIn, SectorRef, clean_text
from jisp.sharing.choices import TopicCategory, TopicStatus

# --- Out ----------------------------------------------------------------------------------------


class PersonName(Schema):
    id: int = Field(examples=[101])
    name: str = Field(examples=["鈴木 愛"])


class TopicOut(Schema):
    """A topic in a list."""

    id: int = Field(examples=[12])
    title: str = Field(examples=["【重要】被害報告を装ったプログラムに関する注意喚起"])
    summary: str = Field(description="In plain language, for readers who are not experts.")
    category: TopicCategory = Field(examples=["important"])
    category_label: str = Field(examples=["Important"])
    tlp: TLP = Field(examples=["amber"])
    audience: Audience = Field(
        description="Who it is shared with, as a kind (the lists are in the detail, for the "
        "source and the centre only).",
        examples=["everyone"],
    )
    tags: list[str] = Field(examples=[["phishing"]])
    professional: bool = Field(description="Technical content for security experts.")
    pinned: bool
    requires_ack: bool = Field(description="Each targeted organisation confirms it.")
    status: TopicStatus = Field(examples=["published"])
    version: int = Field(examples=[2])
    source: OrganisationRef = Field(
        description="The source as the caller may know it: a topic published on a member's "
        "behalf shows the coordination centre."
    )
    published_at: datetime | None = Field(examples=["2026-07-24T09:30:00Z"])
    updated_at: datetime
    valid_until: datetime | None
    view_count: int
    viewer_count: int
    unread: bool = Field(description="The caller has not opened it yet.")
    changed: bool = Field(description="It has a version newer than the one the caller read.")
    needs_ack: bool = Field(description="One of the caller's organisations has to acknowledge it.")


class AttachmentOut(Schema):
    id: int
    filename: str = Field(examples=["hashes.csv"])
    content_type: str = Field(examples=["text/csv"])
    size: int = Field(description="Bytes.", examples=[2048])
    sha256: str
    url: str = Field(description="The download (always served as a file).")
    created_at: datetime


class AckOut(Schema):
    """An organisation's acknowledgement of a topic."""

    organisation: OrganisationRef
    read_at: datetime | None
    actioned_at: datetime | None
    note: str


class AudienceListsOut(Schema):
    sectors: list[SectorRef]
    organisations: list[OrganisationRef]
    people: list[PersonName]


class TopicDetailOut(TopicOut):
    """One topic: its text, attachments and the caller's acknowledgements."""

    body: str = Field(description="Markdown.")
    body_html: str = Field(description="The body rendered and sanitised.")
    actions: list[str] = Field(description="Recommended actions (a checklist).")
    author: PersonName | None = Field(
        description="Null when naming the author would give away an anonymous source."
    )
    versions_count: int
    comments_count: int
    attachments: list[AttachmentOut]
    acknowledgements: list[AckOut] = Field(
        description="The caller's organisations' acknowledgements (empty when none is asked)."
    )
    audience_lists: AudienceListsOut | None = Field(
        description="Whom it is shared with: only for its source organisation and the centre."
    )
    following: str = Field(description="follow, mute or none: the caller's choice for it.")


class VersionOut(Schema):
    number: int = Field(examples=[2])
    title: str
    summary: str
    actions: list[str]
    body: str
    change_note: str = Field(examples=["30 July: new hashes"])
    created_at: datetime


class CommentOut(Schema):
    id: int
    parent: int | None = Field(description="The comment this one answers (one level deep).")
    author: PersonName | None = Field(
        description="Null when naming the author would give away an anonymous source."
    )
    body: str
    created_at: datetime
    edited_at: datetime | None


# --- In -----------------------------------------------------------------------------------------


class TopicFilters(PageIn):
    q: str | None = Field(
        None, max_length=200, description="Words to search (Japanese or English)."
    )
    category: TopicCategory | None = None
    tlp: TLP | None = None
    tag: str | None = Field(None, max_length=50)
    sector: str | None = Field(
        None, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$", description="A sector's code."
    )
    since: Moment | None = Field(None, description="Published at or after this time.")
    unread: bool = Field(False, description="Only topics not read, or changed since read.")
    needs_ack: bool = Field(False, description="Only topics my organisation must acknowledge.")
    professional: bool = Field(False, description="Only professional (technical) topics.")
    status: TopicStatus | None = Field(
        None, description="Published, or (one's own) drafts, waiting for review, returned."
    )

    @field_validator("q", "tag")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return clean_text(value)


class SearchFilters(TopicFilters):
    q: str | None = Field(None, max_length=200, min_length=1, description="Words to search.")


class TopicIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=20_000)
    body: str = Field("", max_length=200_000, description="Markdown.")
    actions: list[str] = Field(default_factory=list, max_length=30)
    category: TopicCategory = TopicCategory.INFORMATION
    tags: list[str] = Field(default_factory=list, max_length=20)
    tlp: TLP = TLP.AMBER
    audience: Audience = Audience.EVERYONE
    sectors: list[str] = Field(default_factory=list, max_length=50, description="Sector codes.")
    organisations: list[Id] = Field(default_factory=list, max_length=500)
    people: list[Id] = Field(default_factory=list, max_length=500)
    professional: bool = False
    valid_until: Moment | None = None
    pinned: bool = Field(False, description="The centre only.")
    requires_ack: bool = Field(False, description="The centre only.")
    organisation: Id | None = Field(
        None, description="The source: one of the caller's organisations (default: the first)."
    )
    publish: bool = Field(
        True, description="Publish (the centre) or send to review (members); false: a draft."
    )


class TopicPatchIn(Schema):
    """A new version: the fields sent replace the current ones; ``change_note`` is required."""

    change_note: str = Field(min_length=1, max_length=300, examples=["30 July: new hashes"])
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, min_length=1, max_length=20_000)
    body: str | None = Field(None, max_length=200_000)
    actions: list[str] | None = Field(None, max_length=30)
    category: TopicCategory | None = None
    tags: list[str] | None = Field(None, max_length=20)
    tlp: TLP | None = None
    audience: Audience | None = None
    sectors: list[str] | None = Field(None, max_length=50)
    organisations: list[Id] | None = Field(None, max_length=500)
    people: list[Id] | None = Field(None, max_length=500)
    professional: bool | None = None
    valid_until: Moment | None = None
    pinned: bool | None = None
    requires_ack: bool | None = None

    @field_validator("change_note")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("Say what changed in this version."))
        return value.strip()


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=5000)
    parent: Id | None = Field(None, description="The comment to answer.")


class AcknowledgeIn(Schema):
    organisation: Id | None = Field(
        None, description="Which of the caller's organisations (default: their only one)."
    )
    actioned: bool = Field(False, description="Also confirm that it was acted on.")
    note: str = Field("", max_length=500)
