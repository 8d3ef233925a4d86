"""TAXII 2.1 reading: objects, manifests, one object, versions; paging, filters and visibility."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.intel.models import StixObject, TaxiiCollection
from jisp.intel.stix.objects import parse_timestamp, timestamp
from jisp.intel.taxii.collections import ensure_default_collections
from jisp.intel.taxii.testing import ROOT, TAXII, basic, objects_of, store
from jisp.intel.testing import make_indicator


@pytest.fixture
def green(cast: Cast) -> TaxiiCollection:
    ensure_default_collections()
    return TaxiiCollection.objects.get(alias="tlp-green")


def url(collection: TaxiiCollection, tail: str = "objects/") -> str:
    return f"{ROOT}collections/{collection.id}/{tail}"


def get(client: Client, user: Any, path: str, **params: Any) -> Any:
    return client.get(path, params, headers=basic(user))


def assert_error(response: Any, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == TAXII
    assert json.loads(response.content)["http_status"] == str(status)


# --- objects ----------------------------------------------------------------------------------


def test_it_serves_an_indicator_shared_on_the_platform(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    indicator = make_indicator(cast.org_a, "domain", "evil.example", tlp=TLP.GREEN)
    response = get(client, cast.member_b, url(green))
    assert response.status_code == 200
    assert response["Content-Type"] == TAXII
    (obj,) = objects_of(response)
    assert obj["id"] == indicator.stix_id
    assert obj["pattern"] == "[domain-name:value = 'evil.example']"
    stored = StixObject.objects.get(stix_id=indicator.stix_id)
    assert response["X-TAXII-Date-Added-First"] == timestamp(stored.date_added)
    assert response["X-TAXII-Date-Added-Last"] == timestamp(stored.date_added)
    assert stored.body in response.content.decode()  # served as stored, not re-serialised


def test_an_empty_collection_answers_an_empty_envelope(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    for tail in ("objects/", "manifest/"):
        response = get(client, cast.member_a, url(green, tail))
        assert response.status_code == 200
        assert response.content == b"{}"


def test_it_pages_through_everything_in_date_added_order(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    rows = store(green, cast.org_a, count=25)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 10}
    pages = 0
    while True:
        response = get(client, cast.member_b, url(green), **params)
        assert response.status_code == 200
        body = json.loads(response.content)
        seen += [o["id"] for o in body["objects"]]
        pages += 1
        assert len(body["objects"]) <= 10
        assert response["X-TAXII-Date-Added-First"] <= response["X-TAXII-Date-Added-Last"]
        if not body["more"]:
            assert "next" not in body
            break
        params["next"] = body["next"]
    assert pages == 3
    assert seen == [r.stix_id for r in rows]


def test_paging_with_added_after_and_the_last_header(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    rows = store(green, cast.org_a, count=5)
    first = get(client, cast.member_a, url(green), limit=2)
    last = first["X-TAXII-Date-Added-Last"]
    assert last == timestamp(rows[1].date_added)
    rest = get(client, cast.member_a, url(green), added_after=last)
    assert [o["id"] for o in objects_of(rest)] == [r.stix_id for r in rows[2:]]
    assert json.loads(rest.content)["more"] is False


def test_a_page_is_one_query_whatever_its_size(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    store(green, cast.org_a, count=50)
    headers = basic(cast.member_a)
    client.get(url(green), headers=headers)  # warm: token, memberships
    with CaptureQueriesContext(connection) as small:
        client.get(url(green), {"limit": 5}, headers=headers)
    with CaptureQueriesContext(connection) as large:
        client.get(url(green), headers=headers)
    assert len(small) == len(large)
    selects = [q for q in large.captured_queries if "intel_stixobject" in q["sql"]]
    assert len(selects) == 1


def test_the_server_caps_the_page_size(
    client: Client, cast: Cast, green: TaxiiCollection, settings: Any
) -> None:
    settings.TAXII_MAX_PAGE_SIZE = 3
    store(green, cast.org_a, count=5)
    body = json.loads(get(client, cast.member_a, url(green), limit=100).content)
    assert len(body["objects"]) == 3
    assert body["more"] is True
    body = json.loads(get(client, cast.member_a, url(green)).content)
    assert len(body["objects"]) == 3


def test_a_next_token_is_bound_to_its_query_and_caller(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    store(green, cast.org_a, count=3)
    token = json.loads(get(client, cast.member_a, url(green), limit=1).content)["next"]
    assert get(client, cast.member_a, url(green), limit=1, next=token).status_code == 200
    other_filter = get(client, cast.member_a, url(green), next=token, **{"match[type]": "malware"})
    assert_error(other_filter, 400)
    assert_error(get(client, cast.member_b, url(green), next=token), 400)
    assert_error(get(client, cast.member_a, url(green, "manifest/"), next=token), 400)
    assert_error(get(client, cast.member_a, url(green), next="garbage"), 400)
    assert_error(get(client, cast.member_a, url(green), next=token[:-2] + "AA"), 400)


@pytest.mark.parametrize(
    "params",
    [
        {"added_after": "yesterday"},
        {"added_after": "2021-07-23 11:00:00"},
        {"limit": "0"},
        {"limit": "-5"},
        {"limit": "ten"},
        {"match[version]": "newest"},
        {"match[version]": "all,last"},
        {"match[version]": "last,last"},
        {"match[version]": "2021-07-23T11:00:00Z,2021-07-23T11:00:00.000Z"},
        {"match[type]": "indicator, malware"},
        {"match[type]": "indicator,,malware"},
        {"match[spec_version]": "latest"},
        {"match[id]": ",".join(f"indicator--{i}" for i in range(101))},
    ],
)
def test_malformed_filters_are_400(
    client: Client, cast: Cast, green: TaxiiCollection, params: dict[str, str]
) -> None:
    for tail in ("objects/", "manifest/"):
        assert_error(get(client, cast.member_a, url(green, tail), **params), 400)


def test_a_parameter_given_twice_is_400(client: Client, cast: Cast, green: TaxiiCollection) -> None:
    path = url(green) + "?match[type]=indicator&match[type]=malware"
    assert_error(client.get(path, headers=basic(cast.member_a)), 400)


def test_unknown_match_fields_and_types_are_not_errors(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    store(green, cast.org_a, count=2)
    response = get(client, cast.member_a, url(green), **{"match[colour]": "blue"})
    assert len(objects_of(response)) == 2
    response = get(client, cast.member_a, url(green), **{"match[type]": "x-unknown-thing"})
    assert response.status_code == 200
    assert response.content == b"{}"


def test_it_filters_by_id_and_type(client: Client, cast: Cast, green: TaxiiCollection) -> None:
    indicators = store(green, cast.org_a, count=3)
    malware = store(green, cast.org_a, stix_type="malware")[0]
    ids = f"{indicators[0].stix_id},{malware.stix_id}"
    found = objects_of(get(client, cast.member_a, url(green), **{"match[id]": ids}))
    assert [o["id"] for o in found] == [indicators[0].stix_id, malware.stix_id]
    found = objects_of(get(client, cast.member_a, url(green), **{"match[type]": "malware"}))
    assert [o["id"] for o in found] == [malware.stix_id]
    both = {"match[type]": "indicator", "match[id]": malware.stix_id}
    assert get(client, cast.member_a, url(green), **both).content == b"{}"


@pytest.fixture
def versioned(cast: Cast, green: TaxiiCollection) -> list[StixObject]:
    """Three versions of one object (the middle one added last) and one other object."""
    base = parse_timestamp("2024-01-01T00:00:00.000Z")
    stix_id = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
    rows = [
        store(green, cast.org_a, stix_id=stix_id, modified=base + timedelta(days=d))[0]
        for d in (0, 2, 1)
    ]
    store(green, cast.org_a)
    return rows


def _versions_served(response: Any, stix_id: str) -> list[str]:
    return [o["modified"] for o in objects_of(response) if o["id"] == stix_id]


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        (None, ["2024-01-03"]),
        ("last", ["2024-01-03"]),
        ("first", ["2024-01-01"]),
        ("first,last", ["2024-01-01", "2024-01-03"]),
        ("all", ["2024-01-01", "2024-01-03", "2024-01-02"]),
        ("2024-01-02T00:00:00.000Z", ["2024-01-02"]),
        ("2024-01-02T00:00:00Z,first", ["2024-01-01", "2024-01-02"]),
        ("2020-01-01T00:00:00.000Z", []),
    ],
)
def test_match_version(
    client: Client,
    cast: Cast,
    green: TaxiiCollection,
    versioned: list[StixObject],
    match: str | None,
    expected: list[str],
) -> None:
    params = {"match[version]": match} if match else {}
    stix_id = versioned[0].stix_id
    served = _versions_served(get(client, cast.member_a, url(green), **params), stix_id)
    assert [m[:10] for m in served] == expected
    single = get(client, cast.member_a, url(green, f"objects/{stix_id}/"), **params)
    assert single.status_code == 200
    assert [m[:10] for m in _versions_served(single, stix_id)] == expected
    manifest = json.loads(get(client, cast.member_a, url(green, "manifest/"), **params).content)
    mine = [r["version"][:10] for r in manifest.get("objects", []) if r["id"] == stix_id]
    assert mine == expected


def test_match_spec_version(client: Client, cast: Cast, green: TaxiiCollection) -> None:
    stix_id = "indicator--0b6c7a56-4e34-4fd4-bb3f-b7b3c6f2e1aa"
    base = parse_timestamp("2024-01-01T00:00:00.000Z")
    store(green, cast.org_a, stix_id=stix_id, modified=base, spec_version="2.0")
    store(green, cast.org_a, stix_id=stix_id, modified=base + timedelta(days=1))
    default = objects_of(get(client, cast.member_a, url(green), **{"match[version]": "all"}))
    assert [o["spec_version"] for o in default] == ["2.1"]
    old = objects_of(get(client, cast.member_a, url(green), **{"match[spec_version]": "2.0"}))
    assert [o["spec_version"] for o in old] == ["2.0"]
    both = {"match[spec_version]": "2.0,2.1", "match[version]": "all"}
    assert len(objects_of(get(client, cast.member_a, url(green), **both))) == 2
    manifest = get(client, cast.member_a, url(green, "manifest/"), **{"match[spec_version]": "2.0"})
    (record,) = json.loads(manifest.content)["objects"]
    assert record["media_type"] == "application/stix+json;version=2.0"


# --- manifest ---------------------------------------------------------------------------------


def test_the_manifest_lists_each_version_with_its_dates(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    rows = store(green, cast.org_a, count=3)
    response = get(client, cast.member_a, url(green, "manifest/"), limit=2)
    assert response["Content-Type"] == TAXII
    body = json.loads(response.content)
    assert body["more"] is True
    assert body["objects"][0] == {
        "id": rows[0].stix_id,
        "date_added": timestamp(rows[0].date_added),
        "version": timestamp(rows[0].modified),
        "media_type": "application/stix+json;version=2.1",
    }
    assert response["X-TAXII-Date-Added-Last"] == timestamp(rows[1].date_added)
    rest = json.loads(
        get(client, cast.member_a, url(green, "manifest/"), limit=2, next=body["next"]).content
    )
    assert [r["id"] for r in rest["objects"]] == [rows[2].stix_id]
    assert rest["more"] is False


# --- one object and its versions -------------------------------------------------------------


def test_an_unknown_object_is_404(client: Client, cast: Cast, green: TaxiiCollection) -> None:
    missing = "indicator--00000000-0000-4000-8000-000000000000"
    assert_error(get(client, cast.member_a, url(green, f"objects/{missing}/")), 404)
    assert_error(get(client, cast.member_a, url(green, f"objects/{missing}/versions/")), 404)


def test_the_versions_of_an_object(
    client: Client, cast: Cast, green: TaxiiCollection, versioned: list[StixObject]
) -> None:
    stix_id = versioned[0].stix_id
    response = get(client, cast.member_a, url(green, f"objects/{stix_id}/versions/"))
    assert response.status_code == 200
    body = json.loads(response.content)
    assert [v[:10] for v in body["versions"]] == ["2024-01-01", "2024-01-03", "2024-01-02"]
    assert body["more"] is False
    assert response["X-TAXII-Date-Added-First"] == timestamp(versioned[0].date_added)
    assert response["X-TAXII-Date-Added-Last"] == timestamp(versioned[2].date_added)
    paged = json.loads(
        get(client, cast.member_a, url(green, f"objects/{stix_id}/versions/"), limit=2).content
    )
    assert len(paged["versions"]) == 2 and paged["more"] is True
    rest = get(
        client,
        cast.member_a,
        url(green, f"objects/{stix_id}/versions/"),
        limit=2,
        next=paged["next"],
    )
    assert json.loads(rest.content)["versions"] == [timestamp(versioned[2].modified)]
    after = get(
        client, cast.member_a, url(green, f"objects/{stix_id}/versions/"),
        added_after=timestamp(versioned[2].date_added),
    )  # fmt: skip
    assert after.status_code == 200 and after.content == b"{}"


# --- visibility ---------------------------------------------------------------------------------


def test_an_organisation_collection_is_only_for_that_organisation(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    org_a = TaxiiCollection.objects.create(
        alias="org-a", title="A", tlp=TLP.AMBER, audience=Audience.ORGANISATIONS,
        organisation=cast.org_a,
    )  # fmt: skip
    (row,) = store(org_a, cast.centre)
    for who in ("member_a", "member_a2", "admin_a", "analyst", "auditor"):
        found = objects_of(get(client, getattr(cast, who), url(org_a)))
        assert [o["id"] for o in found] == [row.stix_id], who
    for who in ("member_b", "responder", "vendor_analyst", "outsider"):
        user = getattr(cast, who)
        for tail in (
            "",
            "objects/",
            "manifest/",
            f"objects/{row.stix_id}/",
            f"objects/{row.stix_id}/versions/",
        ):
            assert_error(get(client, user, url(org_a, tail)), 404)


def test_a_sector_collection_serves_only_that_sectors_objects(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    railways = TaxiiCollection.objects.get(alias="sector-railways")
    electricity = TaxiiCollection.objects.get(alias="sector-electricity")
    (rail,) = store(railways, cast.centre)
    (power,) = store(electricity, cast.centre)
    assert [o["id"] for o in objects_of(get(client, cast.member_a, url(railways)))] == [
        rail.stix_id
    ]
    assert_error(get(client, cast.member_a, url(electricity)), 404)
    assert [o["id"] for o in objects_of(get(client, cast.analyst, url(electricity)))] == [
        power.stix_id
    ]
    # the railway object is not in the everyone collection of the same TLP
    assert rail.stix_id not in {o["id"] for o in objects_of(get(client, cast.analyst, url(green)))}


def test_the_centre_collection_is_for_the_centre(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    centre = TaxiiCollection.objects.get(alias="centre")
    store(centre, cast.org_a)
    assert len(objects_of(get(client, cast.commander, url(centre)))) == 1
    for who in ("member_a", "admin_a", "responder"):
        assert_error(get(client, getattr(cast, who), url(centre)), 404)


def test_red_and_people_items_are_in_no_collection(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    make_indicator(cast.org_a, "domain", "red.example", tlp=TLP.RED, audience=Audience.PEOPLE,
                   people=[cast.member_a])  # fmt: skip
    for alias in ("tlp-clear", "tlp-green", "tlp-amber", "centre", "sector-railways"):
        collection = TaxiiCollection.objects.get(alias=alias)
        assert get(client, cast.analyst, url(collection)).content == b"{}"


def test_reading_writes_one_audit_event_per_request(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    store(green, cast.org_a, count=5)
    get(client, cast.member_a, url(green))
    get(client, cast.member_a, url(green, "manifest/"))
    events = AuditEvent.objects.filter(action="intel.taxii.read").order_by("id")
    assert [e.data["endpoint"] for e in events] == ["objects", "manifest"]
    assert events[0].data["count"] == 5
    assert events[0].actor == cast.member_a
    assert events[0].via == AuditEvent.Via.TAXII
    assert events[0].object_id == str(green.id)
