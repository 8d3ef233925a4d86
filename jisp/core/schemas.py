"""Shapes of the JSON API of ``core``, and the pieces every app's API shares.

Shared: ``ErrorOut`` (every 4xx answer is ``{"detail": ...}``), ``PageIn`` and ``paginate()``
(every list answers ``{"count": n, "items": [...]}``, with ``limit`` / ``offset`` in the query),
``ERRORS_READ`` / ``ERRORS_WRITE`` (the error statuses to document on an operation), and the bounded
integer ``Id`` for path and query parameters (an id beyond the database's range is a 422, not a
crash). Times are ISO 8601 in UTC (``2026-07-24T09:30:00Z``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, field_validator

from jisp.core.choices import OrganisationCategory, Role, TokenScope

T = TypeVar("T")

#: The largest id a path or query parameter may carry (SQLite's and PostgreSQL's bigint).
MAX_ID = 2**63 - 1
#: The largest offset a list accepts: far beyond any list, well inside every database's range.
MAX_OFFSET = 10**9

Id = Annotated[int, Field(ge=1, le=MAX_ID, examples=[42])]


def _moment(value: datetime) -> datetime:
    """A time the databases can store: in UTC (naive means UTC), between 1970 and 9998."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("time out of range") from None
    if not 1970 <= value.year < 9999:
        raise ValueError("time out of range: use a year from 1970")
    return value


#: A point in time from a client, e.g. "2026-07-24T09:30:00+09:00", kept in UTC.
Moment = Annotated[datetime, AfterValidator(_moment)]


class ErrorDetail(Schema):
    """One problem with one input: where it is and what is wrong, in the caller's language."""

    loc: list[str | int] = Field(
        description="Where: the part of the request (path, query, body) then the field.",
        examples=[["body", "email"]],
    )
    msg: str = Field(description="What is wrong.", examples=["This field is required."])
    type: str = Field(description="A stable code of the problem.", examples=["missing"])


class ErrorOut(Schema):
    """Every error answer: a message, or (422) a list of problems with their places."""

    detail: str | list[ErrorDetail] = Field(
        description="A message in the caller's language, or the list of invalid inputs (422).",
        examples=["Not found."],
    )


#: Error statuses to declare on every read operation, and on every write operation.
ERRORS_READ: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}
ERRORS_WRITE: dict[int, Any] = {**ERRORS_READ, 400: ErrorOut, 413: ErrorOut}


