"""The indicators API: list, read (with what is related), create, change, mark a false positive,
withdraw; extraction from a text and saving the reviewed values.

Mounted at ``/api/v1/intel/indicators``. ``jisp.api`` signs the caller in (writing needs a token
with the write scope), answers errors as ``{"detail": ...}`` and records every call. Every
operation starts from ``policy.visible``: an indicator the caller may not see answers 404, one
they see but may not change answers 403. Reading one at TLP:AMBER or above is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from jisp.core import audit, policy
from jisp.core.api import PathId, api_user
from jisp.core.models import Organisation, Sector, User
from jisp.core.schemas import ERRORS_READ, ERRORS_WRITE, Page, paginate
from jisp.intel.models import Indicator
from jisp.intel.schemas import (
    BulkIn,
    BulkOut,
    ExtractIn,
    ExtractOut,
    FalsePositiveIn,
    IndicatorDetailOut,
    IndicatorFilters,
    IndicatorIn,
    IndicatorOut,
    IndicatorPatchIn,
)
from jisp.intel.services import correlation, listing
from jisp.intel.services import indicators as service
from jisp.intel.services.indicators import IndicatorInput

router = Router(tags=["intel"])

#: Values returned by one extraction.
MAX_FOUND = 5000


class IndicatorPage(Page[IndicatorOut]):
    pass


# --- Shaping -----------------------------------------------------------------------------------


def _org(organisation: Organisation) -> dict[str, Any]:
    return {"id": organisation.pk, "name": organisation.display_name}


def indicator_out(user: User, indicator: Indicator) -> dict[str, Any]:
    """One indicator as the caller sees it (they may see it)."""
    return {
        "id": indicator.pk,
        "kind": indicator.kind,
        "value": indicator.value,
        "name": indicator.name,
        "description": indicator.description,
        "labels": list(indicator.labels or []),
        "malware": indicator.malware,
        "confidence": indicator.confidence,
        "sources": list(indicator.sources or []),
        "first_seen": indicator.first_seen,
        "last_seen": indicator.last_seen,
        "valid_from": indicator.valid_from,
        "valid_until": indicator.valid_until,
        "false_positive": indicator.false_positive,
        "false_positive_note": indicator.false_positive_note,
        "revoked": indicator.revoked,
        "active": indicator.is_active,
        "tlp": indicator.tlp,
        "audience": indicator.audience,
        "organisation": _org(indicator.organisation),
        "stix_id": indicator.stix_id,
        "created": indicator.created,
        "modified": indicator.modified,
        "changed_at": indicator.changed_at,
        "can_change": policy.can_change(user, indicator),
    }


def _related(user: User, indicator: Indicator) -> dict[str, Any]:
    found = correlation.related(user, indicator.kind, indicator.value, exclude=indicator)
    from jisp.sharing.services.topics import shown_source

    def topic_ref(topic: Any) -> dict[str, Any]:
        source = shown_source(user, topic)
        return {
            "id": topic.pk,
            "title": topic.title,
            "organisation": None if source is None else _org(source),
        }

    return {
        "indicators": [indicator_out(user, i) for i in found.indicators],
        "topics": [topic_ref(t) for t in found.topics],
        "reports": [
            {"id": r.pk, "title": r.title, "organisation": _org(r.organisation)}
            for r in found.reports
        ],
        "cases": [{"id": c.pk, "title": c.title} for c in found.cases],
        "sightings_count": found.sightings_count,
        "sightings_organisations": found.sightings_organisations,
        "sightings_last_seen": found.sightings_last_seen,
    }


def _detail(user: User, indicator: Indicator) -> dict[str, Any]:
    data = indicator_out(user, indicator)
    if data["can_change"]:
        data["sectors"] = list(indicator.audience_sectors.values_list("code", flat=True))
        data["organisations"] = [_org(o) for o in indicator.audience_organisations.all()]
        data["people"] = list(indicator.audience_people.values_list("pk", flat=True))
    data["related"] = _related(user, indicator)
    return data


def _visible(user: User) -> Any:
    return policy.visible(user, Indicator.objects.select_related("organisation"))


def _one(user: User, pk: int) -> Indicator:
    return policy.get_visible_or_404(user, Indicator.objects.select_related("organisation"), pk=pk)


def _changeable(user: User, pk: int) -> Indicator:
    indicator = _one(user, pk)
    if not policy.can_change(user, indicator):
        raise PermissionDenied(_("You may not change this indicator."))
    return indicator


# --- Input -------------------------------------------------------------------------------------


def _sectors(codes: list[str]) -> list[Sector]:
    found = {s.code: s for s in Sector.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(
            {"sectors": _("Unknown sector: %(codes)s.") % {"codes": ", ".join(unknown)}}
        )
    return [found[code] for code in dict.fromkeys(codes)]


def organisations_of(user: User, ids: list[int]) -> list[Organisation]:
    qs = Organisation.objects.filter(is_active=True, pk__in=ids)
    found = {o.pk: o for o in policy.visible_organisations(user, qs)}
    if set(ids) - set(found):
        raise ValidationError({"organisations": _("Choose organisations from the directory.")})
    return [found[pk] for pk in dict.fromkeys(ids)]


def people_of(user: User, ids: list[int]) -> list[User]:
    qs = User.objects.filter(is_active=True, pk__in=ids)
    found = {p.pk: p for p in policy.visible_people(user, qs)}
    if set(ids) - set(found):
        raise ValidationError({"people": _("Choose people you can see in the directory.")})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _input(user: User, payload: IndicatorIn) -> IndicatorInput:
    return IndicatorInput(
        kind=payload.kind,
        value=payload.value,
        name=payload.name,
        description=payload.description,
        labels=list(payload.labels),
        malware=payload.malware,
        confidence=payload.confidence,
        sources=list(payload.sources),
        first_seen=payload.first_seen,
        last_seen=payload.last_seen,
        valid_until=payload.valid_until,
        tlp=payload.tlp,
        audience=payload.audience,
        sectors=_sectors(payload.sectors),
        organisations=organisations_of(user, payload.organisations),
        people=people_of(user, payload.people),
    )


def _patched(user: User, indicator: Indicator, payload: IndicatorPatchIn) -> IndicatorInput:
    """The indicator as it is, with the fields that were sent replaced."""
    data = IndicatorInput(
        kind=indicator.kind,
        value=indicator.value,
        name=indicator.name,
        description=indicator.description,
        labels=list(indicator.labels or []),
        malware=indicator.malware,
        confidence=indicator.confidence,
        sources=list(indicator.sources or []),
        first_seen=indicator.first_seen,
        last_seen=indicator.last_seen,
        valid_until=indicator.valid_until,
        tlp=indicator.tlp,
        audience=indicator.audience,
        sectors=list(indicator.audience_sectors.all()),
        organisations=list(indicator.audience_organisations.all()),
        people=list(indicator.audience_people.all()),
    )
    sent = payload.model_fields_set
    simple = ("kind", "value", "name", "description", "malware", "confidence", "tlp", "audience")
    for name in simple:
        if name in sent and getattr(payload, name) is not None:
            setattr(data, name, getattr(payload, name))
    for name in ("labels", "sources"):
        if name in sent:
            setattr(data, name, list(getattr(payload, name) or []))
    for name in ("first_seen", "last_seen", "valid_until"):
        if name in sent:
            setattr(data, name, getattr(payload, name))
    if "sectors" in sent:
        data.sectors = _sectors(list(payload.sectors or []))
    if "organisations" in sent:
        data.organisations = organisations_of(user, list(payload.organisations or []))
    if "people" in sent:
        data.people = people_of(user, list(payload.people or []))
    return data


def _source(user: User, pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise PermissionDenied(_("You may only post for your own organisation."))
    return organisation


# --- Reading -----------------------------------------------------------------------------------


@router.get(
    "",
    response={200: IndicatorPage, **ERRORS_READ},
    summary="Indicators",
    description=(
        "The indicators the caller may see, newest change first unless `sort` says otherwise; "
        "paginated with `limit` / `offset`."
    ),
)
def indicator_list(request: HttpRequest, filters: Query[IndicatorFilters]) -> dict[str, Any]:
    user = api_user(request)
    qs = listing.indicator_list(
        user,
        q=filters.q or "",
        kind=filters.kind or "",
        tlp=filters.tlp or "",
        label=filters.label or "",
        source_org=filters.source,
        active=filters.active,
        false_positive=filters.false_positive,
        since=filters.since,
        sort=filters.sort,
    )
    page = paginate(qs, filters)
    page["items"] = [indicator_out(user, i) for i in page["items"]]
    return page


# --- Extraction (before /{id}, which would match its paths) --------------------------------------


def warnings_for(
    user: User, pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], list[dict[str, str]]]:
    """The warninglist hits of each (kind, value), as ``{"name", "note"}``; members' own assets
    only as far as the caller may see them (``warninglists.check_many(user=...)``)."""
    from jisp.intel import warninglists

    hits = warninglists.check_many(pairs, user=user)
    return {
        pair: [{"name": str(h.title), "note": str(h.reason)} for h in found]
        for pair, found in hits.items()
    }


@router.post(
    "/extract",
    response={200: ExtractOut, **ERRORS_WRITE},
    summary="Find indicators in a text",
    description=(
        "Finds addresses, domains, URLs, e-mail addresses and hashes, also defanged ones "
        "(`hxxp`, `[.]`, `(dot)`). Nothing is saved: review the values, then send the chosen "
        "ones to `POST /bulk`. Each value says which warninglists hold it and whether an "
        "indicator the caller may see already has it."
    ),
)
def indicator_extract(request: HttpRequest, payload: ExtractIn) -> dict[str, Any]:
    from jisp.intel.extract import extract

    user = api_user(request)
    found: dict[tuple[str, str], Any] = {}
    for item in extract(payload.text):
        found.setdefault((str(item.kind), item.value), item)
        if len(found) >= MAX_FOUND:
            break
    pairs = list(found)
    warnings = warnings_for(user, pairs)
    a = policy.access(user)
    known: dict[tuple[str, str], list[tuple[int, int]]] = {}
    if pairs:
        rows = policy.visible(
            user, Indicator.objects.filter(value__in=[v for _k, v in pairs])
        ).values_list("kind", "value", "pk", "organisation_id")
        for kind, value, pk, org_id in rows:
            known.setdefault((kind, value), []).append((pk, org_id))
    items = []
    for pair, item in found.items():
        rows_for = known.get(pair, [])
        own = next((pk for pk, org in rows_for if org in a.organisation_ids), None)
        items.append(
            {
                "kind": pair[0],
                "value": pair[1],
                "original": str(getattr(item, "original", "") or item.value),
                "defanged": bool(getattr(item, "defanged", False)),
                "start": int(getattr(item, "start", 0) or 0),
                "warnings": warnings.get(pair, []),
                "known": bool(rows_for),
                "own_indicator": own,
            }
        )
    return {"count": len(items), "items": items}


@router.post(
    "/bulk",
    response={201: BulkOut, **ERRORS_WRITE},
    summary="Save reviewed indicators",
    description=(
        "Up to 1,000 indicators at once (the reviewed result of an extraction), all or "
        "nothing: when one is refused, none is saved and the error says which (`loc` "
        '`["body", "items.<index>.<field>"]`).'
    ),
)
def indicator_bulk(request: HttpRequest, payload: BulkIn) -> Status:
    user = api_user(request)
    created: list[Indicator] = []
    with transaction.atomic():
        for index, item in enumerate(payload.items):
            try:
                organisation = _source(user, item.organisation)
                created.append(
                    service.create_indicator(
                        request, user, _input(user, item), organisation=organisation
                    )
                )
            except ValidationError as exc:
                raise _at(index, exc) from None
        audit.record("intel.indicator.extracted", request=request, actor=user, count=len(created))
    fresh = _visible(user).filter(pk__in=[i.pk for i in created]).order_by("pk")
    return Status(201, {"count": len(created), "items": [indicator_out(user, i) for i in fresh]})


@router.get(
    "/{id}",
    response={200: IndicatorDetailOut, **ERRORS_READ},
    summary="One indicator",
    description=(
        "With what the caller may see that names the same value: the indicators of other "
        "sources, topics, reports, cases (the centre) and the sightings' count."
    ),
)
def indicator_detail(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    indicator = _one(user, id)
    audit.record_view(request, indicator)
    return _detail(user, indicator)


# --- Writing -----------------------------------------------------------------------------------


@router.post(
    "",
    response={201: IndicatorDetailOut, **ERRORS_WRITE},
    summary="Share an indicator",
    description="The value is normalised; the same value twice from one source is refused.",
)
def indicator_create(request: HttpRequest, payload: IndicatorIn) -> Status:
    user = api_user(request)
    organisation = _source(user, payload.organisation)
    indicator = service.create_indicator(
        request, user, _input(user, payload), organisation=organisation
    )
    return Status(201, _detail(user, _one(user, indicator.pk)))


def _update(request: HttpRequest, id: int, payload: IndicatorPatchIn) -> dict[str, Any]:
    user = api_user(request)
    indicator = _changeable(user, id)
    service.update_indicator(request, user, indicator, _patched(user, indicator, payload))
    return _detail(user, _one(user, id))


@router.patch(
    "/{id}",
    response={200: IndicatorDetailOut, **ERRORS_WRITE},
    summary="Change an indicator",
    description="The fields sent replace the current ones (a new STIX version).",
)
def indicator_patch(request: HttpRequest, id: PathId, payload: IndicatorPatchIn) -> dict[str, Any]:
    return _update(request, id, payload)


@router.put(
    "/{id}",
    response={200: IndicatorDetailOut, **ERRORS_WRITE},
    summary="Replace an indicator",
    description="Every field as sent (those left out take their defaults).",
)
def indicator_put(request: HttpRequest, id: PathId, payload: IndicatorIn) -> dict[str, Any]:
    user = api_user(request)
    indicator = _changeable(user, id)
    service.update_indicator(request, user, indicator, _input(user, payload))
    return _detail(user, _one(user, id))


@router.post(
    "/{id}/false-positive",
    response={200: IndicatorDetailOut, **ERRORS_WRITE},
    summary="Mark a false positive",
    description="With a note why; `undo: true` takes the marking back. It leaves every export.",
)
def indicator_false_positive(
    request: HttpRequest, id: PathId, payload: FalsePositiveIn
) -> dict[str, Any]:
    user = api_user(request)
    indicator = _changeable(user, id)
    service.mark_false_positive(request, user, indicator, payload.note, undo=payload.undo)
    return _detail(user, _one(user, id))


@router.post(
    "/{id}/revoke",
    response={200: IndicatorDetailOut, **ERRORS_WRITE},
    summary="Withdraw an indicator",
    description="For good (STIX `revoked`): it leaves every export.",
)
def indicator_revoke(request: HttpRequest, id: PathId) -> dict[str, Any]:
    user = api_user(request)
    indicator = _changeable(user, id)
    service.revoke(request, user, indicator)
    return _detail(user, _one(user, id))


def _at(index: int, exc: ValidationError) -> ValidationError:
    """The error with its item's place: ``items.<index>.<field>``."""
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {f"items.{index}.{field}": messages for field, messages in exc.message_dict.items()}
        )
    return ValidationError({f"items.{index}": exc.messages})
