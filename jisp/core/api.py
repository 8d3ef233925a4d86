"""The JSON API of ``core``: the caller, sectors, organisations, people, memberships, invitations.

Mounted at ``/api/v1/`` by ``jisp.api``, which signs the caller in (token or session), checks the
token's scope, answers errors as ``{"detail": ...}`` and records every call in the audit log.
Every operation here asks ``jisp.core.policy`` what the caller may see; writes go through the
named actions of ``jisp.core.services``.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Status

from jisp.core import policy
from jisp.core.models import Membership, Organisation, Sector, User
from jisp.core.schemas import (
    ERRORS_READ,
    ERRORS_WRITE,
    MAX_ID,
    InvitationIn,
    InvitationOut,
    MembershipChangeIn,
    MembershipFilters,
    MembershipOut,
    MeOut,
    OrganisationFilters,
    OrganisationOut,
    Page,
    PeopleFilters,
    PersonOut,
    SectorOut,
    paginate,
)
from jisp.core.services import accounts, directory

router = Router(tags=["core"])

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="The item's id.")]


class SectorPage(Page[SectorOut]):
    pass


class OrganisationPage(Page[OrganisationOut]):
    pass


class PersonPage(Page[PersonOut]):
    pass


class MembershipPage(Page[MembershipOut]):
    pass


def api_user(request: HttpRequest) -> User:
    """The signed-in caller (``jisp.api`` has already refused anyone else)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _memberships(user: User) -> QuerySet[Membership]:
    return policy.visible_memberships(
        user, Membership.objects.select_related("organisation", "user")
    )


# --- The caller --------------------------------------------------------------------------------


@router.get(
    "/me",
    response={200: MeOut, **ERRORS_READ},
    summary="Who am I",
    description="The caller: their person, memberships, roles, two-factor and token scope.",
)
def me(request: HttpRequest) -> dict[str, Any]:
    user = api_user(request)
    access = policy.access(user)
    token = getattr(request, "jisp_token", None)
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "name_en": user.name_en,
        "language": user.language,
        "two_factor": user.has_two_factor,
        "roles": sorted(access.roles),
        "is_centre_staff": access.is_centre_staff,
        "memberships": list(_memberships(user).filter(user_id=user.pk)),
        "via": "token" if token is not None else "session",
        "token_scope": token.scope if token is not None else None,
        "token_expires_at": token.expires_at if token is not None else None,
    }


# --- Sectors and organisations -----------------------------------------------------------------


@router.get(
    "/sectors",
    response={200: SectorPage, **ERRORS_READ},
    summary="Sectors",
    description="The sectors of critical services, with the ministry in charge of each.",
)
def sectors(request: HttpRequest) -> dict[str, Any]:
    items = list(Sector.objects.all()) if policy.access(api_user(request)).is_member else []
    return {"count": len(items), "items": items}


@router.get(
    "/organisations",
    response={200: OrganisationPage, **ERRORS_READ},
    summary="Organisations",
    description=(
        "The organisations in the directory that the caller may see, by name. "
        "Paginated with `limit` / `offset`: `{count, items}`."
    ),
)
def organisations(request: HttpRequest, filters: Query[OrganisationFilters]) -> dict[str, Any]:
    qs = policy.visible_organisations(
        api_user(request), Organisation.objects.select_related("sector")
    )
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Q(name_en__icontains=filters.q)
            | Q(short_name__icontains=filters.q)
        )
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.sector:
        qs = qs.filter(sector__code=filters.sector)
    return paginate(qs, filters)


@router.get(
    "/organisations/{id}",
    response={200: OrganisationOut, **ERRORS_READ},
    summary="One organisation",
)
def organisation(request: HttpRequest, id: PathId) -> Organisation:
    qs = policy.visible_organisations(
        api_user(request), Organisation.objects.select_related("sector")
    )
    return get_object_or_404(qs, pk=id)


@router.post(
    "/organisations/{id}/invitations",
    response={201: InvitationOut, **ERRORS_WRITE},
    summary="Invite a person",
    description=(
        "Invite someone to the organisation with a role (its administrators and the centre; "
        "a token with the write scope). The link is e-mailed to them and never returned here."
    ),
)
def invite(request: HttpRequest, id: PathId, payload: InvitationIn) -> Status:
    user = api_user(request)
    organisation = get_object_or_404(policy.visible_organisations(user), pk=id)
    invitation, token = accounts.invite_person(
        request, user, organisation, payload.email, payload.role
    )
    invitation.email_sent = directory.send_invitation(invitation, token)  # type: ignore[attr-defined]
    return Status(201, invitation)


# --- People and memberships --------------------------------------------------------------------


def _people(user: User) -> QuerySet[User]:
    shown = _memberships(user).order_by("organisation_id", "role", "id")
    return policy.visible_people(user).prefetch_related(
        Prefetch("memberships", queryset=shown, to_attr="visible_memberships")
    )


@router.get(
    "/people",
    response={200: PersonPage, **ERRORS_READ},
    summary="People",
    description=(
        "The people the caller may see (those of their organisations; everyone for the "
        "centre), by e-mail address. Paginated with `limit` / `offset`: `{count, items}`."
    ),
)
def people(request: HttpRequest, filters: Query[PeopleFilters]) -> dict[str, Any]:
    qs = _people(api_user(request))
    if filters.organisation:
        qs = qs.filter(
            Exists(
                Membership.objects.filter(
                    user_id=OuterRef("pk"), organisation_id=filters.organisation
                )
            )
        )
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Q(name_en__icontains=filters.q)
            | Q(email__icontains=filters.q)
        )
    return paginate(qs, filters)


@router.get(
    "/people/{id}",
    response={200: PersonOut, **ERRORS_READ},
    summary="One person",
)
def person(request: HttpRequest, id: PathId) -> User:
    return get_object_or_404(_people(api_user(request)), pk=id)


@router.get(
    "/memberships",
    response={200: MembershipPage, **ERRORS_READ},
    summary="Memberships",
    description=(
        "Who holds which role in the organisations the caller may see. "
        "Paginated with `limit` / `offset`: `{count, items}`."
    ),
)
def memberships(request: HttpRequest, filters: Query[MembershipFilters]) -> dict[str, Any]:
    qs = _memberships(api_user(request))
    if filters.organisation:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.user:
        qs = qs.filter(user_id=filters.user)
    return paginate(qs, filters)


@router.patch(
    "/memberships/{id}",
    response={200: MembershipOut, **ERRORS_WRITE},
    summary="Change a role",
    description=(
        "Give the membership another role (the organisation's administrators and the centre; "
        "a token with the write scope). If the person already holds that role, the two merge."
    ),
)
def change_membership(request: HttpRequest, id: PathId, payload: MembershipChangeIn) -> Membership:
    user = api_user(request)
    membership = get_object_or_404(_memberships(user), pk=id)
    accounts.set_role(request, user, membership, payload.role)
    if membership.pk is None:  # merged into the role the person already held
        return _memberships(user).get(
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            role=payload.role,
        )
    return membership


@router.delete(
    "/memberships/{id}",
    response={204: None, **ERRORS_WRITE},
    summary="Remove a membership",
    description="Take the role away (the organisation's administrators and the centre).",
)
def remove_membership(request: HttpRequest, id: PathId) -> Status:
    user = api_user(request)
    membership = get_object_or_404(_memberships(user), pk=id)
    accounts.remove_membership(request, user, membership)
    return Status(204, None)
