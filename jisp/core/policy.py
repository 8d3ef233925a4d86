"""The access policy: the one place that decides who may see and change what.

Every channel (pages, API, TAXII, exports, search, notifications, digests, webhooks) asks this
module; nothing else filters on TLP or audience. The rules are written down in
``docs/access-policy.md``; in short, for an item of a ``Shareable`` model:

* nobody signed out, inactive or without a membership sees anything;
* the author always sees their item;
* TLP:RED: only the author and the named people (audience "people");
* below RED: the source organisation's members, the coordination centre's staff and auditors, and
  the audience: everyone, members of organisations in the chosen sectors, members of the chosen
  organisations, the named people, or nobody more ("the centre only");
* TLP:AMBER+STRICT admits only the audiences "organisations", "people" and "centre"; TLP:RED only
  "people" (``validate_sharing`` enforces it when an item is written, the filters again on read);
* changing: the author, an administrator of the source organisation, or the centre's staff, each
  only while they may see the item; auditors never change anything.

Views call ``visible()`` / ``get_visible_or_404()`` / ``can_view()`` / ``can_change()``;
notification fan-out calls ``audience_users()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.http import Http404
from django.utils.translation import gettext as _

from jisp.core.choices import (
    AUDIENCES_BY_TLP,
    CENTRE_ROLES,
    TLP,
    TWO_FACTOR_ROLES,
    Audience,
    OrganisationCategory,
    Role,
)
from jisp.core.models import Membership, Organisation, Shareable, User
from jisp.core.statements import Statement

S = TypeVar("S", bound=Shareable)
M = TypeVar("M", bound=Model)

#: TLP levels at which an audience beyond the named organisations / people may read.
_WIDE_TLPS = (TLP.CLEAR, TLP.GREEN, TLP.AMBER)


@dataclass(frozen=True)
class Access:
    """What the policy needs to know about one person, computed once per request."""

    user_id: int | None
    organisation_ids: frozenset[int] = frozenset()
    sector_ids: frozenset[int] = frozenset()
    roles: frozenset[str] = frozenset()
    admin_of: frozenset[int] = frozenset()
    centre_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_member(self) -> bool:
        return self.user_id is not None and bool(self.organisation_ids)

    @property
    def is_centre_staff(self) -> bool:
        return bool(self.roles & CENTRE_ROLES)

    @property
    def is_auditor(self) -> bool:
        return Role.AUDITOR in self.roles

    @property
    def sees_all_below_red(self) -> bool:
        return self.is_centre_staff or self.is_auditor

    @property
    def needs_two_factor(self) -> bool:
        return bool(self.roles & TWO_FACTOR_ROLES)


NOBODY = Access(user_id=None)

#: A person's memberships of active organisations, read on every signed-in request: a compiled
#: statement, not a queryset built each time (``jisp.core.statements``).
_MEMBERSHIPS = Statement(
    lambda user_id: Membership.objects.filter(
        user_id=user_id, organisation__is_active=True
    ).values_list("organisation_id", "organisation__sector_id", "organisation__category", "role"),
    int,
)


def access(user: Any) -> Access:
    """The person's ``Access``, cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached: Access | None = getattr(user, "_jisp_access", None)
    if cached is not None:
        return cached
    rows = _MEMBERSHIPS(user.pk)
    org_ids, sector_ids, roles, admin_of, centre_ids = set(), set(), set(), set(), set()
    for org_id, sector_id, category, role in rows:
        org_ids.add(org_id)
        if sector_id:
            sector_ids.add(sector_id)
        if role in CENTRE_ROLES or role == Role.AUDITOR:
            # Centre roles count only in the centre's own organisation.
            if category != OrganisationCategory.CENTRE:
                continue
            centre_ids.add(org_id)
        roles.add(role)
        if role == Role.ORG_ADMIN:
            admin_of.add(org_id)
    result = Access(
        user_id=user.pk,
        organisation_ids=frozenset(org_ids),
        sector_ids=frozenset(sector_ids),
        roles=frozenset(roles),
        admin_of=frozenset(admin_of),
        centre_ids=frozenset(centre_ids),
    )
    user._jisp_access = result
    return result


