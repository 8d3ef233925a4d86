"""TAXII 2.1 writing: adding objects (202 and a status resource) and deleting them."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.intel.models import Indicator, StixObject, TaxiiCollection, TaxiiStatus
from jisp.intel.taxii.collections import ensure_default_collections
from jisp.intel.taxii.testing import ROOT, TAXII, basic, objects_of, store


@pytest.fixture
def green(cast: Cast) -> TaxiiCollection:
    ensure_default_collections()
    return TaxiiCollection.objects.get(alias="tlp-green")


def url(collection: TaxiiCollection, tail: str = "objects/") -> str:
    return f"{ROOT}collections/{collection.id}/{tail}"


def indicator(value: str = "198.51.100.7", **extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2024-03-01T10:00:00.000Z",
        "modified": "2024-03-01T10:00:00.000Z",
        "name": "C2 server",
        "pattern": f"[ipv4-addr:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": "2024-03-01T10:00:00.000Z",
        **extra,
    }


def post(
    client: Client, user: Any, path: str, body: Any, scope: str = "write", **headers: str
) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(
        path, data, content_type=headers.pop("content_type", TAXII),
        headers=basic(user, scope) | headers,
    )  # fmt: skip


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == TAXII
    body = json.loads(response.content)
    assert body["http_status"] == str(status)
    return body


# --- adding -------------------------------------------------------------------------------------


def test_the_centre_adds_objects_and_gets_a_status(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    good = indicator()
    bad = {"type": "indicator", "id": "nonsense"}
    response = post(client, cast.analyst, url(green), {"objects": [good, bad]})
    assert response.status_code == 202
    assert response["Content-Type"] == TAXII
    status = response.json()
    assert status["status"] == "complete"
    assert status["total_count"] == 2
    assert status["success_count"] == 1
    assert status["failure_count"] == 1
    assert status["pending_count"] == 0
    assert status["successes"] == [{"id": good["id"], "version": "2024-03-01T10:00:00.000000Z"}]
    assert status["failures"][0]["message"]
    # the object is served by the collection, with the collection's sharing
    found = objects_of(client.get(url(green), headers=basic(cast.member_b)))
    assert [o["id"] for o in found] == [good["id"]]
    row = StixObject.objects.get(stix_id=good["id"])
    assert (row.tlp, row.audience, row.organisation_id) == (
        TLP.GREEN,
        Audience.EVERYONE,
        cast.centre.pk,
    )
    # and the status can be fetched again by its poster only
    again = client.get(f"{ROOT}status/{status['id']}/", headers=basic(cast.analyst))
    assert again.status_code == 200
    assert again.json() == status
    assert_error(client.get(f"{ROOT}status/{status['id']}/", headers=basic(cast.commander)), 404)
    event = AuditEvent.objects.get(action="intel.taxii.added")
    assert event.data["succeeded"] == 1 and event.data["failed"] == 1


def test_an_exact_duplicate_is_a_success(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    good = indicator()
    post(client, cast.analyst, url(green), {"objects": [good]})
    again = post(client, cast.analyst, url(green), {"objects": [good]})
    assert again.status_code == 202
    assert again.json()["success_count"] == 1
    assert again.json()["failure_count"] == 0
    assert StixObject.objects.filter(stix_id=good["id"]).count() == 1


def test_each_added_object_gets_its_own_date_added(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    batch = [indicator(f"198.51.100.{i}") for i in range(5)]
    post(client, cast.analyst, url(green), {"objects": batch})
    dates = list(StixObject.objects.values_list("date_added", flat=True))
    assert len(set(dates)) == 5


def test_members_write_only_where_the_collection_allows(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    assert_error(post(client, cast.member_a, url(green), {"objects": [indicator()]}), 403)
    railways = TaxiiCollection.objects.get(alias="sector-railways")
    railways.members_may_write = True
    railways.save()
    response = post(client, cast.member_a, url(railways), {"objects": [indicator()]})
    assert response.status_code == 202
    row = StixObject.objects.get()
    assert row.organisation_id == cast.org_a.pk
    assert list(row.audience_sectors.values_list("pk", flat=True)) == [railways.sector_id]
    # a member of another sector may neither read nor write it: 404
    assert_error(post(client, cast.member_b, url(railways), {"objects": [indicator()]}), 404)


def test_auditors_and_outsiders_never_write(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    assert_error(post(client, cast.auditor, url(green), {"objects": [indicator()]}), 403)
    assert_error(post(client, cast.outsider, url(green), {"objects": [indicator()]}), 404)
    assert not StixObject.objects.exists()


def test_a_read_only_token_cannot_write(client: Client, cast: Cast, green: TaxiiCollection) -> None:
    response = post(client, cast.analyst, url(green), {"objects": [indicator()]}, scope="read")
    assert_error(response, 403)


def test_writing_without_credentials_is_401(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    response = client.post(url(green), "{}", content_type=TAXII, headers={"Accept": TAXII})
    assert_error(response, 401)
    assert "Basic" in response["WWW-Authenticate"]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/stix+json;version=2.1",
        "application/taxii+json;version=2.0",
        "text/plain",
    ],
)
def test_other_content_types_are_415(
    client: Client, cast: Cast, green: TaxiiCollection, content_type: str
) -> None:
    response = post(
        client, cast.analyst, url(green), {"objects": [indicator()]}, content_type=content_type
    )
    assert_error(response, 415)


def test_a_version_less_taxii_content_type_is_accepted(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    response = post(
        client, cast.analyst, url(green), {"objects": [indicator()]},
        content_type="application/taxii+json",
    )  # fmt: skip
    assert response.status_code == 202


def test_a_body_over_the_limit_is_413(
    client: Client, cast: Cast, green: TaxiiCollection, settings: Any
) -> None:
    settings.TAXII_MAX_CONTENT_LENGTH = 200
    body = json.dumps({"objects": [indicator(), indicator()]})
    assert len(body) > 200
    assert_error(post(client, cast.analyst, url(green), body), 413)
    settings.TAXII_MAX_CONTENT_LENGTH = len(body)
    assert post(client, cast.analyst, url(green), body).status_code == 202


def test_a_large_body_under_the_limit_is_not_413(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    """Above Django's own 2.5 MB body limit, below the API root's 10 MB."""
    batch = [indicator(f"198.51.{i // 250}.{i % 250}", description="x" * 900) for i in range(3500)]
    body = json.dumps({"objects": batch})
    assert 3_000_000 < len(body) < 10 * 1024 * 1024
    response = post(client, cast.analyst, url(green), body)
    assert response.status_code == 202
    assert response.json()["success_count"] == 3500


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"objects": "nope"}',
        '{"objects": []}',
        '{"type": "bundle", "id": "bundle--1", "objects": [{"type": "indicator"}]}',
    ],
)
def test_a_malformed_envelope_is_422(
    client: Client, cast: Cast, green: TaxiiCollection, body: str
) -> None:
    assert_error(post(client, cast.analyst, url(green), body), 422)
    assert not TaxiiStatus.objects.exists()


# --- deleting -----------------------------------------------------------------------------------


def test_deleting_an_object_removes_it_from_every_read(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    good = indicator()
    post(client, cast.analyst, url(green), {"objects": [good]})
    headers = basic(cast.analyst, "write")
    response = client.delete(url(green, f"objects/{good['id']}/"), headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == TAXII
    for tail in (f"objects/{good['id']}/", f"objects/{good['id']}/versions/"):
        assert_error(client.get(url(green, tail), headers=headers), 404)
    assert client.get(url(green, "manifest/"), headers=headers).content == b"{}"
    assert client.get(url(green), headers=headers).content == b"{}"
    # the indicator made from the object stays (it is the platform's, with its own history)
    assert Indicator.objects.filter(value="198.51.100.7").exists()
    event = AuditEvent.objects.get(action="intel.taxii.deleted")
    assert event.data["object"] == good["id"]


def test_deleting_one_version(client: Client, cast: Cast, green: TaxiiCollection) -> None:
    first = indicator()
    second = dict(first, modified="2024-03-02T10:00:00.000Z", name="C2 server (updated)")
    post(client, cast.analyst, url(green), {"objects": [first, second]})
    headers = basic(cast.analyst, "write")
    path = url(green, f"objects/{first['id']}/")
    response = client.delete(path + "?match[version]=2024-03-02T10:00:00.000Z", headers=headers)
    assert response.status_code == 200
    (left,) = objects_of(client.get(path, headers=headers))
    assert left["modified"] == "2024-03-01T10:00:00.000Z"
    assert_error(client.delete(path + "?match[version]=bad", headers=headers), 400)


def test_the_delete_permission_table(client: Client, cast: Cast, green: TaxiiCollection) -> None:
    (row,) = store(green, cast.org_a)
    path = url(green, f"objects/{row.stix_id}/")
    # (read false, write false): 404
    assert_error(client.delete(path, headers=basic(cast.outsider, "write")), 404)
    # (read true, write false): 403
    assert_error(client.delete(path, headers=basic(cast.member_b, "write")), 403)
    assert_error(client.delete(path, headers=basic(cast.auditor, "write")), 403)
    # (read true, write true) with a read-only token: 403
    assert_error(client.delete(path, headers=basic(cast.analyst, "read")), 403)
    assert StixObject.objects.filter(pk=row.pk).exists()
    # an unknown object: 404
    missing = url(green, "objects/indicator--00000000-0000-4000-8000-000000000000/")
    assert_error(client.delete(missing, headers=basic(cast.analyst, "write")), 404)
    assert client.delete(path, headers=basic(cast.analyst, "write")).status_code == 200


def test_a_member_deletes_only_what_their_organisation_shared(
    client: Client, cast: Cast, green: TaxiiCollection
) -> None:
    railways = TaxiiCollection.objects.get(alias="sector-railways")
    railways.members_may_write = True
    railways.save()
    (theirs,) = store(railways, cast.centre)
    (ours,) = store(railways, cast.org_a, created_by=cast.member_a2)
    headers = basic(cast.member_a, "write")
    assert_error(client.delete(url(railways, f"objects/{theirs.stix_id}/"), headers=headers), 403)
    assert (
        client.delete(
            url(railways, f"objects/{ours.stix_id}/"), headers=basic(cast.admin_a, "write")
        ).status_code
        == 200
    )
    assert StixObject.objects.filter(pk=theirs.pk).exists()
    assert not StixObject.objects.filter(pk=ours.pk).exists()