class PageIn(Schema):
    """``limit`` / ``offset`` of a list. Larger limits than the maximum are refused (422)."""

    limit: int = Field(
        settings.NINJA_PAGINATION_PER_PAGE,
        ge=1,
        le=settings.NINJA_PAGINATION_MAX_LIMIT,
        description="How many items to return.",
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


#: Lists count their items up to this number (``count_complete`` says whether it was reached).
COUNT_LIMIT = 10_000


class Page(Schema, Generic[T]):
    """A page of a list: the number of items (up to ``COUNT_LIMIT``) and the items of this page."""

    count: int = Field(
        description=f"How many items the whole list has, counted up to {COUNT_LIMIT:,}.",
        examples=[1],
    )
    count_complete: bool = Field(
        True,
        description=(
            f"False when the list has more than {COUNT_LIMIT:,} items (count is then "
            f"{COUNT_LIMIT:,}): page on until a page comes back shorter than the limit."
        ),
    )
    items: list[T]


def paginate(queryset: QuerySet[Any], page: PageIn) -> dict[str, Any]:
    """``{"count": n, "count_complete": bool, "items": [...]}`` of ``queryset`` for the page:
    two queries. The count stops at ``COUNT_LIMIT`` (counting the 700,000 topics a member may
    see took 1-2 s a page; polling with ``since`` keeps lists short)."""
    items = list(queryset[page.offset : page.offset + page.limit])
    # When the whole list fits on the first page, its length is the count: no COUNT query.
    if page.offset == 0 and len(items) < page.limit:
        return {"count": len(items), "count_complete": True, "items": items}
    counted = queryset.order_by()[: COUNT_LIMIT + 1].count()
    return {
        "count": min(counted, COUNT_LIMIT),
        "count_complete": counted <= COUNT_LIMIT,
        "items": items,
    }


def clean_text(value: str | None) -> str | None:
    """A free-text filter without NUL characters (PostgreSQL refuses them) and outer spaces."""
    if value is None:
        return None
    return value.replace("\x00", "").strip() or None


# --- Sectors and organisations ----------------------------------------------------------------


class SectorOut(Schema):
    id: int = Field(examples=[3])
    code: str = Field(description="A stable code.", examples=["railways"])
    name: str = Field(description="The name in the caller's language.", examples=["Railways"])
    name_ja: str = Field(examples=["鉄道"])
    name_en: str = Field(examples=["Railways"])
    ministry_id: int | None = Field(
        description="The organisation of the ministry in charge, if set.", examples=[7]
    )


class SectorRef(Schema):
    id: int = Field(examples=[3])
    code: str = Field(examples=["railways"])
    name: str = Field(examples=["Railways"])


class OrganisationRef(Schema):
    id: int = Field(examples=[12])
    name: str = Field(description="The name in the caller's language.", examples=["Test Railway"])


class OrganisationOut(Schema):
    id: int = Field(examples=[12])
    name: str = Field(description="The official (Japanese) name.", examples=["東日本旅客鉄道"])
    name_en: str = Field(examples=["East Japan Railway"])
    short_name: str = Field(examples=["JR East"])
    display_name: str = Field(
        description="The name in the caller's language.", examples=["East Japan Railway"]
    )
    category: OrganisationCategory = Field(examples=["operator"])
    category_label: str = Field(examples=["Critical-service operator"])
    sector: SectorRef | None
    is_active: bool
    listed: bool = Field(description="Whether other members see it in the directory.")
    created_at: datetime = Field(examples=["2026-07-24T09:30:00Z"])

    @staticmethod
    def resolve_category_label(obj: Any) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_sector(obj: Any) -> dict[str, Any] | None:
        sector = obj.sector
        if sector is None:
            return None
        return {"id": sector.pk, "code": sector.code, "name": sector.name}


class OrganisationFilters(PageIn):
    q: str | None = Field(
        None, max_length=100, description="Text in the name, English name or short name."
    )
    category: OrganisationCategory | None = Field(None, description="Only this category.")
    sector: str | None = Field(
        None, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$", description="Only this sector (code)."
    )

    @field_validator("q")
    @classmethod
    def _clean_q(cls, value: str | None) -> str | None:
        return clean_text(value)


# --- People and memberships --------------------------------------------------------------------


class PersonRef(Schema):
    id: int = Field(examples=[101])
    name: str = Field(examples=["鈴木 愛"])
    email: str = Field(examples=["alice@rail.example"])


class PersonMembershipOut(Schema):
    id: int = Field(examples=[55])
    organisation: OrganisationRef
    role: Role = Field(examples=["member"])

    @staticmethod
    def resolve_organisation(obj: Any) -> dict[str, Any]:
        return {"id": obj.organisation_id, "name": obj.organisation.display_name}


class PersonOut(Schema):
    id: int = Field(examples=[101])
    name: str = Field(examples=["鈴木 愛"])
    name_en: str = Field(examples=["Ai Suzuki"])
    email: str = Field(examples=["alice@rail.example"])
    is_active: bool
    memberships: list[PersonMembershipOut] = Field(
        description="The person's roles in the organisations the caller may see."
    )

    @staticmethod
    def resolve_memberships(obj: Any) -> list[Any]:
        return list(getattr(obj, "visible_memberships", []))


class PeopleFilters(PageIn):
    q: str | None = Field(None, max_length=100, description="Text in the name or e-mail address.")
    organisation: Id | None = Field(None, description="Only members of this organisation (id).")

    @field_validator("q")
    @classmethod
    def _clean_q(cls, value: str | None) -> str | None:
        return clean_text(value)


class MembershipOut(Schema):
    id: int = Field(examples=[55])
    user: PersonRef
    organisation: OrganisationRef
    role: Role = Field(examples=["member"])
    role_label: str = Field(examples=["Member"])
    created_at: datetime = Field(examples=["2026-07-24T09:30:00Z"])

    @staticmethod
    def resolve_user(obj: Any) -> dict[str, Any]:
        return {"id": obj.user_id, "name": obj.user.name, "email": obj.user.email}

    @staticmethod
    def resolve_organisation(obj: Any) -> dict[str, Any]:
        return {"id": obj.organisation_id, "name": obj.organisation.display_name}

    @staticmethod
    def resolve_role_label(obj: Any) -> str:
        return str(obj.get_role_display())


class MembershipFilters(PageIn):
    organisation: Id | None = Field(None, description="Only this organisation (id).")
    user: Id | None = Field(None, description="Only this person (id).")


class MembershipChangeIn(Schema):
    role: Role = Field(description="The new role.", examples=["org_admin"])


# --- Invitations -------------------------------------------------------------------------------


class InvitationIn(Schema):
    email: str = Field(
        min_length=3, max_length=254, description="Who to invite.", examples=["new@rail.example"]
    )
    role: Role = Field(Role.MEMBER, description="The role they get.", examples=["member"])

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str) -> str:
        address = value.strip().lower()
        try:
            validate_email(address)
        except DjangoValidationError:
            raise ValueError(_("Enter a valid e-mail address.")) from None
        return address


class InvitationOut(Schema):
    """An invitation as sent. Its secret link goes only to the invited address, never here."""

    id: int = Field(examples=[9])
    email: str = Field(examples=["new@rail.example"])
    organisation: OrganisationRef
    role: Role = Field(examples=["member"])
    invited_by: PersonRef | None
    created_at: datetime = Field(examples=["2026-07-24T09:30:00Z"])
    expires_at: datetime = Field(examples=["2026-08-07T09:30:00Z"])
    email_sent: bool = Field(description="Whether the e-mail was handed to the mail server.")

    @staticmethod
    def resolve_organisation(obj: Any) -> dict[str, Any]:
        return {"id": obj.organisation_id, "name": obj.organisation.display_name}

    @staticmethod
    def resolve_invited_by(obj: Any) -> dict[str, Any] | None:
        user = obj.invited_by
        return None if user is None else {"id": user.pk, "name": user.name, "email": user.email}

    @staticmethod
    def resolve_email_sent(obj: Any) -> bool:
        return bool(getattr(obj, "email_sent", False))


# --- The caller --------------------------------------------------------------------------------


class MeOut(Schema):
    """Who is calling, with what access."""

    id: int = Field(examples=[101])
    email: str = Field(examples=["alice@rail.example"])
    name: str = Field(examples=["鈴木 愛"])
    name_en: str = Field(examples=["Ai Suzuki"])
    language: str = Field(examples=["ja"])
    two_factor: bool = Field(description="Whether two-factor sign-in is set up.")
    roles: list[Role] = Field(description="The roles that count for access.", examples=[["member"]])
    is_centre_staff: bool
    memberships: list[PersonMembershipOut]
    via: str = Field(description="How the call was signed: token or session.", examples=["token"])
    token_scope: TokenScope | None = Field(
        description="The token's scope (read or write); null when signed in by session.",
        examples=["read"],
    )
    token_expires_at: datetime | None = Field(examples=["2026-10-22T09:30:00Z"])