def forget(user: Any) -> None:
    """Drop the cached ``Access`` (after a membership changed)."""
    if hasattr(user, "_jisp_access"):
        del user._jisp_access


# --- Shared items ----------------------------------------------------------------------------


def _through(model: type[Shareable], name: str) -> tuple[Any, str, str]:
    m2m = model._meta.get_field(name)
    return m2m.remote_field.through, m2m.m2m_field_name(), m2m.m2m_reverse_field_name()  # type: ignore[union-attr]


def _listed_in(model: type[Shareable], name: str, values: Iterable[int]) -> Q:
    """The item names one of ``values`` in its audience list ``name``.

    Written as a scalar subquery ("the first matching row is not NULL"), not as EXISTS:
    PostgreSQL turns an EXISTS inside an OR into a hash of every matching row (18,000 topics of
    a sector, ~10 ms) before it reads the first item, where a list page needs to check a few
    dozen items one by one (a probe of the unique index each, ~5 ms for the page in all).
    SQLite runs both forms alike."""
    through, source, target = _through(model, name)
    first = through.objects.filter(**{source: OuterRef("pk"), f"{target}__in": list(values)})
    return Q(IsNull(Subquery(first.values(source)[:1]), False))


def visibility_q(user: Any, model: type[Shareable]) -> Q:
    """The filter of the items of ``model`` that the person may see."""
    a = access(user)
    if not a.is_member:
        return Q(pk__in=[])
    named = _listed_in(model, "audience_people", [a.user_id]) if a.user_id else Q(pk__in=[])
    q = Q(created_by_id=a.user_id) | (Q(audience=Audience.PEOPLE) & named)
    below_red = ~Q(tlp=TLP.RED)
    if a.sees_all_below_red:
        return q | below_red
    q |= below_red & Q(organisation_id__in=a.organisation_ids)
    q |= Q(audience=Audience.EVERYONE, tlp__in=_WIDE_TLPS)
    if a.sector_ids:
        q |= Q(audience=Audience.SECTORS, tlp__in=_WIDE_TLPS) & _listed_in(
            model, "audience_sectors", a.sector_ids
        )
    q |= (
        Q(audience=Audience.ORGANISATIONS)
        & below_red
        & _listed_in(model, "audience_organisations", a.organisation_ids)
    )
    return q


def visible(user: Any, queryset: QuerySet[S]) -> QuerySet[S]:
    """``queryset`` narrowed to what the person may see."""
    return queryset.filter(visibility_q(user, queryset.model))


def get_visible_or_404(user: Any, queryset: QuerySet[S], **lookup: Any) -> S:
    """The one item matching ``lookup`` that the person may see, else 404 (never 403: no hint)."""
    try:
        return visible(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def can_view(user: Any, item: Shareable) -> bool:
    """Whether the person may see this one item (same rules as ``visibility_q``)."""
    a = access(user)
    if not a.is_member:
        return False
    if item.created_by_id is not None and item.created_by_id == a.user_id:
        return True
    if item.audience == Audience.PEOPLE and _ids(item, "audience_people") & {a.user_id}:
        return True
    if item.tlp == TLP.RED:
        return False
    if a.sees_all_below_red or item.organisation_id in a.organisation_ids:
        return True
    if item.audience == Audience.EVERYONE:
        return item.tlp in _WIDE_TLPS
    if item.audience == Audience.SECTORS:
        return item.tlp in _WIDE_TLPS and bool(_ids(item, "audience_sectors") & a.sector_ids)
    if item.audience == Audience.ORGANISATIONS:
        return bool(_ids(item, "audience_organisations") & a.organisation_ids)
    return False


def can_change(user: Any, item: Shareable) -> bool:
    """Whether the person may edit or withdraw this item."""
    a = access(user)
    if a.is_auditor and not a.is_centre_staff:
        return False
    if not can_view(user, item):
        return False
    return (
        item.created_by_id == a.user_id or item.organisation_id in a.admin_of or a.is_centre_staff
    )


def audience_users(item: Shareable) -> QuerySet[User]:
    """Everyone who may see the item: the fan-out list for notifications and digests."""
    active = User.objects.filter(is_active=True).filter(
        Exists(Membership.objects.filter(user_id=OuterRef("pk"), organisation__is_active=True))
    )
    q = Q(pk=item.created_by_id) if item.created_by_id else Q(pk__in=[])
    if item.audience == Audience.PEOPLE:
        q |= Q(pk__in=list(_ids(item, "audience_people")))
    if item.tlp != TLP.RED:
        centre = Membership.objects.filter(
            user_id=OuterRef("pk"),
            organisation__category=OrganisationCategory.CENTRE,
            role__in=[*CENTRE_ROLES, Role.AUDITOR],
        )
        q |= Q(Exists(centre))
        orgs = {item.organisation_id}
        if item.audience == Audience.ORGANISATIONS:
            orgs |= _ids(item, "audience_organisations")
        q |= Q(Exists(Membership.objects.filter(user_id=OuterRef("pk"), organisation_id__in=orgs)))
        if item.tlp in _WIDE_TLPS and item.audience == Audience.EVERYONE:
            return active
        if item.tlp in _WIDE_TLPS and item.audience == Audience.SECTORS:
            sectors = _ids(item, "audience_sectors")
            q |= Q(
                Exists(
                    Membership.objects.filter(
                        user_id=OuterRef("pk"), organisation__sector_id__in=sectors
                    )
                )
            )
    return active.filter(q)


def _ids(item: Shareable, name: str) -> set[Any]:
    """Ids in one of the item's audience lists, from the prefetch cache when there is one, else
    read once per loaded item (a page asks about the same item several times)."""
    cache = getattr(item, "_prefetched_objects_cache", {})
    if name in cache:
        return {obj.pk for obj in cache[name]}
    read: dict[str, set[Any]] = item.__dict__.setdefault("_policy_ids", {})
    if name not in read:
        read[name] = set(getattr(item, name).values_list("pk", flat=True))
    return read[name]


def validate_sharing(
    tlp: str,
    audience: str,
    *,
    sectors: Iterable[Any] = (),
    organisations: Iterable[Any] = (),
    people: Iterable[Any] = (),
) -> None:
    """Refuse a TLP / audience combination that the policy does not admit.

    Raises ``ValidationError`` with a message per field, in the active language.
    """
    errors: dict[str, str] = {}
    if tlp not in TLP.values:
        errors["tlp"] = _("Unknown TLP level.")
    if audience not in Audience.values:
        errors["audience"] = _("Unknown audience.")
    if errors:
        raise ValidationError(errors)
    if audience not in AUDIENCES_BY_TLP[tlp]:
        if tlp == TLP.RED:
            errors["audience"] = _("TLP:RED can only be shared with named people.")
        else:
            errors["audience"] = _(
                "TLP:AMBER+STRICT can only be shared with chosen organisations, named people "
                "or the centre."
            )
    lists: dict[str, tuple[str, Iterable[Any], str]] = {
        Audience.SECTORS: ("audience_sectors", sectors, _("Choose at least one sector.")),
        Audience.ORGANISATIONS: (
            "audience_organisations",
            organisations,
            _("Choose at least one organisation."),
        ),
        Audience.PEOPLE: ("audience_people", people, _("Name at least one person.")),
    }
    if audience in lists:
        field_name, values, message = lists[audience]
        if not list(values):
            errors[field_name] = message
    if errors:
        raise ValidationError(errors)


# --- The directory: organisations, people, memberships ------------------------------------


def visible_organisations(
    user: Any, queryset: QuerySet[Organisation] | None = None
) -> QuerySet[Organisation]:
    """Organisations in the directory: the listed ones and one's own; all of them for the centre."""
    qs = Organisation.objects.all() if queryset is None else queryset
    a = access(user)
    if not a.is_member:
        return qs.none()
    if a.sees_all_below_red:
        return qs
    return qs.filter(Q(is_active=True, listed=True) | Q(pk__in=a.organisation_ids))


def visible_people(user: Any, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """People: those of one's own organisations; everyone for the centre's staff and auditors."""
    qs = User.objects.all() if queryset is None else queryset
    a = access(user)
    if not a.is_member:
        return qs.none()
    if a.sees_all_below_red:
        return qs
    # An IN (subquery) lets the database start from the few memberships, not from every person.
    return qs.filter(
        pk__in=Membership.objects.filter(organisation_id__in=a.organisation_ids).values("user_id")
    )


def visible_memberships(
    user: Any, queryset: QuerySet[Membership] | None = None
) -> QuerySet[Membership]:
    qs = Membership.objects.all() if queryset is None else queryset
    a = access(user)
    if not a.is_member:
        return qs.none()
    if a.sees_all_below_red:
        return qs
    return qs.filter(organisation_id__in=a.organisation_ids)


def can_manage_people(user: Any, organisation: Organisation | int) -> bool:
    """Invite, change roles and remove people: the organisation's administrators and the centre."""
    a = access(user)
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return org_id in a.admin_of or a.is_centre_staff


def grantable_roles(user: Any, organisation: Organisation) -> list[str]:
    """Roles the person may grant in ``organisation``: the centre's roles only by the centre."""
    from jisp.core.choices import roles_for_category

    a = access(user)
    if not can_manage_people(user, organisation):
        return []
    roles = roles_for_category(organisation.category)
    if not a.is_centre_staff:
        roles = roles & {Role.MEMBER, Role.ORG_ADMIN, Role.AGENCY_RESPONDER, Role.VENDOR_ANALYST}
    return sorted(roles)


def can_read_audit_log(user: Any) -> bool:
    a = access(user)
    return a.is_auditor or Role.COMMANDER in a.roles


def can_use_admin(user: Any) -> bool:
    return access(user).is_centre_staff


# --- Reports and cases (the incidents app) ------------------------------------------------
#
# A report is seen by the members of the reporting organisation (its drafts too), by the person
# of the centre who entered it, and once submitted by the centre's staff and auditors and by the
# organisations it was routed to, in full or redacted as the routing rule granted. Recipients
# never see a TLP:RED report, and see a TLP:AMBER+STRICT one redacted only.
# A case is seen by the centre's staff and auditors; by the reporting organisation (its state and
# the conversation with the centre); and by an organisation asked for support (its own request
# and thread) unless it declined. Only the centre's staff work on cases; auditors only read.
# The functions take the incidents app's querysets and use its field names; core imports none of
# its models.

REPORT_OWNER = "owner"
REPORT_CENTRE = "centre"
REPORT_FULL = "full"
REPORT_REDACTED = "redacted"

CASE_CENTRE = "centre"
CASE_REPORTER = "reporter"
CASE_SUPPORT = "support"


def visible_reports(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The reports the person may see (at least redacted)."""
    a = access(user)
    if not a.is_member:
        return queryset.none()
    q = Q(organisation_id__in=a.organisation_ids) | Q(entered_by_id=a.user_id)
    if a.sees_all_below_red:
        q |= Q(status="submitted")
    else:
        recipients: Any = queryset.model._meta.get_field("recipients").related_model
        q |= (
            Q(status="submitted")
            & ~Q(tlp=TLP.RED)
            & Q(
                Exists(
                    recipients.objects.filter(
                        report_id=OuterRef("pk"), organisation_id__in=a.organisation_ids
                    )
                )
            )
        )
    return queryset.filter(q)


def report_grant(user: Any, report: Any) -> str | None:
    """How the person sees one report: owner, centre, full, redacted, or not at all (None)."""
    return report_grants(user, [report]).get(report.pk)


def report_grants(user: Any, reports: Iterable[Any]) -> dict[int, str]:
    """``report_grant`` for many reports (a list page's rows) in one query at most; the reports
    the person may not see are left out."""
    a = access(user)
    if not a.is_member:
        return {}
    result: dict[int, str] = {}
    routed: list[Any] = []
    for report in reports:
        if report.organisation_id in a.organisation_ids:
            result[report.pk] = REPORT_OWNER
        elif report.entered_by_id is not None and report.entered_by_id == a.user_id:
            result[report.pk] = REPORT_CENTRE
        elif report.status != "submitted":
            continue
        elif a.sees_all_below_red:
            result[report.pk] = REPORT_CENTRE
        elif report.tlp != TLP.RED:
            routed.append(report)
    if not routed:
        return result
    recipients: Any = type(routed[0])._meta.get_field("recipients").related_model
    grants: dict[int, set[str]] = {}
    for report_id, grant in recipients.objects.filter(
        report_id__in=[r.pk for r in routed], organisation_id__in=a.organisation_ids
    ).values_list("report_id", "grant"):
        grants.setdefault(report_id, set()).add(grant)
    for report in routed:
        found = grants.get(report.pk)
        if not found:
            continue
        if report.tlp == TLP.AMBER_STRICT or REPORT_FULL not in found:
            result[report.pk] = REPORT_REDACTED
        else:
            result[report.pk] = REPORT_FULL
    return result


def visible_cases(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The cases the person may open (each with the part ``case_access`` allows)."""
    a = access(user)
    if not a.is_member:
        return queryset.none()
    if a.sees_all_below_red:
        return queryset
    support: Any = queryset.model._meta.get_field("support_requests").related_model
    return queryset.filter(
        Q(organisation_id__in=a.organisation_ids)
        | Q(
            Exists(
                support.objects.filter(
                    case_id=OuterRef("pk"), organisation_id__in=a.organisation_ids
                ).exclude(state="declined")
            )
        )
    )


def case_access(user: Any, case: Any) -> str | None:
    """How the person sees one case: centre (everything), reporter, support, or None."""
    a = access(user)
    if not a.is_member:
        return None
    if a.sees_all_below_red:
        return CASE_CENTRE
    if case.organisation_id is not None and case.organisation_id in a.organisation_ids:
        return CASE_REPORTER
    if (
        case.support_requests.filter(organisation_id__in=a.organisation_ids)
        .exclude(state="declined")
        .exists()
    ):
        return CASE_SUPPORT
    return None


def visible_entries(user: Any, case: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The timeline entries of ``case`` that the person may read."""
    level = case_access(user, case)
    if level == CASE_CENTRE:
        return queryset
    if level == CASE_REPORTER:
        return queryset.filter(audience="reporter")
    if level == CASE_SUPPORT:
        a = access(user)
        return queryset.filter(
            audience="support", support_request__organisation_id__in=a.organisation_ids
        )
    return queryset.none()


def can_work_cases(user: Any) -> bool:
    """Change cases, route reports, write situation reports, keep the duty log: centre staff."""
    return access(user).is_centre_staff


def can_approve_sitreps(user: Any) -> bool:
    """Approve and issue situation reports: the incident controller or the overall commander."""
    roles = access(user).roles
    return Role.INCIDENT_CONTROLLER in roles or Role.COMMANDER in roles


def can_answer_support(user: Any, support_request: Any) -> bool:
    """Accept, decline and report findings: members of the asked organisation (not auditors)."""
    a = access(user)
    return a.is_member and support_request.organisation_id in a.organisation_ids


# --- Threat intelligence (the intel app) ---------------------------------------------------
#
# Indicators, sightings and STIX objects are Shareable: ``visible`` / ``can_view`` /
# ``can_change`` decide. Sightings default to the centre only (where a member saw an indicator
# is its own business). A TAXII collection is one sharing scope (TLP x audience, with a sector or
# an organisation); a person may read it when an item of that scope from another organisation
# would be visible to them, and the objects served are also re-checked with ``visibility_q``.
# Vendors see the verdict requests addressed to them; a member sees a request made on its behalf
# when the centre chose to show it the answers. Members' assets are seen by their organisation
# and the centre, managed by the organisation's administrators and the centre's staff.


def can_manage_intel(user: Any) -> bool:
    """Import feeds, ask vendors for verdicts, mark any false positive: the centre's staff."""
    return access(user).is_centre_staff


def _scope_item(collection: Any) -> Any:
    """A stand-in item with the collection's scope and no source or author."""
    item = apps.get_model("intel", "StixObject")(
        tlp=collection.tlp, audience=collection.audience, organisation_id=0
    )
    item.__dict__["_policy_ids"] = {
        "audience_sectors": {collection.sector_id} if collection.sector_id else set(),
        "audience_organisations": (
            {collection.organisation_id} if collection.organisation_id else set()
        ),
        "audience_people": set(),
    }
    return item


def can_read_collection(user: Any, collection: Any) -> bool:
    """Whether the TAXII collection is listed for, and readable by, the person."""
    if collection.audience == Audience.PEOPLE or collection.tlp == TLP.RED:
        return False
    if collection.audience not in AUDIENCES_BY_TLP.get(collection.tlp, ()):
        return False
    return can_view(user, _scope_item(collection))


def can_write_collection(user: Any, collection: Any) -> bool:
    """Add objects to the collection: the centre's staff; members where the collection allows
    it and they may read it."""
    a = access(user)
    if a.is_centre_staff:
        return True
    if a.is_auditor or not a.is_member:
        return False
    return bool(collection.members_may_write) and can_read_collection(user, collection)


def collection_objects(user: Any, collection: Any, queryset: QuerySet[S]) -> QuerySet[S]:
    """The STIX objects of the collection's scope that the person may see (none if the person
    may not read the collection)."""
    if not can_read_collection(user, collection):
        return queryset.none()
    model = queryset.model
    q = Q(tlp=collection.tlp, audience=collection.audience)
    if collection.audience == Audience.SECTORS:
        q &= _listed_in(model, "audience_sectors", [collection.sector_id])
    elif collection.audience == Audience.ORGANISATIONS:
        q &= _listed_in(model, "audience_organisations", [collection.organisation_id])
    a = access(user)
    if a.sees_all_below_red or collection.audience == Audience.EVERYONE:
        # Every object of this scope is visible to whoever may read the collection.
        return queryset.filter(q)
    return queryset.filter(q).filter(visibility_q(user, model))


def visible_verdict_requests(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """Verdict requests: all for the centre; a vendor's own; a member's when shared with it."""
    a = access(user)
    if not a.is_member:
        return queryset.none()
    if a.sees_all_below_red:
        return queryset
    answers: Any = queryset.model._meta.get_field("answers").related_model
    return queryset.filter(
        Q(
            Exists(
                answers.objects.filter(request_id=OuterRef("pk"), vendor_id__in=a.organisation_ids)
            )
        )
        | Q(share_with_member=True, on_behalf_of_id__in=a.organisation_ids)
    )


def can_answer_verdict(user: Any, answer: Any) -> bool:
    """Answer for a vendor: its members (not auditors), while the request is open."""
    a = access(user)
    return a.is_member and answer.vendor_id in a.organisation_ids


def visible_assets(user: Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """Members' assets: one's own organisations'; all of them for the centre and auditors."""
    a = access(user)
    if not a.is_member:
        return queryset.none()
    if a.sees_all_below_red:
        return queryset
    return queryset.filter(organisation_id__in=a.organisation_ids)


def can_manage_assets(user: Any, organisation_id: int) -> bool:
    """Add and remove an organisation's assets: its administrators and the centre's staff."""
    a = access(user)
    return a.is_centre_staff or organisation_id in a.admin_of
